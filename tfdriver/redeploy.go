package tfdriver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// An API Gateway deployment is a snapshot of the API taken when it is
// created, and a stage serves its deployment. Terraform cannot delete a
// removed route's method before it creates the stage's next deployment:
// the deployment must be created before the old one is destroyed (a stage
// cannot point at nothing, and AWS refuses to delete the deployment a
// stage uses), so create_before_destroy orders every deletion of what the
// old deployment depended on after the new one exists (docs/aws.md has the
// graph). The new deployment therefore still serves a removed or moved
// route, and the next plan is empty. Every apply here watches what it
// deletes, and when it deleted part of the API after the last deployment
// was created, it replaces the deployments at once (terraform apply
// -replace=<deployment>), so the stage stops serving it in the same run.

// servedTypes are the resource types a deployment's snapshot holds.
var servedTypes = map[string]bool{
	"aws_api_gateway_resource":             true,
	"aws_api_gateway_method":               true,
	"aws_api_gateway_integration":          true,
	"aws_api_gateway_method_response":      true,
	"aws_api_gateway_integration_response": true,
	"aws_api_gateway_authorizer":           true,
	"aws_api_gateway_model":                true,
	"aws_api_gateway_request_validator":    true,
	"aws_api_gateway_gateway_response":     true,
	"aws_api_gateway_rest_api_policy":      true,
}

const deploymentType = "aws_api_gateway_deployment"

// applyEvents reads terraform's machine-readable output (-json: one JSON
// object per line), writes each message as text to log, and records the
// order in which resources were created and deleted.
type applyEvents struct {
	log     io.Writer
	partial []byte

	seq            int
	lastDeployment int      // seq of the last deployment created; 0: none
	lastDeletion   int      // seq of the last deletion of a served type; 0: none
	deleted        []string // addresses of served resources deleted
	errors         []string // error diagnostics, for the returned error
}

func (e *applyEvents) Write(p []byte) (int, error) {
	e.partial = append(e.partial, p...)
	for {
		i := bytes.IndexByte(e.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		e.line(e.partial[:i])
		e.partial = e.partial[i+1:]
	}
}

// flush handles a last line without a newline.
func (e *applyEvents) flush() {
	if len(e.partial) > 0 {
		e.line(e.partial)
		e.partial = nil
	}
}

func (e *applyEvents) line(raw []byte) {
	var ev struct {
		Message    string `json:"@message"`
		Type       string `json:"type"`
		Diagnostic *struct {
			Severity, Summary, Detail string
		} `json:"diagnostic"`
		Hook struct {
			Resource struct {
				Addr string `json:"addr"`
				Type string `json:"resource_type"`
			} `json:"resource"`
			Action string `json:"action"`
		} `json:"hook"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		e.print(string(raw))
		return
	}
	msg := ev.Message
	if d := ev.Diagnostic; d != nil {
		if d.Detail != "" {
			msg += "\n" + d.Detail
		}
		if d.Severity == "error" {
			e.errors = append(e.errors, strings.TrimSpace(d.Summary+": "+d.Detail))
		}
	}
	e.print(msg)
	if ev.Type != "apply_complete" {
		return
	}
	e.seq++
	switch r := ev.Hook.Resource; {
	case r.Type == deploymentType && ev.Hook.Action == "create":
		e.lastDeployment = e.seq
	case servedTypes[r.Type] && ev.Hook.Action == "delete":
		e.lastDeletion = e.seq
		e.deleted = append(e.deleted, r.Addr)
	}
}

// wrap adds the apply's error diagnostics (with -json, terraform writes
// them to stdout, not into the exit error) to err.
func (e *applyEvents) wrap(err error) error {
	if len(e.errors) == 0 {
		return err
	}
	return fmt.Errorf("%s: %w", strings.Join(e.errors, "; "), err)
}

func (e *applyEvents) print(s string) {
	if e.log != nil {
		fmt.Fprintln(e.log, s)
	}
}

// stale reports whether the stage may still serve something the apply
// deleted: a served resource was deleted after the last deployment was
// created (or no deployment was created at all).
func (e *applyEvents) stale() bool {
	return e.lastDeletion > e.lastDeployment
}

// applyJSON runs terraform apply with opts (vars, a plan file, -replace),
// writing its messages to the workspace's log, and then, when the apply
// deleted part of the API after the stage's deployment was made, replaces
// every deployment of the state in a second apply (see the top of this
// file). Redeployed records what that was for.
func (w *Workspace) applyJSON(ctx context.Context, what string, opts ...tfexec.ApplyOption) error {
	ev := &applyEvents{log: w.log}
	err := w.tf.ApplyJSON(ctx, ev, opts...)
	ev.flush()
	w.tf.SetStdout(w.stdout())
	if err != nil {
		return fmt.Errorf("terraform apply%s (%s): %w", what, w.Dir, ev.wrap(err))
	}
	if !ev.stale() {
		return nil
	}
	deployments, err := w.deployments(ctx)
	if err != nil || len(deployments) == 0 {
		return err
	}
	ev.print(fmt.Sprintf("apibuilder: this apply deleted %s after the stage's deployment was created; on AWS the stage would keep serving them (a deployment is a snapshot of the API). Replacing %s so that it stops.",
		strings.Join(ev.deleted, ", "), strings.Join(deployments, ", ")))
	again := []tfexec.ApplyOption{w.lockTimeout()}
	for _, v := range w.vars() {
		again = append(again, tfexec.Var(v))
	}
	if w.Parallelism > 0 {
		again = append(again, tfexec.Parallelism(w.Parallelism))
	}
	for _, d := range deployments {
		again = append(again, tfexec.Replace(d))
	}
	redo := &applyEvents{log: w.log}
	err = w.tf.ApplyJSON(ctx, redo, again...)
	redo.flush()
	w.tf.SetStdout(w.stdout())
	if err != nil {
		return fmt.Errorf("terraform apply -replace of the deployment (%s): %w", w.Dir, redo.wrap(err))
	}
	w.Redeployed = append(w.Redeployed, ev.deleted...)
	return nil
}

// deployments lists the addresses of every API Gateway deployment in the
// state (terraform state pull: no provider needed).
func (w *Workspace) deployments(ctx context.Context) ([]string, error) {
	raw, err := w.tf.StatePull(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform state pull (%s): %w", w.Dir, err)
	}
	return deploymentAddresses([]byte(raw))
}

// deploymentAddresses reads the addresses of the API Gateway deployments
// from a state file (format version 4).
func deploymentAddresses(state []byte) ([]string, error) {
	var st struct {
		Resources []struct {
			Module, Mode, Type, Name string
			Instances                []struct {
				IndexKey any `json:"index_key"`
			}
		}
	}
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, fmt.Errorf("read the state: %w", err)
	}
	var out []string
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != deploymentType {
			continue
		}
		base := r.Type + "." + r.Name
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, in := range r.Instances {
			switch k := in.IndexKey.(type) {
			case nil:
				out = append(out, base)
			case string:
				q, _ := json.Marshal(k)
				out = append(out, base+"["+string(q)+"]")
			case float64:
				out = append(out, fmt.Sprintf("%s[%d]", base, int(k)))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
