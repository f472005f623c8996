package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/testkit"
)

// versionedHandler is a handler that says which version of its source
// runs, and can wait at a URL of the test's before it answers (to hold an
// invocation in flight).
const versionedHandler = `package main

import (
	"context"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"
)

const version = %q

type event struct {
	Env  string ` + "`json:\"env\"`" + `
	Wait string ` + "`json:\"wait\"`" + `
}

func main() {
	lambda.Start(func(_ context.Context, e event) (map[string]string, error) {
		if e.Wait != "" {
			resp, err := http.Get(e.Wait)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
		}
		return map[string]string{"version": version, "value": os.Getenv(e.Env), "pid": strconv.Itoa(os.Getpid())}, nil
	})
}
`

// handlerModule writes a Go module holding one handler (at dir/h) of the
// given version, and returns the module root.
func handlerModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	mod := "module handlertest\n\ngo 1.26\n\nrequire github.com/aws/aws-lambda-go v1.55.1\n"
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeHandler(t, root, "v1")
	return root
}

func writeHandler(t *testing.T, root, version string) {
	t.Helper()
	dir := filepath.Join(root, "h")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(fmt.Sprintf(versionedHandler, version)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func createFunction(t *testing.T, lc *lambda.Client, name string, env map[string]string) {
	t.Helper()
	_, err := lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/" + name),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Timeout: aws.Int32(20),
		Code: &types.FunctionCode{ZipFile: dummyZip(t)}, Environment: &types.Environment{Variables: env},
	})
	if err != nil {
		t.Fatal(err)
	}
}

type answer struct {
	Version, Value, Pid string
}

func call(ctx context.Context, lc *lambda.Client, fn string, event map[string]string) (answer, error) {
	payload, _ := json.Marshal(event)
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
	if err != nil {
		return answer{}, err
	}
	if out.FunctionError != nil {
		return answer{}, fmt.Errorf("function error: %s", out.Payload)
	}
	var a answer
	if err := json.Unmarshal(out.Payload, &a); err != nil {
		return answer{}, fmt.Errorf("answer %s: %w", out.Payload, err)
	}
	return a, nil
}

// gate holds the requests that reach it until it is opened, and counts them.
type gate struct {
	srv     *httptest.Server
	arrived chan struct{}
	open    chan struct{}
}

func newGate(t *testing.T) *gate {
	g := &gate{arrived: make(chan struct{}, 100), open: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		<-g.open
	}))
	t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
		g.srv.Close()
	})
	return g
}

func (g *gate) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-g.arrived:
		case <-time.After(60 * time.Second):
			t.Fatalf("only %d of %d invocations reached the handler at once", i, n)
		}
	}
}

func TestSwapKeepsEveryRequestAndFinishesInFlightOnTheOldBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto and kumo and builds handlers (about 20 s); run without -short")
	}
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	lc := st.Lambda()
	createFunction(t, lc, "ver", map[string]string{"GREETING": "hello"})
	root := handlerModule(t)
	logs := &testkit.SyncBuffer{}
	r, err := Start(ctx, Config{Lambda: lc, KumoURL: st.Endpoints.Kumo, ModuleRoot: root, ExtraEnv: st.AWSEnv(), Logs: logs, Concurrency: 2},
		[]Function{{Name: "ver", SourceDir: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if a, err := call(ctx, lc, "ver", nil); err != nil || a.Version != "v1" {
		t.Fatalf("first call = %+v, %v; want v1", a, err)
	}

	// One invocation is held in flight on v1 while a steady stream of
	// others runs through the swap.
	g := newGate(t)
	inflight := make(chan error, 1)
	go func() {
		a, err := call(ctx, lc, "ver", map[string]string{"wait": g.srv.URL})
		if err == nil && a.Version != "v1" {
			err = fmt.Errorf("the invocation in flight during the swap answered from %s, want v1", a.Version)
		}
		inflight <- err
	}()
	g.wait(t, 1)
	stop := make(chan struct{})
	var calls, failures atomic.Int32
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				calls.Add(1)
				if _, err := call(ctx, lc, "ver", nil); err != nil {
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}

	writeHandler(t, root, "v2")
	swaps := r.Rebuild(ctx, []string{filepath.Join(root, "h")})
	if len(swaps) != 1 || swaps[0].Err != nil || len(swaps[0].Functions) != 1 || swaps[0].Unchanged {
		t.Fatalf("Rebuild = %+v", swaps)
	}
	// The next request after the swap returns the new code.
	if a, err := call(ctx, lc, "ver", map[string]string{"env": "GREETING"}); err != nil || a.Version != "v2" || a.Value != "hello" {
		t.Fatalf("after the swap: %+v, %v; want v2 with the deployed environment", a, err)
	}
	close(g.open)
	if err := <-inflight; err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d calls during the swap failed; first: %v", n, calls.Load(), firstFailure.Load())
	}
	t.Logf("%d calls during the swap, none failed", calls.Load())

	// Building the same source again swaps nothing.
	if sw := r.Rebuild(ctx, []string{"h"}); len(sw) != 1 || !sw[0].Unchanged || sw[0].Err != nil {
		t.Fatalf("Rebuild of unchanged source = %+v", sw)
	}

	// A broken edit: the compiler's message comes back, v2 keeps serving.
	if err := os.WriteFile(filepath.Join(root, "h", "main.go"), []byte("package main\n\nfunc main() { undefinedThing() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sw := r.Rebuild(ctx, []string{"h"})
	var be *BuildError
	if len(sw) != 1 || !errors.As(sw[0].Err, &be) || !strings.Contains(be.Output, "h/main.go:3") || !strings.Contains(be.Output, "undefinedThing") {
		t.Fatalf("Rebuild of broken source = %+v, want a BuildError with the compiler's position", sw)
	}
	if a, err := call(ctx, lc, "ver", nil); err != nil || a.Version != "v2" {
		t.Fatalf("after a broken edit: %+v, %v; want v2 still serving", a, err)
	}
}

func TestParallelInvocationsRunInParallelUpToConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto and kumo and builds a handler (about 15 s); run without -short")
	}
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	lc := st.Lambda()
	createFunction(t, lc, "par", nil)
	root := handlerModule(t)
	r, err := Start(ctx, Config{Lambda: lc, KumoURL: st.Endpoints.Kumo, ModuleRoot: root, ExtraEnv: st.AWSEnv(), Concurrency: 3},
		[]Function{{Name: "par", SourceDir: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if n := r.Processes("par"); n != 1 {
		t.Fatalf("processes at start = %d, want 1 (more start with demand)", n)
	}
	// Three invocations that each wait until all three are inside the
	// handler: served one at a time, they could never all arrive.
	g := newGate(t)
	results := make(chan answer, 3)
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			a, err := call(ctx, lc, "par", map[string]string{"wait": g.srv.URL})
			if err != nil {
				errs <- err
				return
			}
			results <- a
		}()
	}
	g.wait(t, 3)
	close(g.open)
	pids := map[string]bool{}
	for i := 0; i < 3; i++ {
		select {
		case a := <-results:
			pids[a.Pid] = true
		case err := <-errs:
			t.Fatal(err)
		}
	}
	if len(pids) != 3 || r.Processes("par") != 3 {
		t.Fatalf("3 parallel invocations ran in %d processes (%d running), want 3", len(pids), r.Processes("par"))
	}
	if n := r.Invocations("par"); n != 3 {
		t.Errorf("Invocations = %d, want 3", n)
	}
}

func TestUpdateStartsStopsAndReconfigures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto and kumo and builds a handler (about 15 s); run without -short")
	}
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	lc := st.Lambda()
	createFunction(t, lc, "one", map[string]string{"GREETING": "before"})
	root := handlerModule(t)
	r, err := Start(ctx, Config{Lambda: lc, KumoURL: st.Endpoints.Kumo, ModuleRoot: root, ExtraEnv: st.AWSEnv()},
		[]Function{{Name: "one", SourceDir: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()

	// The deployed configuration changes, and a function is added.
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("one"), MemorySize: aws.Int32(512),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "after"}},
	}); err != nil {
		t.Fatal(err)
	}
	createFunction(t, lc, "two", map[string]string{"GREETING": "second"})
	ch, err := r.Update(ctx, []Function{{Name: "one", SourceDir: "h"}, {Name: "two", SourceDir: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Added) != 1 || ch.Added[0] != "two" || len(ch.Restarted) != 1 || ch.Restarted[0].String() != "one (environment, memory)" || ch.Restarted[0].Err != nil {
		t.Fatalf("Update = %+v", ch)
	}
	for fn, want := range map[string]string{"one": "after", "two": "second"} {
		if a, err := call(ctx, lc, fn, map[string]string{"env": "GREETING"}); err != nil || a.Value != want {
			t.Errorf("%s: %+v, %v; want GREETING=%s", fn, a, err, want)
		}
	}
	if a, err := call(ctx, lc, "one", map[string]string{"env": "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"}); err != nil || a.Value != "512" {
		t.Errorf("memory after the update: %+v, %v; want 512", a, err)
	}

	// Nothing changed: nothing restarts.
	if ch, err := r.Update(ctx, []Function{{Name: "one", SourceDir: "h"}, {Name: "two", SourceDir: "h"}}); err != nil || len(ch.Added)+len(ch.Removed)+len(ch.Restarted) != 0 {
		t.Fatalf("Update without changes = %+v, %v", ch, err)
	}

	// Both run one handler: a rebuild swaps both, the second starting its
	// new process on its next invocation.
	writeHandler(t, root, "v2")
	if sw := r.Rebuild(ctx, []string{"h"}); len(sw) != 1 || sw[0].Err != nil || strings.Join(sw[0].Functions, ",") != "one,two" {
		t.Fatalf("Rebuild of a shared handler = %+v", sw)
	}
	for fn, want := range map[string]string{"two": "second", "one": "after"} {
		if a, err := call(ctx, lc, fn, map[string]string{"env": "GREETING"}); err != nil || a.Version != "v2" || a.Value != want {
			t.Errorf("%s after the rebuild: %+v, %v; want v2 with GREETING=%s", fn, a, err, want)
		}
	}

	// "two" is removed: its process stops.
	r.mu.Lock()
	var pids []int
	for _, p := range r.fns["two"].live {
		p.startMu.Lock()
		if p.started {
			pids = append(pids, p.cmd.Process.Pid)
		}
		p.startMu.Unlock()
	}
	r.mu.Unlock()
	if len(pids) == 0 {
		t.Fatal("two runs no process")
	}
	ch, err = r.Update(ctx, []Function{{Name: "one", SourceDir: "h"}})
	if err != nil || len(ch.Removed) != 1 || ch.Removed[0] != "two" {
		t.Fatalf("Update removing two = %+v, %v", ch, err)
	}
	if n := r.Processes("two"); n != 0 {
		t.Errorf("two still has %d processes", n)
	}
	for _, pid := range pids {
		deadline := time.Now().Add(10 * time.Second)
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(pid) {
			t.Errorf("process %d of the removed function still runs", pid)
		}
	}
	if a, err := call(ctx, lc, "one", map[string]string{"env": "GREETING"}); err != nil || a.Value != "after" {
		t.Errorf("one after two was removed: %+v, %v", a, err)
	}
}

// processAlive reports whether pid runs (a zombie not yet reaped counts as gone).
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data))
	return len(fields) > 2 && fields[2] != "Z"
}
