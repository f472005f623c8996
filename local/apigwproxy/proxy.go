// Package apigwproxy is the proxy in front of moto, the local stack's API
// Gateway control plane. It fills moto's gaps: the in-place updates the AWS
// provider makes that moto lacks or gets wrong (motogaps.go, patch.go) and
// the fields moto's writes drop (cachekeys.go), so that applies and re-plans
// behave as they do on AWS. It enforces the AWS rules moto skips
// (rules.go), so that what fails on AWS fails here too, and it keeps a
// snapshot of the API per deployment (snapshot.go), so the data plane can
// serve a stage's deployment as AWS does rather than the API's current
// resources. It imports OpenAPI documents (PutRestApi, ImportRestApi:
// import.go), which moto barely does, and exports a stage's deployment
// with API Gateway's extensions (GetExport: export.go). With an instrument.Recorder it also counts calls by operation
// and times the answers (bench).
package apigwproxy

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/local/instrument"
)

// Options tune Start; the zero value fills moto's gaps and records nothing.
type Options struct {
	// Instrument, when set, counts every call by Operation and times it.
	Instrument *instrument.Recorder
}

// Proxy serves the API Gateway API on URL, backed by moto.
type Proxy struct {
	URL string // http://127.0.0.1:<port>

	proxy *httputil.ReverseProxy
	srv   *http.Server
	gaps  *motoGaps
	rec   *instrument.Recorder // nil: nothing recorded

	changes changes // writes answered (changes.go)
}

// Start serves a proxy in front of moto (its URL) on a free loopback port.
func Start(moto string, opt Options) (*Proxy, error) {
	u, err := url.Parse(moto)
	if err != nil {
		return nil, err
	}
	p := &Proxy{proxy: httputil.NewSingleHostReverseProxy(u), gaps: newMotoGaps(moto), rec: opt.Instrument}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.URL = "http://" + ln.Addr().String()
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	proxies.Store(p.URL, p)
	return p, nil
}

// Close stops serving. It is safe to call twice.
func (p *Proxy) Close() { proxies.CompareAndDelete(p.URL, p); _ = p.srv.Close() }

// apigwIDs matches the generated parts of API Gateway paths.
var apigwIDs = regexp.MustCompile(`^(restapis|resources|methods|stages|deployments|models|requestvalidators|apikeys|usageplans|keys|gatewayresponses|integration|responses|authorizers)$`)

// Operation names the API Gateway operation of r with its generated ids
// left out: "POST /restapis/{id}/resources/{id}/methods/{id}".
func Operation(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i := 1; i < len(segs); i++ {
		if apigwIDs.MatchString(segs[i-1]) && !apigwIDs.MatchString(segs[i]) {
			segs[i] = "{id}"
		}
	}
	return r.Method + " /" + strings.Join(segs, "/")
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.rec != nil {
		p.rec.Count(Operation(r))
		defer func(start time.Time) { p.rec.Time(instrument.ServiceOf(r), time.Since(start)) }(time.Now())
	}
	w, changed := p.changes.track(w, r)
	defer changed()
	defer p.gaps.lock(r)()
	parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if p.gaps.serveImport(w, r, parts, body) || p.gaps.serveExport(w, r, parts) {
		return // import.go, export.go
	}
	if p.gaps.enforce(w, r, parts, body) {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if p.gaps.serveSnapshot(w, r, parts, body, http.HandlerFunc(p.forward)) {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.forward(w, r)
}

// forward answers r with a gap fill, or passes it to moto; answers about
// REST APIs get their policy escaped as AWS answers it (policy.go).
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	if servePolicyEscaped(w, r, parts, http.HandlerFunc(p.toMoto)) {
		return
	}
	p.toMoto(w, r)
}

func (p *Proxy) toMoto(w http.ResponseWriter, r *http.Request) {
	if p.gaps.serve(w, r) {
		return
	}
	p.proxy.ServeHTTP(w, r)
}
