package config

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// TestParserReadsEveryKeyOfTheTable: for every key of the settings table,
// at every place it may appear, a document that gives it a value of the
// wrong type gets the parser's type error at exactly that field. So each
// key in the table is known to the parser there, with the table's type:
// a key the table lists but the parser ignores (or reads as another type)
// fails here.
func TestParserReadsEveryKeyOfTheTable(t *testing.T) {
	entries := settings.Paths()
	if len(entries) < 100 {
		t.Fatalf("the table has only %d key paths", len(entries))
	}
	for _, e := range entries {
		field, doc := probe(e.Path, wrongValue(e.Key.Type))
		data, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, list := Parse("routes.yaml", data)
		var got []string
		found := false
		for _, d := range list.Items {
			if d.Message == "unknown key" {
				t.Errorf("%s: the parser does not know it: %s: %s", e.Path, d.Field, d.Message)
			}
			if d.Field == field {
				got = append(got, d.Message)
				if strings.HasPrefix(d.Message, "expected "+expectedWord(e.Key.Type)) {
					found = true
				}
			}
		}
		if e.Key.Type == settings.Any {
			continue // any value is right
		}
		if !found {
			t.Errorf("%s (%s): no type error at %s for a wrong value; got %q\n%s", e.Path, e.Key.Type, field, got, data)
		}
	}
}

// probe builds a document that sets the key at path (settings.Paths's
// form: <name> for a name of a map, [] for a list) to value, and returns
// the field the parser names for it.
func probe(path string, value any) (string, any) {
	parts := strings.Split(path, ".")
	var build func(i int) any
	build = func(i int) any {
		if i == len(parts) {
			return value
		}
		p := parts[i]
		if strings.HasPrefix(p, "<") {
			return map[string]any{"x" + strings.Trim(p, "<>"): build(i + 1)}
		}
		if name, ok := strings.CutSuffix(p, "[]"); ok {
			return map[string]any{name: []any{build(i + 1)}}
		}
		return map[string]any{p: build(i + 1)}
	}
	var field []string
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "<"):
			field = append(field, "x"+strings.Trim(p, "<>"))
		case strings.HasSuffix(p, "[]"):
			field = append(field, strings.TrimSuffix(p, "[]")+"[0]")
		default:
			field = append(field, p)
		}
	}
	return strings.Join(field, "."), build(0)
}

// wrongValue is a value of another type than t.
func wrongValue(t settings.Type) any {
	switch t {
	case settings.String:
		return []any{1}
	case settings.Int:
		return "abc"
	case settings.Bool:
		return "maybe"
	case settings.StringOrList:
		return map[string]any{"a": "b"}
	default: // lists and mappings
		return "x"
	}
}

// expectedWord starts the parser's message for a value that is not of type t.
func expectedWord(t settings.Type) string {
	switch t {
	case settings.String:
		return "a string"
	case settings.Int:
		return "a whole number"
	case settings.Bool:
		return "true or false"
	case settings.StringList, settings.StringOrList, settings.ListOf:
		return "a list"
	}
	return "a mapping"
}

// TestParserKeysAreInTheTable: every key the parser reads (a string literal
// given to the decoder's readers in parse.go) is a key of the table, and
// every group of the table is read by the parser. With the allowed keys
// taken from the table, a key read here but missing there would be refused
// as unknown before it is read.
func TestParserKeysAreInTheTable(t *testing.T) {
	names := map[string]bool{}
	for _, e := range settings.Paths() {
		names[e.Key.Name] = true
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "parse.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]int{ // method -> index of the key argument
		"str": 0, "int": 0, "bool": 0, "strList": 0, "strMap": 0, "sub": 0, "list": 0, "value": 0, "has": 0, "scalar": 0,
		"example": 1, "overrides": 1,
	}
	var read []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		i, ok := readers[sel.Sel.Name]
		if !ok || len(call.Args) <= i {
			return true
		}
		if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			key := strings.Trim(lit.Value, `"`)
			read = append(read, key)
			if !names[key] {
				t.Errorf("%s: the parser reads %q, which the settings table does not list", fset.Position(lit.Pos()), key)
			}
		}
		return true
	})
	if len(read) < 60 {
		t.Fatalf("found only %d keys read in parse.go: %v", len(read), read)
	}
	for name := range names {
		if !slices.Contains(read, name) {
			t.Errorf("the table lists %q, but parse.go never reads it", name)
		}
	}
}

// TestTableValuesMatchTheChecks: the limits still written as constants
// here agree with the table.
func TestTableValuesMatchTheChecks(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"api.resource_quota minimum", settings.Lookup("api", "resource_quota").Range.Min, MaxResources},
		{"routes[].description max length", settings.Lookup("route", "description").MaxLen, maxDescription},
		{"authorizer description max length", settings.Lookup("authorizer", "description").MaxLen, maxDescription},
	} {
		if c.got != c.want {
			t.Errorf("%s: table %d, check %d", c.name, c.got, c.want)
		}
	}
	if got := fmt.Sprint(settings.Lookup("table", "range_key_type").Enum); got != fmt.Sprint(KeyTypes) {
		t.Errorf("range_key_type allows %s, hash_key_type %v", got, KeyTypes)
	}
}
