package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Loss is one part of a draft-04 schema that OpenAPI 3.0's Schema Object
// cannot say. The converted schema never refuses a value the original
// accepts: what is lost is strictness (or, for keywords that are not
// draft-04's, nothing that API Gateway enforced). The original keywords are
// kept in the schema's x-apibuilder-lost extension.
type Loss struct {
	Schema  string // schema file, slash path relative to the project root
	Pointer string // JSON pointer of the subschema in that file ("" is the root)
	Keyword string
	Detail  string // what the document says instead
}

func (l Loss) String() string {
	return fmt.Sprintf("%s#%s: %s: %s", l.Schema, l.Pointer, l.Keyword, l.Detail)
}

// LostExtension holds a converted schema's original draft-04 keywords that
// OpenAPI 3.0 cannot express.
const LostExtension = "x-apibuilder-lost"

// Keywords of draft-04 that OpenAPI 3.0 keeps as they are.
var keptKeywords = map[string]bool{
	"title": true, "description": true, "default": true, "format": true, "enum": true,
	"multipleOf": true, "maximum": true, "exclusiveMaximum": true, "minimum": true, "exclusiveMinimum": true,
	"maxLength": true, "minLength": true, "pattern": true,
	"maxItems": true, "minItems": true, "uniqueItems": true,
	"maxProperties": true, "minProperties": true,
}

// schemaSet converts the schema files of an API into components/schemas:
// one component per file, one per definition, and one per other subschema
// that a $ref points at.
type schemaSet struct {
	components object            // name -> converted schema, in conversion order
	byFile     map[string]string // schema file -> component name of its root
	used       map[string]bool   // component names taken
	losses     []Loss
}

func newSchemaSet(reserved ...string) *schemaSet {
	s := &schemaSet{byFile: map[string]string{}, used: map[string]bool{}}
	for _, n := range reserved {
		s.used[n] = true
	}
	return s
}

// ref is the $ref of a schema file's root component.
func (s *schemaSet) ref(file string) object {
	return object{{"$ref", componentRef(s.byFile[file])}}
}

func componentRef(name string) string { return "#/components/schemas/" + name }

// addFiles names and converts the given schema files (sorted, distinct).
// A file's component is named after its base name, or after its whole path
// when two files share a base name.
func (s *schemaSet) addFiles(files []string, readFile func(string) ([]byte, error)) error {
	bases := map[string]int{}
	for _, f := range files {
		bases[baseName(f)]++
	}
	for _, f := range files {
		name := baseName(f)
		if bases[name] > 1 {
			name = modelName(strings.TrimSuffix(f, ".json"))
		}
		s.byFile[f] = s.unique(name)
	}
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			return fmt.Errorf("schema file %s cannot be read: %w", f, err)
		}
		doc, err := parseJSON(data)
		if err != nil {
			return fmt.Errorf("schema file %s is not JSON: %v", f, err)
		}
		s.convertFile(f, doc)
	}
	return nil
}

func baseName(file string) string {
	b := file[strings.LastIndex(file, "/")+1:]
	return modelName(strings.TrimSuffix(b, ".json"))
}

var modelSeparators = regexp.MustCompile(`[^A-Za-z0-9]+`)

// modelName makes s a schema component name that is also an API Gateway
// model name (alphanumeric only): the parts between other characters are
// joined in camel case, item_list -> itemList, item.tags -> itemTags.
func modelName(s string) string {
	var b strings.Builder
	for i, part := range modelSeparators.Split(s, -1) {
		if part == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			part = strings.ToUpper(part[:1]) + part[1:]
		}
		b.WriteString(part)
	}
	if b.Len() == 0 {
		return "Schema"
	}
	return b.String()
}

var nameChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// sanitize makes s fit a component name (^[a-zA-Z0-9.\-_]+$); dots are
// kept only when keepDots (they separate a file from its definitions).
func sanitize(s string, keepDots bool) string {
	if keepDots {
		s = regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(s, "_")
	} else {
		s = nameChars.ReplaceAllString(s, "_")
	}
	if s == "" {
		return "_"
	}
	return s
}

func (s *schemaSet) unique(name string) string {
	n := name
	for i := 2; s.used[n]; i++ {
		n = fmt.Sprintf("%s%d", name, i)
	}
	s.used[n] = true
	return n
}

// fileConverter converts one schema file.
type fileConverter struct {
	set   *schemaSet
	file  string
	name  string            // component name of the root
	root  any               // the file as parsed
	byPtr map[string]string // JSON pointer -> component name
	queue []string          // pointers whose component is still to convert
}

func (s *schemaSet) convertFile(file string, doc any) {
	c := &fileConverter{set: s, file: file, name: s.byFile[file], root: doc, byPtr: map[string]string{"": s.byFile[file]}}
	// The root's definitions all become components, in the file's order,
	// whether or not anything refers to them.
	var defs object
	if o, ok := doc.(object); ok {
		if d, ok := o.get("definitions"); ok {
			defs, _ = d.(object)
		}
	}
	for _, d := range defs {
		c.component(pointer("definitions", d.key))
	}
	s.components = append(s.components, member{c.name, c.convert(doc, "")})
	for _, d := range defs {
		ptr := pointer("definitions", d.key)
		s.components = append(s.components, member{c.byPtr[ptr], c.convert(d.val, ptr)})
		c.queue = slices.DeleteFunc(c.queue, func(p string) bool { return p == ptr })
	}
	for len(c.queue) > 0 {
		ptr := c.queue[0]
		c.queue = c.queue[1:]
		target, ok := resolve(doc, ptr)
		if !ok { // checked by ref already
			continue
		}
		s.components = append(s.components, member{c.byPtr[ptr], c.convert(target, ptr)})
	}
}

// component names the component of the subschema at ptr, queueing it for
// conversion the first time.
func (c *fileConverter) component(ptr string) string {
	if n, ok := c.byPtr[ptr]; ok {
		return n
	}
	segs := splitPointer(ptr)
	if len(segs) >= 2 && segs[0] == "definitions" {
		segs = segs[1:] // named like the definition's own component
	}
	n := c.set.unique(modelName(c.name + "." + strings.Join(segs, ".")))
	c.byPtr[ptr] = n
	c.queue = append(c.queue, ptr)
	return n
}

func (c *fileConverter) lose(ptr, keyword, detail string) {
	c.set.losses = append(c.set.losses, Loss{Schema: c.file, Pointer: ptr, Keyword: keyword, Detail: detail})
}

// convert turns the draft-04 schema v (at ptr in the file) into an
// OpenAPI 3.0 Schema Object.
func (c *fileConverter) convert(v any, ptr string) object {
	o, ok := v.(object)
	if !ok {
		c.lose(ptr, "(schema)", "not a schema object; any value is accepted")
		return object{{LostExtension, object{{"schema", v}}}}
	}
	if r, ok := o.get("$ref"); ok {
		// Draft-04 ignores every sibling of $ref, and so does OpenAPI.
		return c.ref(r, ptr)
	}
	out := object{}
	lost := object{}
	typeAt := -1
	var types []string // a union of several types, set by "type"
	nullable := false
	tupleMax := -1 // maxItems a closed tuple implies
	for _, m := range o {
		at := ptr + "/" + escapePointer(m.key)
		switch k := m.key; {
		case k == "$schema" || k == "id" || k == "definitions":
			// $schema and id are the file's identity, not constraints;
			// definitions become components (the root's) or are only
			// reachable through a $ref (a subschema's).
		case k == "type":
			typeAt = len(out)
			ts := typeList(m.val)
			nonNull := slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return t == "null" })
			nullable = len(nonNull) < len(ts)
			if slices.Contains(nonNull, "number") { // number includes integer
				nonNull = slices.DeleteFunc(nonNull, func(t string) bool { return t == "integer" })
			}
			switch len(nonNull) {
			case 0: // only null
				out = append(out, member{"nullable", true})
				if !o.has("enum") {
					out = append(out, member{"enum", []any{nil}})
				}
			case 1:
				out = append(out, member{"type", nonNull[0]})
				if nullable {
					out = append(out, member{"nullable", true})
				}
			default:
				types = nonNull // an anyOf of the types, below
			}
		case k == "properties":
			props := object{}
			if po, ok := m.val.(object); ok {
				for _, p := range po {
					props = append(props, member{p.key, c.convert(p.val, at+"/"+escapePointer(p.key))})
				}
			}
			out = append(out, member{k, props})
		case k == "additionalProperties":
			if sub, ok := m.val.(object); ok {
				out = append(out, member{k, c.convert(sub, at)})
			} else {
				out = append(out, m)
			}
		case k == "patternProperties" || k == "dependencies" || k == "additionalItems":
			// Handled after the loop, with what they interact with.
		case k == "items":
			switch it := m.val.(type) {
			case object:
				out = append(out, member{k, c.convert(it, at)})
			case []any:
				var sub any
				sub, tupleMax = c.tuple(o, it, ptr, &lost)
				if sub != nil {
					out = append(out, member{k, sub})
				}
			}
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			subs, _ := m.val.([]any)
			conv := make([]any, len(subs))
			for i, sub := range subs {
				conv[i] = c.convert(sub, fmt.Sprintf("%s/%d", at, i))
			}
			out = append(out, member{k, conv})
		case k == "not":
			out = append(out, member{k, c.convert(m.val, at)})
		case k == "required":
			if a, ok := m.val.([]any); ok && len(a) > 0 {
				out = append(out, m)
			}
		case keptKeywords[k] || strings.HasPrefix(k, "x-"):
			out = append(out, m)
		default:
			lost = append(lost, m)
			c.lose(ptr, k, "not a draft-04 keyword (API Gateway ignored it); left out")
		}
	}
	if pp, ok := o.get("patternProperties"); ok {
		c.patternProperties(o, pp, ptr, &out, &lost)
	}
	if d, ok := o.get("dependencies"); ok {
		lost = append(lost, member{"dependencies", d})
		c.lose(ptr, "dependencies", "not in OpenAPI 3.0; left out (properties and required-ness that depend on other properties are not checked)")
	}
	if len(types) > 0 {
		// A union of types is an anyOf of one schema per type: the other
		// keywords apply to values of their own type in both dialects.
		branches := make([]any, len(types))
		for i, t := range types {
			b := object{{"type", t}}
			if t == "array" {
				b = append(b, member{"items", object{}})
			}
			if nullable {
				b = append(b, member{"nullable", true})
			}
			branches[i] = b
		}
		union := object{{"anyOf", branches}}
		if nullable {
			union = append(union, member{"nullable", true})
		}
		if !out.has("anyOf") {
			for i, m := range union {
				out.insert(typeAt+i, m.key, m.val)
			}
		} else {
			all, _ := out.get("allOf")
			list, _ := all.([]any)
			out.set("allOf", append(list, union))
			if nullable {
				out.insert(typeAt, "nullable", true)
			}
		}
	}
	if def, ok := out.get("default"); ok {
		if t, typed := out.get("type"); typed && !fitsType(def, t.(string), nullable) {
			out = slices.DeleteFunc(out, func(m member) bool { return m.key == "default" })
			lost = append(lost, member{"default", def})
			c.lose(ptr, "default", "not of the schema's type (OpenAPI requires a default to match its schema); left out")
		}
	}
	if mx, ok := out.get("maxItems"); tupleMax >= 0 && (!ok || numberAbove(mx, tupleMax)) {
		out.set("maxItems", json.Number(fmt.Sprint(tupleMax)))
	}
	if t, _ := out.get("type"); t == "array" && !out.has("items") {
		out.set("items", object{}) // OpenAPI 3.0 requires items with type array
	}
	if len(lost) > 0 {
		out = append(out, member{LostExtension, lost})
	}
	return out
}

// fitsType reports whether the JSON value v is of type t (or null, when
// nullable).
func fitsType(v any, t string, nullable bool) bool {
	switch x := v.(type) {
	case nil:
		return nullable
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case []any:
		return t == "array"
	case object:
		return t == "object"
	case json.Number:
		if t == "number" {
			return true
		}
		f, err := x.Float64()
		return t == "integer" && err == nil && f == math.Trunc(f)
	}
	return false
}

// typeList reads "type": a string or a list of strings.
func typeList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// tuple converts a tuple (items as a list) to one schema for every
// element: any of the positions' schemas (and additionalItems'), with
// maxItems when no further items are allowed. It returns nil for "any
// element" and the maxItems to set, or -1.
func (c *fileConverter) tuple(o object, items []any, ptr string, lost *object) (any, int) {
	ai, hasAI := o.get("additionalItems")
	open := !hasAI || ai == true
	closed := hasAI && ai == false
	var subs []any
	seen := map[string]bool{}
	addSub := func(s object) { // equal schemas once
		if key := string(writeJSON(s)); !seen[key] {
			seen[key] = true
			subs = append(subs, s)
		}
	}
	if !open {
		for i, it := range items {
			addSub(c.convert(it, fmt.Sprintf("%s/items/%d", ptr, i)))
		}
		if sub, ok := ai.(object); ok {
			addSub(c.convert(sub, ptr+"/additionalItems"))
		}
	}
	// One schema for every position, and no more positions than the tuple
	// has, says exactly what the tuple said.
	exact := len(items) == 0 || (closed && len(subs) == 1)
	if !exact {
		*lost = append(*lost, member{"items", items})
		if hasAI {
			*lost = append(*lost, member{"additionalItems", ai})
		}
		detail := "a tuple is not in OpenAPI 3.0; each element must match one of the positions' schemas, in any position"
		if open {
			detail = "a tuple is not in OpenAPI 3.0, and further elements may be anything; elements are not checked"
		}
		c.lose(ptr, "items", detail)
	}
	if open {
		return nil, -1
	}
	maxItems := -1
	if closed {
		maxItems = len(items)
	}
	switch len(subs) {
	case 0:
		return object{}, maxItems
	case 1:
		return subs[0], maxItems
	}
	return object{{"anyOf", subs}}, maxItems
}

func numberAbove(v any, n int) bool {
	num, ok := v.(json.Number)
	if !ok {
		return false
	}
	f, err := num.Float64()
	return err == nil && f > float64(n)
}

// patternProperties drops patternProperties (OpenAPI 3.0 has no way to
// constrain property names) and keeps additionalProperties from refusing
// what the patterns allowed.
func (c *fileConverter) patternProperties(o object, pp any, ptr string, out, lost *object) {
	pats, _ := pp.(object)
	if len(pats) == 0 {
		return
	}
	*lost = append(*lost, member{"patternProperties", pp})
	ap, hasAP := o.get("additionalProperties")
	if !hasAP || ap == true {
		c.lose(ptr, "patternProperties", "not in OpenAPI 3.0; left out (properties matching the patterns are not checked)")
		return
	}
	var subs []any
	if sub, ok := out.get("additionalProperties"); ok && ap != false {
		subs = append(subs, sub) // converted already
	}
	for _, p := range pats {
		subs = append(subs, c.convert(p.val, ptr+"/patternProperties/"+escapePointer(p.key)))
	}
	*lost = append(*lost, member{"additionalProperties", ap})
	if len(subs) == 1 {
		out.set("additionalProperties", subs[0])
	} else {
		out.set("additionalProperties", object{{"anyOf", subs}})
	}
	c.lose(ptr, "patternProperties", "not in OpenAPI 3.0; property names are not checked against the patterns, and every property not listed in properties must match one of the pattern (or additionalProperties) schemas")
}

// ref rewrites a $ref: "#" and JSON pointers into the same file become
// components; anything else (another file, an id) cannot be followed.
func (c *fileConverter) ref(r any, ptr string) object {
	s, _ := r.(string)
	frag, ok := strings.CutPrefix(s, "#")
	if ok {
		if p, err := url.PathUnescape(frag); err == nil {
			frag = p
		}
	}
	switch {
	case ok && frag == "":
		return object{{"$ref", componentRef(c.name)}}
	case ok && strings.HasPrefix(frag, "/"):
		p := pointer(splitPointer(frag)...)
		if _, found := resolve(c.root, p); found {
			return object{{"$ref", componentRef(c.component(p))}}
		}
	}
	c.lose(ptr, "$ref", fmt.Sprintf("%q is not a JSON pointer into this file; any value is accepted", s))
	return object{{LostExtension, object{{"$ref", s}}}}
}

// splitPointer splits a JSON pointer ("/a/b~1c") into its unescaped segments.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs
}

// pointer joins segments into a JSON pointer.
func pointer(segs ...string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString("/" + escapePointer(s))
	}
	return b.String()
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// resolve finds the value at a JSON pointer.
func resolve(doc any, p string) (any, bool) {
	cur := doc
	for _, s := range splitPointer(p) {
		switch t := cur.(type) {
		case object:
			v, ok := t.get(s)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := -1
			if _, err := fmt.Sscan(s, &i); err != nil || i < 0 || i >= len(t) || fmt.Sprint(i) != s {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
