package tfdriver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func event(typ, action, rtype, addr string) string {
	return `{"@message":"` + addr + ": " + action + `","type":"` + typ + `","hook":{"resource":{"addr":"` + addr + `","resource_type":"` + rtype + `"},"action":"` + action + `"}}` + "\n"
}

// Every event is one line of the log, however the pipe splits them.
func TestApplyEventsLog(t *testing.T) {
	events := []string{
		event("apply_complete", "create", "aws_api_gateway_deployment", "module.api.aws_api_gateway_deployment.this"),
		event("apply_start", "delete", "aws_lambda_function", "module.route_x.aws_lambda_function.this"),
		"not json\n",
	}
	var log strings.Builder
	e := &applyEvents{log: &log}
	all := strings.Join(events, "")
	for i := 0; i < len(all); i += 7 {
		_, _ = e.Write([]byte(all[i:min(i+7, len(all))]))
	}
	e.flush()
	want := "module.api.aws_api_gateway_deployment.this: create\nmodule.route_x.aws_lambda_function.this: delete\nnot json\n"
	if log.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", log.String(), want)
	}
}

func TestApplyEventsErrors(t *testing.T) {
	e := &applyEvents{}
	_, _ = e.Write([]byte(`{"@level":"error","@message":"Error: creating stage","type":"diagnostic","diagnostic":{"severity":"error","summary":"creating stage","detail":"BadRequestException: CloudWatch Logs role ARN must be set"}}` + "\n"))
	err := e.wrap(errors.New("exit status 1"))
	if !strings.Contains(err.Error(), "CloudWatch Logs role ARN must be set") {
		t.Errorf("error %q lacks the diagnostic", err)
	}
}

func TestLockedElsewhere(t *testing.T) {
	dir := t.TempDir()
	w := &Workspace{Dir: dir, ProviderVersion: "6.13.0"}
	if w.lockedElsewhere() {
		t.Error("no lock file: nothing to upgrade")
	}
	lock := "provider \"registry.terraform.io/hashicorp/aws\" {\n  version     = \"5.100.0\"\n  constraints = \">= 5.100.0, < 7.0.0\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	if !w.lockedElsewhere() {
		t.Error("locked to 5.100.0 with a 6.13.0 mirror: want an upgrade")
	}
	w.ProviderVersion = "5.100.0"
	if w.lockedElsewhere() {
		t.Error("locked to the mirror's version: nothing to upgrade")
	}
}
