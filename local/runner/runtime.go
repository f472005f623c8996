package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Runtime API proxy. Each handler process polls
// /_proc/<id>/_runtime/<fn>/2018-06-01/runtime/invocation/next here. The
// proxy keeps, per function, the processes' waiting polls and as many
// polls of its own at kumo (plus one spare while the function may grow),
// and hands whatever kumo gives to the process that has waited longest.
// Responses and errors go straight on to kumo.
//
// Because a poll at kumo is ours and not a process's, a process can be
// killed while it waits without kumo ever handing an invocation to a
// connection that is gone: what kumo gives is held for the next process
// that polls.

// waiter is one process's poll waiting for an invocation.
type waiter struct {
	p     *proc
	ch    chan *invocation // gets exactly one, when assigned
	state waitState
	gone  chan struct{} // closed when cancelled
}

type waitState int

const (
	queued waitState = iota
	assigned
	cancelled
)

// invocation is one event kumo handed over: its Runtime API headers and payload.
type invocation struct {
	header http.Header
	body   []byte
}

func (r *Runner) startProxy() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.addr = ln.Addr().String()
	rp := httputil.NewSingleHostReverseProxy(r.kumo)
	// Kept connections (the default transport keeps 2 per host: with more
	// processes answering at once, each answer would open one), and no
	// early flush of headers: kumo's answers here are short and whole,
	// and an answer of unknown length is still flushed as it comes.
	rp.Transport = r.client.Transport
	rp.BufferPool = copyBuffers // not 32 KiB of garbage per answer
	rp.ErrorHandler = quietProxyError
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.serveRuntime(w, req, rp) }), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return nil
}

// bufferPool lends ReverseProxy its copy buffers.
type bufferPool struct{ p sync.Pool }

var copyBuffers = &bufferPool{p: sync.Pool{New: func() any { return new([32 << 10]byte) }}}

func (b *bufferPool) Get() []byte  { return b.p.Get().(*[32 << 10]byte)[:] }
func (b *bufferPool) Put(s []byte) { b.p.Put((*[32 << 10]byte)(s)) }

func (r *Runner) serveRuntime(w http.ResponseWriter, req *http.Request, rp *httputil.ReverseProxy) {
	id, rest, ok := procPath(req.URL.Path)
	if !ok {
		http.Error(w, "runner: not a handler process's path", http.StatusNotFound)
		return
	}
	r.mu.Lock()
	p := r.procs[id]
	r.mu.Unlock()
	if p == nil {
		http.Error(w, "runner: no such process (it was replaced)", http.StatusGone)
		return
	}
	req.URL.Path, req.URL.RawPath = rest, ""
	if fn, isNext := nextPoll(rest); isNext && req.Method == http.MethodGet && fn == p.fn.name {
		r.next(w, req, p)
		return
	}
	rp.ServeHTTP(w, req)
	if isResult(rest) {
		r.mu.Lock()
		p.fn.crashes = 0 // it answered: a later exit starts a new backoff
		r.mu.Unlock()
	}
}

// procPath splits /_proc/<id>/<rest>.
func procPath(path string) (int, string, bool) {
	rest, ok := strings.CutPrefix(path, "/_proc/")
	if !ok {
		return 0, "", false
	}
	idText, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, "", false
	}
	id, err := strconv.Atoi(idText)
	return id, "/" + rest, err == nil
}

// nextPoll recognises /_runtime/<fn>/2018-06-01/runtime/invocation/next.
func nextPoll(path string) (string, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 6 && parts[0] == "_runtime" && parts[4] == "invocation" && parts[5] == "next" {
		return parts[1], true
	}
	return "", false
}

// isResult recognises .../runtime/invocation/<id>/response and .../error.
func isResult(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return len(parts) == 7 && parts[4] == "invocation" && (parts[6] == "response" || parts[6] == "error")
}

// quietProxyError answers 502 when kumo fails, and nothing when the handler
// went away.
func quietProxyError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() == nil {
		http.Error(w, "kumo: "+err.Error(), http.StatusBadGateway)
	}
}

// next serves a process's poll: an invocation held for it, or the next
// one kumo hands over. A replaced process's poll is its last: it has
// answered its last invocation, so it is stopped.
func (r *Runner) next(w http.ResponseWriter, req *http.Request, p *proc) {
	fn := p.fn
	r.mu.Lock()
	select {
	case <-p.polled:
	default:
		close(p.polled)
	}
	if p.retired || fn.removed || r.stopped {
		r.mu.Unlock()
		p.kill()
		return
	}
	p.busy = false
	if len(fn.held) > 0 {
		inv := fn.held[0]
		fn.held = fn.held[1:]
		p.busy = true
		r.pollLocked(fn)
		r.mu.Unlock()
		r.deliver(w, req, p, inv)
		return
	}
	wt := &waiter{p: p, ch: make(chan *invocation, 1), gone: make(chan struct{})}
	fn.waiting = append(fn.waiting, wt)
	r.pollLocked(fn)
	r.mu.Unlock()
	select {
	case inv := <-wt.ch:
		r.deliver(w, req, p, inv)
		return
	case <-wt.gone:
	case <-req.Context().Done():
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch wt.state {
	case queued:
		wt.state = cancelled
		removeWaiter(fn, wt)
	case assigned: // handed an invocation just as the process went away: give it to another
		p.busy = false
		r.dispatchLocked(fn, <-wt.ch, true)
	}
}

// deliver writes the invocation to the process, or gives it to another
// process when this one is gone.
func (r *Runner) deliver(w http.ResponseWriter, req *http.Request, p *proc, inv *invocation) {
	if req.Context().Err() != nil {
		r.mu.Lock()
		p.busy = false
		r.dispatchLocked(p.fn, inv, true)
		r.mu.Unlock()
		return
	}
	for k, vs := range inv.header {
		if strings.HasPrefix(k, "Lambda-Runtime-") || k == "Content-Type" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.body)
}

// dispatchLocked hands an invocation to the longest waiting poll, or holds
// it (first in line when front) until a process polls, starting one more
// process if the function may grow.
func (r *Runner) dispatchLocked(fn *function, inv *invocation, front bool) {
	for len(fn.waiting) > 0 {
		wt := fn.waiting[0]
		fn.waiting = fn.waiting[1:]
		if wt.state != queued {
			continue
		}
		wt.state = assigned
		wt.p.busy = true
		wt.ch <- inv
		return
	}
	if front {
		fn.held = append([]*invocation{inv}, fn.held...)
	} else {
		fn.held = append(fn.held, inv)
	}
	r.growLocked(fn)
}

// growLocked starts one more process when an invocation waits, no process
// is free or starting, and the function is below its concurrency.
func (r *Runner) growLocked(fn *function) {
	if len(fn.held) == 0 || len(fn.waiting) > 0 || fn.removed || r.stopped || len(fn.live) >= r.cfg.Concurrency || startingLocked(fn) {
		return
	}
	p := r.newProcLocked(fn)
	go func() {
		if err := r.launch(p); err != nil {
			r.logf("[%s] %v\n", fn.name, err)
		}
	}()
}

// startingLocked reports whether a live process has not polled yet.
func startingLocked(fn *function) bool {
	for _, p := range fn.live {
		select {
		case <-p.polled:
		default:
			return true
		}
	}
	return false
}

// pollLocked keeps as many polls at kumo as processes wait, plus one
// spare while the function may grow: what the spare brings when every
// process is busy is held, and another process is started for it, as
// Lambda scales out.
func (r *Runner) pollLocked(fn *function) {
	want := r.wantLocked(fn)
	for fn.upstream < want {
		fn.upstream++
		go r.pollKumo(fn)
	}
}

func (r *Runner) wantLocked(fn *function) int {
	if fn.removed || r.stopped {
		return 0
	}
	want := len(fn.waiting)
	if len(fn.held) == 0 && len(fn.live) < r.cfg.Concurrency && !startingLocked(fn) {
		want++
	}
	return want
}

// pollKumo is one poll of ours at kumo, retried while it is still wanted.
func (r *Runner) pollKumo(fn *function) {
	u := *r.kumo
	u.Path = strings.TrimSuffix(u.Path, "/") + "/_runtime/" + fn.name + "/2018-06-01/runtime/invocation/next"
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { r.markReady(fn) }}
	ctx := httptrace.WithClientTrace(fn.ctx, trace)
	for failures := 0; ; failures++ {
		err := r.pollOnce(ctx, fn, u.String())
		if err == nil {
			return
		}
		r.mu.Lock()
		unwanted := fn.ctx.Err() != nil || fn.upstream > r.wantLocked(fn)
		if unwanted {
			fn.upstream--
		}
		r.mu.Unlock()
		if unwanted {
			return
		}
		if failures == 0 {
			r.logf("[%s] runner: polling kumo failed (%v); retrying\n", fn.name, err)
		}
		select {
		case <-time.After(min(time.Duration(failures+1)*100*time.Millisecond, 2*time.Second)):
		case <-fn.ctx.Done():
		}
	}
}

func (r *Runner) pollOnce(ctx context.Context, fn *function, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kumo answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	r.mu.Lock()
	fn.upstream--
	fn.invocations++
	r.dispatchLocked(fn, &invocation{header: resp.Header, body: body}, false)
	r.pollLocked(fn)
	r.mu.Unlock()
	return nil
}

func (r *Runner) markReady(fn *function) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-fn.ready:
	default:
		close(fn.ready)
	}
}

func removeWaiter(fn *function, wt *waiter) {
	for i, w := range fn.waiting {
		if w == wt {
			fn.waiting = append(fn.waiting[:i], fn.waiting[i+1:]...)
			return
		}
	}
}
