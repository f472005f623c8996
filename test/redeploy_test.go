package test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	tfjson "github.com/hashicorp/terraform-json"

	gen "github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/generator/packaging"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/testkit"
)

// redeployProject has two routes with schemas of their own and a Lambda
// authorizer, so an edit can touch exactly one of them.
const redeployProject = `api: { name: redeploy }
modules: { path: modules }
defaults: { log_retention_days: 1 }
authorizers:
  admin: { type: token, handler: functions/fn, result_ttl_seconds: 300 }
routes:
  - { name: create, method: POST, path: /things, handler: functions/fn, request: { schema: schemas/create.json }, auth: admin }
  - { name: list, method: GET, path: /things, handler: functions/fn, response: { schema: schemas/list.json } }
environments:
  dev: { stage: dev }
`

const (
	createSchema = `{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}`
	listSchema   = `{"$schema": "http://json-schema.org/draft-04/schema#", "type": "array"}`
)

// TestDeploymentTriggerFollowsRouteChanges applies a generated env on the
// local stack (moto + kumo) with the real AWS provider, then plans edits and
// reads the plan JSON: the stage's deployment must be replaced exactly when
// an edit changes what API Gateway serves (a route's request schema, an
// authorizer's settings: the API's document) and left alone by an edit
// that does not (another route's memory). This is the trigger semantics of
// modules/api_gateway's aws_api_gateway_deployment (the hash of the
// document as imported, pseudo parameters substituted), which only
// Terraform itself can evaluate.
func TestDeploymentTriggerFollowsRouteChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("applies on the local stack; skipped with -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, dir, "routes.yaml", redeployProject)
	writeFile(t, dir, "functions/fn/main.go", "package main\n\nfunc main() {}\n")
	writeFile(t, dir, "schemas/create.json", createSchema)
	writeFile(t, dir, "schemas/list.json", listSchema)
	if err := testkit.CopyTree(filepath.Join(repoRoot(t), "modules"), filepath.Join(dir, "modules"), nil); err != nil {
		t.Fatal(err)
	}
	regenerate(t, dir)
	// Lambda stores the package; it never runs here, so any zip will do.
	dummyPackages(t, dir, "admin", "create", "list")

	logs, err := os.Create(filepath.Join(t.TempDir(), "stack.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the stack's Close: cleanups run last first
		_ = logs.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logs.Name())
			if len(data) > 4000 {
				data = data[len(data)-4000:]
			}
			t.Logf("---- emulator and terraform log (tail) ----\n%s", data)
		}
	})
	st := stacktest.Start(t, stack.Options{Logs: logs})
	if _, err := st.BootstrapAccount(ctx); err != nil { // access logs need the account's role
		t.Fatal(err)
	}
	ws, err := st.Workspace(filepath.Join(dir, "envs", "dev"), logs)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Init(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}

	plan := func() *tfjson.Plan {
		t.Helper()
		p, _, err := ws.PlanJSON(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const (
		deployment = "module.api.aws_api_gateway_deployment.this"
		restAPI    = "module.api.aws_api_gateway_rest_api.this"
	)

	if changed := changedAddresses(plan()); len(changed) > 0 {
		t.Fatalf("a plan right after apply changes %v; want nothing", changed)
	}

	// The three functions share one package: one object in the bucket,
	// and each function deploys from it.
	objects, fns := 0, 0
	buckets, err := st.S3().ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("redeploy-dev-pkg-")})
	if err != nil || len(buckets.Buckets) != 1 {
		t.Fatalf("the artifacts bucket: %v %v", buckets, err)
	}
	list, err := st.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: buckets.Buckets[0].Name})
	if err != nil {
		t.Fatal(err)
	}
	objects = len(list.Contents)
	for _, name := range []string{"admin", "create", "list"} {
		fn, err := st.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("redeploy-dev-" + name)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(fn.Configuration.CodeSha256) != "" {
			fns++
		}
	}
	if objects != 1 || fns != 3 {
		t.Errorf("%d objects in the artifacts bucket for %d functions on one package; want 1", objects, fns)
	}

	t.Run("request schema of one route redeploys", func(t *testing.T) {
		// The schema is part of the API's document: generate writes it there.
		writeFile(t, dir, "schemas/create.json", strings.Replace(createSchema, `"name": {"type": "string"}`, `"name": {"type": "string", "maxLength": 64}`, 1))
		defer func() { writeFile(t, dir, "schemas/create.json", createSchema); regenerate(t, dir) }()
		regenerate(t, dir)
		changed := changedAddresses(plan())
		wantReplaced(t, changed, deployment)
		wantChanged(t, changed, restAPI)
		for addr := range changed {
			if strings.HasPrefix(addr, "module.route_list.") || strings.HasPrefix(addr, "module.authorizer_admin.") {
				t.Errorf("%s changes (%v) though only create's schema was edited", addr, changed[addr])
			}
		}
	})

	t.Run("another route's memory does not redeploy", func(t *testing.T) {
		writeFile(t, dir, "routes.yaml", strings.Replace(redeployProject, "handler: functions/fn, response:", "handler: functions/fn, memory_mb: 256, response:", 1))
		defer func() { writeFile(t, dir, "routes.yaml", redeployProject); regenerate(t, dir) }()
		regenerate(t, dir)
		changed := changedAddresses(plan())
		wantChanged(t, changed, "module.route_list.aws_lambda_function.this")
		if a, ok := changed[deployment]; ok {
			t.Errorf("%s %v after a memory edit; want no new deployment", deployment, a)
		}
		if len(changed) != 1 {
			t.Errorf("plan changes %v; want only module.route_list.aws_lambda_function.this", changed)
		}
	})

	t.Run("authorizer setting redeploys", func(t *testing.T) {
		writeFile(t, dir, "routes.yaml", strings.Replace(redeployProject, "result_ttl_seconds: 300", "result_ttl_seconds: 60", 1))
		defer func() { writeFile(t, dir, "routes.yaml", redeployProject); regenerate(t, dir) }()
		regenerate(t, dir)
		changed := changedAddresses(plan())
		wantChanged(t, changed, restAPI)
		wantReplaced(t, changed, deployment)
	})

	// A rename (same method and path) keeps the route's AWS names, so the
	// plan moves its state, imports the document (whose operation carries
	// the route's name) and replaces the stage's deployment; the rename
	// back does the same.
	t.Run("rename moves state only", func(t *testing.T) {
		rename := func(yaml, from, to string) {
			t.Helper()
			writeFile(t, dir, "routes.yaml", yaml)
			regenerate(t, dir)
			// init installs the module under its new name (a local copy).
			if err := ws.Init(ctx, nil); err != nil {
				t.Fatal(err)
			}
			p, _, err := ws.PlanJSON(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantMovedOnly(t, p, from, to, deployment)
			t.Logf("rename to %s plans %v", to, changedAddresses(p))
			if err := ws.Apply(ctx); err != nil {
				t.Fatal(err)
			}
			if p, _, err = ws.PlanJSON(ctx); err != nil {
				t.Fatal(err)
			}
			if changed := changedAddresses(p); len(changed) > 0 {
				t.Errorf("a plan right after applying the rename to %s changes %v; want nothing", to, changed)
			}
		}
		dummyPackages(t, dir, "admin", "create", "list", "list_all")
		rename(strings.Replace(redeployProject, "name: list,", "name: list_all,", 1), "module.route_list.", "module.route_list_all.")
		rename(redeployProject, "module.route_list_all.", "module.route_list.")
	})

	if changed := changedAddresses(plan()); len(changed) > 0 {
		t.Errorf("after reverting every edit the plan changes %v; want nothing", changed)
	}
}

// wantMovedOnly asserts that plan p moves every resource of the module
// prefix from to the prefix to, creates and deletes nothing but a new
// deployment (a replacement of the resource at deployment), and changes
// nothing else outside the moved module but the REST API (its document
// names the route) and the stage, which points at the new deployment.
func wantMovedOnly(t *testing.T, p *tfjson.Plan, from, to, deployment string) {
	t.Helper()
	const stage = "module.api.aws_api_gateway_stage.this"
	const restAPI = "module.api.aws_api_gateway_rest_api.this"
	moved := 0
	for _, rc := range p.ResourceChanges {
		a := rc.Change.Actions
		switch {
		case rc.Mode == tfjson.DataResourceMode:
			// Data sources are read again: they create and delete nothing.
		case rc.Address == stage || rc.Address == restAPI:
			if !a.NoOp() && !a.Update() {
				t.Errorf("%s actions = %v, want at most an in-place update", rc.Address, a)
			}
		case rc.Address == deployment:
			if !a.Replace() {
				t.Errorf("%s actions = %v, want a replacement (new deployment)", rc.Address, a)
			}
		case strings.HasPrefix(rc.Address, to):
			if rc.PreviousAddress != from+strings.TrimPrefix(rc.Address, to) {
				t.Errorf("%s: previous address %q, want it moved from %s", rc.Address, rc.PreviousAddress, from)
			}
			if !a.NoOp() && !a.Update() {
				t.Errorf("%s (moved from %s) actions = %v, want no-op or an in-place update", rc.Address, rc.PreviousAddress, a)
			}
			moved++
		case strings.HasPrefix(rc.Address, from):
			t.Errorf("%s is still planned (%v) after the rename", rc.Address, a)
		case !a.NoOp():
			t.Errorf("%s actions = %v; want it untouched by another route's rename", rc.Address, a)
		}
	}
	if moved == 0 {
		t.Errorf("the plan moves nothing to %s", to)
	}
}

// changedAddresses maps every resource the plan touches to its actions.
func changedAddresses(p *tfjson.Plan) map[string]tfjson.Actions {
	out := map[string]tfjson.Actions{}
	for _, rc := range p.ResourceChanges {
		if rc.Change != nil && !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			out[rc.Address] = rc.Change.Actions
		}
	}
	return out
}

func wantChanged(t *testing.T, changed map[string]tfjson.Actions, addr string) {
	t.Helper()
	if _, ok := changed[addr]; !ok {
		t.Errorf("%s does not change; plan changes %v", addr, changed)
	}
}

func wantReplaced(t *testing.T, changed map[string]tfjson.Actions, addr string) {
	t.Helper()
	if a, ok := changed[addr]; !ok || !a.Replace() {
		t.Errorf("%s actions = %v, want a replacement (new deployment); plan changes %v", addr, a, changed)
	}
}

func regenerate(t *testing.T, dir string) {
	t.Helper()
	if _, err := gen.Run(context.Background(), gen.Options{Config: filepath.Join(dir, "routes.yaml"), NoBuild: true}); err != nil {
		t.Fatalf("generate: %v", err)
	}
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dummyPackages writes one small zip and the packaging manifest that maps
// every function named to it, as a build would.
func dummyPackages(t *testing.T, dir string, functions ...string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	if err == nil {
		_, err = w.Write([]byte("#!/bin/sh\n"))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	key := hex.EncodeToString(sum[:])
	man := packaging.Manifest{Functions: map[string]string{}, Artifacts: map[string]packaging.ManifestEntry{
		key: {File: key + ".zip", SHA256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(buf.Len())},
	}}
	for _, fn := range functions {
		man.Functions[fn] = key
	}
	data, err := json.Marshal(man)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "build/functions/"+key+".zip", buf.String())
	writeFile(t, dir, "build/functions/manifest.json", string(data))
}
