package render_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// variable is one declared input of a module.
type variable struct {
	typ      cty.Type
	defaults *typeexpr.Defaults
	required bool
}

// declared parses a directory's variables.tf.
func declared(t *testing.T, dir string) map[string]variable {
	t.Helper()
	body := parseFile(t, filepath.Join(dir, "variables.tf"))
	vars := map[string]variable{}
	for _, b := range body.Blocks {
		if b.Type != "variable" {
			continue
		}
		v := variable{typ: cty.DynamicPseudoType, required: true}
		if a, ok := b.Body.Attributes["type"]; ok {
			typ, defs, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
			if diags.HasErrors() {
				t.Fatalf("%s: variable %s: %s", dir, b.Labels[0], diags.Error())
			}
			v.typ, v.defaults = typ, defs
		}
		if _, ok := b.Body.Attributes["default"]; ok {
			v.required = false
		}
		vars[b.Labels[0]] = v
	}
	return vars
}

func parseFile(t *testing.T, path string) *hclsyntax.Body {
	t.Helper()
	src := readFile(t, path)
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", path, diags.Error())
	}
	return f.Body.(*hclsyntax.Body)
}

// rootVars evaluates terraform.tfvars against the root variables' types,
// so module arguments built from var.* get their real types.
func rootVars(t *testing.T, envDir string) cty.Value {
	t.Helper()
	decl := declared(t, envDir)
	body := parseFile(t, filepath.Join(envDir, "terraform.tfvars"))
	vals := map[string]cty.Value{}
	for name, a := range body.Attributes {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("tfvars %s: %s", name, diags.Error())
		}
		d, ok := decl[name]
		if !ok {
			t.Fatalf("terraform.tfvars sets %s, which variables.tf does not declare", name)
		}
		if d.defaults != nil {
			v = d.defaults.Apply(v)
		}
		cv, err := convert.Convert(v, d.typ)
		if err != nil {
			t.Fatalf("terraform.tfvars: %s does not fit its declared type: %v", name, err)
		}
		vals[name] = cv
	}
	for name, d := range decl {
		if _, ok := vals[name]; !ok {
			if d.required {
				t.Fatalf("required root variable %s is not set in terraform.tfvars", name)
			}
			vals[name] = cty.UnknownVal(d.typ)
		}
	}
	return cty.ObjectVal(vals)
}

// TestModuleArgumentsMatchDeclaredVariables checks every module call the
// generator writes against the module's variables.tf: no undeclared
// argument, every required variable set, and every value convertible to the
// declared type.
func TestModuleArgumentsMatchDeclaredVariables(t *testing.T) {
	modules := filepath.Join("..", "..", "..", "modules")
	// The example, and the case that uses every feature (authorizers of each
	// type, VPC, dead-letter target, ephemeral storage, domain, WAF).
	for _, envDir := range []string{
		filepath.Join("testdata", "example", "golden", "envs", "dev"),
		filepath.Join("testdata", "example", "golden", "envs", "prod"),
		filepath.Join("testdata", "full", "golden", "envs", "dev"),
		filepath.Join("testdata", "full", "golden", "envs", "prod"),
	} {
		env := envDir
		unknown := cty.DynamicVal
		ctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{
				"var":                rootVars(t, envDir),
				"local":              cty.ObjectVal(map[string]cty.Value{"name_prefix": cty.UnknownVal(cty.String), "packages": unknown}),
				"aws_s3_object":      unknown,
				"module":             unknown,
				"aws_dynamodb_table": unknown,
				"aws_s3_bucket":      unknown,
				"data":               unknown,
				"path":               cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal("."), "module": cty.StringVal(".")}),
			},
			Functions: map[string]function.Function{
				"try":     tryfunc.TryFunc,
				"replace": stdlib.ReplaceFunc,
				"file": function.New(&function.Spec{
					Params: []function.Parameter{{Name: "path", Type: cty.String}},
					Type:   function.StaticReturnType(cty.String),
					Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
						return cty.UnknownVal(cty.String), nil
					},
				}),
			},
		}
		calls := 0
		for _, b := range parseFile(t, filepath.Join(envDir, "main.tf")).Blocks {
			if b.Type != "module" {
				continue
			}
			calls++
			srcAttr := b.Body.Attributes["source"]
			src, _ := srcAttr.Expr.Value(nil)
			name := filepath.Base(src.AsString())
			vars := declared(t, filepath.Join(modules, name))
			for arg, a := range b.Body.Attributes {
				if arg == "source" {
					continue
				}
				d, ok := vars[arg]
				if !ok {
					t.Errorf("%s: module %q passes %s, which modules/%s does not declare", env, b.Labels[0], arg, name)
					continue
				}
				v, diags := a.Expr.Value(ctx)
				if diags.HasErrors() {
					t.Errorf("%s: module %q argument %s: %s", env, b.Labels[0], arg, diags.Error())
					continue
				}
				if d.defaults != nil && v.IsWhollyKnown() {
					v = d.defaults.Apply(v)
				}
				if _, err := convert.Convert(v, d.typ); err != nil {
					t.Errorf("%s: module %q argument %s = %s does not fit %s: %v", env, b.Labels[0], arg, v.GoString(), d.typ.FriendlyName(), err)
				}
			}
			for v, d := range vars {
				if _, ok := b.Body.Attributes[v]; d.required && !ok {
					t.Errorf("%s: module %q does not set required variable %s of modules/%s", env, b.Labels[0], v, name)
				}
			}
		}
		if calls < 2 || !strings.Contains(string(readFile(t, filepath.Join(envDir, "main.tf"))), "lambda_route") {
			t.Fatalf("%s: expected module calls of api_gateway and lambda_route, found %d", env, calls)
		}
	}
}
