package tools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests install a fake tool through ensureInstalled, the code every
// real install goes through: its "build" writes a file and its sha256
// record. No real tool is built.

var fakeInstall = install{Name: "fake v1", What: "building from source", Why: "what the test needs", Usually: "~1 s on 2 cores"}

// fakeCache is where the fake tool lives in cache, and its check.
func fakeCache(cache string) (bin string, cached func() cacheCheck) {
	bin = filepath.Join(cache, "bin", "fake-v1", "fake")
	return bin, func() cacheCheck { return checkCached(bin, bin+".sha256") }
}

// fakeBuild writes the fake tool after wait returns.
func fakeBuild(bin string, wait func()) func(*progress) (string, error) {
	return func(p *progress) (string, error) {
		p.Phase("fake compile")
		wait()
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(bin, []byte("fake tool built by pid "+strconv.Itoa(os.Getpid())+"\n"), 0o755); err != nil {
			return "", err
		}
		return writeSidecar(bin, bin+".sha256")
	}
}

// syncBuffer is a log two goroutines write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func fastTicks(t *testing.T) {
	t.Helper()
	every, retry := progressEvery, lockRetry
	progressEvery, lockRetry = 20*time.Millisecond, 10*time.Millisecond
	t.Cleanup(func() { progressEvery, lockRetry = every, retry })
}

// An install says what it installs, why and how long it usually takes
// before it starts; while it runs, which step is running; at the end, how
// long it took. A cached tool is used without a line.
func TestInstallAnnouncesProgressAndDuration(t *testing.T) {
	fastTicks(t)
	cache := t.TempDir()
	bin, cached := fakeCache(cache)
	in := fakeInstall
	in.Path = bin
	var log syncBuffer
	opt := Options{CacheDir: cache, Log: &log}
	got, err := ensureInstalled(t.Context(), opt, in, cached, fakeBuild(bin, func() { time.Sleep(100 * time.Millisecond) }))
	if err != nil {
		t.Fatal(err)
	}
	if got.Cached || got.Waited || got.SHA256 == "" {
		t.Errorf("first install: %+v", got)
	}
	out := log.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^fake v1: building from source \(what the test needs\); usually ~1 s on 2 cores$`),
		regexp.MustCompile(`(?m)^  fake v1: fake compile$`),
		regexp.MustCompile(`(?m)^  \.\.\. fake v1: still running: fake compile, \d+s so far \(usually ~1 s on 2 cores\)$`),
		regexp.MustCompile(`(?m)^fake v1: installed in \d+s \(` + regexp.QuoteMeta(bin) + `\)$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("log lacks a line matching %s:\n%s", want, out)
		}
	}
	if strings.Index(out, "building from source") > strings.Index(out, "fake compile") {
		t.Errorf("the announcement does not come first:\n%s", out)
	}

	log = syncBuffer{}
	again, err := ensureInstalled(t.Context(), opt, in, cached, func(*progress) (string, error) {
		t.Error("a verified cached tool was built again")
		return "", nil
	})
	if err != nil || !again.Cached || again.SHA256 != got.SHA256 || log.String() != "" {
		t.Errorf("cached: %+v, %v, log %q", again, err, log.String())
	}
}

// Without a Log an install still reports, on stderr; what was found is
// discarded.
func TestInstallsReportWithoutLog(t *testing.T) {
	opt, err := Options{CacheDir: t.TempDir()}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if opt.installLog() != os.Stderr {
		t.Errorf("installs report to %v, want os.Stderr", opt.installLog())
	}
	var log bytes.Buffer
	if opt, _ := (Options{CacheDir: t.TempDir(), Log: &log}).withDefaults(); opt.installLog() != &log {
		t.Errorf("installs report to %v, want Log", opt.installLog())
	}
}

// A failed install says so, with its time, and returns the error.
func TestInstallFailureIsReported(t *testing.T) {
	cache := t.TempDir()
	bin, cached := fakeCache(cache)
	var log syncBuffer
	boom := errors.New("boom")
	_, err := ensureInstalled(t.Context(), Options{CacheDir: cache, Log: &log}, fakeInstall, cached,
		func(*progress) (string, error) { return "", boom })
	if !errors.Is(err, boom) || !regexp.MustCompile(`(?m)^fake v1: failed after \d+s$`).MatchString(log.String()) {
		t.Errorf("err = %v, log:\n%s", err, log.String())
	}
	if _, err := os.Stat(bin); err == nil {
		t.Error("a failed install left a binary")
	}
}

// Two installs of one tool at once in one process: one builds, the other
// waits for it, says so, and uses its build.
func TestConcurrentInstallsBuildOnce(t *testing.T) {
	fastTicks(t)
	cache := t.TempDir()
	bin, cached := fakeCache(cache)
	in := fakeInstall
	in.Path = bin
	var builds atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	build := fakeBuild(bin, func() {
		if builds.Add(1) == 1 {
			close(started)
		}
		<-release
	})
	type result struct {
		got installed
		err error
		log *syncBuffer
	}
	results := make(chan result, 2)
	run := func() {
		log := &syncBuffer{}
		got, err := ensureInstalled(context.Background(), Options{CacheDir: cache, Log: log}, in, cached, build)
		results <- result{got, err, log}
	}
	go run()
	<-started // the first holds the lock and builds
	second := &syncBuffer{}
	go func() {
		got, err := ensureInstalled(context.Background(), Options{CacheDir: cache, Log: second}, in, cached, build)
		results <- result{got, err, second}
	}()
	waitFor(t, "the second install to wait", func() bool { return strings.Contains(second.String(), "is installing it; waiting") })
	waitFor(t, "a progress line while waiting", func() bool { return strings.Contains(second.String(), "still waiting for the other install") })
	close(release)
	var sums []string
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatalf("%v\n%s", r.err, r.log.String())
		}
		sums = append(sums, r.got.SHA256)
	}
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds, want 1", n)
	}
	if sums[0] == "" || sums[0] != sums[1] {
		t.Errorf("the two installs got %q", sums)
	}
	pid := strconv.Itoa(os.Getpid())
	if out := second.String(); !strings.Contains(out, "another apibuilder process (pid "+pid+", since ") ||
		!strings.Contains(out, "fake v1: the other install finished; using its build "+bin) {
		t.Errorf("the waiting install's log:\n%s", out)
	}
}

// Environment of the helper process of TestConcurrentProcessesBuildOnce.
const (
	envHelperCache   = "APIBUILDER_TOOLS_TEST_CACHE"
	envHelperRelease = "APIBUILDER_TOOLS_TEST_RELEASE"
)

// Two processes (this test binary, run again as TestHelperInstallProcess)
// install one tool at once: exactly one builds, the other waits for it,
// naming its pid, and both end with the same tool.
func TestConcurrentProcessesBuildOnce(t *testing.T) {
	cache := t.TempDir()
	release := filepath.Join(t.TempDir(), "release")
	start := func(out *syncBuffer) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperInstallProcess$", "-test.v")
		cmd.Env = append(os.Environ(), envHelperCache+"="+cache, envHelperRelease+"="+release)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	var outA, outB syncBuffer
	a := start(&outA)
	waitFor(t, "the first process to build", func() bool { return strings.Contains(outA.String(), "fake compile") })
	b := start(&outB)
	waitFor(t, "the second process to wait", func() bool { return strings.Contains(outB.String(), "is installing it; waiting") })
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cmd *exec.Cmd
		out *syncBuffer
	}{{a, &outA}, {b, &outB}} {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v\n%s", err, c.out.String())
		}
	}
	result := regexp.MustCompile(`RESULT built=(\w+) waited=(\w+) sha256=(\w+)`)
	ra, rb := result.FindStringSubmatch(outA.String()), result.FindStringSubmatch(outB.String())
	if ra == nil || rb == nil {
		t.Fatalf("no result:\n%s\n---\n%s", outA.String(), outB.String())
	}
	if ra[1] != "true" || ra[2] != "false" || rb[1] != "false" || rb[2] != "true" || ra[3] != rb[3] {
		t.Errorf("first %v, second %v: want one build, the second waiting and getting the same sha256", ra[1:], rb[1:])
	}
	if want := fmt.Sprintf("another apibuilder process (pid %d, since ", a.Process.Pid); !strings.Contains(outB.String(), want) {
		t.Errorf("the waiting process does not name the builder (%s):\n%s", want, outB.String())
	}
	bin, _ := fakeCache(cache)
	if data, err := os.ReadFile(bin); err != nil || string(data) != fmt.Sprintf("fake tool built by pid %d\n", a.Process.Pid) {
		t.Errorf("installed tool: %q, %v", data, err)
	}
}

// TestHelperInstallProcess is one of the two processes of
// TestConcurrentProcessesBuildOnce; run on its own it does nothing.
func TestHelperInstallProcess(t *testing.T) {
	cache := os.Getenv(envHelperCache)
	if cache == "" {
		t.Skip("helper process of TestConcurrentProcessesBuildOnce; runs only as its child")
	}
	fastTicks(t)
	release := os.Getenv(envHelperRelease)
	bin, cached := fakeCache(cache)
	in := fakeInstall
	in.Path = bin
	built := false
	got, err := ensureInstalled(context.Background(), Options{CacheDir: cache, Log: os.Stdout}, in, cached,
		fakeBuild(bin, func() {
			built = true
			for {
				if _, err := os.Stat(release); err == nil {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT built=%t waited=%t sha256=%s\n", built, got.Waited, got.SHA256)
}

// The lock is taken by one holder at a time, is free again after release,
// and names its holder.
func TestInstallLock(t *testing.T) {
	cache := t.TempDir()
	l, waited, err := acquireInstallLock(t.Context(), cache, fakeInstall, &bytes.Buffer{})
	if err != nil || waited {
		t.Fatalf("free lock: %v, waited %v", err, waited)
	}
	if _, ok, err := tryLock(filepath.Join(cache, "locks", "fake-v1.lock")); ok || err != nil {
		t.Errorf("a held lock was taken again (err %v)", err)
	}
	if who := lockHolder(filepath.Join(cache, "locks", "fake-v1.pid")); !strings.HasPrefix(who, "pid "+strconv.Itoa(os.Getpid())+", since ") {
		t.Errorf("holder = %q", who)
	}
	// A waiting run gives up when its context ends.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := acquireInstallLock(ctx, cache, fakeInstall, &bytes.Buffer{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v", err)
	}
	l.release()
	l2, ok, err := tryLock(filepath.Join(cache, "locks", "fake-v1.lock"))
	if !ok || err != nil {
		t.Fatalf("released lock not free: %v", err)
	}
	_ = l2.unlock()
	if who := lockHolder(filepath.Join(cache, "locks", "fake-v1.pid")); who != "pid unknown" {
		t.Errorf("holder after release = %q", who)
	}
}
