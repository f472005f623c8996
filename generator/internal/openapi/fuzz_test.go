package openapi

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// FuzzConvert: any schema draft-04 accepts converts without a panic into
// schemas kin-openapi loads and validates, except for the two documented
// cases (a pattern Go's RE2 cannot compile, a default that breaks its
// schema's other keywords).
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"type":["string","null"],"items":[{"type":"integer"}],"additionalItems":false}`,
		`{"type":"object","patternProperties":{"^a":{"type":"string"}},"additionalProperties":false,"definitions":{"d":{"$ref":"#"}}}`,
		`{"anyOf":[{"type":["integer","array"]}],"type":["boolean","object","null"],"dependencies":{"a":["b"]}}`,
		`{"properties":{"a":{"$ref":"#/definitions/b"}},"definitions":{"b":{"type":"null","enum":[null]}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
		if err != nil {
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4)
		if c.AddResource("file:///schemas/s.json", doc) != nil {
			return
		}
		if _, err := c.Compile("file:///schemas/s.json"); err != nil {
			return // not valid draft-04: the routes-file check refuses it
		}
		if strings.Contains(schema, `"default"`) || strings.Contains(schema, `"$ref"`) && !strings.Contains(schema, `"#`) {
			return
		}
		set := newSchemaSet(gatewayError)
		if err := set.addFiles([]string{"schemas/s.json"}, func(string) ([]byte, error) { return []byte(schema), nil }); err != nil {
			return // JSON that Go's decoder and jsonschema's disagree on
		}
		out := writeJSON(object{
			{"openapi", Version},
			{"info", object{{"title", "t"}, {"version", "1"}}},
			{"paths", object{}},
			{"components", object{{"schemas", set.components}}},
		})
		loaded, err := openapi3.NewLoader().LoadFromData(out)
		if err != nil {
			t.Fatalf("kin-openapi cannot load %s: %v\n%s", schema, err, out)
		}
		err = loaded.Validate(context.Background(), openapi3.EnableExamplesValidation())
		if err != nil && !patternRE2(err) {
			t.Fatalf("kin-openapi refuses the conversion of %s: %v\n%s", schema, err, out)
		}
	})
}

var re2Error = regexp.MustCompile(`error parsing regexp`)

func patternRE2(err error) bool { return re2Error.MatchString(err.Error()) }
