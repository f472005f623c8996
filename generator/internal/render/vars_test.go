package render

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

func attrNames(keys []settings.Key, keep func(settings.Key) bool) []string {
	var out []string
	for _, k := range keys {
		if keep(k) {
			out = append(out, k.Attr.Name)
		}
	}
	slices.Sort(out)
	return out
}

func objNames(o obj) []string {
	var out []string
	for _, f := range o {
		out = append(out, f.key)
	}
	slices.Sort(out)
	return out
}

// TestFunctionVariablesAreTheTable: the attributes var.routes and
// var.authorizer_functions declare, those terraform.tfvars sets and those
// lambda_route gets are the table's function settings with an Attr.
func TestFunctionVariablesAreTheTable(t *testing.T) {
	keys := settings.AttrKeys()
	all := attrNames(keys, func(settings.Key) bool { return true })
	if len(all) == 0 {
		t.Fatal("the table gives no function setting a Terraform attribute")
	}

	expr, diags := hclsyntax.ParseExpression([]byte(functionSettingsType), "type", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the function settings type does not parse: %s\n%s", diags.Error(), functionSettingsType)
	}
	typ, _, diags := typeexpr.TypeConstraintWithDefaults(expr)
	if diags.HasErrors() || !typ.IsMapType() || !typ.ElementType().IsObjectType() {
		t.Fatalf("the function settings type is %s (%s), not a map of objects", typ.FriendlyName(), diags.Error())
	}
	var declared, optional []string
	for name := range typ.ElementType().AttributeTypes() {
		declared = append(declared, name)
		if typ.ElementType().AttributeOptional(name) {
			optional = append(optional, name)
		}
	}
	slices.Sort(declared)
	slices.Sort(optional)
	if !slices.Equal(declared, all) {
		t.Errorf("the function settings type declares %v; the table has %v", declared, all)
	}
	if want := attrNames(keys, func(k settings.Key) bool { return k.Attr.Optional }); !slices.Equal(optional, want) {
		t.Errorf("optional attributes %v; the table's optional ones are %v", optional, want)
	}

	// Everything set: every attribute is written. Nothing set: the
	// required ones and those with a default.
	full := everySet(t)
	if got := objNames(functionValues(full)); !slices.Equal(got, all) {
		t.Errorf("tfvars of a function with every setting set has %v; the table has %v", got, all)
	}
	want := attrNames(keys, func(k settings.Key) bool { return !k.Attr.Optional || k.Attr.Default != "" })
	if got := objNames(functionValues(model.RouteValues{})); !slices.Equal(got, want) {
		t.Errorf("tfvars of a function with nothing set has %v; want the required attributes and those with a default, %v", got, want)
	}

	// lambda_route gets each, in the case with routes and authorizers.
	main := filepath.Join("testdata", "full", "golden", "envs", "dev", "main.tf")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, main, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	calls := 0
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "module" || !strings.HasPrefix(b.Labels[0], model.RouteModulePrefix) && !strings.HasPrefix(b.Labels[0], model.AuthorizerModulePrefix) {
			continue
		}
		calls++
		for _, name := range all {
			if _, ok := b.Body.Attributes[name]; !ok {
				t.Errorf("%s: module %s does not pass %s", main, b.Labels[0], name)
			}
		}
	}
	if calls == 0 {
		t.Fatalf("%s: no function module calls", main)
	}
}

// everySet is a function's values with every setting set (not the zero
// value), found by the fields' setting tags, so that a new key is covered.
func everySet(t *testing.T) model.RouteValues {
	t.Helper()
	var v model.RouteValues
	fill(t, reflect.ValueOf(&v).Elem())
	return v
}

func fill(t *testing.T, sv reflect.Value) {
	t.Helper()
	for i := range sv.NumField() {
		if sv.Type().Field(i).Tag.Get("setting") == "" {
			continue
		}
		switch f := sv.Field(i); f.Kind() {
		case reflect.Int:
			f.SetInt(1)
		case reflect.String:
			f.SetString("x")
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			if e := f.Index(0); e.Kind() == reflect.String {
				e.SetString("x")
			}
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
			fill(t, f.Elem())
		default:
			t.Fatalf("%s.%s: cannot fill a %s", sv.Type().Name(), sv.Type().Field(i).Name, f.Type())
		}
	}
}
