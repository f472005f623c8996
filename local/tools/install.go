package tools

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An install of a tool takes minutes on a fresh machine (kumo 2-4, the
// provider 20), so it is never silent: before it starts it says what it
// installs, why the local stack needs it and how long it usually takes;
// while it runs a line every progressEvery says what is running; at the
// end it says how long it took. And it runs once per machine at a time:
// each tool has a lock in the cache directory (lock_*.go), so a second run
// that needs the tool meanwhile waits, says for whom, and then uses the
// other run's build instead of building it again.

// install describes one tool install for the lines its user reads.
type install struct {
	Name    string // the tool and its version, "kumo v0.33.1"; also names its lock
	What    string // "building from source"
	Why     string // why it is needed; may be empty
	Usually string // "~2-4 min on 2 cores"
	Path    string // where it is installed
}

// Test seams: how often a running install reports, and how often a waiting
// run tries the lock again.
var (
	progressEvery = 20 * time.Second
	lockRetry     = 500 * time.Millisecond
)

// installed says how ensureInstalled obtained a tool.
type installed struct {
	SHA256 string
	Cached bool   // a verified build was in the cache: nothing ran
	Waited bool   // another process held the install lock; Cached says whether its build was used
	Stale  string // why the cached build was not used, when one existed: it was rebuilt
}

// ensureInstalled returns the cached build when cached() verifies it.
// Otherwise it takes in's install lock (waiting, with progress lines, while
// another process installs it), looks at the cache again (that process may
// have installed it meanwhile) and only then runs build, announced and
// reported by a progress.
func ensureInstalled(ctx context.Context, opt Options, in install, cached func() cacheCheck, build func(*progress) (string, error)) (installed, error) {
	c := cached()
	if c.verified() {
		return installed{SHA256: c.SHA256, Cached: true}, nil
	}
	log := opt.installLog()
	lock, waited, err := acquireInstallLock(ctx, opt.CacheDir, in, log)
	if err != nil {
		return installed{}, err
	}
	defer lock.release()
	res := installed{Waited: waited}
	if waited {
		if c = cached(); c.verified() {
			fmt.Fprintf(log, "%s: the other install finished; using its build %s\n", in.Name, in.Path)
			res.SHA256, res.Cached = c.SHA256, true
			return res, nil
		}
		fmt.Fprintf(log, "%s: the other install left no usable build (%s); installing it here\n", in.Name, c.Reason)
	}
	if c.Exists {
		fmt.Fprintf(log, "%s: the cached build %s %s: rebuilding\n", in.Name, in.Path, c.Reason)
		res.Stale = c.Reason
	}
	err = runInstall(log, in, func(p *progress) error {
		sum, err := build(p)
		res.SHA256 = sum
		return err
	})
	return res, err
}

// runInstall announces in, runs fn with a progress that reports every
// progressEvery, and says how long it took.
func runInstall(log io.Writer, in install, fn func(*progress) error) error {
	p := newProgress(log, in)
	why := ""
	if in.Why != "" {
		why = " (" + in.Why + ")"
	}
	p.printf("%s: %s%s; usually %s\n", in.Name, in.What, why, in.Usually)
	stop := p.tick("still running")
	err := fn(p)
	stop()
	took := time.Since(p.start).Round(time.Second)
	if err != nil {
		p.printf("%s: failed after %s\n", in.Name, took)
		return err
	}
	p.printf("%s: installed in %s (%s)\n", in.Name, took, in.Path)
	return nil
}

// progress reports one install: the step it is at, and every
// progressEvery a line saying it still runs. Its writer is safe for the
// commands and the ticker writing at once.
type progress struct {
	log   io.Writer // serialised
	in    install
	start time.Time

	mu    sync.Mutex
	phase string
}

func newProgress(log io.Writer, in install) *progress {
	return &progress{log: &lockedWriter{w: log}, in: in, start: time.Now()}
}

func (p *progress) printf(format string, args ...any) { fmt.Fprintf(p.log, format, args...) }

// Phase names the step now running, in a line and in the ticker's lines.
func (p *progress) Phase(phase string) {
	p.mu.Lock()
	p.phase = phase
	p.mu.Unlock()
	p.printf("  %s: %s\n", p.in.Name, phase)
}

// tick prints "  ... <name>: <verb> <phase>, <elapsed> so far (usually
// ...)" every progressEvery until the returned stop is called.
func (p *progress) tick(verb string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.mu.Lock()
				phase := p.phase
				p.mu.Unlock()
				if phase != "" {
					phase = ": " + phase
				}
				p.printf("  ... %s: %s%s, %s so far (usually %s)\n", p.in.Name, verb, phase,
					time.Since(p.start).Round(time.Second), p.in.Usually)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// ---- the install lock ----

// installLock is a held install lock; release lets the next run in.
type installLock struct {
	lock *fileLock
	pid  string // the file naming the holder
}

func (l *installLock) release() {
	_ = os.Remove(l.pid)
	_ = l.lock.unlock()
}

// acquireInstallLock takes in's lock in <cache>/locks. When another
// process holds it, it says so (with that process's pid when it wrote
// one), then tries again every lockRetry, with progress lines, until it
// gets the lock or ctx ends. waited says whether it had to wait.
func acquireInstallLock(ctx context.Context, cacheDir string, in install, log io.Writer) (_ *installLock, waited bool, err error) {
	dir := filepath.Join(cacheDir, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, err
	}
	base := filepath.Join(dir, lockName(in.Name))
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	for {
		l, ok, err := tryLock(base + ".lock")
		if err != nil {
			return nil, waited, fmt.Errorf("install lock %s.lock: %w", base, err)
		}
		if ok {
			holder := fmt.Sprintf("%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			_ = writeFileAtomic(base+".pid", []byte(holder)) // only informs a waiting run
			return &installLock{lock: l, pid: base + ".pid"}, waited, nil
		}
		if !waited {
			waited = true
			who := lockHolder(base + ".pid")
			fmt.Fprintf(log, "%s: another apibuilder process (%s) is installing it; waiting for it to finish, then using its build (its install usually takes %s)\n",
				in.Name, who, in.Usually)
			p := newProgress(log, in)
			p.phase = who
			stop = p.tick("still waiting for the other install")
		}
		select {
		case <-ctx.Done():
			return nil, waited, fmt.Errorf("waiting for another process's install of %s: %w", in.Name, ctx.Err())
		case <-time.After(lockRetry):
		}
	}
}

// lockHolder describes the process that wrote pidFile: "pid 123, since
// 20:31:05 UTC"; "pid unknown" when there is none yet.
func lockHolder(pidFile string) string {
	data, err := os.ReadFile(pidFile)
	f := strings.Fields(string(data))
	if err != nil || len(f) == 0 {
		return "pid unknown"
	}
	if _, err := strconv.Atoi(f[0]); err != nil {
		return "pid unknown"
	}
	s := "pid " + f[0]
	if len(f) > 1 {
		if t, err := time.Parse(time.RFC3339, f[1]); err == nil {
			s += ", since " + t.Format("15:04:05") + " UTC"
		}
	}
	return s
}

// lockName makes a file name of "kumo v0.33.1".
func lockName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, name)
}
