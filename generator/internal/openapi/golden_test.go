package openapi_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/openapi"
	"github.com/apibuilder/apibuilder/testkit"
)

// cases are the routes files the goldens are made from: render's two
// cases, and shapes (schemas and auth of every kind).
var cases = map[string]string{
	"example": "../render/testdata/example",
	"full":    "../render/testdata/full",
	"shapes":  "testdata/shapes",
}

// document is one generated document and what its schemas lost.
type document struct {
	env    model.Env
	json   []byte
	losses []openapi.Loss
}

func renderCase(t *testing.T, dir string) []document {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "routes.yaml"))
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	m := model.Build(cfg)
	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel))) }
	var out []document
	for _, e := range m.Envs {
		data, losses, err := openapi.Render(m, e, read)
		if err != nil {
			t.Fatalf("%s, env %s: %v", dir, e.Name, err)
		}
		out = append(out, document{e, data, losses})
	}
	return out
}

// TestGolden compares every environment's document, and the conversion's
// losses, with testdata/golden/<case>/. Run with -update (testkit) to accept
// new output.
func TestGolden(t *testing.T) {
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", "golden", name)
			docs := renderCase(t, dir)
			files := map[string][]byte{}
			var losses strings.Builder
			for i, d := range docs {
				files[d.env.Name+".json"] = d.json
				if i == 0 {
					for _, l := range d.losses {
						losses.WriteString(l.String() + "\n")
					}
				} else if !sameLosses(d.losses, docs[0].losses) {
					t.Errorf("env %s lost other things than env %s: the schemas are the same", d.env.Name, docs[0].env.Name)
				}
			}
			files["losses.txt"] = []byte(losses.String())
			testkit.GoldenDir(t, golden, files)
		})
	}
}

func sameLosses(a, b []openapi.Loss) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestValid loads every document with kin-openapi and validates it, the
// examples (request bodies, parameters, error bodies) against their
// schemas included.
func TestValid(t *testing.T) {
	for name, dir := range cases {
		for _, d := range renderCase(t, dir) {
			t.Run(name+"/"+d.env.Name, func(t *testing.T) {
				validate(t, d.json)
			})
		}
	}
}

// greedy is a path key with API Gateway's greedy path parameter, {proxy+}:
// the document keeps it (API Gateway imports and exports it so), while
// OpenAPI's path templates name the parameter without the "+".
var greedy = regexp.MustCompile(`"(/[^"]*)\{([A-Za-z0-9_.-]+)\+\}":`)

func validate(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(greedy.ReplaceAll(data, []byte(`"${1}{${2}}":`)))
	if err != nil {
		t.Fatalf("kin-openapi cannot load the document: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("kin-openapi: the document is not valid: %v", err)
	}
	return doc
}

// TestDeterministic renders the same input twice: the bytes must match.
func TestDeterministic(t *testing.T) {
	a, b := renderCase(t, cases["full"]), renderCase(t, cases["full"])
	for i := range a {
		if !bytes.Equal(a[i].json, b[i].json) {
			t.Errorf("env %s differs between two runs", a[i].env.Name)
		}
	}
}
