package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/internal/fsutil"
	"github.com/apibuilder/apibuilder/local/dataplane"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/stack"
)

// upOptions are the flags of "local up".
type upOptions struct {
	config string
	env    string
	port   int
	smoke  bool // exit after the smoke calls
}

// runUp is the one-command local run: tools, emulators, generate, apply,
// functions, data plane, smoke calls, then serve until interrupted.
func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o upOptions
	fs.StringVar(&o.config, "config", "routes.yaml", "routes file")
	fs.StringVar(&o.env, "env", "dev", "environment to deploy")
	fs.IntVar(&o.port, "port", 0, "port of the local API (default: a free port)")
	fs.BoolVar(&o.smoke, "exit-after-smoke", false, "exit after the smoke calls instead of serving until Ctrl-C")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := up(ctx, o, stdout); err != nil {
		fmt.Fprintln(stderr, "local up:", err)
		return 1
	}
	return 0
}

func up(ctx context.Context, o upOptions, out io.Writer) error {
	step := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }
	root, err := filepath.Abs(filepath.Dir(o.config))
	if err != nil {
		return err
	}

	step("generate (%s)", o.config)
	gen := exec.CommandContext(ctx, "go", "run", "./generator", "-config", o.config, "-env", o.env)
	gen.Stdout, gen.Stderr = out, out
	if err := gen.Run(); err != nil {
		return fmt.Errorf("generator: %w", err)
	}

	step("local stack: tools, moto for API Gateway, kumo for the rest")
	logDir := filepath.Join(root, "build", "local", "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	emuLog, err := os.Create(filepath.Join(logDir, "emulators.log"))
	if err != nil {
		return err
	}
	defer emuLog.Close()
	st, err := stack.Up(ctx, stack.Options{Logs: emuLog, Progress: out})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(out, "    kumo %s, moto %s (logs: %s)\n", st.Endpoints.Kumo, st.Endpoints.APIGateway, emuLog.Name())

	step("terraform apply envs/%s on the local stack", o.env)
	work, err := localCopy(root, o.env)
	if err != nil {
		return err
	}
	tfLog, err := os.Create(filepath.Join(logDir, "terraform.log"))
	if err != nil {
		return err
	}
	defer tfLog.Close()
	ws, err := st.Workspace(work, tfLog)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := ws.Init(ctx, nil); err != nil {
		return err
	}
	if err := ws.Apply(ctx); err != nil {
		return fmt.Errorf("%w (full output: %s)", err, tfLog.Name())
	}
	outputs, err := ws.Outputs(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "    applied in %s (terraform output: %s)\n", time.Since(start).Round(100*time.Millisecond), tfLog.Name())

	step("functions")
	// Every function the env deploys, routes and Lambda authorizers alike,
	// with the handler directory the generator built it from.
	var fns []runner.Function
	for name, src := range outputs.FunctionSources {
		fns = append(fns, runner.Function{Name: name, SourceDir: filepath.Join(root, filepath.FromSlash(src))})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	run, err := runner.Start(ctx, runner.Config{Lambda: st.Lambda(), KumoURL: st.Endpoints.Kumo, ModuleRoot: root, ExtraEnv: st.AWSEnv(), Logs: out}, fns)
	if err != nil {
		return err
	}
	defer run.Stop()

	step("execute-api data plane")
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(o.port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", o.port, err)
	}
	plane := dataplane.New(dataplane.Config{APIGateway: st.APIGateway(), Lambda: st.Lambda(), AccessLog: linePrefix{out, "[access] "}})
	srv := &http.Server{Handler: plane, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(dataplane.Listener(ln)) }() // the client's header casing reaches the functions
	defer srv.Close()
	base := dataplane.InvokeURL("http://"+ln.Addr().String(), outputs.RestAPIID, outputs.StageName)

	step("smoke calls")
	// Smoke calls carry an API key, so key-protected routes reach their
	// functions; other authorizers answer 401/403, which still proves the
	// gateway serves the route.
	key := ""
	if names := slices.Sorted(maps.Keys(outputs.APIKeyValues)); len(names) > 0 {
		key = outputs.APIKeyValues[names[0]]
	}
	routes, err := deployedRoutes(ctx, st.APIGateway(), outputs.RestAPIID)
	if err != nil {
		return err
	}
	failed := smoke(ctx, base, routes, key, out)

	fmt.Fprintf(out, "\nInvoke URL: %s\n", base)
	fmt.Fprintf(out, "(on AWS this stage is %s)\n\nTry:\n", outputs.InvokeURL)
	for _, r := range routes {
		fmt.Fprintf(out, "  %s\n", r.curl(base, key))
	}
	if failed > 0 {
		return fmt.Errorf("%d smoke call(s) failed", failed)
	}
	if o.smoke {
		return nil
	}
	fmt.Fprintln(out, "\nServing; press Ctrl-C to stop (everything started here stops with it).")
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

// smoke calls every deployed method once (path parameters become "smoke")
// and counts answers that show the platform failing: 5xx or no answer. 4xx
// is fine: it proves that routing, auth and validation ran.
func smoke(ctx context.Context, base string, routes []deployedRoute, apiKey string, out io.Writer) int {
	client := &http.Client{Timeout: 30 * time.Second}
	failed := 0
	for _, r := range routes {
		path := paramRe.ReplaceAllString(r.Path, "smoke")
		req, err := http.NewRequestWithContext(ctx, r.Method, base+path, strings.NewReader(`{}`))
		if err != nil {
			failed++
			continue
		}
		req.Header.Set("Content-Type", "application/json")
		if apiKey != "" {
			req.Header.Set("x-api-key", apiKey)
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintf(out, "    %-7s %-24s error: %v\n", r.Method, path, err)
			failed++
			continue
		}
		_ = resp.Body.Close()
		mark := "ok"
		if resp.StatusCode >= 500 {
			mark = "FAILED"
			failed++
		}
		fmt.Fprintf(out, "    %-7s %-24s %d %s\n", r.Method, path, resp.StatusCode, mark)
	}
	return failed
}

var paramRe = regexp.MustCompile(`\{[^}]+\}`)

// localCopy lays out build/local/<project tree> so the env's relative paths
// (../../modules, ../../build/functions, ../../schemas) still resolve, and
// adds a backend override: local runs never touch the real state.
func localCopy(root, env string) (string, error) {
	base := filepath.Join(root, "build", "local", "project")
	if err := os.RemoveAll(base); err != nil {
		return "", err
	}
	for _, rel := range []string{filepath.Join("envs", env), "modules", "schemas", filepath.Join("build", "functions")} {
		if err := fsutil.CopyTree(filepath.Join(root, rel), filepath.Join(base, rel), skipState); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	work := filepath.Join(base, "envs", env)
	override := "# Written by `local up`: the local stack keeps its state here, never in your backend.\nterraform {\n  backend \"local\" {}\n}\n"
	if err := os.WriteFile(filepath.Join(work, "local_override.tf"), []byte(override), 0o644); err != nil {
		return "", err
	}
	return work, nil
}

// skipState leaves Terraform's working data and state out of a copy.
func skipState(rel string, d os.DirEntry) bool {
	name := d.Name()
	return name == ".terraform" || strings.Contains(name, ".tfstate")
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
