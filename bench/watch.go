package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/testkit"
)

// The local loop: how long `local up` takes from nothing to serving, and,
// once it serves and watches, how long a saved handler takes to be served
// and a route added to routes.yaml takes to answer. The load tests of one
// function at 1 and N processes are their own section (load.go).

const editRuns = 5 // handler edits per project; the median is reported

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

// measureLoop measures one project; withNewHandler adds a route with a
// handler the project did not have (functions/wait) as well.
func measureLoop(ctx context.Context, p loopProject, withNewHandler bool) (loopResult, error) {
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
	if !withNewHandler {
		return res, nil
	}
	// A route added with a new handler (built for Linux by the generator
	// and for this machine by the runner): a function that waits 20 ms, as
	// one calling another service would.
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
	if err := appendRoute(cfg, route); err != nil {
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

// appendRoute adds route (YAML text) to the routes file's routes.
func appendRoute(cfg, route string) error {
	routes, err := os.ReadFile(cfg)
	if err != nil {
		return err
	}
	added := strings.Replace(string(routes), "\nenvironments:", route+"\nenvironments:", 1)
	if added == string(routes) {
		added = strings.TrimRight(string(routes), "\n") + "\n" + strings.TrimLeft(route, "\n")
	}
	return os.WriteFile(cfg, []byte(added), 0o644)
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
	if len(failures) > 0 {
		fmt.Fprintf(w, "\nRuns that failed:\n\n%s\n", strings.Join(failures, "\n"))
	}
	fmt.Fprintln(w)
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
