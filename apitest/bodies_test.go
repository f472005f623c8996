package apitest

import (
	"encoding/json"
	"strings"
	"testing"
)

const itemSchema = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "type": "object",
  "required": ["id", "name"],
  "additionalProperties": false,
  "properties": {
    "id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$" },
    "name": { "type": "string", "minLength": 1, "maxLength": 8 },
    "price": { "type": "number", "minimum": 0, "maximum": 100 },
    "kind": { "type": "string", "enum": ["a", "b"] }
  }
}`

func TestSampleValidatesAndViolationsDoNot(t *testing.T) {
	v, err := newValidator([]byte(itemSchema))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := sample(v.raw)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(inst)
	if err := v.check(body); err != nil {
		t.Fatalf("sample %s does not validate: %v", body, err)
	}
	var names []string
	for _, x := range v.violations(body) {
		names = append(names, x.name)
		if v.check(x.body) == nil {
			t.Errorf("%s: %s validates", x.name, x.body)
		}
	}
	got := strings.Join(names, "; ")
	for _, want := range []string{
		"a body that is not JSON", "missing required property id", "an unknown property (additionalProperties: false)",
		"of the wrong type", "not matching its pattern", "shorter than minLength", "longer than maxLength",
		"below its minimum", "above its maximum", "not one of its enum",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no violation %q among: %s", want, got)
		}
	}
}

func TestSampleSaysWhyItCannot(t *testing.T) {
	v, err := newValidator([]byte(`{"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^Z{5}$"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sample(v.raw); err == nil || !strings.Contains(err.Error(), `property code: no built-in sample matches pattern "^Z{5}$"`) {
		t.Errorf("err = %v", err)
	}
}
