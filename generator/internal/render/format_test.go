package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// TestFastFormatMatchesHCLWrite renders the golden cases and a synthetic
// 40-route project twice, with our spacing pass and with hclwrite's, and
// requires identical bytes and no file left to hclwrite's pass.
func TestFastFormatMatchesHCLWrite(t *testing.T) {
	configs, _ := filepath.Glob("testdata/*/routes.yaml")
	synthetic, err := synth.Project(t.TempDir(), 40, "")
	if err != nil {
		t.Fatal(err)
	}
	configs = append(configs, synthetic)
	opt := Options{OutDir: "envs", ModulesDir: "modules", BuildDir: "build/functions"}
	for _, path := range configs {
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		m := model.Build(cfg)
		fallbackFormats.Store(0)
		fast := Render(m, opt)
		if n := fallbackFormats.Load(); n != 0 {
			t.Errorf("%s: %d files fell back to hclwrite's formatter; every generated token kind should be known to plainTokens", path, n)
		}
		fastFormat = false
		slow := Render(m, opt)
		fastFormat = true
		if len(fast) != len(slow) {
			t.Fatalf("%s: %d files vs %d", path, len(fast), len(slow))
		}
		for name, want := range slow {
			if got := fast[name]; !bytes.Equal(got, want) {
				t.Errorf("%s: %s differs from hclwrite's formatting:\n--- ours\n%s\n--- hclwrite\n%s", path, name, got, want)
			}
		}
	}
}

// TestFastFormatOddInput checks spacing of hand-written HCL that covers the
// rules one by one (and the fallback for what respace does not handle)
// against hclwrite's formatter.
func TestFastFormatOddInput(t *testing.T) {
	// Cases marked slow hold what only hclwrite's pass handles.
	slow := map[string]bool{"heredoc": true, "non-ascii": true, "for": true, "arithmetic": true}
	for name, src := range map[string]string{
		"nested":      "a={\nb=1\nlong_name={x=[1,2,\"3\"]}\nc=f(x.y[\"k\"],{})\n}\n",
		"comments":    "a=1 # one\nbbb=\"x\" # two\n# alone\nc={\n}\n",
		"templates":   "a=\"${x.y}-${z}\"\nb=\"${ {a=1} }\"\n",
		"multi-open":  "a=merge(x,{\nb=1\n})\nc=[\n1,\n]\n",
		"heredoc":     "a=<<EOT\nhello\nEOT\n",
		"non-ascii":   "a={\n\"é\"=1\nb=2\n}\n",
		"for":         "a=[for k in x: k]\n",
		"arithmetic":  "a=1-2\nb=-1\n",
		"negative":    "a=-1\nb=f(x,-1)\nc=[-1]\n",
		"blocks":      "module \"m\" {\nsource=\"./m\"\n\nx=1\nyy=2\n}\n",
		"index-close": "a=x[0][1]\nb=f(x)[0]\n",
	} {
		t.Run(name, func(t *testing.T) {
			parse := func() *hclwrite.File {
				f, diags := hclwrite.ParseConfig([]byte(src), name, hcl.InitialPos)
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				return f
			}
			want := hclwrite.Format(parse().Bytes())
			fallbackFormats.Store(0)
			if got := fileBytes(parse()); !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if fell := fallbackFormats.Load() == 1; fell != slow[name] {
				t.Errorf("fell back to hclwrite: %v, want %v", fell, slow[name])
			}
		})
	}
}

func TestStringAndIdentifierFastPaths(t *testing.T) {
	for _, s := range []string{"", "plain", "a b/c-d_e.f", `q"uote`, `back\slash`, "${x}", "%{if}", "$5 and 100%", "tab\there", "new\nline", "é", "\x7f", "ends with $", "{}"} {
		if got, want := string(stringTokens(s).Bytes()), string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes()); got != want {
			t.Errorf("stringTokens(%q) = %s, want %s", s, got, want)
		}
	}
	for _, s := range []string{"", "a", "_a", "a-b", "a1", "1a", "-a", "a.b", "a b", "é", "aé", "a\"", "for", "Z_9-"} {
		if got, want := validIdentifier(s), hclsyntax.ValidIdentifier(s); got != want {
			t.Errorf("validIdentifier(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestExprFastPaths holds the hand-built expression tokens to what the HCL
// parser makes of the same text.
func TestExprFastPaths(t *testing.T) {
	for _, src := range []string{
		`var.routes["get_item"].memory_mb`, `module.api.id`, `string`, `number`,
		`"${path.root}/../../schemas/item.json"`, `"${var.api_name}-${var.environment}"`, `"plain"`,
		`file("${path.root}/../../schemas/item.json")`, `jsonencode("x")`,
		`merge(var.tags, { a = 1 })`, `f(g("x"))`, `"${substr(local.name_prefix, 0, 30)}-pkg-"`,
	} {
		got := string(exprTokens(src).Bytes())
		want := string(parseExpr(src).Bytes())
		// Compare as formatted text: the fast paths leave spacing to the file pass.
		format := func(s string) string { return string(hclwrite.Format([]byte("x = " + s + "\n"))) }
		if format(got) != format(want) {
			t.Errorf("exprTokens(%s) = %s, want %s", src, got, want)
		}
	}
}

// TestForKeyIsQuoted: a route or table named "for" must not turn an object
// into a for expression.
func TestForKeyIsQuoted(t *testing.T) {
	f := hclwrite.NewEmptyFile()
	set(f.Body(), obj{{"x", obj{{"for", expr("module.route_for.function_name")}, {"b", 1}}}})
	src := fileBytes(f)
	parsed, diags := hclsyntax.ParseConfig(src, "t.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", src, diags)
	}
	attrs, _ := parsed.Body.JustAttributes()
	if _, ok := attrs["x"].Expr.(*hclsyntax.ObjectConsExpr); !ok {
		t.Fatalf("x is %T, want an object:\n%s", attrs["x"].Expr, src)
	}
	if !bytes.Equal(src, hclwrite.Format(src)) {
		t.Errorf("not formatted:\n%s", src)
	}
}

// TestRouteAndTableNamedFor renders the example with a route and a table
// named "for" and parses every generated file.
func TestRouteAndTableNamedFor(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/example/routes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(string(src), "  - name: create_item\n", "  - name: for\n", 1)
	yaml = strings.Replace(yaml, "  items: { hash_key: id, hash_key_type: S }\n", "  items: { hash_key: id, hash_key_type: S }\n  for: { hash_key: id, hash_key_type: S }\n", 1)
	if err := os.CopyFS(dir, os.DirFS("testdata/example")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "routes.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := Render(model.Build(cfg), Options{OutDir: "envs", ModulesDir: "modules", BuildDir: "build/functions"})
	for name, data := range files {
		if _, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos); diags.HasErrors() {
			t.Errorf("%s: %s", name, diags)
		}
	}
	if !regexp.MustCompile(`"for" += module.route_for.function_name`).Match(files["envs/dev/outputs.tf"]) {
		t.Errorf("outputs.tf does not quote the key:\n%s", files["envs/dev/outputs.tf"])
	}
}
