package tfdriver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// applyEvents reads terraform's machine-readable output (-json: one JSON
// object per line), writes each message as text to log, and keeps the
// error diagnostics for the returned error.
type applyEvents struct {
	log     io.Writer
	partial []byte
	errors  []string
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

// applyJSON runs terraform apply with opts (vars, a plan file), writing
// its messages to the workspace's log. One apply is the whole change: the
// API is one document that API Gateway imports whole before the stage's
// next deployment is taken (modules/api_gateway), so nothing it removed
// can stay in that deployment.
func (w *Workspace) applyJSON(ctx context.Context, what string, opts ...tfexec.ApplyOption) error {
	ev := &applyEvents{log: w.log}
	err := w.tf.ApplyJSON(ctx, ev, opts...)
	ev.flush()
	w.tf.SetStdout(w.stdout())
	if err != nil {
		return fmt.Errorf("terraform apply%s (%s): %w", what, w.Dir, ev.wrap(err))
	}
	return nil
}
