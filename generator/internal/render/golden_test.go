package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/*/golden")

var opts = render.Options{OutDir: "envs", ModulesDir: "modules", BuildDir: "build/functions"}

func renderCase(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "routes.yaml"))
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return render.Render(model.Build(cfg), opts)
}

// TestGolden renders every case under testdata and compares each file with
// testdata/<case>/golden/<path>. Run with -update to accept new output.
func TestGolden(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/routes.yaml")
	if len(cases) == 0 {
		t.Fatal("no golden cases found under testdata/")
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := renderCase(t, dir)
			golden := filepath.Join(dir, "golden")
			if *update {
				_ = os.RemoveAll(golden)
				for rel, data := range got {
					p := filepath.Join(golden, filepath.FromSlash(rel))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			var want []string
			_ = filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(golden, p)
					want = append(want, filepath.ToSlash(rel))
				}
				return nil
			})
			var have []string
			for rel := range got {
				have = append(have, rel)
			}
			sort.Strings(want)
			sort.Strings(have)
			if strings.Join(want, "\n") != strings.Join(have, "\n") {
				t.Fatalf("file set differs:\nwant %v\ngot  %v", want, have)
			}
			for _, rel := range want {
				exp, _ := os.ReadFile(filepath.Join(golden, filepath.FromSlash(rel)))
				if !bytes.Equal(exp, got[rel]) {
					t.Errorf("%s differs from golden (run go test ./generator/... -run TestGolden -update):\n%s", rel, lineDiff(string(exp), string(got[rel])))
				}
			}
		})
	}
}

// TestDeterministic renders the same input twice: the bytes must match.
func TestDeterministic(t *testing.T) {
	a := renderCase(t, "testdata/example")
	b := renderCase(t, "testdata/example")
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s differs between two runs", k)
		}
	}
}

// TestParses checks that every generated file is valid HCL.
func TestParses(t *testing.T) {
	p := hclparse.NewParser()
	for rel, data := range renderCase(t, "testdata/example") {
		if _, diags := p.ParseHCL(data, rel); diags.HasErrors() {
			t.Errorf("%s does not parse: %s", rel, diags.Error())
		}
	}
	_ = hcl.Pos{}
}

func lineDiff(want, got string) string {
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

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return fmtInt(i/10) + string(rune('0'+i%10))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
