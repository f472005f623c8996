package deploy

import (
	"errors"
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
