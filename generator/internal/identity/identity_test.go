package identity

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// api builds a model with the given routes ("name METHOD /path") in env
// dev, plus the Lambda authorizers named.
func api(name string, routes []string, authorizers ...string) *model.Model {
	m := &model.Model{File: "routes.yaml", API: model.API{Name: name}, Envs: []model.Env{{Name: "dev"}}}
	for i, r := range routes {
		f := strings.Fields(r)
		m.Routes = append(m.Routes, model.Route{Name: f[0], Method: f[1], Path: f[2], Pos: diag.Pos{Line: 10 + i, Col: 11}, Field: "routes[" + string(rune('0'+i)) + "]"})
	}
	for i, a := range authorizers {
		m.Authorizers = append(m.Authorizers, model.Authorizer{Name: a, Type: "token", Pos: diag.Pos{Line: 3 + i, Col: 3}})
	}
	return m
}

// generated is the main.tf a previous run wrote for m (what render prints
// of each function's module: its name and, for routes, method and path).
func generated(m *model.Model, suffix map[string]string) []byte {
	var b strings.Builder
	for _, r := range m.Routes {
		s := r.Name
		if v, ok := suffix[r.Name]; ok {
			s = v
		}
		b.WriteString("module \"route_" + r.Name + "\" {\n  name = \"${local.name_prefix}-" + s + "\"\n  http_method = \"" + r.Method + "\"\n  resource_path = \"" + r.Path + "\"\n}\n")
	}
	for _, a := range m.Authorizers {
		b.WriteString("module \"authorizer_" + a.Name + "\" {\n  name = \"${local.name_prefix}-" + a.Name + "\"\n}\n")
	}
	return []byte(b.String())
}

func TestFirstGenerationNamesEveryFunctionAfterItself(t *testing.T) {
	m := api("items", []string{"get GET /items/{id}", "list GET /items"}, "admin")
	if err := Assign(m, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"route_get": "get", "route_list": "list", "authorizer_admin": "admin"}
	if got := m.Envs[0].FunctionNames; !reflect.DeepEqual(got, want) {
		t.Errorf("FunctionNames = %v, want %v", got, want)
	}
	if len(m.Envs[0].Moves) != 0 {
		t.Errorf("Moves = %v, want none", m.Envs[0].Moves)
	}
}

func TestRenameKeepsTheDeployedNameAndMovesState(t *testing.T) {
	before := api("items", []string{"get GET /items/{id}", "list GET /items"})
	prev := ParsePrevious(generated(before, nil), nil)

	m := api("items", []string{"read GET /items/{id}", "list GET /items"})
	if err := Assign(m, map[string]Previous{"dev": prev}); err != nil {
		t.Fatal(err)
	}
	if got := m.Envs[0].FunctionNames["route_read"]; got != "get" {
		t.Errorf("renamed route's suffix = %q, want the deployed %q", got, "get")
	}
	if want := []model.Move{{From: "get", To: "read"}}; !reflect.DeepEqual(m.Envs[0].Moves, want) {
		t.Errorf("Moves = %v, want %v", m.Envs[0].Moves, want)
	}

	// A chain: read -> fetch keeps "get", and both earlier addresses move.
	prev = ParsePrevious(generated(m, map[string]string{"read": "get"}), []byte("moved {\n  from = module.route_get\n  to = module.route_read\n}\n"))
	m2 := api("items", []string{"fetch GET /items/{id}", "list GET /items"})
	if err := Assign(m2, map[string]Previous{"dev": prev}); err != nil {
		t.Fatal(err)
	}
	if got := m2.Envs[0].FunctionNames["route_fetch"]; got != "get" {
		t.Errorf("after a chain of renames the suffix = %q, want %q", got, "get")
	}
	if want := []model.Move{{From: "get", To: "fetch"}, {From: "read", To: "fetch"}}; !reflect.DeepEqual(m2.Envs[0].Moves, want) {
		t.Errorf("Moves = %v, want %v", m2.Envs[0].Moves, want)
	}
}

func TestNameLengthIsCheckedOnTheNameInUse(t *testing.T) {
	long := "get_item_with_a_name_that_is_far_too_long_for_lambda_xy" // items-dev-<this> is 65
	m := api("items", []string{long + " GET /items/{id}"}, "auth_with_a_rather_long_name_for_a_lambda_authorizer_xy")
	err := Assign(m, nil)
	var de *diag.Error
	if !errors.As(err, &de) || len(de.Items) != 2 {
		t.Fatalf("err = %v, want two diagnostics", err)
	}
	want := []string{
		`routes.yaml:3:3: authorizers.auth_with_a_rather_long_name_for_a_lambda_authorizer_xy: the function name "items-dev-auth_with_a_rather_long_name_for_a_lambda_authorizer_xy" is 65 characters; Lambda and IAM allow 64; shorten the authorizer name or api.name`,
		`routes.yaml:10:11: routes[0].name: the function name "items-dev-` + long + `" is 65 characters; Lambda and IAM allow 64; shorten the route name or api.name`,
	}
	for i, d := range de.Items {
		if d.Error() != want[i] {
			t.Errorf("diagnostic %d:\n%s\nwant:\n%s", i, d.Error(), want[i])
		}
	}
	if m.Envs[0].FunctionNames != nil {
		t.Error("Assign changed the model although it failed")
	}

	// Renamed to a long name in place, the route keeps its short deployed
	// name: that is the name AWS sees, so it is fine.
	short := api("items", []string{"get GET /items/{id}"})
	renamed := api("items", []string{long + " GET /items/{id}"})
	if err := Assign(renamed, map[string]Previous{"dev": ParsePrevious(generated(short, nil), nil)}); err != nil {
		t.Errorf("a renamed route keeps its deployed name, whose length is fine: %v", err)
	}
}

func TestANameStillHeldIsAConflict(t *testing.T) {
	// "get" was renamed to "read", which still deploys as items-dev-get.
	prev := ParsePrevious(generated(api("items", []string{"read GET /items/{id}"}), map[string]string{"read": "get"}), nil)
	m := api("items", []string{"read GET /items/{id}", "get PUT /items/{id}"})
	err := Assign(m, map[string]Previous{"dev": prev})
	want := `routes.yaml:11:11: routes[1].name: its function would be "items-dev-get", which route "read" still deploys under in envs/dev (it was renamed from "get", and a renamed route keeps its deployed AWS names so that the rename only moves Terraform state); give this route another name, or take the name back in steps: remove route "read", generate and apply (its function is deleted), then add both back`
	if err == nil || err.Error() != want {
		t.Errorf("err:\n%v\nwant:\n%s", err, want)
	}
}

func TestUnreadablePreviousIsAFirstGeneration(t *testing.T) {
	p := ParsePrevious([]byte("module \"route_x\" {"), []byte("not hcl {{"))
	if len(p.Names)+len(p.Routes)+len(p.Moves) != 0 {
		t.Errorf("ParsePrevious of broken files = %+v, want empty", p)
	}
}

// Two routes whose names differ only in '_' share schema files without
// any collision: API Gateway's models are named after the schema files
// (package openapi), not after the routes.
func TestRoutesDifferingInUnderscoresAreFine(t *testing.T) {
	m := api("items", []string{"get_item GET /items/{id}", "getitem GET /things/{id}", "list GET /items"})
	m.Routes[0].ResponseSchema, m.Routes[1].ResponseSchema = "schemas/item.json", "schemas/item.json"
	if err := Assign(m, nil); err != nil {
		t.Errorf("routes get_item and getitem: %v", err)
	}
}

// TestScanReadsWhatAParseReads: what ParsePrevious reads from a generated
// main.tf by lines is what it reads from a whole HCL parse of the same
// file (a top-level attribute in front takes it off the generated layout),
// on the goldens of both render cases.
func TestScanReadsWhatAParseReads(t *testing.T) {
	for _, path := range []string{
		"../render/testdata/example/golden/envs/dev/main.tf", "../render/testdata/full/golden/envs/prod/main.tf",
	} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		scanned := ParsePrevious(src, nil)
		parsed := ParsePrevious(append([]byte("not_the_generated_layout = true\n"), src...), nil)
		if !reflect.DeepEqual(scanned, parsed) || len(scanned.Names) < 4 || len(scanned.Routes) < 3 {
			t.Errorf("%s:\nscanned %+v\nparsed  %+v", path, scanned, parsed)
		}
	}
}
