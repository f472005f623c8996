package bootstrap

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const routes = `# The team's API.
api:
  name: items   # resource names start with it
  region: eu-west-1

environments:
  dev: { stage: dev }
  prod:
    stage: prod
    region: us-east-2
`

func writeRoutes(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "routes.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReadProject: the name, the env's region (its own, else api.region),
// and a refusal naming the file's environments.
func TestReadProject(t *testing.T) {
	p := writeRoutes(t, routes)
	for env, region := range map[string]string{"dev": "eu-west-1", "prod": "us-east-2"} {
		got, err := readProject(p, env)
		if err != nil || got.name != "items" || got.region != region || got.backend != nil || got.firstEnv != "dev" {
			t.Errorf("%s: %+v %v; want items in %s, no backend", env, got, err, region)
		}
	}
	if _, err := readProject(p, "staging"); err == nil || !strings.Contains(err.Error(), `has no "staging" (it has dev, prod)`) || !strings.Contains(err.Error(), "routes.yaml:6:") {
		t.Errorf("unknown env: %v", err)
	}
	bad := writeRoutes(t, "api:\n  name: Items_API\n")
	if _, err := readProject(bad, "dev"); err == nil || !strings.Contains(err.Error(), "routes.yaml:2:9: api.name") {
		t.Errorf("bad name: %v", err)
	}
}

// TestWriteBackend: the backend is appended; every byte before it stays,
// comments included; reading it back gives what was written, with its
// position for a later refusal.
func TestWriteBackend(t *testing.T) {
	p := writeRoutes(t, strings.TrimSuffix(routes, "\n")) // no final newline
	want := Backend{Bucket: "items-tfstate-123456789012-eu-west-1", Region: "eu-west-1", Lockfile: true}
	if err := writeBackend(p, want); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !strings.HasPrefix(string(got), strings.TrimSuffix(routes, "\n")+"\n\n# Where Terraform keeps") {
		t.Errorf("routes.yaml after writeBackend:\n%s", got)
	}
	proj, err := readProject(p, "dev")
	if err != nil || proj.backend == nil || *proj.backend != want || proj.backendLine != 13 {
		t.Errorf("backend read back: %+v (line %d), %v; want %+v on line 13", proj.backend, proj.backendLine, err, want)
	}
	dyn := Backend{Bucket: "b", Region: "eu-west-1", LockTable: "items-tflock"}
	p2 := writeRoutes(t, routes)
	if err := writeBackend(p2, dyn); err != nil {
		t.Fatal(err)
	}
	if proj, err := readProject(p2, "dev"); err != nil || *proj.backend != dyn {
		t.Errorf("dynamodb backend read back: %+v, %v", proj.backend, err)
	}
}

// TestTFVarsRoundTrip: the decisions written into terraform.tfvars are
// what a later run reads.
func TestTFVarsRoundTrip(t *testing.T) {
	for name, p := range cases {
		files, err := Render(p)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "terraform.tfvars")
		if err := os.WriteFile(f, files[Dir+"/"+p.Environment+"/terraform.tfvars"], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readTFVars(f)
		if err != nil || got == nil || *got != p {
			t.Errorf("%s: read back %+v, %v; want %+v", name, got, err, p)
		}
	}
	if got, err := readTFVars(filepath.Join(t.TempDir(), "none")); got != nil || err != nil {
		t.Errorf("no file: %v %v", got, err)
	}
}

// TestParseFlags: both flags required, OWNER/REPO checked by Run, -h is
// flag.ErrHelp, defaults filled.
func TestParseFlags(t *testing.T) {
	o, err := ParseFlags([]string{"-env", "dev", "-github", "acme/items-api"}, io.Discard)
	if err != nil || o.Env != "dev" || o.Repository != "acme/items-api" || o.Lock != LockS3 || o.Dir != "." || o.AutoApprove {
		t.Errorf("%+v %v", o, err)
	}
	if _, err := ParseFlags([]string{"-env", "dev"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-github are required") {
		t.Errorf("missing -github: %v", err)
	}
	if _, err := ParseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if _, err := ParseFlags([]string{"-env", "dev", "-github", "a/b", "extra"}, io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
}

// TestPrompt: only "yes" applies; no answer at all is an error naming
// -auto-approve.
func TestPrompt(t *testing.T) {
	var out strings.Builder
	for in, want := range map[string]bool{"yes\n": true, "y\n": false, "no\n": false, "yes": true} {
		ok, err := Prompt(strings.NewReader(in), &out)("the plan")
		if err != nil || ok != want {
			t.Errorf("answer %q: %v %v, want %v", in, ok, err, want)
		}
	}
	if !strings.HasPrefix(out.String(), "the plan\n") {
		t.Errorf("the plan was not shown: %q", out.String())
	}
	if _, err := Prompt(strings.NewReader(""), io.Discard)("p"); err == nil || !strings.Contains(err.Error(), "-auto-approve") {
		t.Errorf("no answer: %v", err)
	}
}

// TestSummary: the printed GitHub settings are gh commands, repository
// variables first, then the environment's.
func TestSummary(t *testing.T) {
	r := &Result{Root: "envs/_bootstrap/dev", Params: cases["first"], AccountID: "123456789012", PlanRoleARN: "arn:plan", ApplyRoleARN: "arn:apply", BackendWritten: true,
		GitHub: []Variable{{Environment: "dev", Name: VarApplyRole, Value: "arn:apply"}, {Name: VarPlanRole("dev"), Value: "arn:plan"}}}
	s := r.Summary()
	i := strings.Index(s, "gh variable set AWS_PLAN_ROLE_ARN_DEV --body arn:plan\n")
	j := strings.Index(s, "gh variable set AWS_APPLY_ROLE_ARN --env dev --body arn:apply\n")
	if i < 0 || j < i || !strings.Contains(s, "backend: written") {
		t.Errorf("summary:\n%s", s)
	}
	if VarPlanRole("pr-preview") != "AWS_PLAN_ROLE_ARN_PR_PREVIEW" {
		t.Error(VarPlanRole("pr-preview"))
	}
}

// TestRunRefusesBadInput: a bad repository, lock or environment, or no
// routes.yaml, stops Run before it calls terraform or AWS.
func TestRunRefusesBadInput(t *testing.T) {
	dir := filepath.Dir(writeRoutes(t, routes))
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Dir: dir, Env: "dev", Repository: "acme"}, "want OWNER/REPO"},
		{Options{Dir: dir, Env: "dev", Repository: "acme/items-api", Lock: "etcd"}, "-lock \"etcd\""},
		{Options{Dir: dir, Env: "qa", Repository: "acme/items-api"}, `has no "qa"`},
		{Options{Dir: t.TempDir(), Env: "dev", Repository: "acme/items-api"}, "bootstrap runs in a project"},
	} {
		c.opt.Terraform = "/nonexistent/terraform" // never reached
		if _, err := Run(context.Background(), c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v; want %q", c.opt, err, c.want)
		}
	}
}
