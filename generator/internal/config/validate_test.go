package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// base is a valid routes file; each case below patches one thing in it.
const base = `api:
  name: items
tables:
  items: { hash_key: id }
authorizers:
  key: { type: api_key }
routes:
  - name: create_item
    method: POST
    path: /items
    handler: functions/ok
    request: { schema: schemas/ok.json }
    permissions: [{ table: items, actions: [PutItem] }]
    auth: key
  - name: get_item
    method: GET
    path: /items/{id}
    handler: functions/ok
`

// load writes src as routes.yaml into a copy-free view of testdata/project
// (handlers and schemas resolve there) and loads it.
func load(t *testing.T, src string) error {
	t.Helper()
	dir := filepath.Join("testdata", "project")
	path := filepath.Join(dir, "routes.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	_, err := Load(path)
	return err
}

func TestValidConfigLoads(t *testing.T) {
	if err := load(t, base); err != nil {
		t.Fatalf("valid config rejected:\n%v", err)
	}
}

// TestValidation checks each rule's exact message, position included.
func TestValidation(t *testing.T) {
	p := "testdata/project/routes.yaml"
	cases := []struct {
		name string
		src  string
		want []string // every line of the error, in order
	}{
		{
			"typo in a key gets a suggestion",
			strings.Replace(base, "    handler: functions/ok\n    request", "    hanlder: functions/ok\n    request", 1),
			[]string{
				p + `:8:5: routes[0].handler: is required; point to the Go main package of the function, e.g. handler: functions/create_item`,
				p + `:11:5: routes[0].hanlder: unknown key; did you mean "handler"?`,
			},
		},
		{
			"duplicate route name",
			strings.Replace(base, "name: get_item", "name: create_item", 1),
			[]string{p + `:15:11: routes[1].name: duplicate route name "create_item" (also routes[0] on line 8); route names must be unique`},
		},
		{
			"duplicate method and path",
			strings.Replace(base, "method: GET\n    path: /items/{id}", "method: POST\n    path: /items", 1),
			[]string{p + `:17:11: routes[1].path: POST /items is already served by create_item (routes[0], line 10); each method and path needs exactly one route`},
		},
		{
			"sibling parameters with different names",
			base + "  - name: put_item\n    method: PUT\n    path: /items/{itemId}\n    handler: functions/ok\n",
			[]string{p + `:21:11: routes[2].path: parameter {itemId} conflicts with {id} at the same level (routes[1], line 17); API Gateway requires one parameter name per level`},
		},
		{
			"bad method",
			strings.Replace(base, "method: GET", "method: FETCH", 1),
			[]string{p + `:16:13: routes[1].method: "FETCH" is not allowed; did you mean "PATCH"? (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY)`},
		},
		{
			"bad path",
			strings.Replace(base, "path: /items/{id}", "path: items/{id}", 1),
			[]string{p + `:17:11: routes[1].path: "items/{id}" must start with '/'`},
		},
		{
			"bad route name",
			strings.Replace(base, "name: get_item", "name: Get-Item", 1),
			[]string{p + `:15:11: routes[1].name: "Get-Item" is not a valid route name; use lowercase letters, digits and '_', starting with a letter`},
		},
		{
			"handler that is not a main package",
			strings.Replace(base, "handler: functions/ok\n    request", "handler: functions/lib\n    request", 1),
			[]string{p + `:11:14: routes[0].handler: "functions/lib" is package lib, not a main package; a handler is a Go main package (package main with func main calling lambda.Start)`},
		},
		{
			"missing schema file",
			strings.Replace(base, "schemas/ok.json", "schemas/missing.json", 1),
			[]string{p + `:12:24: routes[0].request.schema: schema file "schemas/missing.json" cannot be read: no such file or directory; API Gateway models are JSON Schema draft-04`},
		},
		{
			"schema that is not JSON",
			strings.Replace(base, "schemas/ok.json", "schemas/broken.json", 1),
			[]string{p + `:12:24: routes[0].request.schema: schema file "schemas/broken.json" is not a JSON object: invalid character 'o' in literal null (expecting 'u'); API Gateway models are JSON Schema draft-04`},
		},
		{
			"schema of another draft",
			strings.Replace(base, "schemas/ok.json", "schemas/draft2020.json", 1),
			[]string{p + `:12:24: routes[0].request.schema: schema file "schemas/draft2020.json" declares $schema "https://json-schema.org/draft/2020-12/schema"; use http://json-schema.org/draft-04/schema#; API Gateway models are JSON Schema draft-04`},
		},
		{
			"unknown table in a permission",
			strings.Replace(base, "table: items, actions", "table: itemz, actions", 1),
			[]string{p + `:13:28: routes[0].permissions[0].table: unknown table "itemz"; did you mean "items"?`},
		},
		{
			"unknown action",
			strings.Replace(base, "actions: [PutItem]", "actions: [PutItems]", 1),
			[]string{p + `:13:45: routes[0].permissions[0].actions[0]: "PutItems" is not allowed; did you mean "PutItem"? (allowed: BatchGetItem, BatchWriteItem, ConditionCheckItem, DeleteItem, DescribeTable, GetItem, PartiQLDelete, PartiQLInsert, PartiQLSelect, PartiQLUpdate, PutItem, Query, Scan, UpdateItem)`},
		},
		{
			"wildcard action",
			strings.Replace(base, "actions: [PutItem]", `actions: ["*"]`, 1),
			[]string{p + `:13:45: routes[0].permissions[0].actions[0]: wildcards are not allowed; name each DynamoDB action the function needs (least privilege)`},
		},
		{
			"unknown authorizer",
			strings.Replace(base, "auth: key", "auth: keys", 1),
			[]string{p + `:14:11: routes[0].auth: unknown authorizer "keys"; did you mean "key"?`},
		},
		{
			"memory out of range",
			strings.Replace(base, "api:\n  name: items\n", "api:\n  name: items\ndefaults:\n  memory_mb: 64\n", 1),
			[]string{p + `:4:14: defaults.memory_mb: 64 MB is out of Lambda's range; use 128 to 10240`},
		},
		{
			"retention that CloudWatch does not offer",
			strings.Replace(base, "api:\n  name: items\n", "api:\n  name: items\ndefaults:\n  log_retention_days: 10\n", 1),
			[]string{p + `:4:23: defaults.log_retention_days: 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`},
		},
		{
			"architecture per environment",
			base + "environments:\n  prod: { architecture: x86_64 }\n",
			[]string{p + `:20:25: environments.prod.architecture: cannot differ per environment; a route is built once for all environments; set it under defaults or on the route`},
		},
		{
			"environment override of an unknown route",
			base + "environments:\n  prod:\n    routes:\n      get_itme: { memory_mb: 256 }\n",
			[]string{p + `:22:7: environments.prod.routes.get_itme: names no route; did you mean "get_item"?`},
		},
		{
			"several errors, sorted by position",
			strings.Replace(strings.Replace(base, "name: items\n", "name: Items\n", 1), "method: GET", "method: GOT", 1),
			[]string{
				p + `:2:9: api.name: "Items" is not a valid name; use lowercase letters, digits and '-', starting with a letter`,
				p + `:16:13: routes[1].method: "GOT" is not allowed; did you mean "GET"? (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY)`,
			},
		},
		{
			"invalid YAML",
			"api:\n  name: [items\n",
			[]string{p + `:1:1: not valid YAML: did not find expected ',' or ']'; fix the syntax at that line`},
		},
	}
	for _, c := range append(append(cases, allRules...), featureRules...) {
		t.Run(c.name, func(t *testing.T) {
			err := load(t, c.src)
			if err == nil {
				t.Fatal("no error")
			}
			// Messages name absolute paths; the project's is <project> here.
			abs, _ := filepath.Abs(filepath.Join("testdata", "project"))
			got := strings.Split(strings.ReplaceAll(err.Error(), abs, "<project>"), "\n")
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("error mismatch\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(c.want, "\n      "))
			}
		})
	}
}

func TestResourceLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("api:\n  name: big\nroutes:\n")
	for i := 0; i < 301; i++ {
		b.WriteString("  - { name: r" + strconv.Itoa(i) + ", method: GET, path: /r" + strconv.Itoa(i) + ", handler: functions/ok }\n")
	}
	err := load(t, b.String())
	if err == nil || !strings.Contains(err.Error(), "the paths need 302 API Gateway resources (every distinct path prefix plus the root); API Gateway allows 300 per REST API by default") {
		t.Fatalf("want the resource limit error, got %v", err)
	}
	if !strings.Contains(err.Error(), "Service Quotas") {
		t.Errorf("the limit error should say how to raise it: %v", err)
	}
}
