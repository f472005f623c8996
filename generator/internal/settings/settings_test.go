package settings_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
	"github.com/apibuilder/apibuilder/internal/scaffold"
	"github.com/apibuilder/apibuilder/testkit"
)

const repo = "../../.."

// compile compiles the schema with a real JSON Schema validator, which
// also checks it against its draft's meta-schema.
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(settings.JSONSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///routes.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("file:///routes.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// instance reads a routes.yaml as the JSON value an editor's YAML
// language server validates.
func instance(t *testing.T, data []byte) (any, error) {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(jsonable(v))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
	}
	return v
}

// TestExamplesValidate: the repository's routes.yaml, every example's and
// the one apibuilder init writes are valid against the schema.
func TestExamplesValidate(t *testing.T) {
	sch := compile(t)
	files, err := filepath.Glob(filepath.Join(repo, "examples", "*", "routes.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	files = append(files, filepath.Join(repo, "routes.yaml"), filepath.Join(repo, "generator", "internal", "render", "testdata", "full", "routes.yaml"))
	dir := t.TempDir()
	if _, err := scaffold.Init(scaffold.Options{Dir: dir, Name: "shop"}); err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(dir, "routes.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := instance(t, data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not validate: %v", f, err)
		}
	}
}

// structural are the generator's messages for a value of the wrong shape:
// an unknown key, a wrong type, a value out of range or not among the
// allowed ones, too many entries or characters.
var structural = regexp.MustCompile(`: unknown key;|: expected (a |true or false)|is out of range|out of Lambda's range|"[^"]*" is not allowed;|is not a CloudWatch Logs retention|is below API Gateway's default|Lambda allows at most|AWS allows at most|DynamoDB allows \d+ global|: is \d+ characters; .*allows \d+|missing required section`)

// TestStructuralErrorCasesFail: every error case whose expected output
// reports a structural problem is refused by the schema too, so an editor
// underlines what the generator would refuse.
func TestStructuralErrorCasesFail(t *testing.T) {
	sch := compile(t)
	dirs, err := filepath.Glob(filepath.Join("..", "config", "testdata", "errors", "*", "stderr.txt"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no error cases (%v)", err)
	}
	picked := 0
	for _, stderr := range dirs {
		want, err := os.ReadFile(stderr)
		if err != nil {
			t.Fatal(err)
		}
		lines := structural.FindAllString(string(want), -1)
		if len(lines) == 0 {
			continue
		}
		picked++
		dir := filepath.Dir(stderr)
		data, err := os.ReadFile(filepath.Join(dir, "routes.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		inst, err := instance(t, data)
		if err != nil {
			t.Errorf("%s: not readable as YAML: %v", filepath.Base(dir), err)
			continue
		}
		err = sch.Validate(inst)
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: the schema accepts it (%v), but the generator reports %q", filepath.Base(dir), err, lines)
			continue
		}
		// The schema fails where the generator does: at the field (an
		// unknown or missing key: at the mapping that has or lacks it).
		at := map[string]bool{}
		var walk func(e *jsonschema.ValidationError)
		walk = func(e *jsonschema.ValidationError) {
			ptr := "" // the document
			for _, tok := range e.InstanceLocation {
				ptr += "/" + tok
			}
			at[ptr] = true
			for _, c := range e.Causes {
				walk(c)
			}
		}
		walk(ve)
		for _, line := range strings.Split(string(want), "\n") {
			m := fieldOf.FindStringSubmatch(line)
			if m == nil || !structural.MatchString(line) {
				continue
			}
			ptr := pointer(m[1])
			if strings.Contains(line, ": unknown key;") || strings.Contains(line, "missing required section") {
				ptr = ptr[:strings.LastIndex(ptr, "/")]
			}
			if !at[ptr] {
				t.Errorf("%s: the generator reports %q, the schema nothing at %q (only at %v)", filepath.Base(dir), line, ptr, keys(at))
			}
		}
	}
	if picked < 10 {
		t.Errorf("only %d structural error cases picked; the pattern no longer matches the generator's messages", picked)
	}
	t.Logf("%d structural error cases refused by the schema", picked)
}

// fieldOf finds the field of an expected diagnostic line.
var fieldOf = regexp.MustCompile(`^routes\.yaml:\d+:\d+: ([^ :]+): `)

// pointer turns a generator field (routes[0].memory_mb) into the JSON
// pointer of the same value (/routes/0/memory_mb).
func pointer(field string) string {
	var b strings.Builder
	for _, part := range strings.Split(field, ".") {
		name, index, ok := strings.Cut(part, "[")
		b.WriteString("/" + name)
		for ok {
			var i string
			i, index, _ = strings.Cut(index, "]")
			b.WriteString("/" + i)
			_, index, ok = strings.Cut(index, "[")
		}
	}
	return b.String()
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

// TestSchemaNamesEveryKey: the schema has every key of the table, with
// its description, and no other.
func TestSchemaNamesEveryKey(t *testing.T) {
	var doc struct {
		Schema     string                    `json:"$schema"`
		Comment    string                    `json:"$comment"`
		Properties map[string]map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]map[string]any `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(settings.JSONSchema(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != settings.SchemaDraft {
		t.Errorf("$schema = %q", doc.Schema)
	}
	if !strings.HasPrefix(doc.Comment, settings.Marker) {
		t.Errorf("$comment = %q", doc.Comment)
	}
	for _, g := range settings.Groups {
		props := doc.Properties
		if g.Name != settings.Root {
			props = doc.Defs[g.Name].Properties
		}
		var got, want []string
		for name, p := range props {
			got = append(got, name+": "+fmt.Sprint(p["description"]))
		}
		for _, k := range settings.KeysOf(g.Name) {
			want = append(want, k.Name+": "+k.Doc)
		}
		if d := cmp.Diff(sorted(want), sorted(got)); d != "" {
			t.Errorf("%s (-table +schema):\n%s", g.Name, d)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestReferenceDoc: docs/reference/routes-yaml.md's key tables are the
// table's (run with -update to rewrite them).
func TestReferenceDoc(t *testing.T) {
	path := filepath.Join(repo, "docs", "reference", "routes-yaml.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := settings.Document(string(data))
	if !ok {
		t.Fatalf("%s has no generated section (%s ... %s)", path, settings.DocBegin, settings.DocEnd)
	}
	if want == string(data) {
		return
	}
	if testkit.Updating() {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date: run go test ./generator/internal/settings -update\n%s", path, cmp.Diff(string(data), want))
}

// TestDefaultsAreTheModels: the table's literal defaults are the values
// the model fills in. (The function settings' defaults the model reads
// from the table itself; its tests pin the built-in values.)
func TestDefaultsAreTheModels(t *testing.T) {
	for _, c := range []struct {
		group, key string
		model      any
	}{
		{"api", "region", model.DefaultRegion},
		{"api", "endpoint_type", model.DefaultEndpointType},
	} {
		if got := settings.Lookup(c.group, c.key).Default; got != fmt.Sprint(c.model) {
			t.Errorf("%s.%s: table default %q, model %v", c.group, c.key, got, c.model)
		}
	}
}

// TestTableIsWellFormed: every key has a description, nested keys name a
// group, defaults of whole numbers and booleans are such, and allowed
// values admit the default.
func TestTableIsWellFormed(t *testing.T) {
	for _, e := range settings.Paths() {
		k := e.Key
		if k.Doc == "" || !strings.HasSuffix(k.Doc, ".") {
			t.Errorf("%s: the description should be one sentence: %q", e.Path, k.Doc)
		}
		if (k.Type == settings.Object || k.Type == settings.MapOf || k.Type == settings.ListOf) != (k.Group != "") {
			t.Errorf("%s: Group %q with type %s", e.Path, k.Group, k.Type)
		}
		if (k.Type == settings.MapOf) != (k.Item != "") {
			t.Errorf("%s: Item %q with type %s", e.Path, k.Item, k.Type)
		}
		if !k.DefaultLiteral() {
			continue
		}
		switch k.Type {
		case settings.Int:
			n, err := strconv.Atoi(k.Default)
			if err != nil {
				t.Errorf("%s: default %q is not a whole number", e.Path, k.Default)
			}
			if r := k.Range; r != nil && (r.HasMin && n < r.Min || r.HasMax && n > r.Max) {
				t.Errorf("%s: default %d is out of its range", e.Path, n)
			}
		case settings.Bool:
			if k.Default != "true" && k.Default != "false" {
				t.Errorf("%s: default %q is not a boolean", e.Path, k.Default)
			}
		case settings.String:
			if len(k.Enum) > 0 && !contains(k.Enum, k.Default) {
				t.Errorf("%s: default %q is not among %v", e.Path, k.Default, k.Enum)
			}
		}
	}
}

// TestLayeredKeys: only function settings are layered; only a key layered
// per environment has a Terraform attribute (Built ones are fixed when the
// function is built), an attribute's name is unique, and a required
// attribute has no default.
func TestLayeredKeys(t *testing.T) {
	attrs := map[string]string{}
	for _, g := range settings.Groups {
		for _, k := range g.Keys {
			if k.Layers != settings.NotLayered && g.Name != settings.Function {
				t.Errorf("%s.%s: only the %s group's keys are layered", g.Name, k.Name, settings.Function)
			}
			a := k.Attr
			if a == nil {
				continue
			}
			if k.Layers != settings.PerEnv {
				t.Errorf("%s.%s: a Terraform attribute needs Layers: PerEnv", g.Name, k.Name)
			}
			if !a.Optional && a.Default != "" {
				t.Errorf("%s.%s: attribute %s has a default but is not optional", g.Name, k.Name, a.Name)
			}
			if other, ok := attrs[a.Name]; ok {
				t.Errorf("%s.%s: attribute %s is also %s's", g.Name, k.Name, a.Name, other)
			}
			attrs[a.Name] = k.Name
			if !strings.HasPrefix(k.TFVar, "routes[<route>]."+a.Name+", authorizer_functions[<authorizer>]."+a.Name) {
				t.Errorf("%s.%s: TFVar %q does not name its attribute", g.Name, k.Name, k.TFVar)
			}
		}
	}
	if len(settings.LayeredKeys(settings.PerEnv)) == 0 || len(settings.AttrKeys()) == 0 {
		t.Error("the table layers no function setting per environment")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRepositorySchemaIsCurrent: this repository's own copy of the schema
// (which its routes.yaml names in its first line) is the table's, as
// `apibuilder generate -check` would find.
func TestRepositorySchemaIsCurrent(t *testing.T) {
	routes, err := os.ReadFile(filepath.Join(repo, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(routes), "\n"); first != settings.ModelineComment {
		t.Errorf("routes.yaml starts with %q, want %q", first, settings.ModelineComment)
	}
	got, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(settings.SchemaFile)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, settings.JSONSchema()) {
		t.Errorf("%s is out of date: run go run ./cmd/apibuilder generate -no-build", settings.SchemaFile)
	}
}
