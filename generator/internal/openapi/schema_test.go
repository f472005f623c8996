package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// convertCase converts one schema file (schemas/s.json) and returns the
// components as compact JSON and the losses as strings.
func convertFiles(t *testing.T, files map[string]string) (*schemaSet, string) {
	t.Helper()
	var names []string
	for f := range files {
		names = append(names, f)
	}
	sortStrings(names)
	set := newSchemaSet(gatewayError)
	err := set.addFiles(names, func(rel string) ([]byte, error) {
		if s, ok := files[rel]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, writeJSON(set.components)); err != nil {
		t.Fatal(err)
	}
	return set, b.String()
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// TestConvert holds the draft-04 conversion to what it must write, what
// it must report lost, and to its promise: every value the draft-04 schema
// accepts, the OpenAPI schema accepts (checked with a draft-04 validator
// and kin-openapi), and the values listed as refused stay refused.
func TestConvert(t *testing.T) {
	cases := []struct {
		name   string
		schema string
		want   string   // the components, compact JSON
		lost   []string // losses as "pointer keyword"
		accept []string // instances both dialects accept
		refuse []string // instances both dialects refuse
	}{
		{
			name:   "identity keywords dropped, the rest kept in order",
			schema: `{"$schema":"http://json-schema.org/draft-04/schema#","id":"https://example.com/s.json","title":"T","type":"object","required":["a"],"properties":{"a":{"type":"string","minLength":2,"pattern":"^x"},"n":{"type":"number","minimum":0,"exclusiveMinimum":true,"multipleOf":0.5}},"additionalProperties":false,"x-team":"core"}`,
			want:   `{"s":{"title":"T","type":"object","required":["a"],"properties":{"a":{"type":"string","minLength":2,"pattern":"^x"},"n":{"type":"number","minimum":0,"exclusiveMinimum":true,"multipleOf":0.5}},"additionalProperties":false,"x-team":"core"}}`,
			accept: []string{`{"a":"xy"}`, `{"a":"xyz","n":0.5}`},
			refuse: []string{`{}`, `{"a":"y1"}`, `{"a":"xy","n":0}`, `{"a":"xy","b":1}`},
		},
		{
			name:   "definitions become components and $refs follow them",
			schema: `{"type":"object","properties":{"c":{"$ref":"#/definitions/customer"},"self":{"$ref":"#"},"deep":{"$ref":"#/definitions/customer/properties/name"},"odd":{"$ref":"#/definitions/a~1b%20c"}},"definitions":{"customer":{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}},"a/b c":{"type":"integer"},"unused":{"type":"boolean"}}}`,
			want:   `{"s":{"type":"object","properties":{"c":{"$ref":"#/components/schemas/sCustomer"},"self":{"$ref":"#/components/schemas/s"},"deep":{"$ref":"#/components/schemas/sCustomerPropertiesName"},"odd":{"$ref":"#/components/schemas/sABC"}}},"sCustomer":{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}},"sABC":{"type":"integer"},"sUnused":{"type":"boolean"},"sCustomerPropertiesName":{"type":"string","minLength":1}}`,
			accept: []string{`{"c":{"name":"a"},"self":{"odd":1},"deep":"x"}`},
			refuse: []string{`{"c":{}}`, `{"self":{"c":{"name":""}}}`, `{"odd":"1"}`},
		},
		{
			name:   "siblings of $ref are ignored, as draft-04 does",
			schema: `{"type":"object","properties":{"a":{"$ref":"#/definitions/d","type":"string","description":"ignored"}},"definitions":{"d":{"type":"integer"}}}`,
			want:   `{"s":{"type":"object","properties":{"a":{"$ref":"#/components/schemas/sD"}}},"sD":{"type":"integer"}}`,
			accept: []string{`{"a":1}`},
			refuse: []string{`{"a":"x"}`},
		},
		{
			name:   "a type and null is nullable",
			schema: `{"type":["string","null"],"maxLength":3}`,
			want:   `{"s":{"type":"string","nullable":true,"maxLength":3}}`,
			accept: []string{`null`, `"abc"`},
			refuse: []string{`"abcd"`, `1`},
		},
		{
			name:   "null alone is an enum of null",
			schema: `{"type":"null"}`,
			want:   `{"s":{"nullable":true,"enum":[null]}}`,
			accept: []string{`null`},
			refuse: []string{`0`, `""`},
		},
		{
			name:   "integer and number is number",
			schema: `{"type":["integer","number"]}`,
			want:   `{"s":{"type":"number"}}`,
			accept: []string{`1`, `1.5`},
			refuse: []string{`"1"`},
		},
		{
			name:   "a union of types is an anyOf, where the type was",
			schema: `{"title":"U","type":["string","integer","array","null"],"minLength":2,"minimum":5,"items":{"type":"boolean"}}`,
			want:   `{"s":{"title":"U","anyOf":[{"type":"string","nullable":true},{"type":"integer","nullable":true},{"type":"array","items":{},"nullable":true}],"nullable":true,"minLength":2,"minimum":5,"items":{"type":"boolean"}}}`,
			accept: []string{`"ab"`, `7`, `[true]`, `null`},
			refuse: []string{`"a"`, `3`, `[1]`, `1.5`, `{}`},
		},
		{
			name:   "a union beside an anyOf goes into allOf",
			schema: `{"type":["string","number"],"anyOf":[{"minLength":3},{"minimum":10}]}`,
			want:   `{"s":{"anyOf":[{"minLength":3},{"minimum":10}],"allOf":[{"anyOf":[{"type":"string"},{"type":"number"}]}]}}`,
			accept: []string{`"abc"`, `11`, `"a"`, `1`},
			refuse: []string{`true`, `{}`},
		},
		{
			name:   "an array needs items in OpenAPI 3.0",
			schema: `{"type":"array","minItems":1}`,
			want:   `{"s":{"type":"array","minItems":1,"items":{}}}`,
			accept: []string{`[1,"a"]`},
			refuse: []string{`[]`, `{}`},
		},
		{
			name:   "additionalItems without a tuple has no effect",
			schema: `{"type":"array","items":{"type":"string"},"additionalItems":false}`,
			want:   `{"s":{"type":"array","items":{"type":"string"}}}`,
			accept: []string{`["a","b","c"]`},
			refuse: []string{`[1]`},
		},
		{
			name:   "a closed tuple is any of its positions, at most as long",
			schema: `{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false,"maxItems":5}`,
			want:   `{"s":{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"integer"}]},"maxItems":2,"x-apibuilder-lost":{"items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}}}`,
			lost:   []string{" items"},
			accept: []string{`["a",1]`, `["a"]`, `[]`},
			refuse: []string{`["a",1,2]`, `[true]`},
		},
		{
			name:   "a closed tuple of equal positions is exact",
			schema: `{"type":"array","items":[{"type":"number"},{"type":"number"}],"additionalItems":false}`,
			want:   `{"s":{"type":"array","items":{"type":"number"},"maxItems":2}}`,
			accept: []string{`[1,2]`, `[1]`},
			refuse: []string{`[1,2,3]`, `["a"]`},
		},
		{
			name:   "a tuple with additionalItems: any of the positions and the rest",
			schema: `{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}`,
			want:   `{"s":{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"integer"}]},"x-apibuilder-lost":{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}}}`,
			lost:   []string{" items"},
			accept: []string{`["a",1,2]`, `[]`},
			refuse: []string{`[true]`},
		},
		{
			name:   "an open tuple checks no element",
			schema: `{"type":"array","items":[{"type":"string"}]}`,
			want:   `{"s":{"type":"array","items":{},"x-apibuilder-lost":{"items":[{"type":"string"}]}}}`,
			lost:   []string{" items"},
			accept: []string{`["a",1,true]`},
			refuse: []string{`{}`},
		},
		{
			name:   "patternProperties with open additionalProperties are left out",
			schema: `{"type":"object","patternProperties":{"^x-":{"type":"string"}}}`,
			want:   `{"s":{"type":"object","x-apibuilder-lost":{"patternProperties":{"^x-":{"type":"string"}}}}}`,
			lost:   []string{" patternProperties"},
			accept: []string{`{"x-a":"1","b":2}`},
			refuse: []string{`[]`},
		},
		{
			name:   "patternProperties with additionalProperties false: other properties match a pattern's schema",
			schema: `{"type":"object","properties":{"id":{"type":"integer"}},"patternProperties":{"^s_":{"type":"string"},"^n_":{"type":"number"}},"additionalProperties":false}`,
			want:   `{"s":{"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"anyOf":[{"type":"string"},{"type":"number"}]},"x-apibuilder-lost":{"patternProperties":{"^s_":{"type":"string"},"^n_":{"type":"number"}},"additionalProperties":false}}}`,
			lost:   []string{" patternProperties"},
			accept: []string{`{"id":1,"s_a":"x","n_b":2}`},
			refuse: []string{`{"id":"1"}`, `{"other":true}`},
		},
		{
			name:   "patternProperties with an additionalProperties schema: either",
			schema: `{"type":"object","patternProperties":{"^s_":{"type":"string"}},"additionalProperties":{"type":"boolean"}}`,
			want:   `{"s":{"type":"object","additionalProperties":{"anyOf":[{"type":"boolean"},{"type":"string"}]},"x-apibuilder-lost":{"patternProperties":{"^s_":{"type":"string"}},"additionalProperties":{"type":"boolean"}}}}`,
			lost:   []string{" patternProperties"},
			accept: []string{`{"s_a":"x","b":true}`},
			refuse: []string{`{"b":1}`},
		},
		{
			name:   "dependencies are left out",
			schema: `{"type":"object","properties":{"card":{"type":"string"}},"dependencies":{"card":["billing"],"x":{"required":["y"]}}}`,
			want:   `{"s":{"type":"object","properties":{"card":{"type":"string"}},"x-apibuilder-lost":{"dependencies":{"card":["billing"],"x":{"required":["y"]}}}}}`,
			lost:   []string{" dependencies"},
			accept: []string{`{"card":"4111","billing":"x"}`},
			refuse: []string{`{"card":1}`},
		},
		{
			name:   "a $ref out of the file cannot be followed",
			schema: `{"type":"object","properties":{"a":{"$ref":"other.json#/definitions/x"}}}`,
			want:   `{"s":{"type":"object","properties":{"a":{"x-apibuilder-lost":{"$ref":"other.json#/definitions/x"}}}}}`,
			lost:   []string{"/properties/a $ref"},
		},
		{
			name:   "keywords that are not draft-04's are left out; extensions stay",
			schema: `{"type":"string","const":"a","example":"b","x-note":"kept","nullable":true}`,
			want:   `{"s":{"type":"string","x-note":"kept","x-apibuilder-lost":{"const":"a","example":"b","nullable":true}}}`,
			lost:   []string{" const", " example", " nullable"},
			accept: []string{`"z"`},
			refuse: []string{`null`, `1`},
		},
		{
			name:   "subschemas everywhere are converted",
			schema: `{"allOf":[{"type":["string","null"]}],"oneOf":[{"type":"string"},{"type":"null"}],"not":{"type":"null","description":"n"},"additionalProperties":{"type":["integer","null"]}}`,
			want:   `{"s":{"allOf":[{"type":"string","nullable":true}],"oneOf":[{"type":"string"},{"nullable":true,"enum":[null]}],"not":{"nullable":true,"enum":[null],"description":"n"},"additionalProperties":{"type":"integer","nullable":true}}}`,
			accept: []string{`"a"`},
			refuse: []string{`null`, `1`},
		},
		{
			name:   "an empty required (invalid in both) is dropped",
			schema: `{"type":"object","required":[]}`,
			want:   `{"s":{"type":"object"}}`,
		},
		{
			name:   "a default not of the schema's type is left out",
			schema: `{"type":"object","properties":{"s":{"type":"string","default":1},"i":{"type":"integer","default":2.0},"n":{"type":["number","null"],"default":null}}}`,
			want:   `{"s":{"type":"object","properties":{"s":{"type":"string","x-apibuilder-lost":{"default":1}},"i":{"type":"integer","default":2.0},"n":{"type":"number","nullable":true,"default":null}}}}`,
			lost:   []string{"/properties/s default"},
			accept: []string{`{"s":"a","i":3,"n":null}`},
			refuse: []string{`{"s":1}`},
		},
		{
			name:   "numbers keep their text",
			schema: `{"type":"number","maximum":12345678901234567890,"default":2.50}`,
			want:   `{"s":{"type":"number","maximum":12345678901234567890,"default":2.50}}`,
			accept: []string{`3`, `2.5`},
			refuse: []string{`100000000000000000000`, `"3"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, got := convertFiles(t, map[string]string{"schemas/s.json": tc.schema})
			if got != tc.want {
				t.Errorf("components:\n got %s\nwant %s", got, tc.want)
			}
			var lost []string
			for _, l := range set.losses {
				if l.Schema != "schemas/s.json" {
					t.Errorf("loss names schema %q, want schemas/s.json", l.Schema)
				}
				lost = append(lost, l.Pointer+" "+l.Keyword)
			}
			if strings.Join(lost, "|") != strings.Join(tc.lost, "|") {
				t.Errorf("losses: got %q, want %q", lost, tc.lost)
			}
			doc := validComponents(t, set)
			if len(tc.accept)+len(tc.refuse) == 0 {
				return // draft-04 itself cannot load the schema
			}
			draft04 := compileDraft04(t, tc.schema)
			converted := doc.Components.Schemas["s"].Value
			for _, inst := range tc.accept {
				if err := draft04.Validate(decode(t, inst, true)); err != nil {
					t.Errorf("test case is wrong: draft-04 refuses %s: %v", inst, err)
				}
				if err := converted.VisitJSON(decode(t, inst, false)); err != nil {
					t.Errorf("the OpenAPI schema refuses %s, which draft-04 accepts: %v", inst, err)
				}
			}
			for _, inst := range tc.refuse {
				if draft04.Validate(decode(t, inst, true)) == nil {
					t.Errorf("test case is wrong: draft-04 accepts %s", inst)
				}
				if converted.VisitJSON(decode(t, inst, false)) == nil {
					t.Errorf("the OpenAPI schema accepts %s, which draft-04 refuses", inst)
				}
			}
		})
	}
}

// validComponents puts the converted schemas into a document and has
// kin-openapi load and validate it.
func validComponents(t *testing.T, set *schemaSet) *openapi3.T {
	t.Helper()
	doc := object{
		{"openapi", Version},
		{"info", object{{"title", "t"}, {"version", "1"}}},
		{"paths", object{}},
		{"components", object{{"schemas", set.components}}},
	}
	loaded, err := openapi3.NewLoader().LoadFromData(writeJSON(doc))
	if err != nil {
		t.Fatalf("kin-openapi cannot load the converted schemas: %v", err)
	}
	if err := loaded.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("kin-openapi: the converted schemas are not valid: %v", err)
	}
	return loaded
}

func compileDraft04(t *testing.T, schema string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("file:///schemas/s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///schemas/s.json")
	if err != nil {
		t.Fatalf("test case is not valid draft-04: %v", err)
	}
	return s
}

func decode(t *testing.T, s string, forDraft04 bool) any {
	t.Helper()
	if forDraft04 {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestComponentNames: a file is named after its base name, after its path
// when two share a base name, and never takes a name already in use; names
// are alphanumeric, as API Gateway's model names must be.
func TestComponentNames(t *testing.T) {
	set, got := convertFiles(t, map[string]string{
		"schemas/item.json":         `{"type":"object"}`,
		"schemas/v2/item.json":      `{"type":"string"}`,
		"schemas/GatewayError.json": `{"type":"integer","definitions":{"x":{"type":"null"}}}`,
		"schemas/item list.v1.json": `{"type":"boolean"}`,
	})
	want := `{"GatewayError2":{"type":"integer"},"GatewayError2X":{"nullable":true,"enum":[null]},"itemListV1":{"type":"boolean"},"schemasItem":{"type":"object"},"schemasV2Item":{"type":"string"}}`
	if got != want {
		t.Errorf("components:\n got %s\nwant %s", got, want)
	}
	if r := fmt.Sprint(set.ref("schemas/v2/item.json")); r != "[{$ref #/components/schemas/schemasV2Item}]" {
		t.Errorf("ref = %s", r)
	}
}

// TestBadSchemaFile: an unreadable or broken schema file is an error that
// names it, not a panic.
func TestBadSchemaFile(t *testing.T) {
	set := newSchemaSet()
	err := set.addFiles([]string{"schemas/missing.json"}, func(string) ([]byte, error) { return nil, os.ErrNotExist })
	if err == nil || !strings.Contains(err.Error(), "schemas/missing.json cannot be read") {
		t.Errorf("missing file: %v", err)
	}
	err = newSchemaSet().addFiles([]string{"schemas/bad.json"}, func(string) ([]byte, error) { return []byte(`{"a":`), nil })
	if err == nil || !strings.Contains(err.Error(), "schemas/bad.json is not JSON") {
		t.Errorf("broken file: %v", err)
	}
	_, got := convertFiles(t, map[string]string{"schemas/s.json": `{"properties":{"a":true}}`})
	if want := `{"s":{"properties":{"a":{"x-apibuilder-lost":{"schema":true}}}}}`; got != want {
		t.Errorf("a non-object subschema:\n got %s\nwant %s", got, want)
	}
}
