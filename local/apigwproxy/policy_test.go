package apigwproxy

import (
	"encoding/json"
	"strconv"
	"testing"
)

// The policy in an answer about REST APIs reads back the way the AWS
// provider reads AWS's answers: unquoted once, then parsed as JSON.
func TestEscapePolicies(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc/*"}]}`
	one, _ := json.Marshal(map[string]any{"id": "abc", "policy": policy})
	list, _ := json.Marshal(map[string]any{"item": []any{map[string]any{"id": "abc", "policy": policy}, map[string]any{"id": "def"}}})
	for name, body := range map[string][]byte{"GetRestApi": one, "GetRestApis": list} {
		var doc struct {
			Policy string
			Item   []struct{ Policy string }
		}
		out := escapePolicies(body)
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := doc.Policy
		if len(doc.Item) > 0 {
			got = doc.Item[0].Policy
		}
		unquoted, err := strconv.Unquote(`"` + got + `"`)
		if err != nil {
			t.Fatalf("%s: policy %q does not unquote: %v", name, got, err)
		}
		var p struct{ Version string }
		if err := json.Unmarshal([]byte(unquoted), &p); err != nil || p.Version != "2012-10-17" {
			t.Errorf("%s: policy %q reads back as %+v, %v", name, got, p, err)
		}
		if again := escapePolicies(out); string(again) != string(out) {
			t.Errorf("%s: escaping twice changed the answer:\n%s\n%s", name, out, again)
		}
	}
}
