package cli

import (
	"strings"
	"testing"
)

// TestDeployInCIWithoutABackend: `CI=true apibuilder deploy -env dev
// -auto-approve` in an init-ed project (no backend) exits non-zero before
// any build, Terraform or AWS call, naming apibuilder bootstrap and the
// backend: key. (No credentials and no terraform are needed to get there.)
func TestDeployInCIWithoutABackend(t *testing.T) {
	dir := t.TempDir()
	if code, stdout, stderr := runArgs("init", "-name", "shop", "-module", "example.com/shop", dir); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Setenv("CI", "true")
	t.Setenv("PATH", t.TempDir()) // no terraform: it must not be looked for
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "apibuilder-test-no-such-profile")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: any AWS call would fail differently
	code, stdout, stderr := runArgs("deploy", "-config", dir+"/routes.yaml", "-env", "dev", "-auto-approve")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"apibuilder bootstrap -env dev", "backend:", "CI"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "==> generate") || strings.Contains(stdout, "terraform") {
		t.Errorf("deploy got as far as generating or Terraform:\n%s", stdout)
	}
}

func TestDeployFlagConflicts(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-env", "dev", "-destroy"}, "-preview"},
		{[]string{"-env", "dev", "-plan", "p.tfplan", "-preview", "pr-1"}, "-plan"},
		{[]string{"-env", "dev", "-sweep-previews", "soon"}, "-sweep-previews"},
	} {
		code, _, stderr := runArgs(append([]string{"deploy"}, c.args...)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("deploy %v: exit %d, %q; want a failure naming %s", c.args, code, stderr, c.want)
		}
	}
}
