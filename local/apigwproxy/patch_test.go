package apigwproxy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestApplyPatch(t *testing.T) {
	str := func(s string) *string { return &s }
	cases := []struct {
		name  string
		doc   string
		ops   []patchOp
		shape shape
		want  string // JSON, or "error: <substring>"
	}{
		{
			name:  "scalars are typed as reads return them",
			doc:   `{"uri":"a","timeoutInMillis":29000}`,
			ops:   []patchOp{{Op: "replace", Path: "/uri", Value: str("b")}, {Op: "replace", Path: "/timeoutInMillis", Value: str("5000")}, {Op: "replace", Path: "/tlsConfig/insecureSkipVerification", Value: str("true")}},
			shape: integrationShape,
			want:  `{"uri":"b","timeoutInMillis":5000,"tlsConfig":{"insecureSkipVerification":true}}`,
		},
		{
			name: "map entries by escaped key, added and removed",
			doc:  `{"requestTemplates":{"application/json":"{}","text/plain":"x"}}`,
			ops: []patchOp{
				{Op: "remove", Path: "/requestTemplates/application~1json"},
				{Op: "add", Path: "/requestParameters/integration.request.header.X", Value: str("method.request.header.X")},
			},
			shape: integrationShape,
			want:  `{"requestTemplates":{"text/plain":"x"},"requestParameters":{"integration.request.header.X":"method.request.header.X"}}`,
		},
		{
			name:  "method request parameters are booleans",
			doc:   `{"requestParameters":null}`,
			ops:   []patchOp{{Op: "add", Path: "/requestParameters/method.request.path.id", Value: str("true")}},
			shape: methodShape,
			want:  `{"requestParameters":{"method.request.path.id":true}}`,
		},
		{
			name: "list elements by path or by value, no duplicates",
			doc:  `{"cacheKeyParameters":["a"],"authorizationScopes":["r"]}`,
			ops: []patchOp{
				{Op: "add", Path: "/cacheKeyParameters/a", Value: str("")},
				{Op: "add", Path: "/cacheKeyParameters/b", Value: str("")},
				{Op: "remove", Path: "/cacheKeyParameters/a", Value: str("")},
			},
			shape: integrationShape,
			want:  `{"cacheKeyParameters":["b"],"authorizationScopes":["r"]}`,
		},
		{
			name:  "scopes named by value",
			doc:   `{"authorizationScopes":["r"]}`,
			ops:   []patchOp{{Op: "add", Path: "/authorizationScopes", Value: str("w")}, {Op: "remove", Path: "/authorizationScopes", Value: str("r")}},
			shape: methodShape,
			want:  `{"authorizationScopes":["w"]}`,
		},
		{
			name:  "replace without a value clears the field",
			doc:   `{"requestValidatorId":"v1","operationName":"op"}`,
			ops:   []patchOp{{Op: "replace", Path: "/requestValidatorId"}},
			shape: methodShape,
			want:  `{"operationName":"op"}`,
		},
		{name: "unknown path", doc: `{}`, ops: []patchOp{{Op: "replace", Path: "/nope", Value: str("x")}}, shape: methodShape, want: "error: invalid patch path /nope"},
		{name: "bad number", doc: `{}`, ops: []patchOp{{Op: "replace", Path: "/timeoutInMillis", Value: str("soon")}}, shape: integrationShape, want: "error: patch /timeoutInMillis"},
		{name: "unsupported op", doc: `{}`, ops: []patchOp{{Op: "move", Path: "/uri", From: str("/x")}}, shape: integrationShape, want: "error: not supported"},
		{name: "map without key", doc: `{}`, ops: []patchOp{{Op: "add", Path: "/requestModels", Value: str("x")}}, shape: methodShape, want: "error: name the map entry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := map[string]any{}
			if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			err := applyPatch(doc, tc.ops, tc.shape)
			if msg, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), msg) {
					t.Fatalf("err = %v, want one containing %q", err, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			// Round-trip so numbers compare as JSON numbers.
			b, _ := json.Marshal(doc)
			got := map[string]any{}
			_ = json.Unmarshal(b, &got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %s, want %s", b, tc.want)
			}
		})
	}
}

func TestRewrittenOps(t *testing.T) {
	v := func(s string) *string { return &s }
	o, err := usagePlanOp(patchOp{Op: "replace", Path: "/quota/limit", Value: v("500")})
	if err != nil || o["value"] != json.Number("500") {
		t.Errorf("quota limit: %v %v, want the number 500", o, err)
	}
	if _, err := usagePlanOp(patchOp{Op: "replace", Path: "/quota/limit", Value: v("lots")}); err == nil {
		t.Error("quota limit \"lots\": no error")
	}
	if o, _ := usagePlanOp(patchOp{Op: "replace", Path: "/name", Value: v("500")}); o["value"] != "500" {
		t.Errorf("name: %v, want the string kept", o)
	}
	o, _ = restAPIOp(patchOp{Op: "remove", Path: "/binaryMediaTypes/image~1png"})
	if o["path"] != "/binaryMediaTypes" || o["value"] != "image/png" {
		t.Errorf("binary media type: %v", o)
	}
}
