package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/session"
)

// The load section: one `local up` of the example with two more routes (a
// function that answers a constant, one that waits 20 ms), then each of
// three functions under load at 1 and runner.DefaultConcurrency processes,
// through the data plane (what a client sees) and by Lambda Invoke
// straight to kumo (the runner alone). With APIBUILDER_BENCH_CPUPROFILE set
// to a file, the section writes a CPU profile of this process (data plane,
// proxies, runner, load clients; kumo and moto are processes of their own)
// while the load runs; APIBUILDER_BENCH_LOAD=const,wait loads only those
// functions (while iterating on one path).

const (
	loadClients = 16  // concurrent clients of the load test
	loadWarmup  = 100 // requests before each measurement
)

// loadTarget is one function to load and how many requests to measure.
type loadTarget struct {
	route, path, note string
	requests          int
}

var loadTargets = []loadTarget{
	{"const", "/const", "const: answers a constant, nothing else", 3000},
	{"get_item", "/items/bench", "get_item, an item that exists (a DynamoDB GetItem on kumo)", 1000},
	{"wait", "/wait", "wait: sleeps 20 ms, as a function calling another service", 1000},
}

// loadSet is one function's load test at 1 and N processes.
type loadSet struct {
	target  loadTarget
	results []loadResult
}

type loadResult struct {
	path       string // "data plane" or "Lambda Invoke"
	processes  int    // the runner's -concurrency
	used       int    // processes the function ran at the end
	rps        float64
	p50, p99   time.Duration
	failed     int
	wall       time.Duration
	cpu        time.Duration            // this process's CPU time (user + system) during the measurement
	children   map[string]time.Duration // the CPU time of its child processes, by command (kumo, moto, handlers)
	statusSeen map[int]int              // answers by status (-1: no answer)
}

// constHandler answers a constant.
const constHandler = `// Command const answers a constant: the cost of a request itself.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "ok"}, nil
	})
}
`

func loadSection(ctx context.Context, root string, w io.Writer) error {
	loadBefore := loadAverage()
	dir, err := os.MkdirTemp("", "apibuilder-bench-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit", "modules", "schemas", "routes.yaml"} {
		if err := exec.CommandContext(ctx, "cp", "-r", filepath.Join(root, name), filepath.Join(dir, name)).Run(); err != nil {
			return fmt.Errorf("copy %s: %w", name, err)
		}
	}
	cfg := filepath.Join(dir, "routes.yaml")
	for name, src := range map[string]string{"const": constHandler, "wait": waitHandler} {
		if err := os.MkdirAll(filepath.Join(dir, "functions", name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "functions", name, "main.go"), []byte(src), 0o644); err != nil {
			return err
		}
		if err := appendRoute(cfg, fmt.Sprintf("\n  - name: %s\n    method: GET\n    path: /%s\n    handler: functions/%s\n", name, name, name)); err != nil {
			return err
		}
	}
	logs := &lockedLog{}
	fmt.Fprintln(os.Stderr, "-- local up: the example with const and wait")
	s, err := session.Start(ctx, session.Options{Config: cfg, Out: logs, FunctionLogs: io.Discard})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, logs.tail())
	}
	defer s.Close()
	if f := os.Getenv("APIBUILDER_BENCH_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var sets []loadSet
	for _, target := range loadTargets {
		if only := os.Getenv("APIBUILDER_BENCH_LOAD"); only != "" && !slices.Contains(strings.Split(only, ","), target.route) {
			continue
		}
		loads, err := loadBench(ctx, s, target)
		if err != nil {
			return fmt.Errorf("load test of %s: %w", target.route, err)
		}
		sets = append(sets, loadSet{target: target, results: loads})
	}
	writeLoadSection(w, sets, loadBefore, loadAverage())
	return nil
}

// loadBench measures one function at 1 process and at
// runner.DefaultConcurrency, through the data plane and by Lambda Invoke
// straight to kumo: t.requests requests from loadClients clients,
// 127.0.0.1 only.
func loadBench(ctx context.Context, s *session.Session, t loadTarget) ([]loadResult, error) {
	table := s.Outputs.TableNames["items"]
	fn := s.Outputs.FunctionNames[t.route]
	if table == "" || fn == "" {
		return nil, fmt.Errorf("the example has no items table or %s function (outputs: %v, %v)", t.route, s.Outputs.TableNames, s.Outputs.FunctionNames)
	}
	_, err := s.Stack.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
		"id": &ddbtypes.AttributeValueMemberS{Value: "bench"}, "name": &ddbtypes.AttributeValueMemberS{Value: "load test"},
	}})
	if err != nil {
		return nil, err
	}
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	url := s.URL + t.path
	lc := s.Stack.Lambda()
	event, _ := json.Marshal(map[string]any{"httpMethod": "GET", "path": t.path, "pathParameters": map[string]string{"id": "bench"}})
	viaPlane := func(ctx context.Context) (int, error) {
		resp, err := httpClient.Get(url)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	viaInvoke := func(ctx context.Context) (int, error) {
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: &fn, Payload: event})
		if err != nil {
			return 0, err
		}
		if out.FunctionError != nil {
			return 500, nil
		}
		var answer struct {
			StatusCode int `json:"statusCode"`
		}
		_ = json.Unmarshal(out.Payload, &answer)
		return answer.StatusCode, nil
	}
	var out []loadResult
	for _, procs := range []int{1, runner.DefaultConcurrency} {
		s.Runner.SetConcurrency(procs)
		for _, path := range []struct {
			name string
			call func(context.Context) (int, error)
		}{{"data plane", viaPlane}, {"Lambda Invoke", viaInvoke}} {
			_, _ = runLoad(ctx, path.call, loadWarmup, loadClients) // warm: processes started, connections open
			r, err := runLoad(ctx, path.call, t.requests, loadClients)
			if err != nil {
				return out, err
			}
			r.path, r.processes, r.used = path.name, procs, s.Runner.Processes(fn)
			fmt.Fprintf(os.Stderr, "   load, %s, %s, %d process(es) at most: %.0f requests/s, p50 %s, p99 %s, %d failed (%d running), CPU per request: %s\n",
				t.route, r.path, procs, r.rps, ms(r.p50), ms(r.p99), r.failed, r.used, cpuPerRequest(r, t.requests))
			out = append(out, r)
		}
	}
	return out, nil
}

// childCPU is the CPU time (user + system) of this process's children so
// far, by command name, from /proc (nil where there is none).
func childCPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... utime stime: fields 14 and 15.
		text := string(data)
		open, closing := strings.IndexByte(text, '('), strings.LastIndexByte(text, ')')
		if open < 0 || closing < open {
			continue
		}
		f := strings.Fields(text[closing+1:])
		if len(f) < 13 || f[1] != self {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[text[open+1:closing]] += time.Duration(ut+st) * (time.Second / 100) // USER_HZ
	}
	return out
}

// runLoad makes n calls from clients goroutines and measures them.
func runLoad(ctx context.Context, call func(context.Context) (int, error), n, clients int) (loadResult, error) {
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	next := make(chan int)
	var wg sync.WaitGroup
	cpu, children := cpuTime(), childCPU()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				code, err := call(ctx)
				lat[i] = time.Since(t)
				if err != nil {
					code = -1
				}
				codes[i] = code
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	r := loadResult{wall: time.Since(start), cpu: cpuTime() - cpu, children: childCPU(), statusSeen: map[int]int{}}
	for name, t := range children {
		r.children[name] -= t
	}
	for _, c := range codes {
		r.statusSeen[c]++
		if c != http.StatusOK {
			r.failed++
		}
	}
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	r.p50, r.p99 = sorted[len(sorted)/2], sorted[len(sorted)*99/100]
	r.rps = float64(n) / r.wall.Seconds()
	return r, nil
}

// cpuPerRequest says where the CPU of a measurement went, per request:
// "this process 1510 µs, kumo 600 µs, ...", largest first.
func cpuPerRequest(r loadResult, n int) string {
	type part struct {
		name string
		t    time.Duration
	}
	parts := []part{{"this process", r.cpu}}
	for name, t := range r.children {
		if t > 0 {
			parts = append(parts, part{name, t})
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].t > parts[j].t })
	var out []string
	for _, p := range parts {
		out = append(out, fmt.Sprintf("%s %.0f µs", p.name, float64(p.t.Microseconds())/float64(n)))
	}
	return strings.Join(out, ", ")
}

// cpuColumns is "1273 + 570 + 3 + 463 µs": this process, kumo, moto and
// the handler processes, per request.
func cpuColumns(r loadResult, n int) string {
	var kumo, moto, handlers time.Duration
	for name, t := range r.children {
		switch {
		case name == "kumo":
			kumo += t
		case strings.HasPrefix(name, "moto") || strings.HasPrefix(name, "python"):
			moto += t
		default:
			handlers += t
		}
	}
	per := func(t time.Duration) float64 { return float64(t.Microseconds()) / float64(n) }
	return fmt.Sprintf("%.0f + %.0f + %.0f + %.0f µs", per(r.cpu), per(kumo), per(moto), per(handlers))
}

func writeLoadSection(w io.Writer, sets []loadSet, loadBefore, loadAfter string) {
	fmt.Fprintf(w, "## Load: the data plane and Lambda Invoke, at 1 and %d processes\n\n", runner.DefaultConcurrency)
	fmt.Fprintf(w, "The machine's load average was %s when this section started and %s when it ended (%d cores; other work running on it slows every figure here).\n\n", loadBefore, loadAfter, runtime.NumCPU())
	fmt.Fprintf(w, "One `local up` of the example with two more routes (`const`, `wait`); each function is called from %d concurrent clients on 127.0.0.1, after %d warm-up requests, "+
		"through the data plane (what a client sees: route match, the stage's settings, the proxy event, Lambda Invoke, the answer, an access-log line) and by Lambda Invoke straight to kumo (the runner alone). "+
		"The data plane serves a stage from what it read of it until the API Gateway proxy answers a write (docs/dataplane.md). "+
		"CPU per request is this process's (data plane, both proxies, runner and the load clients) + kumo's + moto's + the handler processes', from /proc.\n", loadClients, loadWarmup)
	for _, set := range sets {
		writeLoad(w, set)
	}
	fmt.Fprintf(w, "\nGoal (issue 25): the trivial function (`const`) at 1,000 requests/s or more through the data plane with %d processes, nothing failed, and more processes never slower than one.\n\n", runner.DefaultConcurrency)
}

func writeLoad(w io.Writer, set loadSet) {
	fmt.Fprintf(w, "\n### %s\n\n", set.target.note)
	fmt.Fprintf(w, "%d requests per row.\n\n", set.target.requests)
	fmt.Fprintf(w, "| path | processes at most | running at the end | requests/s | p50 | p99 | failed | CPU per request: this process + kumo + moto + handlers |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	byPath := map[string]map[int]loadResult{}
	for _, l := range set.results {
		fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %d | %s |\n", l.path, l.processes, l.used, l.rps, ms(l.p50), ms(l.p99), l.failed, cpuColumns(l, set.target.requests))
		if byPath[l.path] == nil {
			byPath[l.path] = map[int]loadResult{}
		}
		byPath[l.path][l.processes] = l
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fmt.Fprintln(w)
	for _, p := range paths {
		one, n := byPath[p][1], byPath[p][runner.DefaultConcurrency]
		if one.rps > 0 && n.rps > 0 {
			fmt.Fprintf(w, "- %s: %d processes served %.2fx the requests/s of 1, p99 %.2fx.\n", p, runner.DefaultConcurrency, n.rps/one.rps, n.p99.Seconds()/one.p99.Seconds())
		}
	}
}
