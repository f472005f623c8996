package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schema is the part of a JSON Schema draft-04 document the body checks
// read. Every instance built from it is confirmed by a real validator
// before it is used, so what this reads wrongly only costs a check (it is
// skipped, with the reason), never a false result.
type schema struct {
	Type                 any                `json:"type"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties any                `json:"additionalProperties"`
	Pattern              string             `json:"pattern"`
	MinLength            *int               `json:"minLength"`
	MaxLength            *int               `json:"maxLength"`
	Minimum              *float64           `json:"minimum"`
	Maximum              *float64           `json:"maximum"`
	ExclusiveMinimum     bool               `json:"exclusiveMinimum"`
	ExclusiveMaximum     bool               `json:"exclusiveMaximum"`
	Enum                 []any              `json:"enum"`
	Items                *schema            `json:"items"`
	MinItems             *int               `json:"minItems"`
	Format               string             `json:"format"`
}

func (s *schema) typ() string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x, ok := x.(string); ok && x != "null" {
				return x
			}
		}
	}
	switch {
	case s.Properties != nil:
		return "object"
	case s.Items != nil:
		return "array"
	}
	return ""
}

// validator checks instances against one schema file.
type validator struct {
	raw    *schema
	schema *jsonschema.Schema
}

func newValidator(doc []byte) (*validator, error) {
	var raw schema
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, err
	}
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("file:///schema.json", parsed); err != nil {
		return nil, err
	}
	sch, err := c.Compile("file:///schema.json")
	if err != nil {
		return nil, err
	}
	return &validator{raw: &raw, schema: sch}, nil
}

// check returns nil when body (JSON) is valid.
func (v *validator) check(body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return v.schema.Validate(inst)
}

// sample builds an instance of s, or reports why it cannot.
func sample(s *schema) (any, error) {
	if len(s.Enum) > 0 {
		return s.Enum[0], nil
	}
	switch s.typ() {
	case "object":
		out := map[string]any{}
		for _, name := range s.Required {
			p := s.Properties[name]
			if p == nil {
				out[name] = "example"
				continue
			}
			v, err := sample(p)
			if err != nil {
				return nil, fmt.Errorf("property %s: %w", name, err)
			}
			out[name] = v
		}
		return out, nil
	case "array":
		n := 0
		if s.MinItems != nil {
			n = *s.MinItems
		}
		out := make([]any, 0, n)
		for range n {
			item := &schema{}
			if s.Items != nil {
				item = s.Items
			}
			v, err := sample(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "string":
		return sampleString(s)
	case "integer", "number":
		lo, hi := math.Inf(-1), math.Inf(1)
		if s.Minimum != nil {
			lo = *s.Minimum
			if s.ExclusiveMinimum {
				lo = math.Floor(lo) + 1
			}
		}
		if s.Maximum != nil {
			hi = *s.Maximum
			if s.ExclusiveMaximum {
				hi = math.Ceil(hi) - 1
			}
		}
		v := 1.0
		if v < lo {
			v = math.Ceil(lo)
		}
		if v > hi {
			v = math.Floor(hi)
		}
		if v < lo || v > hi {
			return nil, fmt.Errorf("no integer in [%v, %v]", lo, hi)
		}
		return v, nil
	case "boolean":
		return true, nil
	case "null":
		return nil, nil
	}
	return "example", nil
}

// candidates are tried, in order, for strings with a pattern.
var candidates = []string{"example", "a", "1", "abc", "abc123", "A1", "a-b_c", "ABC", "x@example.com", "2024-01-01", "00000000-0000-0000-0000-000000000000", "https://example.com"}

func sampleString(s *schema) (any, error) {
	lo, hi := 0, math.MaxInt
	if s.MinLength != nil {
		lo = *s.MinLength
	}
	if s.MaxLength != nil {
		hi = *s.MaxLength
	}
	fit := func(c string) bool {
		n := len([]rune(c))
		return n >= lo && n <= hi
	}
	switch s.Format {
	case "email":
		return "x@example.com", nil
	case "date-time":
		return "2024-01-01T00:00:00Z", nil
	case "uri":
		return "https://example.com", nil
	}
	if s.Pattern == "" {
		c := "example"
		for len([]rune(c)) < lo {
			c += "x"
		}
		if !fit(c) {
			c = strings.Repeat("x", lo)
		}
		return c, nil
	}
	re, err := regexp.Compile(s.Pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern %q is not a Go regular expression", s.Pattern)
	}
	for _, c := range candidates {
		if fit(c) && re.MatchString(c) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("no built-in sample matches pattern %q", s.Pattern)
}

// violation is a body that breaks one rule of the schema.
type violation struct {
	name string // e.g. "missing required property id"
	body []byte
}

// violations derives, from a valid object body, one invalid body per kind
// of rule the schema's top level and its properties have: a missing
// required property, a wrong type, a pattern, a length, a bound, an enum,
// an unknown property where additionalProperties is false. Each is
// confirmed invalid by the validator (those that are not are dropped).
func (v *validator) violations(valid []byte) []violation {
	var base map[string]any
	if json.Unmarshal(valid, &base) != nil || v.raw.typ() != "object" {
		return v.confirm([]violation{{"a body of the wrong type", []byte(`"not the schema's type"`)}})
	}
	clone := func() map[string]any {
		var m map[string]any
		_ = json.Unmarshal(valid, &m)
		return m
	}
	var out []violation
	add := func(name string, m any) {
		data, err := json.Marshal(m)
		if err == nil {
			out = append(out, violation{name, data})
		}
	}
	out = append(out, violation{"a body that is not JSON", []byte(`{"unclosed": `)})
	if len(v.raw.Required) > 0 {
		m := clone()
		delete(m, v.raw.Required[0])
		add("missing required property "+v.raw.Required[0], m)
	}
	if ap, ok := v.raw.AdditionalProperties.(bool); ok && !ap {
		m := clone()
		m["apibuilder_unknown_property"] = 1
		add("an unknown property (additionalProperties: false)", m)
	}
	names := make([]string, 0, len(v.raw.Properties))
	for n := range v.raw.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	once := func(kind, name string, m any) {
		if !seen[kind] {
			seen[kind] = true
			add(name, m)
		}
	}
	for _, n := range names {
		p := v.raw.Properties[n]
		switch p.typ() {
		case "string":
			m := clone()
			m[n] = 12345
			once("type", "property "+n+" of the wrong type", m)
			if p.Pattern != "" {
				m := clone()
				m[n] = "!!! does not match !!!"
				once("pattern", "property "+n+" not matching its pattern", m)
			}
			if p.MinLength != nil && *p.MinLength > 0 {
				m := clone()
				m[n] = strings.Repeat("a", *p.MinLength-1)
				once("minLength", "property "+n+" shorter than minLength", m)
			}
			if p.MaxLength != nil {
				m := clone()
				m[n] = strings.Repeat("a", *p.MaxLength+1)
				once("maxLength", "property "+n+" longer than maxLength", m)
			}
		case "integer", "number", "boolean", "array", "object":
			m := clone()
			m[n] = "wrong type"
			once("type", "property "+n+" of the wrong type", m)
			if p.Minimum != nil {
				m := clone()
				m[n] = *p.Minimum - 1
				once("minimum", "property "+n+" below its minimum", m)
			}
			if p.Maximum != nil {
				m := clone()
				m[n] = *p.Maximum + 1
				once("maximum", "property "+n+" above its maximum", m)
			}
		}
		if len(p.Enum) > 0 {
			m := clone()
			m[n] = "apibuilder-not-in-enum"
			once("enum", "property "+n+" not one of its enum", m)
		}
	}
	return v.confirm(out)
}

// confirm keeps the violations the validator rejects.
func (v *validator) confirm(in []violation) []violation {
	var out []violation
	for _, x := range in {
		if v.check(x.body) != nil {
			out = append(out, x)
		}
	}
	return out
}
