package apigwproxy

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// The data plane serves a stage from what it read of it (its variables,
// method settings, access logging, deployment) and must see a change by the
// next request after the control-plane call that made it returns. Reading
// the stage from moto on every request costs more than the rest of the
// request together, so the proxy, which sees every control-plane call,
// counts the calls that may change anything: the data plane keeps what it
// read while the count stays where it was when it read it.

// changes counts the proxy's answered writes.
type changes struct{ n atomic.Uint64 }

// Changes is the number of API Gateway calls other than reads (GET, HEAD,
// OPTIONS) the proxy has handled so far. It moves before the client of such
// a call can read its answer, and again when the proxy is done with it; a
// reader that takes it before reading the API and finds it unchanged later
// knows nothing it read has changed through this proxy since. Changes made
// in moto directly, not through the proxy, are not counted.
func (p *Proxy) Changes() uint64 { return p.changes.n.Load() }

// track wraps w so that a write call (anything but GET, HEAD, OPTIONS)
// moves the count when its answer starts (after moto or the proxy has
// carried it out) and once more when done returns.
func (c *changes) track(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return w, func() {}
	}
	c.n.Add(1) // a reader in the middle of this call reads again after it
	return &countingWriter{ResponseWriter: w, c: c}, func() { c.n.Add(1) }
}

// countingWriter moves the count before the first byte of an answer goes out.
type countingWriter struct {
	http.ResponseWriter
	c       *changes
	started bool
}

func (w *countingWriter) WriteHeader(code int) {
	if !w.started {
		w.started = true
		w.c.n.Add(1)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes).
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// proxies are the proxies running in this process, by URL.
var proxies sync.Map // string -> *Proxy

// ChangesAt returns the change count (Proxy.Changes) of the proxy serving
// url in this process, or false when none does (a remote API Gateway, a
// proxy in another process).
func ChangesAt(url string) (func() uint64, bool) {
	v, ok := proxies.Load(strings.TrimSuffix(url, "/"))
	if !ok {
		return nil, false
	}
	return v.(*Proxy).Changes, true
}
