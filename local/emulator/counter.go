package emulator

import (
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// counter fronts an emulator and counts the calls made to it by operation
// ("POST /restapis/{id}/resources/{id}/methods/{id}"), so benchmarks can
// report API Gateway calls per route: on AWS, the control plane's rate
// limits make that count the floor of apply time.
type counter struct {
	proxy *httputil.ReverseProxy
	srv   *http.Server
	gaps  *motoGaps // nil: pass every call through

	mu    sync.Mutex
	calls map[string]int
	times latency
}

func startCounter(target string, gaps *motoGaps) (*counter, string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, "", err
	}
	c := &counter{proxy: httputil.NewSingleHostReverseProxy(u), gaps: gaps, calls: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	return c, "http://" + ln.Addr().String(), nil
}

func (c *counter) close() { _ = c.srv.Close() }

// apigwIDs matches the generated parts of API Gateway paths.
var apigwIDs = regexp.MustCompile(`^(restapis|resources|methods|stages|deployments|models|requestvalidators|apikeys|usageplans|keys|gatewayresponses|integration|responses|authorizers)$`)

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i := 1; i < len(segs); i++ {
		if apigwIDs.MatchString(segs[i-1]) && !apigwIDs.MatchString(segs[i]) {
			segs[i] = "{id}"
		}
	}
	op := r.Method + " /" + strings.Join(segs, "/")
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
	defer func(start time.Time) { c.times.add(serviceOf(r), time.Since(start)) }(time.Now())
	if c.gaps != nil {
		defer c.gaps.lock(r)()
		if c.gaps.serve(w, r) {
			return
		}
	}
	c.proxy.ServeHTTP(w, r)
}

// Calls is the number of calls per operation so far.
func (c *counter) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// APIGatewayCalls counts the calls made to the API Gateway control plane
// (moto) since the stack started, by operation.
func (s *Stack) APIGatewayCalls() map[string]int { return s.apigw.Calls() }

// TotalCalls adds up a call count.
func TotalCalls(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

// SortedOps lists operations by count, highest first.
func SortedOps(calls map[string]int) []string {
	ops := make([]string, 0, len(calls))
	for k := range calls {
		ops = append(ops, k)
	}
	sort.Slice(ops, func(i, j int) bool {
		if calls[ops[i]] != calls[ops[j]] {
			return calls[ops[i]] > calls[ops[j]]
		}
		return ops[i] < ops[j]
	})
	return ops
}
