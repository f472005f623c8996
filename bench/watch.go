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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/testkit"
)

// The local loop: how long `local up` takes from nothing to serving, and,
// once it serves and watches, how long a saved handler takes to be served
// and a route added to routes.yaml takes to answer; then a bounded load
// test of one function at 1 and N processes.

const (
	editRuns     = 5    // handler edits per project; the median is reported
	loadRequests = 1000 // per load measurement
	loadClients  = 16   // concurrent clients of the load test
)

type loopResult struct {
	name      string
	routes    int
	functions int // swapped by one edit of the handler
	cold      time.Duration
	edits     []time.Duration // save to the first answer of the new code
	swaps     []time.Duration // the swap line's own figure (first change seen to serving)
	builds    []time.Duration
	routeAdd  time.Duration // save to the first answer of the new route
	// routeAddSteps is the watch's own breakdown (generate, terraform get,
	// apply, functions); routeAddNew* the same for a route with a new handler.
	routeAddSteps    string
	routeAddNew      time.Duration
	routeAddNewSteps string
	load             []loadSet
}

// loadSet is one function's load test at 1 and N processes.
type loadSet struct {
	note    string
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
	statusSeen map[int]int // answers by status (-1: no answer)
}

// loopProject describes a project to measure: how to make it, which route
// to poll after a handler edit, and which route to add.
type loopProject struct {
	name     string
	routes   int
	make     func(dir string) (string, error) // returns the routes file
	getPath  string                           // a GET path served by functions/get_item, {id} filled in
	addRoute string                           // appended to routes.yaml's routes
	addPath  string                           // where the added route answers
}

// loadAverage is the machine's 1-minute load average, as text ("?" when unknown).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func loopBench(ctx context.Context, root string, w io.Writer) error {
	loadBefore := loadAverage()
	projects := []loopProject{
		{
			name: "the example (routes.yaml)", routes: 4,
			make: func(dir string) (string, error) {
				for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit", "modules", "schemas", "routes.yaml"} {
					if err := exec.CommandContext(ctx, "cp", "-r", filepath.Join(root, name), filepath.Join(dir, name)).Run(); err != nil {
						return "", fmt.Errorf("copy %s: %w", name, err)
					}
				}
				return filepath.Join(dir, "routes.yaml"), nil
			},
			getPath:  "/items/bench-missing",
			addRoute: "\n  - name: peek_item\n    method: GET\n    path: /peek/{id}\n    handler: functions/get_item\n    environment: { TABLE_NAME: \"${table.items.name}\" }\n    permissions: [{ table: items, actions: [GetItem] }]\n",
			addPath:  "/peek/bench-missing",
		},
		{
			name: "50 routes (synthetic, one shared handler)", routes: 50,
			make: func(dir string) (string, error) {
				for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit", "modules"} {
					if err := exec.CommandContext(ctx, "cp", "-r", filepath.Join(root, name), filepath.Join(dir, name)).Run(); err != nil {
						return "", fmt.Errorf("copy %s: %w", name, err)
					}
				}
				return synth.Project(dir, 50, "functions/get_item")
			},
			getPath:  "/r0/items/bench-missing",
			addRoute: "  - { name: added, method: GET, path: \"/added/{id}\", handler: functions/get_item, environment: { TABLE_NAME: \"${table.items.name}\" }, permissions: [{ table: items, actions: [GetItem] }] }\n",
			addPath:  "/added/bench-missing",
		},
	}
	var results []loopResult
	var failures []string
	for i, p := range projects {
		fmt.Fprintf(os.Stderr, "-- local loop: %s\n", p.name)
		r, err := measureLoop(ctx, p, i == 0)
		if err != nil {
			fmt.Fprintf(os.Stderr, "   failed: %v\n", err)
			failures = append(failures, fmt.Sprintf("- %s: %s", p.name, firstLine(err.Error())))
			continue
		}
		results = append(results, r)
	}
	writeLoop(w, results, failures, loadBefore, loadAverage())
	if len(results) == 0 {
		return fmt.Errorf("no local-loop measurement succeeded:\n%s", strings.Join(failures, "\n"))
	}
	return nil
}

func measureLoop(ctx context.Context, p loopProject, withLoad bool) (loopResult, error) {
	res := loopResult{name: p.name, routes: p.routes}
	dir, err := os.MkdirTemp("", "apibuilder-bench-loop-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg, err := p.make(dir)
	if err != nil {
		return res, err
	}
	logs := &lockedLog{}
	start := time.Now()
	s, err := session.Start(ctx, session.Options{Config: cfg, Out: logs, FunctionLogs: io.Discard})
	if err != nil {
		return res, fmt.Errorf("%w\n%s", err, logs.tail())
	}
	defer s.Close()
	res.cold = time.Since(start)
	fmt.Fprintf(os.Stderr, "   cold local up (to serving): %s\n", secs(res.cold))

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	events := make(chan session.Event, 64)
	go func() {
		_ = s.Watch(wctx, session.WatchOptions{Out: logs, OnEvent: func(e session.Event) { events <- e }})
	}()
	if _, err := waitEvent(events, session.Watching); err != nil {
		return res, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	handler := filepath.Join(dir, "functions", "get_item", "main.go")
	original, err := os.ReadFile(handler)
	if err != nil {
		return res, err
	}
	const marker = `"item "+id+" not found"`
	if !strings.Contains(string(original), marker) {
		return res, fmt.Errorf("%s no longer says %s: update the bench's edit", handler, marker)
	}
	for i := 1; i <= editRuns; i++ {
		tag := fmt.Sprintf("edit %d", i)
		edited := strings.Replace(string(original), marker, `"item "+id+" not found (`+tag+`)"`, 1)
		if err := os.WriteFile(handler, []byte(edited), 0o644); err != nil {
			return res, err
		}
		took, err := pollUntil(ctx, client, s.URL+p.getPath, 25*time.Millisecond, 60*time.Second, func(code int, body string) bool { return strings.Contains(body, tag) })
		if err != nil {
			return res, fmt.Errorf("%s: %w\n%s", tag, err, logs.tail())
		}
		ev, err := waitEvent(events, session.Swapped)
		if err != nil {
			return res, err
		}
		res.edits = append(res.edits, took)
		res.swaps = append(res.swaps, ev.Took)
		res.functions = len(ev.Functions)
		fmt.Fprintf(os.Stderr, "   %s: served %s after the save (the swap line said %s)\n", tag, secs2(took), secs2(ev.Took))
		time.Sleep(time.Second) // let the watch list the packages again
	}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "serving the new build") {
			if i := strings.Index(l, "(build "); i >= 0 {
				var sec float64
				if _, err := fmt.Sscanf(l[i:], "(build %f s)", &sec); err == nil {
					res.builds = append(res.builds, time.Duration(sec*float64(time.Second)))
				}
			}
		}
	}

	// The handler as it was, so the route added below finds every package
	// up to date (an edited handler would be built for Linux and its
	// functions' code updated by the same apply).
	if err := os.WriteFile(handler, original, 0o644); err != nil {
		return res, err
	}
	if _, err := waitEvent(events, session.Swapped); err != nil {
		return res, err
	}

	// A route added to routes.yaml, on a handler that exists.
	if res.routeAdd, res.routeAddSteps, err = addRoute(ctx, client, s, cfg, events, logs, p.addRoute, p.addPath, func(code int, _ string) bool { return code != http.StatusForbidden }); err != nil {
		return res, fmt.Errorf("route add: %w", err)
	}
	if !withLoad {
		return res, nil
	}
	// A route added with a new handler (built for Linux by the generator
	// and for this machine by the runner): a function that waits 20 ms, as
	// one calling another service would, for the load test.
	if err := os.MkdirAll(filepath.Join(dir, "functions", "wait"), 0o755); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(dir, "functions", "wait", "main.go"), []byte(waitHandler), 0o644); err != nil {
		return res, err
	}
	route := "\n  - name: wait\n    method: GET\n    path: /wait\n    handler: functions/wait\n"
	if res.routeAddNew, res.routeAddNewSteps, err = addRoute(ctx, client, s, cfg, events, logs, route, "/wait", func(code int, _ string) bool { return code == http.StatusOK }); err != nil {
		return res, fmt.Errorf("route add with a new handler: %w", err)
	}
	for _, target := range []struct{ route, path, note string }{
		{"get_item", "/items/bench", "get_item, an item that exists (a DynamoDB GetItem on kumo)"},
		{"wait", "/wait", "wait: sleeps 20 ms, as a function calling another service"},
	} {
		loads, err := loadBench(ctx, s, target.route, target.path)
		if err != nil {
			return res, fmt.Errorf("load test of %s: %w", target.route, err)
		}
		res.load = append(res.load, loadSet{note: target.note, results: loads})
	}
	return res, nil
}

// waitHandler answers after 20 ms.
const waitHandler = `// Command wait answers after 20 ms, as a function calling another service would.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		time.Sleep(20 * time.Millisecond)
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "waited"}, nil
	})
}
`

// addRoute appends a route to the routes file and measures the time from
// the write to the first answer of the route that done accepts.
func addRoute(ctx context.Context, client *http.Client, s *session.Session, cfg string, events <-chan session.Event, logs *lockedLog, route, path string, done func(int, string) bool) (time.Duration, string, error) {
	routes, err := os.ReadFile(cfg)
	if err != nil {
		return 0, "", err
	}
	added := strings.Replace(string(routes), "\nenvironments:", route+"\nenvironments:", 1)
	if added == string(routes) {
		added = strings.TrimRight(string(routes), "\n") + "\n" + strings.TrimLeft(route, "\n")
	}
	if err := os.WriteFile(cfg, []byte(added), 0o644); err != nil {
		return 0, "", err
	}
	took, err := pollUntil(ctx, client, s.URL+path, 100*time.Millisecond, 5*time.Minute, done)
	if err != nil {
		return 0, "", fmt.Errorf("%w\n%s", err, logs.tail())
	}
	if _, err := waitEvent(events, session.Applied); err != nil {
		return 0, "", err
	}
	steps := ""
	lines := strings.Split(logs.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if j := strings.Index(lines[i], "after the change ("); j >= 0 && strings.Contains(lines[i], "the new deployment serves") {
			steps = strings.TrimSuffix(lines[i][j+len("after the change ("):], ")")
			break
		}
	}
	fmt.Fprintf(os.Stderr, "   route %s added: answers %s after the save (%s)\n", path, secs2(took), steps)
	return took, steps, nil
}

// loadBench measures one function at 1 process and at
// runner.DefaultConcurrency, through the data plane and by Lambda Invoke
// straight to kumo: loadRequests requests from loadClients clients,
// 127.0.0.1 only.
func loadBench(ctx context.Context, s *session.Session, route, path string) ([]loadResult, error) {
	table := s.Outputs.TableNames["items"]
	fn := s.Outputs.FunctionNames[route]
	if table == "" || fn == "" {
		return nil, fmt.Errorf("the example has no items table or %s function (outputs: %v, %v)", route, s.Outputs.TableNames, s.Outputs.FunctionNames)
	}
	_, err := s.Stack.DynamoDB().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
		"id": &ddbtypes.AttributeValueMemberS{Value: "bench"}, "name": &ddbtypes.AttributeValueMemberS{Value: "load test"},
	}})
	if err != nil {
		return nil, err
	}
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	url := s.URL + path
	lc := s.Stack.Lambda()
	event, _ := json.Marshal(map[string]any{"httpMethod": "GET", "path": path, "pathParameters": map[string]string{"id": "bench"}})
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
			_, _ = runLoad(ctx, path.call, 100, loadClients) // warm: processes started, connections open
			r, err := runLoad(ctx, path.call, loadRequests, loadClients)
			if err != nil {
				return out, err
			}
			r.path, r.processes, r.used = path.name, procs, s.Runner.Processes(fn)
			fmt.Fprintf(os.Stderr, "   load, %s, %s, %d process(es) at most: %.0f requests/s, p50 %s, p99 %s, %d failed (%d running)\n",
				route, r.path, procs, r.rps, ms(r.p50), ms(r.p99), r.failed, r.used)
			out = append(out, r)
		}
	}
	return out, nil
}

// runLoad makes n calls from clients goroutines and measures them.
func runLoad(ctx context.Context, call func(context.Context) (int, error), n, clients int) (loadResult, error) {
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	next := make(chan int)
	var wg sync.WaitGroup
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
	r := loadResult{wall: time.Since(start), statusSeen: map[int]int{}}
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

// pollUntil calls url every interval until done accepts its answer, and
// returns the time that took. Each call costs the data plane (and moto) some
// CPU, which the build or apply being measured shares: poll no faster than
// the resolution needed.
func pollUntil(ctx context.Context, client *http.Client, url string, interval, limit time.Duration, done func(int, string) bool) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < limit {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if done(resp.StatusCode, string(body)) {
				return time.Since(start), nil
			}
		}
		time.Sleep(interval)
	}
	return 0, fmt.Errorf("%s did not answer as expected within %s", url, limit)
}

func waitEvent(events <-chan session.Event, want session.EventKind) (session.Event, error) {
	for {
		select {
		case e := <-events:
			if e.Kind == want {
				return e, nil
			}
			if e.Kind == session.Unchanged {
				continue
			}
			return e, fmt.Errorf("the watch reported %s (%v), expected %s", e.Kind, e.Err, want)
		case <-time.After(5 * time.Minute):
			return session.Event{}, fmt.Errorf("no %s event from the watch", want)
		}
	}
}

func writeLoop(w io.Writer, results []loopResult, failures []string, loadBefore, loadAfter string) {
	fmt.Fprintf(w, "## Local loop: local up, edit to serve, route added\n\n")
	fmt.Fprintf(w, "The machine's load average was %s when this section started and %s when it ended (%d cores; other work running on it slows every figure here).\n\n", loadBefore, loadAfter, runtime.NumCPU())
	fmt.Fprintf(w, "`local up` from nothing running to serving (generate with a warm Go cache, emulators, apply, functions, data plane), then, while it serves and watches: "+
		"a handler saved %d times (each save changes a response; the time is from the write to the first request that returns the new text, polled every 25 ms), "+
		"and a route added to routes.yaml (from the write to the first answer of the new route, polled every 100 ms). The swap column is the watch's own line: first change seen to the new process serving. "+
		"When functions share the handler, the first proves the new build starts and the others start their new process on their next request.\n\n", editRuns)
	fmt.Fprintf(w, "| project | routes | functions swapped per edit | cold local up | edit to serve (median) | min / max | swap line (median) | go build (median) | edit / cold | route added | route added / cold |\n")
	fmt.Fprintf(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		med := median(r.edits)
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s / %s | %s | %s | %.1f%% | %s | %.0f%% |\n", r.name, r.routes, r.functions, secs(r.cold),
			secs2(med), secs2(slices.Min(r.edits)), secs2(slices.Max(r.edits)), secs2(median(r.swaps)), secs2(median(r.builds)),
			100*med.Seconds()/r.cold.Seconds(), secs(r.routeAdd), 100*r.routeAdd.Seconds()/r.cold.Seconds())
	}
	fmt.Fprintf(w, "\nWhere a route add's time went, by the watch's own line:\n\n")
	for _, r := range results {
		fmt.Fprintf(w, "- %s, a route on an existing handler: %s (%s)\n", r.name, secs(r.routeAdd), r.routeAddSteps)
		if r.routeAddNew > 0 {
			fmt.Fprintf(w, "- %s, a route with a new handler: %s (%s)\n", r.name, secs(r.routeAddNew), r.routeAddNewSteps)
		}
	}
	fmt.Fprintf(w, "\nGoals (issue 15): edit to serve at most 1.5 s and at most 5%% of a cold local up; a route added in at most 10 s. "+
		"An edit costs one `go build` of the handler for this machine (compile of the changed package and a link), the start of the new process(es) and the debounce (100 ms). "+
		"A route added costs a regeneration, `terraform apply -refresh=false` of what changed (a new function waits 5 s in the AWS provider) and the new function's build.\n")
	for _, r := range results {
		for _, set := range r.load {
			writeLoad(w, set)
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(w, "\nRuns that failed:\n\n%s\n", strings.Join(failures, "\n"))
	}
	fmt.Fprintln(w)
}

func writeLoad(w io.Writer, set loadSet) {
	fmt.Fprintf(w, "\n### Load: %s, at 1 and %d processes\n\n", set.note, runner.DefaultConcurrency)
	fmt.Fprintf(w, "%d requests from %d concurrent clients on 127.0.0.1, after 100 warm-up requests; through the data plane (what a client sees: it also reads the stage from moto on every request) and by Lambda Invoke straight to kumo (the runner alone).\n\n", loadRequests, loadClients)
	fmt.Fprintf(w, "| path | processes at most | running at the end | requests/s | p50 | p99 | failed |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	byPath := map[string]map[int]loadResult{}
	for _, l := range set.results {
		fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %d |\n", l.path, l.processes, l.used, l.rps, ms(l.p50), ms(l.p99), l.failed)
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

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func secs2(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

// lockedLog keeps a session's lines for an error message.
type lockedLog struct{ testkit.SyncBuffer }

func (l *lockedLog) tail() string {
	s := l.String()
	if len(s) > 4000 {
		s = "...\n" + s[len(s)-4000:]
	}
	return s
}
