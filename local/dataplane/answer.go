package dataplane

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// proxyAnswer is a Lambda proxy integration's answer as API Gateway reads
// it ("Output format of a Lambda function for proxy integration").
type proxyAnswer struct {
	status  int
	headers []headerField // headers and multiValueHeaders merged
	body    string
	base64  bool // isBase64Encoded
}

// parseProxyAnswer reads a function's answer where AWS is strict and
// lenient alike. Recorded on AWS (localstack's
// test_aws_proxy_response_payload_format_validation): a key other than
// statusCode, headers, multiValueHeaders, body and isBase64Encoded is a
// 502, as are an answer that is no object, a statusCode that is no
// number and a multiValueHeaders value that is no list; statusCode "201"
// is 201, no statusCode is 200, and header values true or 5 are written
// as "true" and "5". The rest follows the same reading of JSON (API
// Gateway's is Jackson's default one): any scalar where a string is due
// is its JSON text, null is nothing, an object or list where a scalar is
// due is a 502.
func parseProxyAnswer(payload []byte) (*proxyAnswer, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil || top == nil {
		return nil, fmt.Errorf("the answer is not a JSON object")
	}
	a := &proxyAnswer{status: http.StatusOK}
	var headers map[string]json.RawMessage
	var multi map[string]json.RawMessage
	for key, raw := range top {
		var err error
		switch key {
		case "statusCode":
			err = a.parseStatus(raw)
		case "headers":
			err = objectOrNull(raw, &headers)
		case "multiValueHeaders":
			err = objectOrNull(raw, &multi)
		case "body":
			s, null, ok := scalar(raw)
			if !ok {
				err = fmt.Errorf("body is not a string")
			} else if !null {
				a.body = s
			}
		case "isBase64Encoded":
			s, null, ok := scalar(raw)
			switch {
			case null:
			case ok && (s == "true" || s == "false"):
				a.base64 = s == "true"
			default:
				err = fmt.Errorf("isBase64Encoded is not a boolean")
			}
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	// "If you specify values for both headers and multiValueHeaders, API
	// Gateway merges them into a single list. If the same key-value pair is
	// specified in both, only the values from multiValueHeaders will appear
	// in the merged list."
	for _, name := range sortedKeys(multi) {
		var values []json.RawMessage
		if err := json.Unmarshal(multi[name], &values); err != nil {
			return nil, fmt.Errorf("multiValueHeaders %q is not a list", name)
		}
		for _, raw := range values {
			v, null, ok := scalar(raw)
			if !ok {
				return nil, fmt.Errorf("multiValueHeaders %q holds a value that is not a string", name)
			}
			if !null {
				a.headers = append(a.headers, headerField{name, v})
			}
		}
	}
	for _, name := range sortedKeys(headers) {
		v, null, ok := scalar(headers[name])
		if !ok {
			return nil, fmt.Errorf("header %q is not a string", name)
		}
		if null {
			continue
		}
		if i := slices.IndexFunc(a.headers, func(f headerField) bool { return strings.EqualFold(f.name, name) }); i >= 0 {
			name = a.headers[i].name
			if slices.ContainsFunc(a.headers, func(f headerField) bool { return f.name == name && f.value == v }) {
				continue
			}
		}
		a.headers = append(a.headers, headerField{name, v})
	}
	return a, nil
}

// parseStatus reads statusCode: a number or a numeric string, 100..599;
// null is the default 200.
func (a *proxyAnswer) parseStatus(raw json.RawMessage) error {
	s, null, ok := scalar(raw)
	if null {
		return nil
	}
	n, err := strconv.Atoi(s)
	if ok && err != nil && raw[0] != '"' {
		var f float64 // 201.0: a JSON number with a fraction
		if json.Unmarshal(raw, &f) == nil {
			n, err = int(f), nil
		}
	}
	if !ok || err != nil || n < 100 || n > 599 {
		return fmt.Errorf("statusCode %s is not an HTTP status", raw)
	}
	a.status = n
	return nil
}

// scalar reads a JSON value where a string is due: a string as it is, a
// number or boolean as its JSON text; null reports null; an object or a
// list is not ok.
func scalar(raw json.RawMessage) (s string, null, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", true, true
	}
	switch raw[0] {
	case 'n':
		return "", true, true
	case '"':
		err := json.Unmarshal(raw, &s)
		return s, false, err == nil
	case '{', '[':
		return "", false, false
	default: // number, true, false
		return string(raw), false, true
	}
}

func objectOrNull(raw json.RawMessage, into *map[string]json.RawMessage) error {
	if _, null, _ := scalar(raw); null {
		return nil
	}
	if bytes.TrimSpace(raw)[0] != '{' {
		return fmt.Errorf("%s is not an object", raw)
	}
	return json.Unmarshal(raw, into)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// acceptsBinary says whether API Gateway turns a base64 answer back into
// bytes: when the first media type of the request's Accept header matches
// the API's binary media types ("Content Type Conversions in API
// Gateway": "API Gateway only honors the first Accept media type"; "Return
// binary media from a Lambda proxy integration"). The request's
// Content-Type plays no part.
func acceptsBinary(types []string, accept string) bool {
	first, _, _ := strings.Cut(accept, ",")
	if strings.TrimSpace(first) == "" {
		return slices.Contains(types, "*/*")
	}
	return isBinary(types, first)
}

// isBinary matches a media type against binary media types: exact,
// type/* or */*; parameters are ignored.
func isBinary(types []string, contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	for _, t := range types {
		t = strings.ToLower(t)
		if t == "*/*" || t == ct || (strings.HasSuffix(t, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// writeAnswer writes a function's answer. Header names keep the
// function's casing (net/http would write a canonical name for a name set
// with Header().Set). Content-Type defaults to application/json, as API
// Gateway's does; X-Amzn-Trace-Id is the request's unless the function
// set one. Framing headers the function sets are passed on as
// x-amzn-Remapped-<name> (the developer guide's list of headers API
// Gateway may remap), since the data plane frames the answer itself.
func writeAnswer(w http.ResponseWriter, status int, fields []headerField, body []byte, traceID string) {
	h := w.Header()
	hasType, hasTrace := false, false
	for _, f := range fields {
		switch strings.ToLower(f.name) {
		case "content-length", "connection", "transfer-encoding":
			f.name = "x-amzn-Remapped-" + f.name
		case "content-type":
			hasType = true
			if f.name != "Content-Type" {
				h["Content-Type"] = nil // a nil value stops net/http adding a sniffed one
			}
		case "x-amzn-trace-id":
			hasTrace = true
		}
		addHeader(h, f.name, f.value)
	}
	if !hasType {
		setHeader(h, "Content-Type", "application/json")
	}
	if !hasTrace && traceID != "" {
		setHeader(h, "X-Amzn-Trace-Id", traceID)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// setHeader sets name as written, replacing any casing of it.
func setHeader(h http.Header, name, value string) {
	for k := range h {
		if strings.EqualFold(k, name) && h[k] != nil {
			delete(h, k)
		}
	}
	h[name] = []string{value}
}

// addHeader adds a value under the casing name already has, or as written.
func addHeader(h http.Header, name, value string) {
	for k, vs := range h {
		if strings.EqualFold(k, name) && vs != nil {
			h[k] = append(vs, value)
			return
		}
	}
	h[name] = []string{value}
}
