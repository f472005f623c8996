package emulator

import (
	"maps"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// latency adds up how long the emulators took to answer, per AWS service,
// so a benchmark can tell time spent in the emulators from time spent in
// Terraform and the provider.
type latency struct {
	mu  sync.Mutex
	per map[string]ServiceTime
}

// ServiceTime is what one service's calls cost: how many, their summed
// duration (calls overlap, so this can exceed wall time) and the slowest.
type ServiceTime struct {
	Calls      int
	Total, Max time.Duration
}

func (l *latency) add(service string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.per == nil {
		l.per = map[string]ServiceTime{}
	}
	st := l.per[service]
	st.Calls++
	st.Total += d
	st.Max = max(st.Max, d)
	l.per[service] = st
}

func (l *latency) snapshot() map[string]ServiceTime {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.per)
}

// credentialScope finds the service in a SigV4 Authorization header
// ("Credential=AKID/20261125/us-east-1/lambda/aws4_request").
var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// serviceOf names the service a request is for; unsigned requests (the
// Lambda Runtime API of running handlers) are "unsigned".
func serviceOf(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return "unsigned"
}

// ServiceTimes is the emulators' answer time per service since the stack
// started (API Gateway is moto, the rest kumo).
func (s *Stack) ServiceTimes() map[string]ServiceTime {
	out := map[string]ServiceTime{}
	maps.Copy(out, s.shim.times.snapshot())
	maps.Copy(out, s.apigw.times.snapshot())
	return out
}
