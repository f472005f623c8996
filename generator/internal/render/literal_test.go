package render

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// FuzzStringsStayLiteral puts an arbitrary string into every free-text
// field of the model that reaches HCL (descriptions, handler and schema
// paths, environment values, tags, stage variables), renders, parses the
// files with hclsyntax, evaluates each attribute and checks that the value
// is the string, byte for byte: no "${...}" or "%{...}" is ever
// interpreted, no character breaks the syntax or the generator. Names that
// become HCL identifiers or AWS names (routes, tables) are restricted by
// validation and not fuzzed here.
func FuzzStringsStayLiteral(f *testing.F) {
	for _, s := range []string{
		"schemas/s${jsonencode(1)}.json", "functions/x${jsonencode(1)}", "%{ if true }q%{ endif }",
		"a\x01b", "line\nbreak", `"quoted"`, `back\slash`, "$${x}", "%%{x}", "ünïcødé ✓", "tab\there",
		"${", "$", "%", "}", "\x7f", "\r\n", "${path.root}", "a\u2028b", "\xff\xfe",
	} {
		f.Add(s)
	}
	cfg, err := config.Load(filepath.Join("testdata", "example", "routes.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// HCL files are UTF-8, and so is YAML: routes.yaml cannot carry
		// invalid bytes (config rejects the file), so neither does s.
		s = strings.ToValidUTF8(s, "\uFFFD")
		if s == "" {
			s = "-" // empty means "not set" for descriptions and schemas
		}
		m := model.Build(cfg)
		m.API.Description = s
		m.API.Tags = map[string]string{"team": s}
		rt := &m.Routes[0]
		rt.Description, rt.Handler = s, s
		rt.RequestSchema, rt.ResponseSchema = s, s
		for i := range m.Envs {
			e := &m.Envs[i]
			e.StageVariables = map[string]string{"v": s}
			rv := e.Routes[rt.Name]
			rv.Environment = []model.EnvVar{{Name: "LIT", Parts: []model.Part{{Text: s}}}, {Name: "MIX", Parts: []model.Part{{Text: s}, {Table: "items", Att: "name"}, {Text: s}}}}
			e.Routes[rt.Name] = rv
		}
		files := Render(m, Options{OutDir: "envs", ModulesDir: "modules", BuildDir: "build/functions"})

		ctx := evalContext()
		mainTF := parse(t, files["envs/dev/main.tf"])
		route := block(t, mainTF, "module", "route_"+rt.Name)
		// (Schema paths are read by package openapi; the document carries
		// the schemas, not main.tf.)
		want := map[string]string{"description": s}
		for attr, w := range want {
			if got := eval(t, route.Body.Attributes[attr], ctx); got.AsString() != w {
				t.Errorf("%s = %q, want %q", attr, got.AsString(), w)
			}
		}
		env := eval(t, route.Body.Attributes["environment"], ctx)
		if got := env.GetAttr("LIT").AsString(); got != s {
			t.Errorf("environment.LIT = %q, want %q", got, s)
		}
		if got := env.GetAttr("MIX").AsString(); got != s+"TABLE"+s {
			t.Errorf("environment.MIX = %q, want %q", got, s+"TABLE"+s)
		}
		api := block(t, mainTF, "module", "api")
		if got := eval(t, api.Body.Attributes["description"], ctx).AsString(); got != s {
			t.Errorf("api description = %q, want %q", got, s)
		}

		outputs := parse(t, files["envs/dev/outputs.tf"])
		sources := eval(t, block(t, outputs, "output", "function_sources").Body.Attributes["value"], ctx)
		if got := sources.GetAttr("FN-route_" + rt.Name).AsString(); got != s {
			t.Errorf("function_sources = %q, want %q", got, s)
		}

		tfvars := parse(t, files["envs/dev/terraform.tfvars"])
		if got := eval(t, tfvars.Attributes["tags"], ctx).GetAttr("team").AsString(); got != s {
			t.Errorf("tags.team = %q, want %q", got, s)
		}
		if got := eval(t, tfvars.Attributes["stage"], ctx).GetAttr("variables").GetAttr("v").AsString(); got != s {
			t.Errorf("stage.variables.v = %q, want %q", got, s)
		}
		// The comment naming the source stays one line.
		if head := strings.SplitN(string(files["envs/dev/main.tf"]), "\n", 3); !strings.HasPrefix(head[1], "# Source: ") {
			t.Errorf("second line is not the source comment: %q", head[1])
		}
	})
}

func parse(t *testing.T, src []byte) *hclsyntax.Body {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "x.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("generated HCL does not parse: %s\n%s", diags.Error(), src)
	}
	return f.Body.(*hclsyntax.Body)
}

func block(t *testing.T, body *hclsyntax.Body, typ, label string) *hclsyntax.Block {
	t.Helper()
	for _, b := range body.Blocks {
		if b.Type == typ && len(b.Labels) > 0 && b.Labels[0] == label {
			return b
		}
	}
	t.Fatalf("no %s %q", typ, label)
	return nil
}

func eval(t *testing.T, a *hclsyntax.Attribute, ctx *hcl.EvalContext) cty.Value {
	t.Helper()
	if a == nil {
		t.Fatal("attribute missing")
	}
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("evaluate %s: %s", a.Name, diags.Error())
	}
	return v
}

// evalContext gives every reference the generated files make a known value:
// path.root is ROOT, a table's name is TABLE, a module's function name is
// FN-<module>; file(p) returns p.
func evalContext() *hcl.EvalContext {
	modules := map[string]cty.Value{}
	for _, name := range []string{"route_create_item", "route_get_item", "route_list_items", "route_delete_item", "authorizer_admin"} {
		modules[name] = cty.ObjectVal(map[string]cty.Value{"function_name": cty.StringVal("FN-" + name)})
	}
	modules["api"] = cty.DynamicVal
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"path":               cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal("ROOT")}),
			"local":              cty.DynamicVal,
			"var":                cty.DynamicVal,
			"module":             cty.ObjectVal(modules),
			"aws_dynamodb_table": cty.ObjectVal(map[string]cty.Value{"items": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("TABLE"), "arn": cty.StringVal("ARN")})}),
			"aws_s3_bucket":      cty.DynamicVal,
			"aws_s3_object":      cty.DynamicVal,
		},
		Functions: map[string]function.Function{
			"file": function.New(&function.Spec{
				Params: []function.Parameter{{Name: "path", Type: cty.String}},
				Type:   function.StaticReturnType(cty.String),
				Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
			}),
			"try": function.New(&function.Spec{
				VarParam: &function.Parameter{Name: "x", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
				Type:     function.StaticReturnType(cty.DynamicPseudoType),
				Impl:     func(args []cty.Value, _ cty.Type) (cty.Value, error) { return cty.DynamicVal, nil },
			}),
		},
	}
}
