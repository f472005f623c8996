package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
	"github.com/apibuilder/apibuilder/testkit"
)

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
// testdata/<case>/golden/<path>. Run with -update (testkit) to accept new
// output.
func TestGolden(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/routes.yaml")
	if len(cases) == 0 {
		t.Fatal("no golden cases found under testdata/")
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := renderCase(t, dir)
			testkit.GoldenDir(t, filepath.Join(dir, "golden"), got)
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

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
