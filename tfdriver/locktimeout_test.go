package tfdriver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeTerraform is a terraform that records its command lines and
// changes nothing.
const fakeTerraform = `#!/bin/sh
echo "$@" >> "$FAKE_TF_ARGS"
if [ "$1" = version ]; then
  echo '{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}'
fi
exit 0
`

// TestLockTimeoutOnEveryCommandThatLocks: plans, applies and destroys
// wait for the state lock as long as LockTimeout says (Terraform's own
// default, 0s, when it is unset).
func TestLockTimeoutOnEveryCommandThatLocks(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "terraform")
	if err := os.WriteFile(bin, []byte(fakeTerraform), 0o755); err != nil {
		t.Fatal(err)
	}
	args := filepath.Join(dir, "args")
	ws, err := New(dir, bin, map[string]string{"FAKE_TF_ARGS": args}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func() []string {
		t.Helper()
		_ = os.Remove(args)
		if _, err := ws.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.PlanFile(ctx, filepath.Join(dir, "p.tfplan")); err != nil && !strings.Contains(err.Error(), "show") {
			t.Fatal(err)
		}
		if err := ws.Apply(ctx); err != nil {
			t.Fatal(err)
		}
		if err := ws.ApplyPlan(ctx, filepath.Join(dir, "p.tfplan")); err != nil {
			t.Fatal(err)
		}
		if err := ws.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(args)
		if err != nil {
			t.Fatal(err)
		}
		var locking []string
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if cmd, _, _ := strings.Cut(line, " "); cmd == "plan" || cmd == "apply" || cmd == "destroy" {
				locking = append(locking, line)
			}
		}
		return locking
	}
	for _, line := range run() {
		if !strings.Contains(line, "-lock-timeout=0s") {
			t.Errorf("unset LockTimeout: %q, want Terraform's default -lock-timeout=0s", line)
		}
	}
	ws.LockTimeout = 5 * time.Minute
	lines := run()
	if len(lines) != 5 {
		t.Fatalf("ran %q, want plan, plan -out, apply, apply of the plan and destroy", lines)
	}
	for _, line := range lines {
		if !strings.Contains(line, "-lock-timeout=5m0s") {
			t.Errorf("%q: want -lock-timeout=5m0s", line)
		}
	}
}
