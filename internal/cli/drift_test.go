package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
)

func TestDriftCommandLine(t *testing.T) {
	for _, args := range [][]string{{"drift"}, {"drift", "dev"}, {"drift", "-env", "dev", "extra"}} {
		if code, _, stderr := runArgs(args...); code != 2 || !strings.Contains(stderr, "-env") {
			t.Errorf("%v: exit %d, %q; want 2 naming -env", args, code, stderr)
		}
	}
}

func TestDriftOutputs(t *testing.T) {
	meta := func(v string) tfexec.OutputMeta { return tfexec.OutputMeta{Value: json.RawMessage(v)} }
	base := func() map[string]tfexec.OutputMeta {
		return map[string]tfexec.OutputMeta{"rest_api_id": meta(`"a1b2"`), "stage_name": meta(`"dev"`), "openapi_body": meta(`"{\"openapi\":\"3.0.1\"}"`)}
	}
	out, err := driftOutputs(base(), "envs/dev", "dev")
	if err != nil || out.restAPIID != "a1b2" || out.stage != "dev" || string(out.body) != `{"openapi":"3.0.1"}` {
		t.Errorf("a string body: %+v, %v", out, err)
	}
	asObject := base()
	asObject["openapi_body"] = meta(`{"openapi":"3.0.1"}`)
	if out, err := driftOutputs(asObject, "envs/dev", "dev"); err != nil || string(out.body) != `{"openapi":"3.0.1"}` {
		t.Errorf("an object body: %+v, %v", out, err)
	}
	noBody := base()
	delete(noBody, "openapi_body")
	for _, c := range []struct {
		raw  map[string]tfexec.OutputMeta
		want string
	}{
		{nil, "envs/dev has no outputs: its state is empty or not this environment's; deploy it first (apibuilder deploy -env dev)"},
		{noBody, "envs/dev has no output openapi_body: it was deployed before its REST API was one OpenAPI body"},
		{map[string]tfexec.OutputMeta{"stage_name": meta(`"dev"`)}, "envs/dev has no output rest_api_id in its state"},
	} {
		if _, err := driftOutputs(c.raw, "envs/dev", "dev"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("driftOutputs(%v): %v, want %q", c.raw, err, c.want)
		}
	}
}

// TestDriftVerb runs `apibuilder drift` on an init-ed project whose envs/dev
// is replaced by a root module of outputs only (the REST API's id, stage
// and applied document, from pipeline/drift's testdata), applied with the
// terraform on PATH, against a stand-in API Gateway that answers GetExport
// with the export of that testdata: no drift, then a drift (exit 1, the
// difference on stdout and in $GITHUB_STEP_SUMMARY).
func TestDriftVerb(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform init and apply (a few seconds); run without -short")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH: it reads the environment's outputs")
	}
	dir := filepath.Join(t.TempDir(), "shop")
	if code, stdout, stderr := runArgs("init", "-module", "example.com/shop", dir); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	env := filepath.Join(dir, "envs", "dev")
	if err := os.RemoveAll(env); err != nil {
		t.Fatal(err)
	}
	document, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "drift", "testdata", "document.json"))
	if err != nil {
		t.Fatal(err)
	}
	export, err := os.ReadFile(filepath.Join("..", "..", "pipeline", "drift", "testdata", "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(env, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(env, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("body.json", string(document))
	write("fixture.tf", `output "rest_api_id" { value = "a1b2c3d4e5" }
output "stage_name" { value = "dev" }
output "openapi_body" { value = file("${path.module}/body.json") }
`)
	for _, args := range [][]string{{"init", "-input=false"}, {"apply", "-input=false", "-auto-approve"}} {
		cmd := exec.Command(tf, args...)
		cmd.Dir = env
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=", "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}

	var asked []string
	served := export
	apigw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("Accept"))
		if r.URL.Path != "/restapis/a1b2c3d4e5/stages/dev/exports/oas30" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Invalid stage identifier specified"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(served)
	}))
	defer apigw.Close()
	t.Setenv("AWS_ENDPOINT_URL_API_GATEWAY", apigw.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("TF_CLI_CONFIG_FILE", "")
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	cfg := filepath.Join(dir, "routes.yaml")

	code, stdout, stderr := runArgs("drift", "-config", cfg, "-env", "dev")
	if code != 0 || stdout != "no drift\n" {
		t.Fatalf("drift of an unchanged stage: exit %d\n%s%s", code, stdout, stderr)
	}
	if len(asked) != 1 || asked[0] != "GET /restapis/a1b2c3d4e5/stages/dev/exports/oas30?extensions=integrations%2Cauthorizers%2Capigateway application/json" {
		t.Errorf("drift asked API Gateway %q", asked)
	}

	var edited map[string]any
	if err := json.Unmarshal(export, &edited); err != nil {
		t.Fatal(err)
	}
	post := edited["paths"].(map[string]any)["/items"].(map[string]any)["post"].(map[string]any)
	delete(post, "x-amazon-apigateway-request-validator")
	if served, err = json.Marshal(edited); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runArgs("drift", "-config", cfg, "-env", "dev")
	if code != 1 || stdout != "POST /items: request validator body missing\n" || !strings.Contains(stderr, "1 difference(s) between stage dev of REST API a1b2c3d4e5 (envs/dev)") {
		t.Errorf("drift of a changed stage: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No drift: the stage serves the document Terraform applied.", "- `POST /items`: request validator body missing"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the step summary lacks %q:\n%s", want, md)
		}
	}
}
