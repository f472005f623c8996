package ghrun

import (
	"context"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func scope() *Scope {
	return &Scope{Contexts: map[string]any{
		"github": map[string]any{"event_name": "pull_request", "ref": "refs/pull/7/merge", "repository": "acme/shop",
			"event": map[string]any{"action": "opened", "pull_request": map[string]any{"number": 7.0,
				"head": map[string]any{"repo": map[string]any{"full_name": "acme/shop"}}, "user": map[string]any{"login": "dependabot[bot]"}}}},
		"vars":    map[string]any{"AWS_REGION": "us-east-1", "AWS_PLAN_ROLE_ARN_DEV": "arn:dev"},
		"matrix":  map[string]any{"role": "AWS_PLAN_ROLE_ARN_DEV", "env": "dev"},
		"needs":   map[string]any{"preview": map[string]any{"result": "success", "outputs": map[string]any{"url": "http://x"}}},
		"steps":   map[string]any{"go": map[string]any{"outputs": map[string]any{"version": "1.26.8"}}},
		"env":     map[string]any{"APIBUILDER_VERSION": "v1.2.3"},
		"secrets": map[string]any{},
	}, Status: func(fn string) bool { return fn == "success" }}
}

func TestEval(t *testing.T) {
	for expr, want := range map[string]any{
		"github.event_name == 'pull_request'":                                true,
		"github.event_name == 'PULL_REQUEST'":                                true, // strings ignore case
		"github.event.action != 'closed'":                                    true,
		"github.event.pull_request.number":                                   7.0,
		"github.event.pull_request.number == '7'":                            true, // compared as numbers
		"github.event.pull_request.head.repo.full_name == github.repository": true,
		"github.event.pull_request.user.login != 'dependabot[bot]'":          false,
		"vars.AWS_REGION != ''":                                              true,
		"vars.NOT_SET == ''":                                                 true, // null == '' as numbers
		"vars.NOT_SET":                                                       nil,
		"vars[matrix.role]":                                                  "arn:dev",
		"vars['AWS_REGION']":                                                 "us-east-1",
		"needs.preview.outputs.url":                                          "http://x",
		"needs.comment.outputs.url":                                          nil,
		"steps.go.outputs.version":                                           "1.26.8",
		"env.APIBUILDER_VERSION":                                             "v1.2.3",
		"!cancelled() && (github.event_name == 'push' || 1 < 2)":             true,
		"github.event_name == 'push' || (github.event_name == 'pull_request' && github.event.action != 'closed')": true,
		"'it''s'":                              "it's",
		"format('{0}-{1}', 'a', 1)":            "a-1",
		"startsWith(github.ref, 'refs/pull/')": true,
		"contains('abc', 'B')":                 true,
		"'' || 'fallback'":                     "fallback",
		"'x' && 'y'":                           "y",
	} {
		got, err := Eval(expr, scope())
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got != want {
			t.Errorf("%s = %#v, want %#v", expr, got, want)
		}
	}
}

func TestEvalRefusesWhatItDoesNotModel(t *testing.T) {
	for _, expr := range []string{
		"toJSON(github)",          // unsupported function
		"strategy.job-index",      // unsupported context
		"github.event_name = 'x'", // not an operator
		"github.event_name == 'x", // unterminated string
		"(github.event_name",      // unbalanced
		"github.ref * 2",          // unsupported character
		"fromJSON('[1]')",         // unsupported function
		"vars.A ==",               // ends early
	} {
		if v, err := Eval(expr, scope()); err == nil {
			t.Errorf("%s = %#v, want an error", expr, v)
		}
	}
}

func TestEvalIf(t *testing.T) {
	sc := scope()
	for cond, want := range map[string]bool{
		"":                             true,
		"vars.AWS_REGION == ''":        false,
		"${{ vars.AWS_REGION != '' }}": true,
		"${{ !cancelled() && github.event_name == 'pull_request' }}": true,
	} {
		got, err := EvalIf(cond, sc)
		if err != nil || got != want {
			t.Errorf("if: %s = %v, %v; want %v", cond, got, err, want)
		}
	}
	// Without a status function the condition also needs success().
	sc.Status = func(fn string) bool { return fn == "failure" }
	if got, err := EvalIf("github.event_name == 'pull_request'", sc); err != nil || got {
		t.Errorf("after a failure, a condition without a status function = %v, %v; want false", got, err)
	}
	if got, err := EvalIf("always() && github.event_name == 'pull_request'", sc); err != nil || !got {
		t.Errorf("always() && ... after a failure = %v, %v; want true", got, err)
	}
}

func TestInterpolate(t *testing.T) {
	got, err := Interpolate("plan-${{ github.event.pull_request.number }}-${{ matrix.env }}", scope())
	if err != nil || got != "plan-7-dev" {
		t.Errorf("Interpolate = %q, %v", got, err)
	}
	if _, err := Interpolate("${{ github.ref", scope()); err == nil {
		t.Error("an unclosed ${{ was accepted")
	}
}

func TestOrder(t *testing.T) {
	jobs := []*Job{
		{ID: "apply-prod", Needs: []string{"merge-plan-prod"}},
		{ID: "check"},
		{ID: "merge-plan-prod", Needs: []string{"test-aws-dev"}},
		{ID: "merge-plan-dev", Needs: []string{"check"}},
		{ID: "apply-dev", Needs: []string{"merge-plan-dev"}},
		{ID: "test-aws-dev", Needs: []string{"apply-dev"}},
		{ID: "drift"},
	}
	got, err := Order(jobs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, j := range got {
		ids = append(ids, j.ID)
	}
	want := "check merge-plan-dev apply-dev test-aws-dev merge-plan-prod apply-prod drift"
	if strings.Join(ids, " ") != want {
		t.Errorf("order = %s, want %s", strings.Join(ids, " "), want)
	}
	if _, err := Order([]*Job{{ID: "a", Needs: []string{"b"}}, {ID: "b", Needs: []string{"a"}}}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a cycle: %v", err)
	}
	if _, err := Order([]*Job{{ID: "a", Needs: []string{"nowhere"}}}); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("a missing need: %v", err)
	}
}

const testWorkflow = `name: t
on:
  pull_request:
    types: [opened, closed]
  push:
    branches: [main]
env:
  GREETING: hello
jobs:
  second:
    needs: first
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    environment: dev
    steps:
      - name: Uses the first job's output and the environment's variable
        env:
          FROM_FIRST: ${{ needs.first.outputs.word }}
          ROLE: ${{ vars.ROLE }}
        run: echo "$FROM_FIRST $ROLE" > out.txt
  first:
    runs-on: ubuntu-latest
    outputs:
      word: ${{ steps.say.outputs.word }}
    defaults:
      run:
        working-directory: sub
    steps:
      - run: mkdir -p sub
        working-directory: .
      - id: say
        run: |
          echo "word=$GREETING-$(basename "$PWD")" >> "$GITHUB_OUTPUT"
          echo "LATER=set by GITHUB_ENV" >> "$GITHUB_ENV"
          mkdir -p bin && printf '#!/bin/sh\necho tool ran\n' > bin/tool && chmod +x bin/tool
          echo "$PWD/bin" >> "$GITHUB_PATH"
          echo "### summary" >> "$GITHUB_STEP_SUMMARY"
      - run: test "$LATER" = "set by GITHUB_ENV" && tool
      - id: broken
        run: exit 3
        continue-on-error: true
      - if: steps.broken.outcome == 'failure'
        run: echo "saw the failure"
      - uses: example/thing@v1
        with:
          msg: ${{ env.GREETING }} ${{ github.event_name }}
`

func TestRun(t *testing.T) {
	if _, err := osexec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	w, err := Parse([]byte(testWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	var got string
	r := &Runner{Workflow: w, Dir: t.TempDir(), Repository: "acme/shop",
		Vars: map[string]string{"ROLE": "repo-role"}, EnvVars: map[string]map[string]string{"dev": {"ROLE": "dev-role"}},
		BaseEnv: map[string]string{"PATH": os.Getenv("PATH")},
		Actions: map[string]Action{"example/thing": func(_ context.Context, s *StepContext) error { got = s.With["msg"]; return nil }}}
	res, err := r.Run(context.Background(), Event{Name: "push", Ref: "refs/heads/main", Payload: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.String() != "first=success second=success" {
		for _, j := range res.Jobs {
			t.Log(j.Log())
		}
		t.Fatalf("jobs: %s", res)
	}
	first := res.Job("first")
	if first.Outputs["word"] != "hello-sub" || got != "hello push" || !strings.Contains(first.Summary, "### summary") {
		t.Errorf("outputs %v, action saw %q, summary %q", first.Outputs, got, first.Summary)
	}
	if s := first.Steps[3]; s.Outcome != "failure" || first.Steps[4].Outcome != "success" {
		t.Errorf("continue-on-error step: %s, next %s", s.Outcome, first.Steps[4].Outcome)
	}
	out, err := os.ReadFile(filepath.Join(res.Job("second").Workspace, "out.txt"))
	if err != nil || string(out) != "hello-sub dev-role\n" {
		t.Errorf("second job wrote %q, %v; want the first's output and the dev environment's variable", out, err)
	}

	// A pull request runs only the first job; a missing action is an error.
	delete(r.Actions, "example/thing")
	_, err = r.Run(context.Background(), Event{Name: "pull_request", Payload: map[string]any{"action": "opened"}})
	if err == nil || !strings.Contains(err.Error(), "example/thing@v1") {
		t.Errorf("a step using an action nobody provides: %v", err)
	}
	if _, err := r.Run(context.Background(), Event{Name: "pull_request", Payload: map[string]any{"action": "edited"}}); err == nil {
		t.Error("an event type the workflow does not list ran")
	}
}

func TestParseRefusesUnknownKeys(t *testing.T) {
	bad := strings.Replace(testWorkflow, "    runs-on: ubuntu-latest\n    environment: dev", "    runs-on: ubuntu-latest\n    services: {}\n    environment: dev", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "services") {
		t.Errorf("a job with services: parsed: %v", err)
	}
}

func TestArtifacts(t *testing.T) {
	ws := t.TempDir()
	for _, f := range []string{"plan.tfplan", "envs/dev/.terraform.lock.hcl", "build/functions/a.zip", "other.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(ws, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := &Artifacts{Dir: t.TempDir()}
	log := &strings.Builder{}
	up := &StepContext{Workspace: ws, Log: log, With: map[string]string{"name": "plan-dev", "include-hidden-files": "true", "if-no-files-found": "error",
		"path": "plan.tfplan\nenvs/dev/.terraform.lock.hcl\nbuild/functions/\n"}}
	if err := a.Upload(context.Background(), up); err != nil {
		t.Fatal(err)
	}
	down := t.TempDir()
	if err := a.Download(context.Background(), &StepContext{Workspace: down, Log: log, With: map[string]string{"name": "plan-dev", "path": "."}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"plan.tfplan", "envs/dev/.terraform.lock.hcl", "build/functions/a.zip"} {
		if data, err := os.ReadFile(filepath.Join(down, f)); err != nil || string(data) != f {
			t.Errorf("%s after the round trip: %q, %v", f, data, err)
		}
	}
	if _, err := os.Stat(filepath.Join(down, "other.txt")); err == nil {
		t.Error("a file not listed was uploaded")
	}
	// A single file is stored under its own name; hidden files need the flag.
	up.With = map[string]string{"name": "pr-summary-dev", "path": "envs/dev/.terraform.lock.hcl", "if-no-files-found": "error"}
	if err := a.Upload(context.Background(), up); err == nil {
		t.Error("a hidden file was uploaded without include-hidden-files")
	}
}
