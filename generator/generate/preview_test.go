package generate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
)

func TestPreviewIsANamespacedCopyOutsideEnvs(t *testing.T) {
	dir := project(t)
	res, err := run(t, dir, generate.Options{Envs: []string{"dev"}, Preview: "pr-7"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "envs")); !os.IsNotExist(err) {
		t.Errorf("a preview wrote envs/ (stat: %v); it must write only under build/preview", err)
	}
	if len(res.Stages) != 1 || res.Stages[0].Dir != "build/preview/pr-7/envs/dev-pr-7" || res.Stages[0].Env != "dev" || res.Stages[0].Name != "dev" || res.Stages[0].StateKey != "" {
		t.Fatalf("Stages = %+v, want env dev, stage dev, at build/preview/pr-7/envs/dev-pr-7 with local state", res.Stages)
	}
	if res.Preview != "pr-7" || res.API.Name != "items" {
		t.Errorf("Preview %q, API name %q; want pr-7, items", res.Preview, res.API.Name)
	}
	tfvars := read(t, dir, "build/preview/pr-7/envs/dev-pr-7/terraform.tfvars")
	for _, want := range []string{`api_name    = "items"`, `preview = "pr-7"`, `environment = "dev-pr-7"`, `name               = "dev"`} {
		if !strings.Contains(tfvars, want) {
			t.Errorf("preview terraform.tfvars lacks %s:\n%s", want, tfvars)
		}
	}
	main := read(t, dir, "build/preview/pr-7/envs/dev-pr-7/main.tf")
	if !strings.Contains(main, `"${path.root}/../../../../../build/functions"`) {
		t.Error("the preview's main.tf does not find the function packages under build/functions")
	}
	for rel := range res.Files {
		if !strings.HasPrefix(rel, "build/preview/pr-7/envs/dev-pr-7/") && !strings.HasPrefix(rel, ".apibuilder/") {
			t.Errorf("a preview generated %s", rel)
		}
	}
	// The account's settings are the account's, not the preview's: the
	// note names the environments' account root module.
	if len(res.Notes) == 0 || !strings.Contains(strings.Join(res.Notes, "\n"), "envs/_account") && !strings.Contains(strings.Join(res.Notes, "\n"), "api.cloudwatch_role") {
		t.Errorf("Notes = %q, want the account's CloudWatch role note", res.Notes)
	}
	if !res.Stages[0].Logs {
		t.Error("the example's stage logs access (api.access_logs is on by default): Stages[0].Logs = false")
	}

	// The environment itself is untouched by, and independent of, its previews.
	if _, err := run(t, dir, generate.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "envs/dev/terraform.tfvars"); !strings.Contains(got, `api_name    = "items"`) || strings.Contains(got, "pr-7") {
		t.Errorf("envs/dev/terraform.tfvars after a preview:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "build/preview/pr-7/envs/dev-pr-7/main.tf")); err != nil {
		t.Errorf("generating the environments removed the preview: %v", err)
	}
}

func TestPreviewStateWithABackend(t *testing.T) {
	dir := project(t)
	routes := read(t, dir, "routes.yaml")
	routes = strings.Replace(routes, "\nroutes:\n", "\nbackend:\n  s3: { bucket: tfstate, region: us-east-1, key_prefix: apis, use_lockfile: true }\n\nroutes:\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "routes.yaml"), []byte(routes), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := run(t, dir, generate.Options{Envs: []string{"dev"}, Preview: "pr-7"})
	if err != nil {
		t.Fatal(err)
	}
	// Under <key_prefix>/<api>/<env>/previews/, which bootstrap's preview role may write.
	const key = "apis/items/dev/previews/pr-7/items/dev-pr-7/terraform.tfstate"
	if res.Backend == nil || res.Stages[0].Previews != "apis/items/dev/previews/" || res.Backend.Bucket != "tfstate" {
		t.Fatalf("Backend = %+v, Stages = %+v, want bucket tfstate, previews under apis/items/dev/previews/", res.Backend, res.Stages)
	}
	if res.Stages[0].StateKey != key {
		t.Errorf("StateKey = %q, want %q", res.Stages[0].StateKey, key)
	}
	if v := read(t, dir, "build/preview/pr-7/envs/dev-pr-7/versions.tf"); !strings.Contains(v, `key          = "`+key+`"`) {
		t.Errorf("the preview's backend is not its own key %s:\n%s", key, v)
	}
	env, err := run(t, dir, generate.Options{Envs: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if env.Stages[0].StateKey != "apis/items/dev/terraform.tfstate" || env.Stages[0].Previews != "apis/items/dev/previews/" {
		t.Errorf("the environment's StateKey = %q", env.Stages[0].StateKey)
	}
}

func TestPreviewErrors(t *testing.T) {
	dir := project(t)
	for _, c := range []struct {
		opt  generate.Options
		want string
	}{
		{generate.Options{Preview: "pr-7"}, "one environment"},
		{generate.Options{Envs: []string{"dev"}, Preview: "PR 7"}, "lowercase"},
	} {
		if _, err := run(t, dir, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Preview %q, Envs %v: err = %v, want one saying %q", c.opt.Preview, c.opt.Envs, err, c.want)
		}
	}
}

// TestDeployFactsOnEveryRun: what a deployment needs to say and check
// (the account's notes, which stages log, the backend) comes with every
// run, a replayed one included, not only with one that wrote files.
func TestDeployFactsOnEveryRun(t *testing.T) {
	dir, replayed := warmProject(t)
	full, err := run(t, project(t), generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Notes) == 0 {
		t.Fatal("the example has no notes: want the account's CloudWatch role note")
	}
	if strings.Join(replayed.Notes, "\n") != strings.Join(full.Notes, "\n") {
		t.Errorf("replayed Notes = %q, want the full run's %q", replayed.Notes, full.Notes)
	}
	if len(replayed.Stages) != 2 || !replayed.Stages[0].Logs || replayed.Stages[1].Dir != "envs/prod" {
		t.Errorf("replayed Stages = %+v, want dev and prod, logging", replayed.Stages)
	}
	_ = dir
}
