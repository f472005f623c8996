// Package instrument counts the calls made to the local stack's emulators and
// adds up how long they took to answer, per AWS service, so that a benchmark
// can report API Gateway calls per route (on AWS the control plane's rate
// limits make that count the floor of apply time) and tell time spent in the
// emulators from time spent in Terraform and the provider. Either emulator
// proxy takes a Recorder as an option; without one nothing is recorded.
package instrument

import (
	"maps"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"time"
)

// Recorder collects call counts by operation and answer times by service.
// It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	calls map[string]int
	times map[string]ServiceTime
}

// ServiceTime is what one service's calls cost: how many, their summed
// duration (calls overlap, so this can exceed wall time) and the slowest.
type ServiceTime struct {
	Calls      int
	Total, Max time.Duration
}

// Count adds one call of operation op.
func (r *Recorder) Count(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[op]++
}

// Time adds one answer of service that took d.
func (r *Recorder) Time(service string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.times == nil {
		r.times = map[string]ServiceTime{}
	}
	st := r.times[service]
	st.Calls++
	st.Total += d
	st.Max = max(st.Max, d)
	r.times[service] = st
}

// Calls is the number of calls per operation so far (a copy).
func (r *Recorder) Calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.calls)
}

// ServiceTimes is the answer time per service so far (a copy).
func (r *Recorder) ServiceTimes() map[string]ServiceTime {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.times)
}

// credentialScope finds the service in a SigV4 Authorization header
// ("Credential=AKID/20261125/us-east-1/lambda/aws4_request").
var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// Unsigned is the service of requests without a SigV4 signature (the Lambda
// Runtime API of running handlers).
const Unsigned = "unsigned"

// ServiceOf names the service a request is for, from its signature.
func ServiceOf(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return Unsigned
}

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
