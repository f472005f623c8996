package apigwproxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
)

// API Gateway answers a REST API's resource policy as the policy JSON
// escaped once more (GetRestApi: "policy": "{\"Version\":...}"), and the
// AWS provider reads it that way: it unquotes the value before parsing it.
// moto answers the policy as it was put, so the provider failed to read
// any API with a policy ("invalid character ... after top-level value").
// The proxy escapes the policy in moto's answers about REST APIs.

// servePolicyEscaped forwards r to next and, when it is a read or write of
// REST APIs (POST/GET /restapis, GET/PATCH /restapis/<id>), answers with
// each API's policy escaped as AWS does. It reports whether it answered.
func servePolicyEscaped(w http.ResponseWriter, r *http.Request, p []string, next http.Handler) bool {
	if p[0] != "restapis" || len(p) > 2 || r.Method == http.MethodDelete {
		return false
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	if rec.Code/100 == 2 {
		out = escapePolicies(out)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
	return true
}

// escapePolicies escapes the policy of the API (or of every API of a
// list, "item") in a moto answer.
func escapePolicies(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	changed := escapePolicy(doc)
	if items, ok := doc["item"].([]any); ok {
		for _, it := range items {
			if api, ok := it.(map[string]any); ok && escapePolicy(api) {
				changed = true
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// escapePolicy escapes api["policy"] if it is plain JSON, and reports
// whether it did.
func escapePolicy(api map[string]any) bool {
	policy, _ := api["policy"].(string)
	if strings.TrimSpace(policy) == "" || !json.Valid([]byte(policy)) {
		return false // none, or already escaped
	}
	var compact bytes.Buffer
	if json.Compact(&compact, []byte(policy)) != nil {
		return false
	}
	quoted, err := json.Marshal(compact.String())
	if err != nil {
		return false
	}
	api["policy"] = string(quoted[1 : len(quoted)-1])
	return true
}
