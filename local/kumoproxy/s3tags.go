package kumoproxy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/apibuilder/apibuilder/local/instrument"
)

// maxObjectTags is S3's limit of tags per object. kumo stores any number,
// so an upload that AWS refuses (for example a package object carrying the
// provider's default tags plus the project's) would apply locally; the
// proxy refuses it as S3 does.
const maxObjectTags = 10

// objectTagsOverLimit answers r itself, as S3 would, when it sets more
// than maxObjectTags tags on an object: PutObject, CopyObject or
// CreateMultipartUpload with x-amz-tagging, or PutObjectTagging. It
// reports whether it answered.
func (s *Proxy) objectTagsOverLimit(w http.ResponseWriter, r *http.Request) bool {
	if instrument.ServiceOf(r) != "s3" {
		return false
	}
	q := r.URL.Query()
	// Object requests are /<bucket>/<key> (kumo is addressed path-style).
	if strings.Count(strings.Trim(r.URL.Path, "/"), "/") < 1 {
		return false
	}
	n := 0
	switch {
	case r.Method == http.MethodPut && q.Has("tagging"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var doc struct {
			Tags []struct{ Key string } `xml:"TagSet>Tag"`
		}
		if xml.Unmarshal(body, &doc) != nil {
			return false // S3's own answer to a malformed body
		}
		n = len(doc.Tags)
	case r.Method == http.MethodPut && !q.Has("partNumber") || r.Method == http.MethodPost && q.Has("uploads"):
		set := r.Header.Get("X-Amz-Tagging")
		if set == "" {
			return false
		}
		tags, err := url.ParseQuery(set)
		if err != nil {
			return false
		}
		n = len(tags)
	default:
		return false
	}
	if n <= maxObjectTags {
		return false
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>BadRequest</Code><Message>Object tags cannot be greater than %d</Message><Resource>%s</Resource></Error>`, maxObjectTags, xmlEscape(r.URL.Path))
	return true
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
