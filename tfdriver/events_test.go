package tfdriver

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func event(typ, action, rtype, addr string) string {
	return `{"@message":"` + addr + ": " + action + `","type":"` + typ + `","hook":{"resource":{"addr":"` + addr + `","resource_type":"` + rtype + `"},"action":"` + action + `"}}` + "\n"
}

// The order of an apply's events decides whether the stage may still
// serve something the apply deleted.
func TestApplyEventsStale(t *testing.T) {
	dep := "module.api.aws_api_gateway_deployment.this"
	method := "module.route_x.aws_api_gateway_method.this[0]"
	for _, c := range []struct {
		name   string
		events []string
		stale  bool
	}{
		{"deleted after the new deployment", []string{event("apply_complete", "create", "aws_api_gateway_deployment", dep), event("apply_complete", "delete", "aws_api_gateway_method", method)}, true},
		{"deleted before the new deployment", []string{event("apply_complete", "delete", "aws_api_gateway_method", method), event("apply_complete", "create", "aws_api_gateway_deployment", dep)}, false},
		{"deleted, no new deployment", []string{event("apply_complete", "delete", "aws_api_gateway_resource", "module.api.aws_api_gateway_resource.level1[0]")}, true},
		{"a function deleted", []string{event("apply_complete", "create", "aws_api_gateway_deployment", dep), event("apply_complete", "delete", "aws_lambda_function", "module.route_x.aws_lambda_function.this")}, false},
		{"only started", []string{event("apply_complete", "create", "aws_api_gateway_deployment", dep), event("apply_start", "delete", "aws_api_gateway_method", method)}, false},
	} {
		var log strings.Builder
		e := &applyEvents{log: &log}
		all := strings.Join(c.events, "")
		// Written in pieces that split lines, as a pipe may.
		for i := 0; i < len(all); i += 7 {
			_, _ = e.Write([]byte(all[i:min(i+7, len(all))]))
		}
		e.flush()
		if e.stale() != c.stale {
			t.Errorf("%s: stale = %v, want %v", c.name, e.stale(), c.stale)
		}
		if n := strings.Count(log.String(), "\n"); n != len(c.events) {
			t.Errorf("%s: %d lines of log, want one message per event:\n%s", c.name, n, log.String())
		}
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

func TestDeploymentAddresses(t *testing.T) {
	state := `{"version":4,"resources":[
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_deployment","name":"this","instances":[{"index_key":null}]},
		{"mode":"managed","type":"aws_api_gateway_deployment","name":"each","instances":[{"index_key":"a"},{"index_key":1}]},
		{"mode":"data","type":"aws_api_gateway_deployment","name":"read","instances":[{}]},
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_stage","name":"this","instances":[{}]}]}`
	got, err := deploymentAddresses([]byte(state))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`aws_api_gateway_deployment.each["a"]`, "aws_api_gateway_deployment.each[1]", "module.api.aws_api_gateway_deployment.this"}
	if !slices.Equal(got, want) {
		t.Errorf("deployments %v, want %v", got, want)
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
