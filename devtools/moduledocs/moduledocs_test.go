package moduledocs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/testkit"
)

// TestReadmeMatchesGolden documents the fixture module, which has one of
// each kind of input (required, defaulted, heredoc and pipe in the
// description, a multi-line object type, sensitive, untyped, validations),
// a sensitive output, two providers (one in the older string form) and a
// resource and a data source, and compares the whole README with the golden
// file: the hand-written text around the markers must survive unchanged.
func TestReadmeMatchesGolden(t *testing.T) {
	path, current, want, err := Readme(filepath.Join("testdata", "module"))
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join("testdata", "module", "README.md") {
		t.Errorf("path = %s", path)
	}
	if string(current) == string(want) {
		t.Fatal("the fixture README holds stale tables on purpose; Readme left it unchanged")
	}
	golden := filepath.Join("testdata", "module.golden.md")
	testkit.Golden(t, golden, want)

	// Running again on the result changes nothing.
	again, err := Update("README.md", want, mustMarkdown(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(want) {
		t.Errorf("second run changed the README:\n%s", Diff("README.md", want, again))
	}
}

func mustMarkdown(t *testing.T) string {
	t.Helper()
	m, err := Load(filepath.Join("testdata", "module"))
	if err != nil {
		t.Fatal(err)
	}
	return Markdown(m)
}

// TestLoadReadsWhatTerraformSees checks the parsed module field by field,
// independent of how the Markdown looks.
func TestLoadReadsWhatTerraformSees(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "module"))
	if err != nil {
		t.Fatal(err)
	}
	wantReqs := []Requirement{
		{Name: "terraform", Version: ">= 1.5"},
		{Name: "aws", Source: "hashicorp/aws", Version: ">= 5.100, < 7.0"},
		{Name: "random", Source: "hashicorp/random", Version: "~> 3.6"},
	}
	if len(m.Requirements) != len(wantReqs) {
		t.Fatalf("requirements = %+v, want %+v", m.Requirements, wantReqs)
	}
	for i, r := range wantReqs {
		if m.Requirements[i] != r {
			t.Errorf("requirement %d = %+v, want %+v", i, m.Requirements[i], r)
		}
	}

	inputs := map[string]Input{}
	var order []string
	for _, in := range m.Inputs {
		inputs[in.Name] = in
		order = append(order, in.Name)
	}
	if got := strings.Join(order, " "); got != "name size mode settings token untyped" {
		t.Errorf("inputs in order %q, want declaration order", got)
	}
	if in := inputs["name"]; !in.Required || in.Default != "" || len(in.Validations) != 2 || in.Validations[1] != "name must start with a lowercase letter." {
		t.Errorf("name = %+v, want required with two validation messages", in)
	}
	if in := inputs["size"]; in.Required || in.Default != "128" || in.Description != "Size in MB.\nA heredoc keeps its line breaks.\n" {
		t.Errorf("size = %+v", in)
	}
	if in := inputs["settings"]; in.Type != "object({\n  enabled = optional(bool, true)\n  tags    = optional(map(string), {})\n})" || in.Default != "{\n  enabled = false\n}" {
		t.Errorf("settings type/default not re-indented as terraform fmt would:\n%s\n%s", in.Type, in.Default)
	}
	if in := inputs["token"]; !in.Sensitive || in.Required || in.Default != "null" {
		t.Errorf("token = %+v, want sensitive, optional, default null", in)
	}
	if in := inputs["untyped"]; in.Type != "any" || !in.Required {
		t.Errorf("untyped = %+v, want type any and required", in)
	}
	if len(m.Outputs) != 2 || m.Outputs[0].Sensitive || !m.Outputs[1].Sensitive {
		t.Errorf("outputs = %+v, want id then a sensitive secret", m.Outputs)
	}
	wantRes := []Resource{{"resource", "aws_s3_bucket", "this"}, {"resource", "random_id", "this"}, {"data", "aws_caller_identity", "current"}}
	if len(m.Resources) != len(wantRes) {
		t.Fatalf("resources = %+v, want %+v", m.Resources, wantRes)
	}
	for i, r := range wantRes {
		if m.Resources[i] != r {
			t.Errorf("resource %d = %+v, want %+v", i, m.Resources[i], r)
		}
	}
}

// TestBadInputIsPositioned: problems name the file, line and column, or the
// README and what to do, and never panic.
func TestBadInputIsPositioned(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "syntax error",
			files: map[string]string{"variables.tf": "variable \"x\" {\n  type = \n}\n"},
			want:  []string{"variables.tf:2,"},
		},
		{
			name:  "computed description",
			files: map[string]string{"variables.tf": "variable \"x\" {\n  description = \"a ${var.y}\"\n}\n"},
			want:  []string{"variables.tf:2,17", `variable "x": description must be a literal string`, "write the value out"},
		},
		{
			name:  "computed sensitive",
			files: map[string]string{"outputs.tf": "output \"x\" {\n  value     = 1\n  sensitive = var.s\n}\n"},
			want:  []string{"outputs.tf:3,15", `output "x": sensitive must be true or false`},
		},
		{
			name:  "provider requirement not literal",
			files: map[string]string{"versions.tf": "terraform {\n  required_providers {\n    aws = local.p\n  }\n}\n"},
			want:  []string{"versions.tf:3,11", "aws"},
		},
		{
			name:  "no terraform files",
			files: map[string]string{"notes.txt": "hello"},
			want:  []string{"no .tf files"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestUpdateNeedsOnePairOfMarkers(t *testing.T) {
	cases := map[string]struct{ readme, want string }{
		"no markers":       {"# m\n", "found " + Begin + " 0 times"},
		"two begins":       {Begin + "\n" + Begin + "\n" + End + "\n", "found " + Begin + " 2 times"},
		"no end":           {Begin + "\n", "found " + End + " 0 times"},
		"end before begin": {End + "\n" + Begin + "\n", "swap them"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Update("m/README.md", []byte(c.readme), "tables\n")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "m/README.md") {
				t.Errorf("err = %v, want it to name m/README.md and say %q", err, c.want)
			}
		})
	}
}

func TestCodeCells(t *testing.T) {
	cases := map[string]string{
		"":                                 "",
		"string":                           "`string`",
		`"a|b"`:                            "`\"a\\|b\"`",
		"x`y":                              "``x`y``",
		"object({\n  a = list(string)\n})": "<pre>object({<br>  a = list(string)<br>})</pre>",
		"{\n  \"<a>\" = \"|\"\n}":          "<pre>{<br>  \"&lt;a&gt;\" = \"&#124;\"<br>}</pre>",
	}
	for in, want := range cases {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
