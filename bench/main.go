// Command bench measures apibuilder at scale and writes BENCHMARKS.md:
// generator time for 10/100/1000 routes (go test -bench), packaging cold and
// warm, Terraform apply, re-plan, a one-route change and destroy on the
// local stack for growing numbers of routes, the per-resource generation
// and body mode side by side (generations.go), with the API Gateway calls
// each costs and what that implies on AWS, the local loop (watch.go: cold
// local up, edit to serve, route added) and the load of three functions
// through the data plane and by Lambda Invoke (load.go). Run it with
// bench/run; -only runs some sections and replaces just those in the report.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/instrument"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/testkit"
)

// AWS API Gateway control-plane limits (per account and region) that bound
// apply time on real AWS; the provider retries 429s.
const (
	awsRequestsPerSecond = 10.0
	awsDeploymentSeconds = 5.0 // CreateDeployment: 1 per 5 s
)

func main() {
	routes := flag.String("routes", "10,50,200", "route counts for the Terraform measurements")
	genRoutes := flag.String("generate-routes", "10,100,1000", "route counts for the whole-generate measurements")
	out := flag.String("out", "BENCHMARKS.md", "report file")
	par := flag.String("parallelism", "10,30", "terraform -parallelism values: each route count is measured at each (10 is Terraform's default)")
	only := flag.String("only", "", "comma-separated sections to run (generator, packaging, terraform, loop, load); their sections replace the same ones in -out, the rest of it stays")
	flag.Parse()
	sections := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !slices.Contains(allSections, s) {
				fmt.Fprintf(os.Stderr, "bench: -only %s: choose from %s\n", s, strings.Join(allSections, ", "))
				os.Exit(2)
			}
			sections[s] = true
		}
	}
	if err := run(context.Background(), parseInts(*routes), parseInts(*genRoutes), parseInts(*par), *out, sections); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// allSections are the report's sections, in order.
var allSections = []string{"generator", "packaging", "terraform", "loop", "load"}

func run(ctx context.Context, counts, genCounts, parallelisms []int, outPath string, only map[string]bool) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	want := func(s string) bool { return len(only) == 0 || only[s] }
	var report bytes.Buffer
	stamp := fmt.Sprintf("%s: %d cores, %s/%s, %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if len(only) == 0 {
		fmt.Fprintf(&report, "# Benchmarks\n\nWritten by `bench/run` on %s.\n\n", stamp)
	}
	// stamped says when a section of a partial run was measured: the rest
	// of the report may be older.
	stamped := func(sec *bytes.Buffer, name string) {
		if len(only) > 0 && sec.Len() > 0 {
			text := strings.Replace(sec.String(), "\n\n", fmt.Sprintf("\n\nMeasured by `bench/run -only %s` on %s.\n\n", name, stamp), 1)
			sec.Reset()
			sec.WriteString(text)
		}
		report.Write(sec.Bytes())
	}
	if want("generator") {
		var gen, whole bytes.Buffer
		fmt.Fprintln(os.Stderr, "== generator: parse, validate, render")
		if err := generatorBench(ctx, root, &gen); err != nil {
			return err
		}
		stamped(&gen, "generator")
		fmt.Fprintln(os.Stderr, "== generate, everything included")
		if err := generateBench(ctx, root, genCounts, &whole); err != nil {
			return err
		}
		stamped(&whole, "generator")
	}
	if want("packaging") {
		fmt.Fprintln(os.Stderr, "== packaging")
		if err := packagingBench(ctx, root, &report); err != nil {
			return err
		}
	}
	if want("terraform") {
		fmt.Fprintln(os.Stderr, "== terraform on the local stack")
		if len(counts) == 0 {
			fmt.Fprintln(os.Stderr, "   skipped (-routes is empty)")
		} else {
			var tf bytes.Buffer
			err := terraformBench(ctx, root, counts, parallelisms, &tf)
			stamped(&tf, "terraform")
			if err != nil {
				return err
			}
		}
	}
	if want("loop") {
		fmt.Fprintln(os.Stderr, "== the local loop: local up, edit to serve, route added, load")
		var loop bytes.Buffer
		err := loopBench(ctx, root, &loop)
		stamped(&loop, "loop")
		if err != nil {
			return err
		}
	}
	if want("load") {
		fmt.Fprintln(os.Stderr, "== load: the data plane and Lambda Invoke")
		var load bytes.Buffer
		err := loadSection(ctx, root, &load)
		stamped(&load, "load")
		if err != nil {
			return err
		}
	}
	if len(only) > 0 {
		old, err := os.ReadFile(outPath)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		report = *bytes.NewBuffer(mergeSections(old, report.Bytes()))
	}
	if err := os.WriteFile(outPath, report.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", outPath)
	return nil
}

var benchLine = regexp.MustCompile(`^BenchmarkGenerate/routes=(\d+)-\d+\s+\d+\s+(\d+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)

func generatorBench(ctx context.Context, root string, w io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "BenchmarkGenerate", "-benchmem", "-benchtime", "5x", "./generator/internal/render/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %v\n%s", err, out)
	}
	fmt.Fprintf(w, "## Generator: parse + validate + render (both environments)\n\n")
	fmt.Fprintf(w, "| routes | time | per route | memory | allocations |\n| ---: | ---: | ---: | ---: | ---: |\n")
	sc := bufio.NewScanner(bytes.NewReader(out))
	type row struct{ n, ns float64 }
	var rows []row
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		ns, _ := strconv.ParseFloat(m[2], 64)
		bytesOp, _ := strconv.ParseFloat(m[3], 64)
		fmt.Fprintf(w, "| %d | %.1f ms | %.2f ms | %.0f MiB | %s |\n", n, ns/1e6, ns/1e6/float64(n), bytesOp/(1<<20), m[4])
		rows = append(rows, row{float64(n), ns})
	}
	if len(rows) == 0 {
		return fmt.Errorf("no benchmark results in:\n%s", out)
	}
	if a, b := rows[0], rows[len(rows)-1]; len(rows) > 1 {
		fmt.Fprintf(w, "\n%.0fx the routes took %.1fx the time (linear growth: %.0fx). Target for 1,000 routes: well under a second.\n",
			b.n/a.n, b.ns/a.ns, b.n/a.n)
	}
	fmt.Fprintln(w)
	return nil
}

// packagingBench packages the example's handlers cold (an empty Go build
// cache and build/), with a warm Go cache, and with nothing changed, and
// lists each artifact's size.
func packagingBench(ctx context.Context, root string, w io.Writer) error {
	gocache, err := os.MkdirTemp("", "apibuilder-bench-gocache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(gocache)
	dir, err := os.MkdirTemp("", "apibuilder-bench-pkg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit", "schemas", "routes.yaml", "modules"} {
		if err := testkit.CopyTree(filepath.Join(root, name), filepath.Join(dir, name), nil); err != nil {
			return err
		}
	}
	old := os.Getenv("GOCACHE")
	_ = os.Setenv("GOCACHE", gocache)
	defer os.Setenv("GOCACHE", old)
	run := func(clean bool) (time.Duration, *generate.Result, error) {
		if clean {
			_ = os.RemoveAll(filepath.Join(dir, "build"))
		}
		start := time.Now()
		res, err := generate.Run(ctx, generate.Options{Config: filepath.Join(dir, "routes.yaml"), PackageOnly: true})
		return time.Since(start), res, err
	}
	cold, _, err := run(true)
	if err != nil {
		return err
	}
	warmGo, _, err := run(true)
	if err != nil {
		return err
	}
	warm, res, err := run(false)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Packaging the example's handlers\n\n| run | time |\n| --- | ---: |\n")
	fmt.Fprintf(w, "| cold (empty Go build cache and build/) | %s |\n| warm Go cache, empty build/ | %s |\n| nothing changed | %s |\n\n", secs3(cold), secs3(warmGo), secs3(warm))
	fmt.Fprintf(w, "warm/cold = %.4f (%.0fx faster when nothing changed). Artifacts:\n\n", float64(warm)/float64(cold), float64(cold)/float64(warm))
	for _, a := range res.Packages {
		fmt.Fprintf(w, "- %s: %s.zip, %.1f KiB\n", a.Name, a.Key[:12], float64(a.Size)/1024)
	}
	fmt.Fprintln(w)
	return nil
}

type tfResult struct {
	gen                                      string // generation: "per-resource" or "body"
	routes, parallelism, resources, calls    int
	change                                   time.Duration // one route moved, applied by the generation's apibuilder deploy
	changeCalls                              int           // API Gateway calls of that change
	changeSteps                              string        // its time by deploy step ("generate 1.2, terraform init 2.0, ...")
	load                                     string        // the one-minute load average when the run started and ended
	redeployed                               bool          // the change took a second apply -replace of the deployment
	generate, apply, replan, replanNoRefresh time.Duration
	destroy                                  time.Duration
	topOps                                   []string
	creates, destroys                        map[string][]int                  // resource type -> seconds each create (destroy) took
	applyTimes, destroyTimes                 map[string]instrument.ServiceTime // emulator answer time per service
	replayed                                 int                               // SDK retries the kumo proxy answered with the first answer
}

func terraformBench(ctx context.Context, root string, counts, parallelisms []int, w io.Writer) error {
	gens, cleanup, err := buildGenerations(ctx, root)
	if err != nil {
		return err
	}
	defer cleanup()
	var results []tfResult
	var failures []string
	for _, n := range counts {
		for _, p := range parallelisms {
			for _, g := range gens {
				fmt.Fprintf(os.Stderr, "-- %s: %d routes, -parallelism=%d\n", g.label(), n, p)
				r, err := measure(ctx, g, n, p)
				if err != nil {
					// Keep what was measured; say what failed.
					fmt.Fprintf(os.Stderr, "   failed: %v\n", err)
					failures = append(failures, fmt.Sprintf("- %s, %d routes, -parallelism=%d: the run failed: %s", g.label(), n, p, firstLine(err.Error())))
					continue
				}
				results = append(results, r)
			}
		}
	}
	if len(results) == 0 {
		return fmt.Errorf("no Terraform measurement succeeded:\n%s", strings.Join(failures, "\n"))
	}
	defer func() {
		if len(failures) > 0 {
			fmt.Fprintf(w, "\n## Runs that failed\n\n%s\n", strings.Join(failures, "\n"))
		}
	}()
	fmt.Fprintf(w, "## Terraform on the local stack (moto + kumo)\n\n")
	fmt.Fprintf(w, "Each route is one Lambda behind one method; every four routes share two resources (like the example API). ")
	fmt.Fprintf(w, "Two generations of apibuilder are measured in the same run, each on its own fresh stack.\n\n")
	writeSideBySide(w, results, gens)
	fmt.Fprintf(w, "\n### Every run\n\n")
	fmt.Fprintf(w, "Generate is the generation's `apibuilder generate -env dev`, building the zips included (all routes share one handler, so one build).\n\n")
	fmt.Fprintf(w, "The last column counts SDK retries of a call the emulator had already carried out, which the kumo proxy answered with the first answer (see \"Known differences from AWS\" in docs/local-stack.md).\n\n")
	fmt.Fprintf(w, "The machine's one-minute load average when each run started and ended is in the last column (2 cores, shared with other work: above 2, every figure here is slowed).\n\n")
	fmt.Fprintf(w, "| routes | parallelism | generation | resources | per route | generate | apply | apply per route | re-plan | re-plan -refresh=false | destroy | retries answered again | load |\n")
	fmt.Fprintf(w, "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		fmt.Fprintf(w, "| %d | %d | %s | %d | %.1f | %s | %s | %.2f s | %s | %s | %s | %d | %s |\n", r.routes, r.parallelism, r.gen, r.resources, float64(r.resources)/float64(r.routes),
			secs(r.generate), secs(r.apply), r.apply.Seconds()/float64(r.routes), secs(r.replan), secs(r.replanNoRefresh), secs(r.destroy), r.replayed, r.load)
	}
	writeSpeedups(w, results)
	// API Gateway calls do not depend on parallelism: report the first.
	var byP []tfResult
	for _, r := range results {
		if r.parallelism == results[0].parallelism {
			byP = append(byP, r)
		}
	}
	fmt.Fprintf(w, "\n## API Gateway calls and the floor of apply time on AWS\n\n")
	fmt.Fprintf(w, "Counted by a proxy in front of the emulator during apply. On AWS the control plane allows about %.0f requests/s per account and one CreateDeployment per %.0f s; the provider retries 429s, so calls/%.0f is a lower bound on apply time.\n\n", awsRequestsPerSecond, awsDeploymentSeconds, awsRequestsPerSecond)
	fmt.Fprintf(w, "| generation | routes | API Gateway calls | per route | minimum on AWS |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, g := range gens {
		for _, r := range byP {
			if r.gen == g.name {
				fmt.Fprintf(w, "| %s | %d | %d | %.1f | %.0f s |\n", r.gen, r.routes, r.calls, float64(r.calls)/float64(r.routes), float64(r.calls)/awsRequestsPerSecond+awsDeploymentSeconds)
			}
		}
	}
	sep := "\n"
	for _, g := range gens {
		var rs []tfResult
		for _, r := range byP {
			if r.gen == g.name {
				rs = append(rs, r)
			}
		}
		if len(rs) < 2 || rs[len(rs)-1].routes == rs[0].routes {
			continue
		}
		// Fit calls = fixed + perRoute * routes on the extremes.
		a, b := rs[0], rs[len(rs)-1]
		perRoute := float64(b.calls-a.calls) / float64(b.routes-a.routes)
		fixed := float64(a.calls) - perRoute*float64(a.routes)
		fmt.Fprintf(w, "%s- %s: fitted %.2f calls per route + %.0f per API. Implied minimum apply time on AWS: ", sep, g.name, perRoute, fixed)
		sep = ""
		for i, n := range []int{100, 300} {
			if i > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "%.0f s for %d routes", (fixed+perRoute*float64(n))/awsRequestsPerSecond+awsDeploymentSeconds, n)
		}
		fmt.Fprint(w, ".\n")
	}
	for _, g := range gens {
		var last *tfResult
		for i, r := range byP {
			if r.gen == g.name {
				last = &byP[i]
			}
		}
		if last == nil {
			continue
		}
		fmt.Fprintf(w, "\nMost frequent operations at %d routes, %s:\n\n| operation | calls |\n| --- | ---: |\n", last.routes, g.name)
		for _, row := range last.topOps {
			fmt.Fprintln(w, row)
		}
	}
	fmt.Fprintf(w, "\n## What dominates apply time\n\n")
	fmt.Fprintf(w, "Terraform's own timings (\"Creation complete after Ns\", \"Destruction complete after Ns\", whole seconds) of the first apply and the destroy, summed by resource type for the five largest; Terraform runs up to -parallelism operations at once, so summed/parallelism is each type's share of wall time.\n\n")
	fmt.Fprintf(w, "| routes | parallelism | generation | phase | resource type | count | mean | slowest | summed |\n| ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		writeOpTimes(w, r, "create", r.creates)
		writeOpTimes(w, r, "destroy", r.destroys)
	}
	fmt.Fprint(w, `
Every `+"`aws_lambda_function`"+` create takes at least 5 s whatever answers it: the AWS provider
waits a fixed 5 s after CreateFunction before it polls for the Active state (kumo answers
Active at once), and the wait holds one of Terraform's parallel slots. N functions therefore
cost at least N x 5 s / parallelism of wall time, in both generations, which is why a higher
-parallelism helps apply; it does not help destroy, which has no such wait.
`)
	fmt.Fprintf(w, "\nTime the emulators took to answer, by service (summed over calls, which overlap: Terraform runs up to -parallelism operations at once, so a sum near parallelism x wall means the emulators were the bottleneck, a sum well below it means Terraform and the provider were).\n\n")
	fmt.Fprintf(w, "| routes | parallelism | generation | phase | service | calls | summed time | mean | slowest |\n| ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		writeServiceTimes(w, "apply", r, r.applyTimes, r.apply)
		writeServiceTimes(w, "destroy", r, r.destroyTimes, r.destroy)
	}
	fmt.Fprint(w, `
Functions deploy from S3 (`+"`s3_bucket`/`s3_key`"+`). Deployed from a local `+"`filename`"+`
instead, the AWS provider holds one provider-wide lock for each whole create ("reading one
function into memory at a time"), and functions completed one after another: measured
before the change, 10 routes applied in 56.3 s and 50 routes in 270.6 s (5.4 s per route),
with the last function finishing 5 s x N into its create.
`)
	return nil
}

// measure generates a synthetic project of n routes with generation g,
// and applies, re-plans, changes one route and destroys it on a fresh
// local stack at the given -parallelism.
func measure(ctx context.Context, g generation, n, parallelism int) (tfResult, error) {
	res := tfResult{gen: g.name, routes: n, parallelism: parallelism, load: load1()}
	dir, err := os.MkdirTemp("", "apibuilder-bench-project-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit", "modules"} {
		if err := exec.CommandContext(ctx, "cp", "-r", filepath.Join(g.src, name), filepath.Join(dir, name)).Run(); err != nil {
			return res, fmt.Errorf("copy %s: %w", name, err)
		}
	}
	cfg, err := synth.Project(dir, n, "functions/get_item")
	if err != nil {
		return res, err
	}
	logs, err := os.CreateTemp("", "apibuilder-bench-*.log")
	if err != nil {
		return res, err
	}
	defer logs.Close()
	start := time.Now()
	if err := g.run(ctx, dir, nil, logs, "generate", "-env", "dev"); err != nil {
		return res, err
	}
	res.generate = time.Since(start)

	st, err := stack.Up(ctx, stack.Options{Logs: logs, Progress: os.Stderr, Instrument: true})
	if err != nil {
		return res, err
	}
	defer st.Close()
	// Access logs need the account's API Gateway CloudWatch role, as on AWS.
	if _, err := st.BootstrapAccount(ctx); err != nil {
		return res, err
	}
	ws, err := st.Workspace(filepath.Join(dir, "envs", "dev"), logs)
	if err != nil {
		return res, err
	}
	if err := ws.Init(ctx, nil); err != nil {
		return res, err
	}
	ws.Parallelism = parallelism
	before := st.APIGatewayCalls()
	timesBefore := st.ServiceTimes()
	start = time.Now()
	if err := ws.Apply(ctx); err != nil {
		return res, fmt.Errorf("%w (log: %s)", err, logs.Name())
	}
	res.apply = time.Since(start)
	res.applyTimes = timeDelta(timesBefore, st.ServiceTimes())
	delta := callDelta(before, st.APIGatewayCalls())
	res.calls = instrument.TotalCalls(delta)
	for i, op := range instrument.SortedOps(delta) {
		if i == 8 {
			break
		}
		res.topOps = append(res.topOps, fmt.Sprintf("| `%s` | %d |", op, delta[op]))
	}
	if res.resources, err = ws.ResourceCount(ctx); err != nil {
		return res, err
	}
	start = time.Now()
	changed, err := ws.Plan(ctx)
	if err != nil {
		return res, err
	}
	res.replan = time.Since(start)
	if changed {
		return res, fmt.Errorf("the re-plan after apply is not empty (log: %s)", logs.Name())
	}
	ws.NoRefresh = true
	start = time.Now()
	if _, err := ws.Plan(ctx); err != nil {
		return res, err
	}
	res.replanNoRefresh = time.Since(start)
	ws.NoRefresh = false
	// Terraform's timings of the first apply: the log so far.
	if data, err := os.ReadFile(logs.Name()); err == nil {
		res.creates = opTimes(data, created)
	}

	// One route moves; the generation's own deploy applies it.
	if err := moveOneRoute(cfg); err != nil {
		return res, err
	}
	env, err := deployEnv(st, filepath.Join(dir, ".bench-bin"))
	if err != nil {
		return res, err
	}
	var deployLog bytes.Buffer
	clock := &stepClock{}
	before = st.APIGatewayCalls()
	start = time.Now()
	if err := g.run(ctx, dir, env, io.MultiWriter(logs, &deployLog, clock), "deploy", "-env", "dev", "-auto-approve", "-parallelism", strconv.Itoa(parallelism)); err != nil {
		return res, fmt.Errorf("%w (log: %s)", err, logs.Name())
	}
	res.change = time.Since(start)
	res.changeSteps = clock.split(start, start.Add(res.change))
	res.changeCalls = instrument.TotalCalls(callDelta(before, st.APIGatewayCalls()))
	res.redeployed = strings.Contains(deployLog.String(), "after the stage's deployment was created")
	offset := int64(0)
	if fi, err := logs.Stat(); err == nil {
		offset = fi.Size()
	}

	timesBefore = st.ServiceTimes()
	start = time.Now()
	if err := ws.Destroy(ctx); err != nil {
		return res, err
	}
	res.destroy = time.Since(start)
	res.destroyTimes = timeDelta(timesBefore, st.ServiceTimes())
	// Terraform's timings of the destroy, and the kumo proxy's replays.
	if data, err := os.ReadFile(logs.Name()); err == nil {
		res.destroys = opTimes(data[min(offset, int64(len(data))):], destroyed)
		res.replayed = bytes.Count(data, []byte("answered again"))
	}
	res.load += " / " + load1()
	again := ""
	if res.redeployed {
		again = " (with a second apply -replace)"
	}
	fmt.Fprintf(os.Stderr, "   %d resources, apply %s, %d API Gateway calls, re-plan %s / %s, one-route change %s%s (%s), %d calls, destroy %s\n",
		res.resources, secs(res.apply), res.calls, secs(res.replan), secs(res.replanNoRefresh), secs(res.change), again, res.changeSteps, res.changeCalls, secs(res.destroy))
	if os.Getenv("APIBUILDER_BENCH_KEEP_LOGS") != "" {
		fmt.Fprintf(os.Stderr, "   log: %s\n", logs.Name())
	} else {
		_ = os.Remove(logs.Name())
	}
	return res, nil
}

// callDelta is the calls made between two counts, by operation.
func callDelta(before, after map[string]int) map[string]int {
	delta := map[string]int{}
	for op, c := range after {
		if d := c - before[op]; d > 0 {
			delta[op] = d
		}
	}
	return delta
}

// timeDelta is the emulators' answer time between two readings. The
// recorder keeps one slowest call since the stack started: when it did not
// grow, the slowest call of this phase is unknown (Max -1, written "-").
func timeDelta(before, after map[string]instrument.ServiceTime) map[string]instrument.ServiceTime {
	out := map[string]instrument.ServiceTime{}
	for svc, a := range after {
		b := before[svc]
		if a.Calls > b.Calls {
			slowest := a.Max
			if b.Calls > 0 && a.Max <= b.Max {
				slowest = -1
			}
			out[svc] = instrument.ServiceTime{Calls: a.Calls - b.Calls, Total: a.Total - b.Total, Max: slowest}
		}
	}
	return out
}

// writeOpTimes writes the five resource types with the most summed time.
func writeOpTimes(w io.Writer, r tfResult, phase string, byType map[string][]int) {
	sum := func(ds []int) (n int) {
		for _, d := range ds {
			n += d
		}
		return n
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		a, b := sum(byType[types[i]]), sum(byType[types[j]])
		return a > b || a == b && types[i] < types[j]
	})
	for i, t := range types {
		ds := byType[t]
		if i == 5 || sum(ds) == 0 {
			break
		}
		fmt.Fprintf(w, "| %d | %d | %s | %s | `%s` | %d | %.1f s | %d s | %d s |\n", r.routes, r.parallelism, r.gen, phase, t, len(ds), float64(sum(ds))/float64(len(ds)), slices.Max(ds), sum(ds))
	}
}

// writeServiceTimes writes one row per service, most time first.
func writeServiceTimes(w io.Writer, phase string, r tfResult, times map[string]instrument.ServiceTime, wall time.Duration) {
	svcs := make([]string, 0, len(times))
	var sum time.Duration
	for svc, t := range times {
		svcs = append(svcs, svc)
		sum += t.Total
	}
	sort.Slice(svcs, func(i, j int) bool { return times[svcs[i]].Total > times[svcs[j]].Total })
	for _, svc := range svcs {
		t := times[svc]
		slowest := "-"
		if t.Max >= 0 {
			slowest = fmt.Sprintf("%.1f s", t.Max.Seconds())
		}
		fmt.Fprintf(w, "| %d | %d | %s | %s | %s | %d | %.1f s | %.0f ms | %s |\n", r.routes, r.parallelism, r.gen, phase, svc, t.Calls, t.Total.Seconds(),
			float64(t.Total.Milliseconds())/float64(t.Calls), slowest)
	}
	fmt.Fprintf(w, "| %d | %d | %s | %s | all (wall %s) | | %.1f s = %.1f x wall | | |\n", r.routes, r.parallelism, r.gen, phase, secs(wall), sum.Seconds(), sum.Seconds()/wall.Seconds())
}

// created matches terraform's "module.route[\"x\"].aws_lambda_function.this: Creation complete after 5s".
var (
	created   = regexp.MustCompile(`(aws_[a-z0-9_]+)\.[^\s.]+: Creation complete after (\d+)s`)
	destroyed = regexp.MustCompile(`(aws_[a-z0-9_]+)\.[^\s.]+: Destruction complete after (\d+)s`)
)

// opTimes reads, from terraform's output, how many seconds each resource's
// create (or destroy) took, by resource type.
func opTimes(data []byte, op *regexp.Regexp) map[string][]int {
	out := map[string][]int{}
	for _, m := range op.FindAllSubmatch(data, -1) {
		n, _ := strconv.Atoi(string(m[2]))
		out[string(m[1])] = append(out[string(m[1])], n)
	}
	return out
}

// writeSpeedups compares each route count's apply and destroy across parallelisms.
func writeSpeedups(w io.Writer, results []tfResult) {
	type key struct {
		gen    string
		routes int
	}
	first := map[key]tfResult{}
	var lines []string
	for _, r := range results {
		k := key{r.gen, r.routes}
		f, ok := first[k]
		if !ok {
			first[k] = r
			continue
		}
		lines = append(lines, fmt.Sprintf("- %s, %d routes: -parallelism=%d applied in %.2fx and destroyed in %.2fx the time of -parallelism=%d.",
			r.gen, r.routes, r.parallelism, r.apply.Seconds()/f.apply.Seconds(), r.destroy.Seconds()/f.destroy.Seconds(), f.parallelism))
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(lines, "\n"))
	}
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "Error:") {
			return l
		}
	}
	return s
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func parseInts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// mergeSections replaces, in an existing report, each "## " section that
// fresh has (by its heading) with fresh's, keeping their order; sections
// the report lacks are appended.
func mergeSections(report, fresh []byte) []byte {
	split := func(text string) (string, []string) {
		parts := strings.Split(text, "\n## ")
		head := parts[0]
		var secs []string
		for _, p := range parts[1:] {
			secs = append(secs, "## "+p)
		}
		if strings.HasPrefix(text, "## ") {
			head, secs = "", append([]string{text[:len(parts[0])]}, secs...)
		}
		return head, secs
	}
	heading := func(sec string) string { return strings.SplitN(sec, "\n", 2)[0] }
	head, old := split(string(report))
	_, add := split(string(fresh))
	// A fresh section the report lacks goes right after the fresh section
	// before it, so a run's sections stay in the run's order.
	index := map[string]int{}
	for i, s := range add {
		index[heading(s)] = i
	}
	inOld := map[string]bool{}
	for _, s := range old {
		inOld[heading(s)] = true
	}
	placed := map[int]bool{}
	var out []string
	put := func(s string) { out = append(out, strings.TrimRight(s, "\n")+"\n") }
	for _, s := range old {
		i, ok := index[heading(s)]
		if !ok {
			put(s)
			continue
		}
		put(add[i])
		placed[i] = true
		for j := i + 1; j < len(add) && !inOld[heading(add[j])]; j++ {
			put(add[j])
			placed[j] = true
		}
	}
	for i, s := range add {
		if !placed[i] {
			put(s)
		}
	}
	text := strings.TrimRight(head, "\n")
	if text != "" {
		text += "\n\n"
	}
	return []byte(text + strings.Join(out, "\n"))
}
