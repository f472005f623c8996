package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// reporter is the part of *testing.T the workflow checks use, so a test
// can run them on a broken workflow and see them fail.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// failures records what a check reported.
type failures []string

func (f *failures) Helper()                           {}
func (f *failures) Errorf(format string, args ...any) { *f = append(*f, fmt.Sprintf(format, args...)) }
func (f *failures) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

// The workflow as these tests read it.
type workflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	If          string            `yaml:"if"`
	Needs       any               `yaml:"needs"`
	Environment any               `yaml:"environment"` // a name, or {name, url}
	Permissions map[string]string `yaml:"permissions"`
	Timeout     int               `yaml:"timeout-minutes"`
	Concurrency *struct {
		Group            string `yaml:"group"`
		CancelInProgress any    `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Strategy struct {
		Matrix struct {
			Include []map[string]string `yaml:"include"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Outputs map[string]string `yaml:"outputs"`
	Steps   []step            `yaml:"steps"`
}

type step struct {
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func (j job) environment() string {
	switch e := j.Environment.(type) {
	case string:
		return e
	case map[string]any:
		name, _ := e["name"].(string)
		return name
	}
	return ""
}

// role is what the job's configure-aws-credentials step assumes ("" when
// it assumes none); more than one such step is an error.
func (j job) role(t reporter, name string) string {
	t.Helper()
	role := ""
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			if role != "" {
				t.Errorf("job %s assumes two roles", name)
			}
			role, _ = s.With["role-to-assume"].(string)
			if role == "" {
				t.Errorf("job %s configures AWS credentials without role-to-assume", name)
			}
		}
	}
	return role
}

func (j job) runs() string {
	var b strings.Builder
	for _, s := range j.Steps {
		b.WriteString(s.Run + "\n")
	}
	return b.String()
}

var (
	eventRe   = regexp.MustCompile(`github\.event_name == '([a-z_]+)'`)
	pinnedRe  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$`)
	usesLine  = regexp.MustCompile(`^\s*(- )?uses: (\S+)(.*)$`)
	tagRe     = regexp.MustCompile(`^ # v[0-9]+\.[0-9]+\.[0-9]+$`)
	planVarRe = regexp.MustCompile(`^\$\{\{ vars\.AWS_PLAN_ROLE_ARN_[A-Z0-9_]+ \}\}$`)
)

// events are the events a job runs on, read from its if: every job names
// its events as github.event_name == '...' terms and never excludes one.
func (j job) events(t reporter, name string) []string {
	t.Helper()
	if strings.Contains(j.If, "event_name !=") {
		t.Errorf("job %s excludes an event (if: %s): name the events it runs on instead", name, j.If)
	}
	var out []string
	for _, m := range eventRe.FindAllStringSubmatch(j.If, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	if len(out) == 0 {
		t.Errorf("job %s does not say which events it runs on (if: %q)", name, j.If)
	}
	slices.Sort(out)
	return out
}

// checkPermissions asserts the security layout of a rendered workflow for
// envs: least privilege per job, no apply role where pull-request code runs,
// the apply role only behind its GitHub environment, pinned actions,
// timeouts, no persisted credentials.
func checkPermissions(t reporter, data []byte, envs []string) workflow {
	t.Helper()
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	if len(wf.Permissions) != 1 || wf.Permissions["contents"] != "read" {
		t.Errorf("workflow-level permissions = %v, want only contents: read", wf.Permissions)
	}
	text := string(data)
	for _, bad := range []string{"pull_request_target", "aws-access-key-id", "AWS_SECRET_ACCESS_KEY", "secrets.", "write-all"} {
		if strings.Contains(text, bad) {
			t.Errorf("the workflow contains %q", bad)
		}
	}
	// Every action is pinned by a full commit SHA, its tag in a comment.
	n := 0
	for _, line := range strings.Split(text, "\n") {
		m := usesLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		if !pinnedRe.MatchString(m[2]) || !tagRe.MatchString(m[3]) {
			t.Errorf("not pinned by commit SHA with its tag in a comment: %s", strings.TrimSpace(line))
		}
	}
	if n == 0 {
		t.Errorf("no uses: lines found")
	}

	for name, j := range wf.Jobs {
		if j.Timeout <= 0 || j.Timeout > 60 {
			t.Errorf("job %s: timeout-minutes = %d, want 1-60", name, j.Timeout)
		}
		events := j.events(t, name)
		for _, s := range j.Steps {
			if s.Uses != "" && !pinnedRe.MatchString(s.Uses) {
				t.Errorf("job %s: %s is not pinned by commit SHA", name, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != false {
				t.Errorf("job %s: checkout without persist-credentials: false", name)
			}
		}
		for scope, level := range j.Permissions {
			switch {
			case scope == "contents" && level == "read", scope == "id-token" && level == "write", scope == "pull-requests":
			default:
				t.Errorf("job %s: permission %s: %s", name, scope, level)
			}
		}
		if j.Permissions != nil && j.Permissions["contents"] != "read" {
			t.Errorf("job %s: its permissions replace the workflow's and lack contents: read", name)
		}

		role, env := j.role(t, name), j.environment()
		idToken := j.Permissions["id-token"] == "write"
		switch {
		case idToken && role == "":
			t.Errorf("job %s gets id-token: write but assumes no role", name)
		case !idToken && role != "":
			t.Errorf("job %s assumes %s without id-token: write", name, role)
		}
		applyRole := role == "${{ vars.AWS_APPLY_ROLE_ARN }}"
		mentionsApply := false
		if out, err := yaml.Marshal(j); err == nil {
			mentionsApply = strings.Contains(string(out), "AWS_APPLY_ROLE_ARN")
		}

		// Jobs that run pull-request code: never an apply role, never a
		// deployed environment's gate.
		if slices.Contains(events, "pull_request") {
			if mentionsApply || applyRole {
				t.Errorf("job %s runs on pull requests and references the apply role", name)
			}
			if slices.Contains(envs, env) {
				t.Errorf("job %s runs on pull requests in the GitHub environment %s", name, env)
			}
			if strings.Contains(j.Permissions["pull-requests"], "write") && role != "" {
				t.Errorf("job %s writes to pull requests and holds AWS credentials", name)
			}
		}
		// The apply role: only behind the GitHub environment of a deployed
		// env, only on push to main, and such a job assumes nothing else.
		if mentionsApply && !applyRole {
			t.Errorf("job %s mentions the apply role but does not assume it", name)
		}
		if applyRole != slices.Contains(envs, env) {
			t.Errorf("job %s: environment %q, role %q: the apply role is assumed exactly in the deployed environments", name, env, role)
		}
		if applyRole && !slices.Equal(events, []string{"push"}) {
			t.Errorf("job %s applies on %v, want push only", name, events)
		}
		if applyRole && (j.Concurrency == nil || j.Concurrency.CancelInProgress != false) {
			t.Errorf("job %s applies and may be cancelled by a later run (concurrency %+v)", name, j.Concurrency)
		}
		// Every other role is a plan role (a repository variable, no
		// environment) or the preview role (the environment preview).
		switch {
		case role == "" || applyRole:
		case role == "${{ vars.AWS_PREVIEW_ROLE_ARN }}":
			if env != "preview" {
				t.Errorf("job %s assumes the preview role outside the GitHub environment preview", name)
			}
		case role == "${{ vars[matrix.role] }}":
			for _, row := range j.Strategy.Matrix.Include {
				if !planVarRe.MatchString("${{ vars." + row["role"] + " }}") {
					t.Errorf("job %s: matrix role %q is not a plan role", name, row["role"])
				}
			}
			if env != "" {
				t.Errorf("job %s assumes a plan role in the GitHub environment %s", name, env)
			}
		case planVarRe.MatchString(role):
			if env != "" {
				t.Errorf("job %s assumes a plan role in the GitHub environment %s", name, env)
			}
		default:
			t.Errorf("job %s assumes %s", name, role)
		}
	}
	return wf
}

func TestWorkflowPermissions(t *testing.T) {
	for _, envs := range [][]string{Envs, {"dev", "staging", "prod"}, {"qa"}} {
		files, err := CIFiles(CIOptions{Version: "v1.2.3", Envs: envs})
		if err != nil {
			t.Fatal(err)
		}
		checkPermissions(t, files[WorkflowPath], envs)
	}
}

// The permission check catches what it is there for.
func TestWorkflowPermissionsCheckFails(t *testing.T) {
	files, err := CIFiles(CIOptions{Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	good := string(files[WorkflowPath])
	for name, edit := range map[string][2]string{
		"workflow-level id-token":  {"permissions:\n  contents: read\n\nenv:", "permissions:\n  contents: read\n  id-token: write\n\nenv:"},
		"PR plan with apply role":  {"${{ vars.AWS_PLAN_ROLE_ARN_PROD }}\n          aws-region: ${{ vars.AWS_REGION }}\n          role-session-name: apibuilder-plan-prod-pr", "${{ vars.AWS_APPLY_ROLE_ARN }}\n          aws-region: ${{ vars.AWS_REGION }}\n          role-session-name: apibuilder-plan-prod-pr"},
		"PR job in prod":           {"    name: Plan prod (pull request)\n", "    name: Plan prod (pull request)\n    environment: prod\n"},
		"action by tag":            {"actions/checkout@11d5960a326750d5838078e36cf38b85af677262", "actions/checkout@v4"},
		"no timeout":               {"    timeout-minutes: 5\n", ""},
		"credentials persisted":    {"persist-credentials: false", "persist-credentials: true"},
		"id-token, no role":        {"      pull-requests: write # the one", "      id-token: write\n      pull-requests: write # the one"},
		"apply role without gate":  {"    environment: prod\n", ""},
		"an apply may be canceled": {"group: deploy-dev\n      cancel-in-progress: false # never cancel", "group: deploy-dev\n      cancel-in-progress: true # never cancel"},
	} {
		bad := strings.Replace(good, edit[0], edit[1], 1)
		if bad == good {
			t.Errorf("%s: the edit does not apply", name)
			continue
		}
		var f failures
		done := make(chan struct{})
		go func() { // Fatalf ends the goroutine
			defer close(done)
			checkPermissions(&f, []byte(bad), Envs)
		}()
		<-done
		if len(f) == 0 {
			t.Errorf("%s: the permission check passed", name)
		} else {
			t.Logf("%s: %s", name, f[0])
		}
	}
}

// The jobs do what the pipeline promises, in the order it promises.
func TestWorkflowPipeline(t *testing.T) {
	files, err := CIFiles(CIOptions{Version: "v1.2.3", Envs: []string{"dev", "staging", "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	wf := checkPermissions(t, files[WorkflowPath], []string{"dev", "staging", "prod"})
	text := string(files[WorkflowPath])
	if wf.Env["APIBUILDER_VERSION"] != "v1.2.3" || !strings.Contains(text, `go install "github.com/apibuilder/apibuilder/cmd/apibuilder@${APIBUILDER_VERSION}"`) {
		t.Errorf("the workflow does not install apibuilder v1.2.3: env %v", wf.Env)
	}
	if !strings.Contains(text, `pip install "moto[server]==${MOTO_VERSION}"`) || wf.Env["MOTO_VERSION"] != "5.2.1" {
		t.Error("moto is not pinned")
	}
	if strings.Count(text, "key: terraform-providers-${{ runner.os }}-${{ hashFiles('envs/*/.terraform.lock.hcl') }}") != len(wf.Jobs)-1 {
		t.Error("not every job but the comment has the provider cache keyed on the lock files")
	}
	if strings.Count(text, "sed -n 's/^toolchain go//p' go.mod") != len(wf.Jobs)-1 {
		t.Error("not every job but the comment sets up Go from go.mod's toolchain line")
	}
	for _, trigger := range []string{"pull_request", "push", "schedule", "workflow_dispatch"} {
		if _, ok := wf.On[trigger]; !ok {
			t.Errorf("no %s trigger", trigger)
		}
	}
	if !strings.Contains(text, "types: [opened, synchronize, reopened, closed]") {
		t.Error("pull requests do not trigger on close (preview teardown)")
	}

	must := func(name string, want ...string) job {
		t.Helper()
		j, ok := wf.Jobs[name]
		if !ok {
			t.Fatalf("no job %s", name)
		}
		for _, w := range want {
			if !strings.Contains(j.runs(), w) {
				t.Errorf("job %s does not run %q:\n%s", name, w, j.runs())
			}
		}
		return j
	}
	needs := func(name, want string) {
		t.Helper()
		if got := wf.Jobs[name].Needs; got != want {
			t.Errorf("job %s needs %v, want %s", name, got, want)
		}
	}
	must("check", "gofmt -l", "go vet ./...", "apibuilder generate -check", "go test ./...", "apibuilder test -env dev")
	for _, e := range []string{"dev", "staging", "prod"} {
		must("plan-"+e, "apibuilder deploy -env "+e+" -out plan.tfplan -summary plan-summary-"+e+".md -lock-timeout 5m")
		mp := must("merge-plan-"+e, "apibuilder deploy -env "+e+" -out plan.tfplan")
		up := mp.Steps[len(mp.Steps)-1]
		if !strings.HasPrefix(up.Uses, "actions/upload-artifact@") || up.With["name"] != "plan-"+e ||
			!strings.Contains(up.With["path"].(string), "plan.tfplan\n") || !strings.Contains(up.With["path"].(string), "plan.tfplan.inputs.json") || !strings.Contains(up.With["path"].(string), "build/functions/") ||
			!strings.Contains(up.With["path"].(string), "envs/"+e+"/.terraform.lock.hcl") || up.With["include-hidden-files"] != true {
			t.Errorf("merge-plan-%s does not upload its plan and packages: %+v", e, up)
		}
		if days, _ := up.With["retention-days"].(int); days < 1 || days > 7 {
			t.Errorf("merge-plan-%s keeps the plan %v days", e, up.With["retention-days"])
		}
		ap := must("apply-"+e, "apibuilder deploy -env "+e+" -plan plan.tfplan -auto-approve", `cat plan-summary.md >> "$GITHUB_STEP_SUMMARY"`)
		needs("apply-"+e, "merge-plan-"+e)
		downloaded := false
		for _, s := range ap.Steps {
			if strings.HasPrefix(s.Uses, "actions/download-artifact@") && s.With["name"] == "plan-"+e {
				downloaded = true
			}
			if strings.Contains(s.Run, "deploy") && !downloaded {
				t.Errorf("apply-%s deploys before it downloads its plan", e)
			}
		}
		if ap.environment() != e || ap.Concurrency == nil || ap.Concurrency.Group != "deploy-"+e {
			t.Errorf("apply-%s: environment %q, concurrency %+v", e, ap.environment(), ap.Concurrency)
		}
	}
	// dev, its tests against AWS, then staging, then prod.
	must("test-aws-dev", "apibuilder test -aws -env dev")
	needs("merge-plan-dev", "check")
	needs("test-aws-dev", "apply-dev")
	needs("merge-plan-staging", "test-aws-dev")
	needs("merge-plan-prod", "apply-staging")

	pv := must("preview", `apibuilder deploy -env dev -preview "pr-$PR" -auto-approve`, `>> "$GITHUB_OUTPUT"`)
	if pv.Outputs["url"] != "${{ steps.deploy.outputs.url }}" || pv.environment() != "preview" {
		t.Errorf("preview: outputs %v, environment %q", pv.Outputs, pv.environment())
	}
	must("comment", "gh api --method PATCH", "$PREVIEW_URL", "<!-- apibuilder: plan and preview -->", "for env in dev staging prod; do")
	if !strings.Contains(wf.Jobs["comment"].If, "!cancelled()") {
		t.Error("the comment is not posted when a plan fails")
	}
	td := must("preview-teardown", `apibuilder deploy -env dev -preview "pr-$PR" -destroy -auto-approve`)
	if !strings.Contains(td.If, "github.event.action == 'closed'") {
		t.Errorf("the teardown runs on %q", td.If)
	}
	if pv.Concurrency == nil || td.Concurrency == nil || pv.Concurrency.Group != td.Concurrency.Group {
		t.Error("a teardown can run while its preview deploys")
	}
	must("preview-sweep", "PREVIEW_MAX_AGE_DAYS", `-preview "pr-$pr" -destroy -auto-approve`)
	dr := must("drift", `apibuilder deploy -env "$ENV" -out drift.tfplan`, "show -json", "exit 2", `apibuilder drift -env "$ENV"`)
	if steps := dr.Steps; len(steps) == 0 || !strings.Contains(steps[len(steps)-1].Run, "apibuilder drift") || steps[len(steps)-1].If != "${{ !cancelled() }}" {
		t.Error("the drift job does not end with apibuilder drift, run even when the plan found drift")
	}
	if len(dr.Strategy.Matrix.Include) != 3 {
		t.Errorf("drift checks %v", dr.Strategy.Matrix.Include)
	}
	for name, j := range wf.Jobs {
		if (j.role(t, name) != "" || name == "comment") && !strings.Contains(j.If, "vars.AWS_REGION != ''") {
			t.Errorf("job %s runs before AWS is set up (if: %s)", name, j.If)
		}
		if ev := j.events(t, name); slices.Contains(ev, "schedule") && j.environment() != "" && j.environment() != "preview" {
			t.Errorf("scheduled job %s waits on the GitHub environment %s", name, j.environment())
		}
	}
}

func TestDependabot(t *testing.T) {
	files, err := CIFiles(CIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
			Schedule  struct {
				Interval string `yaml:"interval"`
			} `yaml:"schedule"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(files[DependabotPath], &cfg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range cfg.Updates {
		got = append(got, u.Ecosystem+" "+u.Directory+" "+u.Schedule.Interval)
	}
	if cfg.Version != 2 || strings.Join(got, ", ") != "github-actions / weekly, gomod / weekly" {
		t.Errorf("dependabot.yml: version %d, updates %v", cfg.Version, got)
	}
	// A development build pins no release and says so.
	if wf := string(files[WorkflowPath]); !strings.Contains(wf, "APIBUILDER_VERSION: latest") || !strings.Contains(wf, "development build") {
		t.Error("a development build's workflow does not say it installs the latest release")
	}
}

func TestCIOptions(t *testing.T) {
	for _, v := range []string{"v1.2.3+dirty", ""} {
		files, err := CIFiles(CIOptions{Version: v})
		if err != nil || !strings.Contains(string(files[WorkflowPath]), "APIBUILDER_VERSION: latest") {
			t.Errorf("version %q: %v", v, err)
		}
	}
	for _, c := range []struct {
		opt  CIOptions
		want string
	}{
		{CIOptions{Version: "1.2.3"}, "is not a release"},
		{CIOptions{Version: "v1.2.3\n  x: y"}, "is not a release"},
		{CIOptions{Envs: []string{"dev", "preview"}}, `"preview"`},
		{CIOptions{Envs: []string{"dev", "DEV"}}, "listed twice"},
		{CIOptions{Envs: []string{"my env"}}, "use letters, digits"},
	} {
		if _, err := CIFiles(c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.opt, err, c.want)
		}
	}
	// The toolchain line names a release at least the go line's version.
	mod, err := templates.ReadFile("template/go.mod.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (1\.[0-9]+)$`).FindSubmatch(mod)
	tc := regexp.MustCompile(`^go(1\.[0-9]+)\.[0-9]+$`).FindStringSubmatch(GoToolchain)
	if goLine == nil || tc == nil || string(goLine[1]) != tc[1] {
		t.Errorf("go.mod.tmpl's go line %q and GoToolchain %q: want go 1.N and go1.N.P", goLine, GoToolchain)
	}
}

func TestWriteCI(t *testing.T) {
	dir := t.TempDir()
	read := func(rel string) string {
		data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		return string(data)
	}
	write := func(rel, data string) {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := WriteCI(dir, CIOptions{Version: "v1.0.0"})
	if err != nil || strings.Join(res.Written, " ") != DependabotPath+" "+WorkflowPath {
		t.Fatalf("first write: %+v, %v", res, err)
	}
	if res, err = WriteCI(dir, CIOptions{Version: "v1.0.0"}); err != nil || len(res.Written) != 0 || len(res.Unchanged) != 2 {
		t.Fatalf("second write: %+v, %v", res, err)
	}

	// A newer release: -check reports it, the write moves the pin.
	res, err = WriteCI(dir, CIOptions{Version: "v1.1.0", Check: true})
	if err != nil || !res.Stale || !strings.Contains(res.Diff, "+  APIBUILDER_VERSION: v1.1.0") || !strings.Contains(read(WorkflowPath), "APIBUILDER_VERSION: v1.0.0") {
		t.Fatalf("check: %+v, %v", res, err)
	}
	if res, err = WriteCI(dir, CIOptions{Version: "v1.1.0"}); err != nil || strings.Join(res.Written, " ") != WorkflowPath {
		t.Fatalf("upgrade: %+v, %v", res, err)
	}
	if !strings.Contains(read(WorkflowPath), "APIBUILDER_VERSION: v1.1.0") {
		t.Error("the pin did not move")
	}

	// A hand edit under the marker is replaced.
	write(WorkflowPath, read(WorkflowPath)+"# my edit\n")
	if _, err := WriteCI(dir, CIOptions{Version: "v1.1.0"}); err != nil || strings.Contains(read(WorkflowPath), "# my edit") {
		t.Errorf("an edited generated workflow was not rewritten: %v", err)
	}

	// The team takes over dependabot.yml: kept, the workflow still written.
	mine := "version: 2\nupdates: []\n"
	write(DependabotPath, mine)
	res, err = WriteCI(dir, CIOptions{Version: "v1.2.0"})
	if err != nil || strings.Join(res.Kept, " ") != DependabotPath || read(DependabotPath) != mine || !strings.Contains(read(WorkflowPath), "v1.2.0") {
		t.Errorf("taken-over dependabot.yml: %+v, %v", res, err)
	}

	// The team takes over the workflow: refused, nothing written.
	taken := strings.TrimPrefix(read(WorkflowPath), Marker+"\n")
	write(WorkflowPath, taken)
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(DependabotPath))); err != nil {
		t.Fatal(err)
	}
	_, err = WriteCI(dir, CIOptions{Version: "v1.3.0"})
	if !errors.Is(err, ErrTakenOver) || !strings.Contains(err.Error(), "delete the file and run apibuilder ci") {
		t.Errorf("taken-over workflow: %v", err)
	}
	if read(WorkflowPath) != taken || read(DependabotPath) != "" {
		t.Error("a refused WriteCI wrote files")
	}

	// The workflow of a release from before `apibuilder ci`.
	write(WorkflowPath, legacyHeader+": edit it as you like.\nname: apibuilder\n")
	if _, err := WriteCI(dir, CIOptions{}); !errors.Is(err, ErrTakenOver) || !strings.Contains(err.Error(), "from before apibuilder ci") {
		t.Errorf("legacy workflow: %v", err)
	}
}
