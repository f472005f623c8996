package openapi_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/openapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

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
// losses, with testdata/golden/<case>/. Run with -update to accept new output.
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
			if *update {
				_ = os.RemoveAll(golden)
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
				for f, data := range files {
					if err := os.WriteFile(filepath.Join(golden, f), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			entries, _ := os.ReadDir(golden)
			if len(entries) != len(files) {
				t.Errorf("%s has %d files, the case makes %d (run go test ./generator/internal/openapi -update)", golden, len(entries), len(files))
			}
			for f, data := range files {
				want, err := os.ReadFile(filepath.Join(golden, f))
				if err != nil {
					t.Errorf("%v (run go test ./generator/internal/openapi -update)", err)
					continue
				}
				if !bytes.Equal(want, data) {
					t.Errorf("%s/%s differs from the golden (run go test ./generator/internal/openapi -update and review the diff):\n%s", golden, f, firstDiff(string(want), string(data)))
				}
			}
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

func validate(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
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

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
