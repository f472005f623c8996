package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/apibuilder/apibuilder/apitest"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/target"
)

var localUpCommand = &command{
	name:    "local up",
	summary: "run the project on a local stack: deploy, serve, smoke-call, watch",
	usage:   "[-config routes.yaml] [-env dev] [-port N] [-exit-after-smoke] [-watch=false] [-concurrency N] [-secret ref=value]",
	manual: `    Installs the tools if missing, starts moto and kumo, generates, applies
    envs/<env> with terraform, runs the functions, serves the API on a local
    port, smoke-calls every route and prints the invoke URL; then serves
    until Ctrl-C, watching the project: a saved handler is rebuilt and
    swapped in (about a second), a saved routes.yaml or schema is generated
    and applied on the same stack. A smoke call that fails (5xx or no
    answer) is printed and the API serves on, so the watch can serve the
    fix; with -exit-after-smoke the exit status is 1 when one failed. Each
    function runs up to N processes (-concurrency) as parallel requests
    need them.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		var o upOptions
		fs.StringVar(&o.config, "config", "routes.yaml", "routes file of the project (its directory is the project root)")
		fs.StringVar(&o.env, "env", "dev", "environment to deploy")
		fs.IntVar(&o.port, "port", 0, "port of the local API (default: a free port)")
		fs.BoolVar(&o.smoke, "exit-after-smoke", false, "exit after the smoke calls (status 1 when one failed) instead of serving until Ctrl-C")
		fs.Var(&o.secrets, "secret", "`reference=value`: a secret the env references, stored on the local stack before apply (repeatable), e.g. ssm:/items/prod/admin-token-sha256=<sha256 hex>")
		fs.StringVar(&o.secretsFile, "secrets-file", "", "file of reference=value lines (# comments), stored like -secret")
		fs.BoolVar(&o.watch, "watch", true, "while serving, rebuild and swap a handler when its Go source changes, and regenerate and apply when routes.yaml or a schema changes")
		fs.IntVar(&o.procs, "concurrency", runner.DefaultConcurrency, "processes each function may run at once, started as parallel requests need them")
		return func(ctx context.Context, std *stdio, args []string) int {
			if !noArgs(std, "local up", args) {
				return 2
			}
			if o.secretsFile != "" {
				more, err := ReadSecretsFile(o.secretsFile)
				if err != nil {
					fmt.Fprintln(std.errOut, "apibuilder local up: -secrets-file:", err)
					return 2
				}
				o.secrets = append(o.secrets, more...)
			}
			if o.procs < 1 {
				fmt.Fprintf(std.errOut, "apibuilder local up: -concurrency %d: give 1 or more processes per function\n", o.procs)
				return 2
			}
			if err := up(ctx, o, std.out); err != nil {
				return fail(std, "local up", err, "nothing was deployed")
			}
			return 0
		}
	},
}

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

// up is the one-command local run: the project on a local stack
// (target.Local), smoke calls, then serve until ctx ends, keeping the
// deployment up to date with the project (-watch). Failed smoke calls
// are reported and the API serves on (an error with -exit-after-smoke).
func up(ctx context.Context, o upOptions, out io.Writer) error {
	tg, err := target.Local(ctx, target.Options{
		Config: o.config, Env: o.env, Port: o.port, Out: out, Progress: isTerminal(out),
		FunctionLogs: out, AccessLog: linePrefix{out, "[access] "}, Secrets: o.secrets, Concurrency: o.procs,
	})
	if err != nil {
		if missingSecret(err) {
			return fmt.Errorf("%w\nenv %s reads a secret the local stack does not have: store each one it references with -secret <reference>=<value> or -secrets-file (docs/secrets.md)", err, o.env)
		}
		return err
	}
	defer tg.Close()

	fmt.Fprintln(out, "==> smoke calls")
	calls := apitest.Calls(tg.Result, tg.Keys, true, o.env)
	failed := smoke(ctx, tg, calls, out)

	fmt.Fprintf(out, "\nInvoke URL: %s\n", tg.URL)
	fmt.Fprintf(out, "(on AWS this stage is %s)\n\nTry:\n", tg.Outputs.InvokeURL)
	for _, c := range calls {
		if c.Skip == "" {
			fmt.Fprintf(out, "  %s\n", c.Curl(tg.URL))
		}
	}
	if o.smoke {
		if failed > 0 {
			return fmt.Errorf("%d smoke call(s) failed", failed)
		}
		return nil
	}
	if failed > 0 {
		fix := "fix the handler, stop with Ctrl-C and run local up again"
		if o.watch {
			fix = "fix the handler and save: the watch swaps the new build in"
		}
		fmt.Fprintf(out, "\n%d smoke call(s) failed (see the function's log lines above); the API serves on: %s.\n", failed, fix)
	}
	fmt.Fprintln(out, "\nServing; press Ctrl-C to stop (everything started here stops with it; -watch=false serves without watching).")
	if o.watch {
		if err := tg.Session.Watch(ctx, session.WatchOptions{Out: out}); err != nil {
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
func smoke(ctx context.Context, tg *target.Target, calls []apitest.Call, out io.Writer) int {
	client := &http.Client{Timeout: 30 * time.Second}
	failed := 0
	for _, c := range calls {
		label := fmt.Sprintf("    %-7s %-32s", c.Method, c.Path)
		if c.Skip != "" {
			fmt.Fprintf(out, "%s skipped: %s\n", label, c.Skip)
			continue
		}
		status, _, err := c.Do(ctx, client, tg)
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
