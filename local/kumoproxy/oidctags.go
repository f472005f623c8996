package kumoproxy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apibuilder/apibuilder/local/instrument"
)

// oidcTags keeps the tags of IAM OpenID Connect providers. kumo drops the
// tags of CreateOpenIDConnectProvider, leaves them out of
// GetOpenIDConnectProvider and has no TagOpenIDConnectProvider,
// UntagOpenIDConnectProvider or ListOpenIDConnectProviderTags, so the AWS
// provider's default tags showed as a change on every plan of a
// configuration with aws_iam_openid_connect_provider (apibuilder
// bootstrap's), and applying it failed with InvalidAction. The proxy
// answers these as IAM does.
type oidcTags struct {
	mu   sync.Mutex
	tags map[string]map[string]string // provider ARN -> key -> value
}

const iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"

var providerArnRe = regexp.MustCompile(`<OpenIDConnectProviderArn>([^<]+)</OpenIDConnectProviderArn>`)

// serveOIDCTags answers r itself or through kumo with the tags added, when
// it is one of the OIDC provider operations above; it reports whether it
// did.
func (s *Proxy) serveOIDCTags(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || instrument.ServiceOf(r) != "iam" {
		return false
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return false
	}
	arn := form.Get("OpenIDConnectProviderArn")
	o := &s.oidc
	switch form.Get("Action") {
	case "CreateOpenIDConnectProvider":
		c := s.through(w, r)
		if m := providerArnRe.FindSubmatch(c.body.Bytes()); c.status == http.StatusOK && m != nil {
			o.set(string(m[1]), members(form, "Tags", true))
		}
		c.replay(w)
	case "GetOpenIDConnectProvider":
		c := s.through(w, r)
		if c.status == http.StatusOK {
			o.mu.Lock()
			tags, known := o.tags[arn]
			o.mu.Unlock()
			if !known {
				o.set(arn, nil) // made before the proxy kept tags: none
			}
			c.body = *bytes.NewBuffer(bytes.Replace(c.body.Bytes(), []byte("</GetOpenIDConnectProviderResult>"), append(tagsXML(tags), "</GetOpenIDConnectProviderResult>"...), 1))
			c.header.Set("Content-Length", strconv.Itoa(c.body.Len()))
		}
		c.replay(w)
	case "DeleteOpenIDConnectProvider":
		c := s.through(w, r)
		if c.status == http.StatusOK {
			o.mu.Lock()
			delete(o.tags, arn)
			o.mu.Unlock()
		}
		c.replay(w)
	case "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider", "ListOpenIDConnectProviderTags":
		action := form.Get("Action")
		o.mu.Lock()
		defer o.mu.Unlock()
		tags, known := o.tags[arn]
		if !known {
			writeIAMError(w, http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("OpenIDConnect Provider not found for arn %s", arn))
			return true
		}
		result := ""
		switch action {
		case "TagOpenIDConnectProvider":
			add := members(form, "Tags", true)
			if len(tags)+len(newKeys(tags, add)) > 50 {
				writeIAMError(w, http.StatusConflict, "LimitExceeded", "The number of tags has reached the maximum limit.")
				return true
			}
			for k, v := range add {
				tags[k] = v
			}
		case "UntagOpenIDConnectProvider":
			for k := range members(form, "TagKeys", false) {
				delete(tags, k)
			}
		default:
			result = "<" + action + "Result><IsTruncated>false</IsTruncated>" + string(tagsXML(tags)) + "</" + action + "Result>"
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>kumoproxy</RequestId></ResponseMetadata></%sResponse>`, action, iamNS, result, action)
	default:
		return false
	}
	return true
}

// through forwards r to kumo and returns its answer, not yet written.
func (s *Proxy) through(w http.ResponseWriter, r *http.Request) *capture {
	c := &capture{ResponseWriter: headerOnly{w.Header().Clone()}}
	s.forward(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
		c.header = c.ResponseWriter.Header().Clone()
	}
	c.ResponseWriter = nil
	return c
}

// headerOnly is a ResponseWriter that only keeps headers: capture keeps
// the status and body.
type headerOnly struct{ h http.Header }

func (h headerOnly) Header() http.Header       { return h.h }
func (headerOnly) Write(p []byte) (int, error) { return len(p), nil }
func (headerOnly) WriteHeader(int)             {}

func (o *oidcTags) set(arn string, tags map[string]string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tags == nil {
		o.tags = map[string]map[string]string{}
	}
	if tags == nil {
		tags = map[string]string{}
	}
	o.tags[arn] = tags
}

// members reads a query-protocol list: <name>.member.N.Key/Value pairs
// (withValues) or <name>.member.N values, as a set.
func members(form url.Values, name string, withValues bool) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		p := fmt.Sprintf("%s.member.%d", name, i)
		if withValues {
			k, ok := form[p+".Key"]
			if !ok {
				return out
			}
			out[k[0]] = form.Get(p + ".Value")
		} else {
			k, ok := form[p]
			if !ok {
				return out
			}
			out[k[0]] = ""
		}
	}
}

func newKeys(have, add map[string]string) []string {
	var out []string
	for k := range add {
		if _, ok := have[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func tagsXML(tags map[string]string) []byte {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("<Tags>")
	for _, k := range keys {
		b.WriteString("<member><Key>")
		_ = xml.EscapeText(&b, []byte(k))
		b.WriteString("</Key><Value>")
		_ = xml.EscapeText(&b, []byte(tags[k]))
		b.WriteString("</Value></member>")
	}
	b.WriteString("</Tags>")
	return b.Bytes()
}

func writeIAMError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var m bytes.Buffer
	_ = xml.EscapeText(&m, []byte(msg))
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>kumoproxy</RequestId></ErrorResponse>`,
		iamNS, code, strings.TrimSpace(m.String()))
}
