package runner

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Swap is what a rebuild did for one handler directory.
type Swap struct {
	Source string // the handler directory (absolute)
	// Functions are the functions now running the new build.
	Functions []string
	// Unchanged: the build is byte for byte the running one, so nothing
	// was swapped.
	Unchanged bool
	// Build is how long go build took; Total the whole rebuild and swap.
	Build, Total time.Duration
	// Err: the build failed (a *BuildError with the compiler's output) or
	// a new process did not start; the old processes keep serving.
	Err error
}

// Rebuild builds the handlers in srcs (directories, absolute or relative
// to the module root) and swaps every function built from one of them to
// its new build without dropping a request: a new process starts and
// polls first, then the old processes take no new invocation and stop
// once their invocation in flight is answered. A directory no function
// runs is skipped.
func (r *Runner) Rebuild(ctx context.Context, srcs []string) []Swap {
	bySrc := map[string][]*function{}
	r.mu.Lock()
	for _, fn := range r.fns {
		bySrc[fn.src] = append(bySrc[fn.src], fn)
	}
	r.mu.Unlock()
	var todo []string
	seen := map[string]bool{}
	for _, s := range srcs {
		s = r.abs(s)
		if len(bySrc[s]) > 0 && !seen[s] {
			seen[s] = true
			todo = append(todo, s)
		}
	}
	sort.Strings(todo)
	swaps := make([]Swap, len(todo))
	var wg sync.WaitGroup
	for i, src := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			swaps[i] = r.rebuildOne(ctx, src, bySrc[src])
		}()
	}
	wg.Wait()
	return swaps
}

func (r *Runner) rebuildOne(ctx context.Context, src string, fns []*function) Swap {
	start := time.Now()
	sw := Swap{Source: src}
	r.mu.Lock()
	oldBin := r.bins[src]
	r.mu.Unlock()
	changed, err := r.build(ctx, src)
	sw.Build = time.Since(start)
	if err != nil || !changed {
		sw.Err, sw.Unchanged, sw.Total = err, err == nil, time.Since(start)
		return sw
	}
	r.mu.Lock()
	bin := r.bins[src]
	r.mu.Unlock()
	// The first function proves the build starts and polls; the others
	// (functions sharing the handler) then switch at once and start their
	// new process on their next invocation, as Lambda cold-starts a new
	// version: swapping 50 functions costs one process start, not 50.
	sort.Slice(fns, func(i, j int) bool { return fns[i].name < fns[j].name })
	r.mu.Lock()
	env, conf := fns[0].env, fns[0].conf
	r.mu.Unlock()
	sw.Err = r.replace(ctx, fns[0], bin, env, conf)
	if sw.Err == nil {
		for _, fn := range fns {
			if fn != fns[0] {
				r.switchLazily(fn, bin)
			}
			sw.Functions = append(sw.Functions, fn.name)
		}
	}
	if len(sw.Functions) == 0 {
		// Nothing runs the new build: the directory keeps its old one.
		r.mu.Lock()
		r.bins[src] = oldBin
		r.mu.Unlock()
		_ = os.Remove(bin)
	}
	r.dropUnused(oldBin)
	sw.Total = time.Since(start)
	return sw
}

// dropUnused removes a binary no function runs any more (its running
// processes keep their open copy).
func (r *Runner) dropUnused(bin string) {
	if bin == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fn := range r.fns {
		if fn.bin == bin {
			return
		}
	}
	for _, b := range r.bins {
		if b == bin {
			return
		}
	}
	_ = os.Remove(bin)
}

// replace swaps fn's processes for one process of bin with env. The new
// process must poll before the old ones retire; if it exits or does not
// poll in time, the old ones keep serving and the error says so.
func (r *Runner) replace(ctx context.Context, fn *function, bin string, env []string, conf fnConf) error {
	r.mu.Lock()
	if fn.removed || r.stopped {
		r.mu.Unlock()
		return nil
	}
	old := fn.live
	oldBin, oldEnv, oldConf := fn.bin, fn.env, fn.conf
	fn.bin, fn.env, fn.conf = bin, env, conf
	fn.live = nil
	fn.crashes = 0
	p := r.newProcLocked(fn)
	r.mu.Unlock()
	err := r.launch(p)
	if err == nil {
		select {
		case <-p.polled:
		case <-p.exited:
			err = fmt.Errorf("function %s: the new handler exited before it polled for work (see its log lines); the previous one keeps serving", fn.name)
		case <-time.After(r.cfg.ReadyTimeout):
			err = fmt.Errorf("function %s: the new handler did not poll within %s; the previous one keeps serving", fn.name, r.cfg.ReadyTimeout)
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		// Back to the old processes, which never stopped serving.
		r.retireLocked(p)
		fn.bin, fn.env, fn.conf = oldBin, oldEnv, oldConf
		var live []*proc
		for _, q := range old {
			select {
			case <-q.exited:
			default:
				live = append(live, q)
			}
		}
		fn.live = live
		return err
	}
	for _, q := range old {
		r.retireLocked(q)
	}
	return nil
}

// switchLazily makes fn run bin from its next process on: its processes
// retire (an invocation in flight finishes first) and the next invocation
// starts a process of bin.
func (r *Runner) switchLazily(fn *function, bin string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn.removed || r.stopped {
		return
	}
	fn.bin = bin
	fn.crashes = 0
	for _, p := range append([]*proc{}, fn.live...) {
		r.retireLocked(p)
	}
	r.pollLocked(fn) // a poll at kumo takes the next invocation and starts a process for it
}

// retireLocked stops a process from taking new invocations: an idle one
// (waiting, or not polling yet) is stopped now; a busy one answers its
// invocation and is stopped at its next poll, or once the function's
// timeout has passed.
func (r *Runner) retireLocked(p *proc) {
	fn := p.fn
	p.retired = true
	for i, q := range fn.live {
		if q == p {
			fn.live = append(fn.live[:i], fn.live[i+1:]...)
			break
		}
	}
	for _, wt := range fn.waiting {
		if wt.p == p && wt.state == queued {
			wt.state = cancelled
			removeWaiter(fn, wt)
			close(wt.gone)
			break
		}
	}
	if !p.busy {
		p.kill()
		return
	}
	grace := time.Duration(max(fn.conf.timeout, 3))*time.Second + 2*time.Second
	go func() {
		select {
		case <-p.exited:
		case <-time.After(grace):
			p.kill()
		}
	}()
}

// Changes is what Update did.
type Changes struct {
	Added, Removed []string
	// Restarted are functions swapped to a new deployed configuration or
	// handler directory, with what changed.
	Restarted []Restart
}

// Restart is one function swapped by Update.
type Restart struct {
	Name string
	What []string // "environment", "memory", "timeout", "handler"
	Err  error    // the new process did not start; the old one keeps serving
}

// Update makes the runner run exactly fns, as deployed now: functions no
// longer listed stop (their invocations in flight finish first), new ones
// start, and a function whose deployed configuration (environment,
// memory, timeout, handler) or handler directory changed is swapped to
// processes started with it, read back from Lambda.
func (r *Runner) Update(ctx context.Context, fns []Function) (Changes, error) {
	var ch Changes
	want := map[string]Function{}
	for _, f := range fns {
		f.SourceDir = r.abs(f.SourceDir)
		want[f.Name] = f
	}
	var added []Function
	var kept []*function
	r.mu.Lock()
	for name, fn := range r.fns {
		if _, ok := want[name]; !ok {
			fn.removed = true
			fn.cancel()
			for _, p := range append([]*proc{}, fn.live...) {
				r.retireLocked(p)
			}
			delete(r.fns, name)
			ch.Removed = append(ch.Removed, name)
		}
	}
	for name, f := range want {
		if fn, ok := r.fns[name]; ok {
			kept = append(kept, fn)
		} else {
			added = append(added, f)
		}
	}
	r.mu.Unlock()
	sort.Strings(ch.Removed)

	// Functions that stay: read their configuration, build new handler
	// directories, and swap what changed.
	confs := make([]fnConf, len(kept))
	envs := make([][]string, len(kept))
	if err := parallel(len(kept), func(i int) (err error) {
		confs[i], envs[i], err = r.configuration(ctx, kept[i].name)
		return err
	}); err != nil {
		return ch, err
	}
	newSrcs := map[string]bool{}
	r.mu.Lock()
	for _, fn := range kept {
		if src := want[fn.name].SourceDir; src != fn.src {
			if _, built := r.bins[src]; !built {
				newSrcs[src] = true
			}
		}
	}
	r.mu.Unlock()
	if _, errs := r.buildAll(ctx, keys(newSrcs)); len(errs) > 0 {
		return ch, joinErrors(errs)
	}
	var restarts []Restart
	var mu sync.Mutex
	_ = parallel(len(kept), func(i int) error {
		fn := kept[i]
		r.mu.Lock()
		src := want[fn.name].SourceDir
		what := diffConf(fn.conf, confs[i])
		bin := fn.bin
		if src != fn.src {
			what = append(what, "handler")
			bin = r.bins[src]
		}
		r.mu.Unlock()
		if len(what) == 0 {
			return nil
		}
		err := r.replace(ctx, fn, bin, envs[i], confs[i])
		if err == nil && src != fn.src {
			r.mu.Lock()
			old := fn.src
			fn.src = src
			r.mu.Unlock()
			r.dropUnusedSource(old)
		}
		mu.Lock()
		restarts = append(restarts, Restart{Name: fn.name, What: what, Err: err})
		mu.Unlock()
		return nil
	})
	sort.Slice(restarts, func(i, j int) bool { return restarts[i].Name < restarts[j].Name })
	ch.Restarted = restarts

	sort.Slice(added, func(i, j int) bool { return added[i].Name < added[j].Name })
	names, err := r.add(ctx, added)
	ch.Added = names
	if len(ch.Removed) > 0 {
		r.dropUnusedSource("")
	}
	return ch, err
}

// dropUnusedSource forgets the binary of a handler directory no function
// runs any more (src "" checks them all).
func (r *Runner) dropUnusedSource(src string) {
	r.mu.Lock()
	used := map[string]bool{}
	for _, fn := range r.fns {
		used[fn.src] = true
	}
	var drop []string
	for s, bin := range r.bins {
		if (src == "" || s == src) && !used[s] {
			delete(r.bins, s)
			drop = append(drop, bin)
		}
	}
	r.mu.Unlock()
	for _, bin := range drop {
		r.dropUnused(bin)
	}
}

// diffConf names what differs between two deployed configurations.
func diffConf(a, b fnConf) []string {
	var what []string
	if a.env != b.env {
		what = append(what, "environment")
	}
	if a.memory != b.memory {
		what = append(what, "memory")
	}
	if a.timeout != b.timeout {
		what = append(what, "timeout")
	}
	if a.handler != b.handler {
		what = append(what, "handler setting")
	}
	return what
}

// String is one line: "get_item (environment, memory)".
func (rs Restart) String() string {
	return rs.Name + " (" + strings.Join(rs.What, ", ") + ")"
}

// SetConcurrency changes how many processes each function may run at
// once. Processes beyond the new limit retire (an invocation in flight
// finishes first); below it, functions grow with demand.
func (r *Runner) SetConcurrency(n int) {
	if n < 1 {
		n = 1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cfg.Concurrency = n
	for _, fn := range r.fns {
		// Idle processes go first, then the youngest.
		for len(fn.live) > n {
			victim := fn.live[len(fn.live)-1]
			for _, p := range fn.live {
				if !p.busy {
					victim = p
					break
				}
			}
			r.retireLocked(victim)
		}
	}
}
