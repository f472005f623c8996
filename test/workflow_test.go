package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/internal/scaffold"
	"github.com/apibuilder/apibuilder/local/tools"
)

// TestGeneratedWorkflowPassesActionlint: the workflow a freshly init-ed
// project gets passes actionlint: the pinned release, built by the
// project's own tool installer (local/tools) into the tools cache. It
// checks the job graph (needs), every ${{ }} expression and the contexts it
// reads, the events and their activity types, runner labels, the inputs of
// the pinned actions it knows, job outputs and step ids. Shellcheck and
// pyflakes are off so the result does not depend on what else is on PATH.
func TestGeneratedWorkflowPassesActionlint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actionlint " + tools.ActionlintVersion + " (about a minute the first time, cached after) and the apibuilder command; run without -short")
	}
	var log strings.Builder
	lint, err := tools.EnsureActionlint(t.Context(), tools.Options{Log: &log})
	if err != nil {
		t.Fatalf("install actionlint: %v\n%s", err, log.String())
	}
	t.Logf("actionlint: %s", strings.TrimSpace(log.String()))

	home := outside(t)
	runIn(t, home, 0, "init", "shop")
	shop := filepath.Join(home, "shop")
	workflow := filepath.Join(".github", "workflows", "apibuilder.yml")
	if _, err := os.Stat(filepath.Join(shop, workflow)); err != nil {
		t.Fatalf("init wrote no workflow: %v", err)
	}

	cmd := exec.Command(lint, "-no-color", "-shellcheck=", "-pyflakes=", workflow)
	cmd.Dir = shop
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint %s: %v\n%s", workflow, err, out)
	}

	// The pipeline for other environment lists (apibuilder ci writes the
	// project's own) passes too: one env, and three chained.
	for _, envs := range [][]string{{"qa"}, {"dev", "staging", "prod"}} {
		files, err := scaffold.CIFiles(scaffold.CIOptions{Version: "v1.2.3", Envs: envs})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, ".github", "workflows"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, workflow), files[scaffold.WorkflowPath], 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(lint, "-no-color", "-shellcheck=", "-pyflakes=", workflow)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("actionlint on the workflow for %v: %v\n%s", envs, err, out)
		}
	}

	// actionlint really read it: a broken copy fails with the error named.
	data, err := os.ReadFile(filepath.Join(shop, workflow))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "needs: merge-plan-prod", "needs: merge-plan-nowhere", 1)
	if broken == string(data) {
		t.Fatal("the workflow has no apply-prod job needing merge-plan-prod")
	}
	if err := os.WriteFile(filepath.Join(shop, workflow), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(lint, "-no-color", "-shellcheck=", "-pyflakes=", workflow)
	cmd.Dir = shop
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "merge-plan-nowhere") {
		t.Errorf("actionlint passed a workflow with a job needing a missing one (%v):\n%s", err, out)
	}
}
