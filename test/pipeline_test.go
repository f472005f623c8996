package test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	abtarget "github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/test/internal/ghrun"
)

// TestPipelineEndToEnd runs the workflow `apibuilder init` writes, job by
// job as GitHub would (test/internal/ghrun), against a local stack: every
// run: step is the workflow's own, in bash, in a fresh clone of a test
// repository made from an init-ed project; the uses: steps are the test
// environment's (pipelineEnv). The story of a team adopting the tool:
//
//  1. bootstrap dev and prod with admin credentials; set the GitHub
//     variables bootstrap prints;
//  2. a pull request: the checks pass, each env's plan is in its job
//     summary and in the one PR comment, a preview is deployed and answers
//     over HTTP;
//  3. the merge: each env's saved plan is uploaded, and applied by the
//     apply job (as the apply role, in the GitHub environment);
//  4. the pull request closes: the preview is destroyed, nothing of it left;
//  5. a second merge, every job from a fresh clone: nothing to apply, and
//     each env still has exactly one REST API;
//  6. the weekday schedule: no drift in either env, no preview to sweep.
func TestPipelineEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the generated workflow's jobs (checks, plans, previews, applies) on a local stack; ~10 min")
	}
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})
	pe := newPipelineEnv(t, st)

	// The verbs and flags the workflow calls must be in this build: say
	// which part of issue 24 is missing rather than fail deep in a job.
	help := pe.admin(t, pe.home, "apibuilder", "help")
	deployHelp := pe.admin(t, pe.home, "apibuilder", "help", "deploy")
	for _, f := range []string{"-out", "-summary", "-plan", "-preview", "-destroy", "-lock-timeout"} {
		if !strings.Contains(deployHelp, f) {
			t.Errorf("apibuilder deploy has no %s flag (issue 24's deploy flags, branch h-dep): the workflow's plan, apply and preview jobs call it", f)
		}
	}
	if !regexp.MustCompile(`(?m)^\s+bootstrap\s`).MatchString(help) {
		t.Fatalf("apibuilder has no bootstrap verb (issue 24, branch h-boot): the pipeline needs the state bucket and roles it makes\n%s", help)
	}
	if t.Failed() {
		t.FailNow()
	}

	// 1. bootstrap, once per env, from an admin's clone.
	admin := pe.clone(t, "admin")
	for _, env := range []string{"dev", "prod"} {
		out := pe.admin(t, admin, "apibuilder", "bootstrap", "-env", env, "-github", pe.repo, "-auto-approve")
		pe.setVariables(t, out)
	}
	for _, v := range []string{"AWS_REGION", "AWS_PLAN_ROLE_ARN_DEV", "AWS_PLAN_ROLE_ARN_PROD"} {
		if pe.vars[v] == "" {
			t.Fatalf("bootstrap printed no repository variable %s (got %v)", v, pe.vars)
		}
	}
	for _, ev := range []string{"dev/AWS_APPLY_ROLE_ARN", "prod/AWS_APPLY_ROLE_ARN", "preview/AWS_PREVIEW_ROLE_ARN"} {
		env, name, _ := strings.Cut(ev, "/")
		if pe.envVars[env][name] == "" {
			t.Fatalf("bootstrap printed no variable %s for the GitHub environment %s (got %v)", name, env, pe.envVars)
		}
	}
	pe.admin(t, admin, "apibuilder", "generate")
	pe.admin(t, admin, "git", "add", "-A")
	pe.admin(t, admin, "git", "commit", "-qm", "bootstrap dev and prod: the state backend")
	pe.admin(t, admin, "git", "push", "-q", "origin", "main")

	// 2. a pull request.
	const pr = 7
	dev := pe.clone(t, "developer")
	pe.admin(t, dev, "git", "checkout", "-qb", "feature")
	writeFile(t, dev, "README.md", "# shop\n\nThe first change of the team.\n")
	pe.admin(t, dev, "git", "commit", "-qam", "a change")
	pe.admin(t, dev, "git", "push", "-q", "origin", "feature")
	head := pe.rev(t, dev, "HEAD")
	opened := pe.run(t, pe.prEvent("opened", pr, head))
	for _, job := range []string{"check", "plan-dev", "plan-prod", "preview", "comment"} {
		pe.wantJob(t, opened, job, "success")
	}
	for _, env := range []string{"dev", "prod"} {
		if s := opened.Job("plan-" + env).Summary; !strings.Contains(s, "to add, 0 to change, 0 to destroy") {
			t.Errorf("plan-%s: the job summary lacks the plan summary:\n%s", env, s)
		}
	}
	previewURL := opened.Job("preview").Outputs["url"]
	comment := pe.comment(t, pr)
	for _, want := range []string{"<!-- apibuilder: plan and preview -->", "#### envs/dev", "#### envs/prod", "to add, 0 to change, 0 to destroy", "**Preview:** " + previewURL} {
		if previewURL == "" || !strings.Contains(comment, want) {
			t.Errorf("the pull-request comment lacks %q (preview URL %q):\n%s", want, previewURL, comment)
		}
	}
	// The preview answers over HTTP (the local data plane, its functions
	// started from the preview job's checkout).
	previewAPI := pe.project + "-dev-pr-" + fmt.Sprint(pr) // <api>-<env>-<preview>-...
	if left := pe.tg.leftovers(t, previewAPI); len(left) < 5 {
		t.Errorf("while deployed, the emulators list only %v for the preview", left)
	}
	pe.answers(t, opened.Job("preview").Workspace, "build/preview/pr-"+fmt.Sprint(pr)+"/envs/*")

	// 3. the merge.
	pe.admin(t, admin, "git", "pull", "-q", "origin", "main")
	pe.admin(t, admin, "git", "fetch", "-q", "origin")
	pe.admin(t, admin, "git", "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "origin/feature")
	pe.admin(t, admin, "git", "push", "-q", "origin", "main")
	merged := pe.run(t, pe.pushEvent(pe.rev(t, admin, "HEAD")))
	for _, job := range []string{"check", "merge-plan-dev", "apply-dev", "test-aws-dev", "merge-plan-prod", "apply-prod"} {
		pe.wantJob(t, merged, job, "success")
	}
	for _, env := range []string{"dev", "prod"} {
		apply := merged.Job("apply-" + env)
		if apply == nil || apply.Result != "success" {
			continue
		}
		if !strings.Contains(apply.Summary, "to add, 0 to change, 0 to destroy") {
			t.Errorf("apply-%s: the job summary lacks the saved plan's summary:\n%s", env, apply.Summary)
		}
		if log := apply.Step("Apply exactly the saved plan to envs/" + env).Log; !strings.Contains(log, "Deployed envs/"+env) {
			t.Errorf("apply-%s did not deploy:\n%s", env, log)
		}
	}
	pe.answers(t, merged.Job("apply-dev").Workspace, "envs/dev")

	// 4. the pull request closes: the preview is destroyed.
	closed := pe.run(t, pe.prEvent("closed", pr, head))
	pe.wantJob(t, closed, "preview-teardown", "success")
	for _, job := range []string{"check", "plan-dev", "preview", "comment", "merge-plan-dev"} {
		pe.wantJob(t, closed, job, "skipped")
	}
	if left := pe.tg.leftovers(t, previewAPI); len(left) > 0 {
		t.Errorf("after the teardown the emulators still list:\n%s", strings.Join(left, "\n"))
	}

	// 5. a second merge: nothing to apply, still one REST API per env.
	second := pe.clone(t, "second")
	writeFile(t, second, "README.md", "# shop\n\nA second change, merged from a fresh clone.\n")
	pe.admin(t, second, "git", "commit", "-qam", "Merge pull request #8")
	pe.admin(t, second, "git", "push", "-q", "origin", "main")
	again := pe.run(t, pe.pushEvent(pe.rev(t, second, "HEAD")))
	for _, env := range []string{"dev", "prod"} {
		pe.wantJob(t, again, "apply-"+env, "success")
		if apply := again.Job("apply-" + env); apply != nil && !strings.Contains(apply.Summary, "No changes.") {
			t.Errorf("the second merge's apply-%s applied a plan with changes:\n%s", env, apply.Summary)
		}
	}
	apis, err := st.APIGateway().GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range apis.Items {
		names = append(names, aws.ToString(a.Name))
	}
	slices.Sort(names)
	if want := []string{pe.project + "-dev", pe.project + "-prod"}; !slices.Equal(names, want) {
		t.Errorf("REST APIs after two merges and a closed pull request: %v; want exactly %v", names, want)
	}

	// 6. the weekday schedule: no drift in either env (the plan role,
	// through vars[matrix.role]), and no preview to sweep.
	sched := pe.run(t, ghrun.Event{Name: "schedule", Ref: "refs/heads/main", SHA: pe.rev(t, second, "HEAD"), Payload: map[string]any{"schedule": "0 6 * * 1-5"}})
	drift := 0
	for _, j := range sched.Jobs {
		if j.ID == "drift" {
			drift++
			if j.Result != "success" {
				t.Errorf("schedule: drift %v: %s, want success: %v\n%s", j.Matrix, j.Result, j.Err, tail(j.Log(), 6000))
			}
		}
	}
	if drift != 2 {
		t.Errorf("the schedule ran %d drift jobs, want one per env (%s)", drift, sched)
	}
	pe.wantJob(t, sched, "preview-sweep", "success")
	pe.checkReplaced(t)

	// Least privilege, as run: each job assumed only its own kind of role.
	for job, want := range map[string]string{
		"plan-dev": "shop-dev-github-plan", "plan-prod": "shop-prod-github-plan", "merge-plan-dev": "shop-dev-github-plan",
		"merge-plan-prod": "shop-prod-github-plan", "drift": "", "apply-dev": "shop-dev-github-apply",
		"test-aws-dev": "shop-dev-github-apply", "apply-prod": "shop-prod-github-apply",
	} {
		roles := pe.assumed[job]
		if want == "" {
			if len(roles) != 2 || !roles["shop-dev-github-plan"] || !roles["shop-prod-github-plan"] {
				t.Errorf("drift assumed %v, want the two plan roles", roles)
			}
			continue
		}
		if len(roles) != 1 || !roles[want] {
			t.Errorf("job %s assumed %v, want only %s", job, roles, want)
		}
	}
	for _, job := range []string{"preview", "preview-teardown", "preview-sweep"} {
		for role := range pe.assumed[job] {
			if !strings.Contains(role, "preview") {
				t.Errorf("job %s assumed %s, want the preview role only", job, role)
			}
		}
		if len(pe.assumed[job]) != 1 {
			t.Errorf("job %s assumed %v, want one preview role", job, pe.assumed[job])
		}
	}
}

// pipelineEnv is the test environment of the workflow's runs: a bare
// repository (origin) of an init-ed project, the built apibuilder and a
// fake gh on PATH, the GitHub variables, the uses: steps.
type pipelineEnv struct {
	st       *stack.Stack
	tg       *target
	home     string // the runner's HOME
	bin      string // apibuilder, gh
	origin   string // bare repository
	repo     string // OWNER/REPO
	project  string // api name in routes.yaml
	ghDir    string // what the fake gh recorded
	vars     map[string]string
	envVars  map[string]map[string]string
	base     map[string]string // the runner machine's environment
	workflow *ghrun.Workflow
	replaced map[string]int             // replaced run: steps, by kind
	assumed  map[string]map[string]bool // job -> the roles it assumed (names)
}

func newPipelineEnv(t *testing.T, st *stack.Stack) *pipelineEnv {
	t.Helper()
	root := outside(t)
	pe := &pipelineEnv{st: st, tg: onAccount(abtarget.OnStack(st)), repo: "acme/shop", project: "shop",
		home: filepath.Join(root, "home"), bin: filepath.Join(root, "bin"), origin: filepath.Join(root, "origin.git"),
		ghDir: filepath.Join(root, "gh"), vars: map[string]string{}, envVars: map[string]map[string]string{}, replaced: map[string]int{},
		assumed: map[string]map[string]bool{}}
	for _, d := range []string{pe.home, pe.bin, pe.ghDir} {
		must(t, os.MkdirAll(d, 0o755))
	}
	// The apibuilder of this checkout, as `go install` would put it on PATH.
	data, err := os.ReadFile(apibuilderBinary(t))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(pe.bin, "apibuilder"), data, 0o755))
	must(t, os.WriteFile(filepath.Join(pe.bin, "gh"), []byte(fakeGH), 0o755))

	// The runner machine: no AWS credentials (configure-aws-credentials
	// gives them), the Go caches of this machine, the offline Terraform
	// CLI config (the runner's "registry"), its own HOME.
	pe.base = map[string]string{"HOME": pe.home, "PATH": pe.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"FAKE_GH_DIR": pe.ghDir, "GOFLAGS": "", "GOWORK": "off", "GOTOOLCHAIN": "local", "LANG": "C.UTF-8",
		"GIT_CONFIG_GLOBAL": filepath.Join(pe.home, ".gitconfig")}
	for _, k := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GONOSUMCHECK", "GOSUMDB"} {
		out, err := exec.Command("go", "env", k).Output()
		must(t, err)
		if v := strings.TrimSpace(string(out)); v != "" {
			pe.base[k] = v
		}
	}
	cache, err := os.UserCacheDir()
	must(t, err)
	pe.base["XDG_CACHE_HOME"] = cache // ~/.cache/apibuilder: the tools (actions/cache)
	for k, v := range st.Tools.Env() {
		if v != "" {
			pe.base[k] = v
		}
	}
	must(t, os.WriteFile(pe.base["GIT_CONFIG_GLOBAL"], []byte("[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644))

	// origin: an init-ed project, committed on main.
	work := filepath.Join(root, "init")
	must(t, os.MkdirAll(work, 0o755))
	pe.admin(t, work, "apibuilder", "init", pe.project)
	project := filepath.Join(work, pe.project)
	pe.admin(t, project, "git", "init", "-q")
	pe.admin(t, project, "git", "add", "-A")
	pe.admin(t, project, "git", "commit", "-qm", "apibuilder init")
	pe.admin(t, root, "git", "clone", "-q", "--bare", project, pe.origin)
	pe.workflow, err = ghrun.ParseFile(filepath.Join(project, ".github", "workflows", "apibuilder.yml"))
	must(t, err)
	return pe
}

// admin runs a command as the team does on a laptop, with admin
// credentials for the local stack; it fails the test on an error.
func (pe *pipelineEnv) admin(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	path := name
	if name == "apibuilder" {
		path = filepath.Join(pe.bin, name) // exec looks names up on the test's PATH
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	env := maps(pe.base)
	for k, v := range pe.st.Env() {
		env[k] = v
	}
	for k, v := range env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, tail(string(out), 6000))
	}
	return string(out)
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (pe *pipelineEnv) clone(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	pe.admin(t, filepath.Dir(dir), "git", "clone", "-q", pe.origin, dir)
	return dir
}

func (pe *pipelineEnv) rev(t *testing.T, dir, ref string) string {
	return strings.TrimSpace(pe.admin(t, dir, "git", "rev-parse", ref))
}

var ghVariableRe = regexp.MustCompile(`(?m)^\s*gh variable set (\S+)(?: --env (\S+))? --body (\S+)\s*$`)

// setVariables sets the GitHub variables bootstrap printed as gh commands.
func (pe *pipelineEnv) setVariables(t *testing.T, bootstrapOut string) {
	t.Helper()
	found := ghVariableRe.FindAllStringSubmatch(bootstrapOut, -1)
	if len(found) == 0 {
		t.Fatalf("bootstrap printed no `gh variable set` line:\n%s", bootstrapOut)
	}
	for _, m := range found {
		if m[2] == "" {
			pe.vars[m[1]] = m[3]
			continue
		}
		if pe.envVars[m[2]] == nil {
			pe.envVars[m[2]] = map[string]string{}
		}
		pe.envVars[m[2]][m[1]] = m[3]
	}
}

func (pe *pipelineEnv) prEvent(action string, number int, head string) ghrun.Event {
	return ghrun.Event{Name: "pull_request", Ref: fmt.Sprintf("refs/pull/%d/merge", number), SHA: head, Payload: map[string]any{
		"action": action, "number": number,
		"pull_request": map[string]any{"number": number, "state": map[bool]string{true: "closed", false: "open"}[action == "closed"],
			"head": map[string]any{"sha": head, "ref": "feature", "repo": map[string]any{"full_name": pe.repo}},
			"base": map[string]any{"ref": "main", "repo": map[string]any{"full_name": pe.repo}},
			"user": map[string]any{"login": "a-developer"}},
	}}
}

func (pe *pipelineEnv) pushEvent(sha string) ghrun.Event {
	return ghrun.Event{Name: "push", Ref: "refs/heads/main", SHA: sha, Payload: map[string]any{"ref": "refs/heads/main", "after": sha}}
}

// run runs the workflow for ev, with a fresh artifact store (artifacts
// belong to a run).
func (pe *pipelineEnv) run(t *testing.T, ev ghrun.Event) *ghrun.RunResult {
	t.Helper()
	dir := t.TempDir()
	arts := &ghrun.Artifacts{Dir: filepath.Join(dir, "artifacts")}
	r := &ghrun.Runner{Workflow: pe.workflow, Dir: dir, Repository: pe.repo, Vars: pe.vars, EnvVars: pe.envVars,
		Secrets: map[string]string{}, BaseEnv: pe.base, Log: failureLog(t, "workflow-"+ev.Name),
		Actions: map[string]ghrun.Action{
			"actions/checkout":                      pe.checkout(ev),
			"actions/setup-go":                      pe.setupGo,
			"actions/setup-python":                  pe.setupPython,
			"hashicorp/setup-terraform":             pe.setupTerraform,
			"actions/cache":                         pe.cache,
			"aws-actions/configure-aws-credentials": pe.awsCredentials,
			"actions/upload-artifact":               arts.Upload,
			"actions/download-artifact":             arts.Download,
		},
		Replace: pe.replace,
	}
	res, err := r.Run(context.Background(), ev)
	if err != nil {
		t.Fatalf("the workflow on %s: %v", ev.Name, err)
	}
	t.Logf("%s %v: %s", ev.Name, ev.Payload["action"], res)
	return res
}

func (pe *pipelineEnv) wantJob(t *testing.T, res *ghrun.RunResult, id, want string) {
	t.Helper()
	j := res.Job(id)
	switch {
	case j == nil:
		t.Errorf("%s: no job %s ran (jobs: %s)", res.Event.Name, id, res)
	case j.Result != want:
		hint := ""
		if strings.Contains(j.Log(), ".amazonaws.com") {
			hint = "\n(a call went to real AWS: apibuilder deploy must keep the caller's AWS_ENDPOINT_URL* for Terraform, target.AWSOptions.KeepEndpoints)"
		}
		t.Errorf("%s: job %s: %s, want %s: %v%s\n%s", res.Event.Name, id, j.Result, want, j.Err, hint, tail(j.Log(), 8000))
	}
}

// checkout is actions/checkout: a fresh clone of origin at the event's
// commit (or the ref: input).
func (pe *pipelineEnv) checkout(ev ghrun.Event) ghrun.Action {
	return func(_ context.Context, s *ghrun.StepContext) error {
		if s.With["persist-credentials"] != "false" {
			return fmt.Errorf("checkout: persist-credentials is %q, want false", s.With["persist-credentials"])
		}
		ref := s.With["ref"]
		if ref == "" {
			ref = ev.SHA
		}
		for _, args := range [][]string{{"clone", "-q", pe.origin, "."}, {"checkout", "-q", ref}} {
			cmd := exec.Command("git", args...)
			cmd.Dir, cmd.Stdout, cmd.Stderr = s.Workspace, s.Log, s.Log
			cmd.Env = envList(s.Env)
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("git %v: %w", args, err)
			}
		}
		return nil
	}
}

func envList(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func (pe *pipelineEnv) setupGo(_ context.Context, s *ghrun.StepContext) error {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return err
	}
	if have := strings.TrimPrefix(strings.TrimSpace(string(out)), "go"); s.With["go-version"] != have {
		return fmt.Errorf("setup-go: go-version %q, this machine has %s (the project's go.mod toolchain line decides)", s.With["go-version"], have)
	}
	return nil
}

func (pe *pipelineEnv) setupPython(_ context.Context, s *ghrun.StepContext) error {
	if !regexp.MustCompile(`^3\.\d+$`).MatchString(s.With["python-version"]) {
		return fmt.Errorf("setup-python: python-version %q", s.With["python-version"])
	}
	return nil
}

func (pe *pipelineEnv) setupTerraform(_ context.Context, s *ghrun.StepContext) error {
	if v := s.With["terraform_version"]; v != pe.st.Tools.TerraformVersion {
		return fmt.Errorf("setup-terraform: terraform_version %q, the local stack's is %s", v, pe.st.Tools.TerraformVersion)
	}
	if s.With["terraform_wrapper"] != "false" {
		return fmt.Errorf("setup-terraform: terraform_wrapper %q: the wrapper changes terraform's output; want false", s.With["terraform_wrapper"])
	}
	dir := filepath.Join(s.Workspace, "..", "terraform-bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(pe.st.Tools.Terraform, filepath.Join(dir, "terraform")); err != nil && !os.IsExist(err) {
		return err
	}
	s.AddPath(dir)
	return nil
}

// cache is actions/cache as a cache that never hits: its inputs must be
// usable (a path, a key with no empty hashFiles part).
func (pe *pipelineEnv) cache(_ context.Context, s *ghrun.StepContext) error {
	key := s.With["key"]
	if s.With["path"] == "" || key == "" || strings.HasSuffix(key, "-") || strings.Contains(key, "--") {
		return fmt.Errorf("cache: path %q, key %q (an empty part: a hashFiles() that matched nothing?)", s.With["path"], key)
	}
	return nil
}

// awsCredentials is aws-actions/configure-aws-credentials on the local
// stack: the role must exist in the emulated IAM and trust the OIDC
// subject GitHub would give this job; it is assumed through the emulated
// STS and its session is what the rest of the job runs with.
func (pe *pipelineEnv) awsCredentials(ctx context.Context, s *ghrun.StepContext) error {
	roleARN, region := s.With["role-to-assume"], s.With["aws-region"]
	if roleARN == "" || region != stack.Region || s.With["role-session-name"] == "" {
		return fmt.Errorf("configure-aws-credentials: role-to-assume %q, aws-region %q (want %s), role-session-name %q", roleARN, region, stack.Region, s.With["role-session-name"])
	}
	name := roleARN[strings.LastIndex(roleARN, "/")+1:]
	role, err := pe.st.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("configure-aws-credentials: role %s: %w", roleARN, err)
	}
	sub := "repo:" + pe.repo + ":"
	switch {
	case s.Job.Environment != "":
		sub += "environment:" + s.Job.Environment
	case s.Env["GITHUB_EVENT_NAME"] == "pull_request":
		sub += "pull_request"
	default:
		sub += "ref:" + s.Env["GITHUB_REF"]
	}
	if err := trusts(aws.ToString(role.Role.AssumeRolePolicyDocument), sub); err != nil {
		return fmt.Errorf("configure-aws-credentials: role %s: %w", roleARN, err)
	}
	out, err := sts.NewFromConfig(pe.st.AWSConfig(), func(o *sts.Options) { o.BaseEndpoint = aws.String(pe.st.Endpoints.Kumo) }).
		AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(s.With["role-session-name"])})
	if err != nil {
		return fmt.Errorf("configure-aws-credentials: assume %s: %w", roleARN, err)
	}
	for k, v := range pe.st.AWSEnv() {
		s.ExportEnv(k, v)
	}
	c := out.Credentials
	s.ExportEnv("AWS_ACCESS_KEY_ID", aws.ToString(c.AccessKeyId))
	s.ExportEnv("AWS_SECRET_ACCESS_KEY", aws.ToString(c.SecretAccessKey))
	s.ExportEnv("AWS_SESSION_TOKEN", aws.ToString(c.SessionToken))
	s.ExportEnv("AWS_REGION", region)
	s.ExportEnv("AWS_DEFAULT_REGION", region)
	if pe.assumed[s.Job.ID] == nil {
		pe.assumed[s.Job.ID] = map[string]bool{}
	}
	pe.assumed[s.Job.ID][name] = true
	fmt.Fprintf(s.Log, "assumed %s as %s (subject %s)\n", roleARN, s.With["role-session-name"], sub)
	return nil
}

// trusts checks that a role's trust policy lets GitHub's OIDC token with
// subject sub assume it (StringEquals / StringLike on
// token.actions.githubusercontent.com:sub).
func trusts(doc, sub string) error {
	if strings.HasPrefix(doc, "%7B") {
		var err error
		if doc, err = url.QueryUnescape(doc); err != nil {
			return err
		}
	}
	var pol struct {
		Statement []struct {
			Effect    string
			Action    any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		return fmt.Errorf("trust policy: %w", err)
	}
	var subjects []string
	for _, st := range pol.Statement {
		if st.Effect != "Allow" || !strings.Contains(fmt.Sprint(st.Action), "sts:AssumeRoleWithWebIdentity") {
			continue
		}
		for op, conds := range st.Condition {
			v, ok := conds["token.actions.githubusercontent.com:sub"]
			if !ok {
				continue
			}
			var pats []string
			switch x := v.(type) {
			case string:
				pats = []string{x}
			case []any:
				for _, p := range x {
					pats = append(pats, fmt.Sprint(p))
				}
			}
			for _, p := range pats {
				subjects = append(subjects, p)
				if p == sub || (op == "StringLike" && globMatch(p, sub)) {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("its trust policy does not let GitHub's token for %s assume it (subjects allowed: %v)", sub, subjects)
}

func globMatch(pattern, s string) bool {
	re := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*"), `\?`, ".") + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// replace provides the run: steps that cannot run here as written: the
// installs from the internet (the apibuilder release, moto from PyPI) and
// `apibuilder test -aws`, which calls the stage's invoke URL (the local
// stack has no execute-api host; the test calls the applied dev stage
// through the local data plane instead, after the run).
func (pe *pipelineEnv) replace(_ *ghrun.Job, step *ghrun.Step) ghrun.Action {
	switch {
	case strings.Contains(step.Run, `go install "github.com/apibuilder/apibuilder/cmd/apibuilder@`):
		return func(_ context.Context, s *ghrun.StepContext) error {
			pe.replaced["install apibuilder"]++
			if s.Env["APIBUILDER_VERSION"] == "" {
				return fmt.Errorf("APIBUILDER_VERSION is not set")
			}
			return pe.onPath(s, "apibuilder", filepath.Join(pe.bin, "apibuilder"))
		}
	case strings.Contains(step.Run, `pip install "moto[server]==${MOTO_VERSION}"`):
		return func(_ context.Context, s *ghrun.StepContext) error {
			pe.replaced["install moto"]++
			if s.Env["MOTO_VERSION"] == "" || pe.st.Tools.Moto == "" {
				return fmt.Errorf("MOTO_VERSION %q, moto of the tools cache %q", s.Env["MOTO_VERSION"], pe.st.Tools.Moto)
			}
			return nil
		}
	case strings.Contains(step.Run, "apibuilder test -aws -env "):
		return func(_ context.Context, s *ghrun.StepContext) error {
			pe.replaced["test -aws"]++
			if s.Env["AWS_SESSION_TOKEN"] == "" {
				return fmt.Errorf("apibuilder test -aws: no assumed role's session")
			}
			return pe.onPath(s, "apibuilder", filepath.Join(pe.bin, "apibuilder"))
		}
	}
	return nil
}

// checkReplaced: each replacement was used (the workflow still has the
// steps it stands for).
func (pe *pipelineEnv) checkReplaced(t *testing.T) {
	for _, k := range []string{"install apibuilder", "install moto", "test -aws"} {
		if pe.replaced[k] == 0 {
			t.Errorf("the workflow has no step %q any more: update pipelineEnv.replace", k)
		}
	}
}

func (pe *pipelineEnv) onPath(s *ghrun.StepContext, name, want string) error {
	cmd := exec.Command("bash", "-c", "command -v "+name)
	cmd.Env = envList(s.Env)
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != want {
		return fmt.Errorf("%s on PATH is %q (%v), want %s", name, strings.TrimSpace(string(out)), err, want)
	}
	return nil
}

// comment is the body of the pull request's one comment the fake gh holds.
func (pe *pipelineEnv) comment(t *testing.T, pr int) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(pe.ghDir, "comments", fmt.Sprint(pr), "*"))
	if len(files) != 1 {
		calls, _ := os.ReadFile(filepath.Join(pe.ghDir, "calls.log"))
		t.Errorf("pull request %d has %d comments, want 1; gh calls:\n%s", pr, len(files), calls)
		if len(files) == 0 {
			return ""
		}
	}
	data, err := os.ReadFile(files[0])
	must(t, err)
	return string(data)
}

// answers calls an applied stage over HTTP (envDir: a glob naming one
// directory of the job's checkout that the job's terraform ran in): its functions started from
// the job's checkout, the local data plane in front of the emulated stage.
func (pe *pipelineEnv) answers(t *testing.T, project, envDir string) {
	t.Helper()
	if project == "" {
		t.Errorf("no job workspace for %s", envDir)
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(project, envDir, ".terraform"))
	if len(dirs) != 1 {
		// Say where the job's terraform did run.
		var inited []string
		filepath.WalkDir(project, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == ".terraform" {
				rel, _ := filepath.Rel(project, filepath.Dir(p))
				inited = append(inited, rel)
				return filepath.SkipDir
			}
			return nil
		})
		t.Fatalf("want one env directory %s initialised by the job; terraform ran in %v", envDir, inited)
	}
	ws := pe.tg.workspace(t, filepath.Dir(dirs[0]), "")
	delete(ws.Vars, "api_name")
	delete(ws.Vars, "region")
	out := pe.tg.outputs(t, ws)
	if len(out.FunctionSources) != 2 {
		t.Fatalf("%s: function_sources %v, want the init-ed project's two functions", envDir, out.FunctionSources)
	}
	api := pe.tg.serve(t, project, out, out.FunctionSources)
	api.expect(t, http.StatusCreated, http.MethodPost, "/items", `{"id":"e2e","name":"from the pipeline"}`,
		map[string]string{"x-api-key": out.APIKeyValues["key"], "Content-Type": "application/json"})
	api.expect(t, http.StatusOK, http.MethodGet, "/items/e2e", "", nil)
}

// fakeGH is the gh of the runner: gh api on a pull request's comments,
// kept as files under $FAKE_GH_DIR/comments/<pr>/<id>; every call logged.
const fakeGH = `#!/bin/bash
set -euo pipefail
dir=${FAKE_GH_DIR:?}
printf '%q ' "$@" >> "$dir/calls.log"; echo >> "$dir/calls.log"
[ -n "${GH_TOKEN:-}" ] || { echo "gh: GH_TOKEN is not set" >&2; exit 4; }
[ "${1:-}" = api ] || { echo "fake gh: only gh api is provided" >&2; exit 1; }
shift
method=GET path= body=
while [ $# -gt 0 ]; do
  case "$1" in
    --method|-X) method=$2; shift 2 ;;
    -f|-F) case "$2" in body=*) body=${2#body=} ;; esac; shift 2 ;;
    --jq|-q) shift 2 ;;
    --paginate) shift ;;
    -*) echo "fake gh: flag $1 is not provided" >&2; exit 1 ;;
    *) path=$1; shift ;;
  esac
done
case "$method $path" in
  "GET repos/"*/issues/*/comments)
    pr=${path%/comments}; pr=${pr##*/}
    ls "$dir/comments/$pr" 2>/dev/null || true ;;
  "POST repos/"*/issues/*/comments)
    pr=${path%/comments}; pr=${pr##*/}
    mkdir -p "$dir/comments/$pr"
    id=$(( $(ls "$dir/comments/$pr" | wc -l) + 1 ))$pr
    printf '%s' "$body" > "$dir/comments/$pr/$id" ;;
  "PATCH repos/"*/issues/comments/*)
    id=${path##*/}
    f=$(ls "$dir"/comments/*/"$id")
    printf '%s' "$body" > "$f" ;;
  "GET repos/"*/pulls*) ;;
  *) echo "fake gh: $method $path is not provided" >&2; exit 1 ;;
esac
`
