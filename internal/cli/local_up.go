package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/apibuilder/apibuilder/apitest"
	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/local/stack"
)

// upOptions are the flags of "local up".
type upOptions struct {
	config string
	env    string
	port   int
	smoke  bool // exit after the smoke calls
	// secrets the env references, stored on the stack before it is applied
	secrets     SecretFlag
	secretsFile string
	watch       bool // keep the deployment up to date with the project
	procs       int  // processes per function at most
}

// runUp is the one-command local run: generate, the stack, apply, the
// functions, the data plane, smoke calls, then serve until interrupted,
// keeping the deployment up to date with the project (-watch).
func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o upOptions
	fs.StringVar(&o.config, "config", "routes.yaml", "routes file of the project (its directory is the project root)")
	fs.StringVar(&o.env, "env", "dev", "environment to deploy")
	fs.IntVar(&o.port, "port", 0, "port of the local API (default: a free port)")
	fs.BoolVar(&o.smoke, "exit-after-smoke", false, "exit after the smoke calls instead of serving until Ctrl-C")
	fs.Var(&o.secrets, "secret", "`reference=value`: a secret the env references, stored on the local stack before apply (repeatable), e.g. ssm:/items/prod/admin-token-sha256=<sha256 hex>")
	fs.StringVar(&o.secretsFile, "secrets-file", "", "file of reference=value lines (# comments), stored like -secret")
	fs.BoolVar(&o.watch, "watch", true, "while serving, rebuild and swap a handler when its Go source changes, and regenerate and apply when routes.yaml or a schema changes")
	fs.IntVar(&o.procs, "concurrency", runner.DefaultConcurrency, "processes each function may run at once, started as parallel requests need them")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.secretsFile != "" {
		more, err := ReadSecretsFile(o.secretsFile)
		if err != nil {
			fmt.Fprintln(stderr, "local up: -secrets-file:", err)
			return 2
		}
		o.secrets = append(o.secrets, more...)
	}
	if o.procs < 1 {
		fmt.Fprintf(stderr, "local up: -concurrency %d: give 1 or more processes per function\n", o.procs)
		return 2
	}
	if err := up(ctx, o, stdout); err != nil {
		var de *generate.Diagnostics
		if errors.As(err, &de) {
			fmt.Fprintln(stderr, err)
			fmt.Fprintf(stderr, "%d problem(s) found; nothing was deployed.\n", len(de.Items))
		} else {
			fmt.Fprintln(stderr, "local up:", err)
		}
		return 1
	}
	return 0
}

func up(ctx context.Context, o upOptions, out io.Writer) error {
	s, err := session.Start(ctx, session.Options{
		Config: o.config, Env: o.env, Port: o.port, Out: out, Progress: isTerminal(out),
		FunctionLogs: out, AccessLog: linePrefix{out, "[access] "}, Secrets: o.secrets, Concurrency: o.procs,
	})
	if err != nil {
		if missingSecret(err) {
			return fmt.Errorf("%w\nenv %s reads a secret the local stack does not have: store each one it references with -secret <reference>=<value> or -secrets-file (docs/secrets.md)", err, o.env)
		}
		return err
	}
	defer s.Close()

	fmt.Fprintln(out, "==> smoke calls")
	calls := apitest.Calls(s.Result, s.Outputs.APIKeyValues, true, o.env)
	failed := smoke(ctx, s, calls, out)

	fmt.Fprintf(out, "\nInvoke URL: %s\n", s.URL)
	fmt.Fprintf(out, "(on AWS this stage is %s)\n\nTry:\n", s.Outputs.InvokeURL)
	for _, c := range calls {
		if c.Skip == "" {
			fmt.Fprintf(out, "  %s\n", c.Curl(s.URL))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d smoke call(s) failed", failed)
	}
	if o.smoke {
		return nil
	}
	fmt.Fprintln(out, "\nServing; press Ctrl-C to stop (everything started here stops with it; -watch=false serves without watching).")
	if o.watch {
		if err := s.Watch(ctx, session.WatchOptions{Out: out}); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
	}
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

// smoke makes every route's happy-path call once and counts the answers
// that show the platform or a function failing: 5xx or no answer. A 4xx
// from the function is fine here (apibuilder test judges answers).
func smoke(ctx context.Context, s *session.Session, calls []apitest.Call, out io.Writer) int {
	client := &http.Client{Timeout: 30 * time.Second}
	creds := s.Stack.AWSConfig().Credentials
	failed := 0
	for _, c := range calls {
		label := fmt.Sprintf("    %-7s %-32s", c.Method, c.Path)
		if c.Skip != "" {
			fmt.Fprintf(out, "%s skipped: %s\n", label, c.Skip)
			continue
		}
		status, _, err := c.Do(ctx, client, s.URL, creds, stack.Region)
		switch {
		case err != nil:
			fmt.Fprintf(out, "%s error: %v\n", label, err)
			failed++
		case status >= 500:
			fmt.Fprintf(out, "%s %d FAILED (see the function's log lines above)\n", label, status)
			failed++
		default:
			fmt.Fprintf(out, "%s %d ok\n", label, status)
		}
	}
	return failed
}

// isTerminal reports whether w is a terminal (for live progress lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// linePrefix prefixes each write, which the data plane makes one whole access
// line at a time, so its lines stand apart from the functions' output.
type linePrefix struct {
	w      io.Writer
	prefix string
}

func (l linePrefix) Write(p []byte) (int, error) {
	// One write per line, so lines from other writers of out don't split it.
	if _, err := l.w.Write(append([]byte(l.prefix), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
