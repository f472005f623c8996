package main

// The Terraform benchmark measures two generations of apibuilder side by
// side in one run (issue #25): the per-resource generation (one Terraform
// resource per path, method, integration, model, validator and authorizer,
// and a second `apply -replace` of the deployment when an apply deleted
// part of the API), built from this repository's history, and body mode
// (the REST API is one OpenAPI document), built from this tree. Each is
// measured on a project it generated with its own binary and its own
// modules.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/local/stack"
)

// perResourceCommit is the last commit of the per-resource generation
// (test/bodyupgrade_test.go upgrades from the same one).
const perResourceCommit = "b28d7afd14b450359d5d9b39578d7587c62d5c76"

// A generation is one apibuilder to measure: its source tree (the project
// copies its handlers, lambdakit and modules from there) and its binary.
type generation struct {
	name   string // "per-resource" or "body"
	commit string // short commit it was built from
	src    string
	bin    string
}

func (g generation) label() string { return fmt.Sprintf("%s (%s)", g.name, g.commit) }

// buildGenerations builds the per-resource generation from git history
// (git archive, so the work tree is untouched) and this tree's apibuilder.
// cleanup removes what they were built into.
func buildGenerations(ctx context.Context, root string) (gens []generation, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "apibuilder-bench-generations-")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	build := func(src, bin string) error {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/apibuilder")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build of apibuilder in %s: %v\n%s", src, err, out)
		}
		return nil
	}
	prev := filepath.Join(tmp, "per-resource")
	if err := os.MkdirAll(prev, 0o755); err != nil {
		return nil, nil, err
	}
	archive := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, perResourceCommit, prev)
	if out, err := archive.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("git archive %s (the per-resource generation, from this repository's history; a shallow clone lacks it): %v\n%s", perResourceCommit[:7], err, out)
	}
	prevBin := filepath.Join(tmp, "apibuilder-"+perResourceCommit[:7])
	if err := build(prev, prevBin); err != nil {
		return nil, nil, err
	}
	head, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short=7", "HEAD").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("git rev-parse HEAD: %w", err)
	}
	commit := strings.TrimSpace(string(head))
	if st, _ := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); len(bytes.TrimSpace(st)) > 0 {
		commit += "+changes"
	}
	bodyBin := filepath.Join(tmp, "apibuilder-body")
	if err := build(root, bodyBin); err != nil {
		return nil, nil, err
	}
	return []generation{
		{name: "per-resource", commit: perResourceCommit[:7], src: prev, bin: prevBin},
		{name: "body", commit: commit, src: root, bin: bodyBin},
	}, cleanup, nil
}

// run runs the generation's apibuilder in the project dir with the stack's
// environment (env may be nil: no stack), writing its output to log.
func (g generation) run(ctx context.Context, dir string, env []string, log io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, log)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		tail := out.String()
		if len(tail) > 4000 {
			tail = "..." + tail[len(tail)-4000:]
		}
		return fmt.Errorf("apibuilder %s (%s): %v\n%s", strings.Join(args, " "), g.label(), err, tail)
	}
	return nil
}

// deployEnv is the process environment for apibuilder deploy against the
// stack: the stack's AWS and Terraform variables (an empty value unsets),
// its terraform first on PATH (deploy runs the terraform it finds there),
// and no CI variables (deploy refuses local state in CI).
func deployEnv(st *stack.Stack, binDir string) ([]string, error) {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	link := filepath.Join(binDir, "terraform")
	if _, err := os.Lstat(link); err != nil {
		if err := os.Symlink(st.Tools.Terraform, link); err != nil {
			return nil, err
		}
	}
	set := st.Env()
	set["CI"], set["GITHUB_ACTIONS"] = "", ""
	var env []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok {
			continue
		}
		if k == "PATH" {
			kv = "PATH=" + binDir + string(os.PathListSeparator) + v
		}
		env = append(env, kv)
	}
	for k, v := range set {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env, nil
}

// moveOneRoute changes one route's path in the synthetic routes.yaml
// (route r1, GET /r0/items/{id}, moves to /r0/moved/{id}): the per-resource
// generation creates two API Gateway resources and a method and deletes
// the old method; body mode imports a changed document.
func moveOneRoute(cfg string) error {
	data, err := os.ReadFile(cfg)
	if err != nil {
		return err
	}
	const from, to = `name: r1, method: GET, path: "/r0/items/{id}"`, `name: r1, method: GET, path: "/r0/moved/{id}"`
	if !bytes.Contains(data, []byte(from)) {
		return fmt.Errorf("%s: no route %q to move (bench/synth changed?)", cfg, from)
	}
	return os.WriteFile(cfg, bytes.Replace(data, []byte(from), []byte(to), 1), 0o644)
}

// stepClock is a writer of apibuilder deploy's output that notes when
// each of its steps ("==> generate ...", "==> terraform init", ...)
// starts, so that the change's time can be split by step.
type stepClock struct {
	partial []byte
	steps   []step
}

type step struct {
	name  string
	start time.Time
}

func (c *stepClock) Write(p []byte) (int, error) {
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		if name, ok := strings.CutPrefix(line, "==> "); ok {
			// "terraform init (envs/dev)" -> "terraform init"; "generate envs/dev" -> "generate".
			if f := strings.Fields(name); len(f) > 0 {
				name = f[0]
				if f[0] == "terraform" && len(f) > 1 {
					name = "terraform " + f[1]
				}
			}
			c.steps = append(c.steps, step{name, time.Now()})
		}
		if strings.Contains(line, "after the stage's deployment was created") {
			c.steps = append(c.steps, step{"apply -replace", time.Now()})
		}
	}
}

// split says how long each step took, the last one until end.
func (c *stepClock) split(start, end time.Time) string {
	var parts []string
	if len(c.steps) > 0 && c.steps[0].start.Sub(start) >= 50*time.Millisecond {
		parts = append(parts, fmt.Sprintf("start %.1f", c.steps[0].start.Sub(start).Seconds()))
	}
	for i, s := range c.steps {
		next := end
		if i+1 < len(c.steps) {
			next = c.steps[i+1].start
		}
		parts = append(parts, fmt.Sprintf("%s %.1f", strings.TrimPrefix(s.name, "terraform "), next.Sub(s.start).Seconds()))
	}
	return strings.Join(parts, ", ")
}

// load1 is the machine's one-minute load average ("?" when unknown): on
// 2 shared cores, other work slows every figure.
func load1() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// ratio formats b/a ("0.12x"), or "-" when a is zero.
func ratio(b, a float64) string {
	if a == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", b/a)
}

// writeSideBySide writes, for each route count and parallelism, the
// per-resource generation against body mode, and then the goals
// against body mode's largest measurement.
func writeSideBySide(w io.Writer, results []tfResult, gens []generation) {
	type key struct{ routes, parallelism int }
	by := map[key]map[string]tfResult{}
	var keys []key
	for _, r := range results {
		k := key{r.routes, r.parallelism}
		if by[k] == nil {
			by[k] = map[string]tfResult{}
			keys = append(keys, k)
		}
		by[k][r.gen] = r
	}
	prev, body := gens[0], gens[1]
	fmt.Fprintf(w, "### Per-resource vs body mode, side by side\n\n")
	fmt.Fprintf(w, "The same synthetic project (bench/synth), generated by each generation's own `apibuilder generate` with the modules it carries, "+
		"applied to its own fresh local stack. **per-resource** is apibuilder at %s (the last commit before body mode): one Terraform resource per "+
		"path, method, integration, model, validator and authorizer. **body** is this tree (%s): the REST API is one OpenAPI document "+
		"(`aws_api_gateway_rest_api.body`), imported whole by PutRestApi; each route keeps its function, role, log group and invoke permission.\n\n",
		prev.commit, body.commit)
	fmt.Fprintf(w, "- *API Gateway calls*: every call to the API Gateway control plane during the first apply, counted by the stack's proxy (`stack.Options.Instrument`).\n")
	fmt.Fprintf(w, "- *apply*, *re-plan* (refreshing), *destroy*: plain `terraform apply`, `plan`, `destroy` with the same terraform and provider for both.\n")
	fmt.Fprintf(w, "- *one-route change*: route r1 moves from `/r0/items/{id}` to `/r0/moved/{id}` in routes.yaml, then that generation's own "+
		"`apibuilder deploy -env dev -auto-approve` (generate, terraform init, plan, apply of that plan; for per-resource also its second "+
		"`apply -replace` of the deployment, which a moved route needs so that the stage stops serving the old path). "+
		"The change's API Gateway calls are counted the same way.\n")
	fmt.Fprintf(w, "- *body/per-resource*: body mode's figure divided by per-resource's (below 1: body mode is faster or makes fewer calls).\n\n")
	fmt.Fprintf(w, "| routes | parallelism | generation | resources | API Gateway calls | apply | apply per route | re-plan | one-route change | its API Gateway calls | destroy |\n")
	fmt.Fprintf(w, "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, k := range keys {
		rs := by[k]
		for _, g := range gens {
			r, ok := rs[g.name]
			if !ok {
				fmt.Fprintf(w, "| %d | %d | %s | failed | | | | | | | |\n", k.routes, k.parallelism, g.name)
				continue
			}
			change := secs(r.change)
			if r.redeployed {
				change += " (2 applies)"
			}
			fmt.Fprintf(w, "| %d | %d | %s | %d | %d | %s | %.2f s | %s | %s | %d | %s |\n", k.routes, k.parallelism, g.name, r.resources, r.calls,
				secs(r.apply), r.apply.Seconds()/float64(r.routes), secs(r.replan), change, r.changeCalls, secs(r.destroy))
		}
		a, okA := rs[prev.name]
		b, okB := rs[body.name]
		if okA && okB {
			fmt.Fprintf(w, "| %d | %d | *body/per-resource* | %s | %s | %s | %s | %s | %s | %s | %s |\n", k.routes, k.parallelism,
				ratio(float64(b.resources), float64(a.resources)), ratio(float64(b.calls), float64(a.calls)), ratio(b.apply.Seconds(), a.apply.Seconds()),
				ratio(b.apply.Seconds(), a.apply.Seconds()), ratio(b.replan.Seconds(), a.replan.Seconds()), ratio(b.change.Seconds(), a.change.Seconds()),
				ratio(float64(b.changeCalls), float64(a.changeCalls)), ratio(b.destroy.Seconds(), a.destroy.Seconds()))
		}
	}
	fmt.Fprintf(w, "\nThe one-route change by step of `apibuilder deploy` (seconds; *start*: before its first step, *apply -replace*: the per-resource generation's second apply):\n\n")
	fmt.Fprintf(w, "| routes | parallelism | generation | one-route change | by step |\n| ---: | ---: | --- | ---: | --- |\n")
	for _, k := range keys {
		for _, g := range gens {
			if r, ok := by[k][g.name]; ok {
				fmt.Fprintf(w, "| %d | %d | %s | %s | %s |\n", k.routes, k.parallelism, g.name, secs(r.change), r.changeSteps)
			}
		}
	}
	writeGoals(w, results, body.name)
}

// Issue #25's goals for body mode, measured at goalRoutes routes.
const (
	goalRoutes        = 200
	goalCalls         = 30
	goalApplyPerRoute = 0.5 // seconds
	goalReplanSeconds = 15
	goalChangeSeconds = 15
)

// writeGoals says, for body mode's measurements at the largest route count
// (the goals are stated for 200 routes), which of issue #25's goals are met.
func writeGoals(w io.Writer, results []tfResult, bodyName string) {
	var body []tfResult
	largest := 0
	for _, r := range results {
		if r.gen == bodyName {
			body = append(body, r)
			largest = max(largest, r.routes)
		}
	}
	if len(body) == 0 {
		return
	}
	fmt.Fprintf(w, "\n#### Issue #25's goals for body mode\n\n")
	if largest != goalRoutes {
		fmt.Fprintf(w, "The goals are stated for %d routes; this run's largest is %d, so the verdicts below are for %d routes only.\n\n", goalRoutes, largest, largest)
	}
	// Calls constant in routes: one row per route count (first parallelism).
	var calls []string
	seen := map[int]bool{}
	minC, maxC := -1, 0
	for _, r := range body {
		if seen[r.routes] {
			continue
		}
		seen[r.routes] = true
		calls = append(calls, fmt.Sprintf("%d at %d routes", r.calls, r.routes))
		if minC < 0 || r.calls < minC {
			minC = r.calls
		}
		maxC = max(maxC, r.calls)
	}
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**not met**"
	}
	fmt.Fprintf(w, "| goal | measured | ratio to the goal | verdict |\n| --- | --- | ---: | --- |\n")
	var largestCalls int
	for _, r := range body {
		if r.routes == largest {
			largestCalls = r.calls
			break
		}
	}
	fmt.Fprintf(w, "| API Gateway calls constant in routes, <= %d per API at %d routes | %s | %.2f | %s |\n", goalCalls, goalRoutes,
		strings.Join(calls, ", "), float64(largestCalls)/goalCalls, verdict(largestCalls <= goalCalls && maxC-minC <= max(2, maxC/10)))
	for _, r := range body {
		if r.routes != largest {
			continue
		}
		per := r.apply.Seconds() / float64(r.routes)
		fmt.Fprintf(w, "| apply <= %.1f s per route (-parallelism=%d) | %.2f s per route (%s) | %.2f | %s |\n", goalApplyPerRoute, r.parallelism, per, secs(r.apply), per/goalApplyPerRoute, verdict(per <= goalApplyPerRoute))
		fmt.Fprintf(w, "| re-plan <= %d s (-parallelism=%d) | %s | %.2f | %s |\n", goalReplanSeconds, r.parallelism, secs(r.replan), r.replan.Seconds()/goalReplanSeconds, verdict(r.replan.Seconds() <= goalReplanSeconds))
		fmt.Fprintf(w, "| one-route change <= %d s (-parallelism=%d) | %s | %.2f | %s |\n", goalChangeSeconds, r.parallelism, secs(r.change), r.change.Seconds()/goalChangeSeconds, verdict(r.change.Seconds() <= goalChangeSeconds))
	}
}
