package apitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/apibuilder/apibuilder/target"
)

// Result is what a run found.
type Result struct {
	Passed, Failed, Skipped int
}

// OK reports whether nothing failed.
func (r Result) OK() bool { return r.Failed == 0 }

// Run runs every check of the API deployed on tg (as tg.Result describes
// it) and writes the report to out: one line per check (PASS, FAIL with
// why, SKIP with why), then go test's summary line.
func Run(ctx context.Context, tg *target.Target, out io.Writer) Result {
	start := time.Now()
	p := &plan{res: tg.Result, keys: tg.Keys, local: tg.Local(), env: tg.Env, region: tg.Region, functions: tg.Functions}
	r := &runner{stage: stageOf(tg), t: tg, out: out, client: &http.Client{Timeout: 35 * time.Second}}
	fmt.Fprintf(out, "=== apibuilder test: %s\n", tg.Name)
	for _, c := range p.checks() {
		if c.burst > 0 {
			continue // after the re-plan: they change the usage plans
		}
		r.run(ctx, c)
	}
	r.replan(ctx)
	r.usagePlans(ctx, p)
	status, verb := "ok  ", "PASS"
	if r.res.Failed > 0 {
		status, verb = "FAIL", "FAIL"
	}
	fmt.Fprintf(out, "%s\n%s\t%s\t%.3fs\n", verb, status, tg.Name, time.Since(start).Seconds())
	fmt.Fprintf(out, "(%d passed, %d failed, %d skipped)\n", r.res.Passed, r.res.Failed, r.res.Skipped)
	return r.res
}

// stage is what a request needs: where to send it and how to sign it.
type stage struct {
	url         string
	credentials aws.CredentialsProvider
	region      string
}

func stageOf(tg *target.Target) stage {
	return stage{url: tg.URL, credentials: tg.AWS.Credentials, region: tg.Region}
}

type runner struct {
	stage
	t      *target.Target // nil: requests only (Call.Do)
	out    io.Writer
	client *http.Client
	res    Result
	mu     sync.Mutex
	// answers are the last answers of the checks, by route/check name.
	answers map[string]*answer
}

func (r *runner) report(name string, took time.Duration, err error, skip string) {
	switch {
	case skip != "":
		r.res.Skipped++
		fmt.Fprintf(r.out, "--- SKIP: %s (%.2fs)\n    %s\n", name, took.Seconds(), skip)
	case err != nil:
		r.res.Failed++
		fmt.Fprintf(r.out, "--- FAIL: %s (%.2fs)\n    %s\n", name, took.Seconds(), strings.ReplaceAll(err.Error(), "\n", "\n    "))
	default:
		r.res.Passed++
		fmt.Fprintf(r.out, "--- PASS: %s (%.2fs)\n", name, took.Seconds())
	}
}

func (r *runner) run(ctx context.Context, c check) {
	name := c.route + "/" + c.name
	if c.skip != "" {
		r.report(name, 0, nil, c.skip)
		return
	}
	start := time.Now()
	if c.answerOf != "" {
		a, ok := r.answers[c.route+"/"+c.answerOf]
		switch {
		case !ok:
			r.report(name, 0, nil, "no answer of "+c.answerOf+" to judge (it did not run)")
		default:
			err := c.expect(a)
			if err != nil {
				err = fmt.Errorf("%s %s: %w", c.req.method, c.req.path, err)
			}
			r.report(name, 0, err, "")
		}
		return
	}
	if c.before != nil {
		if err := c.before(); err != nil {
			r.report(name, time.Since(start), err, "")
			return
		}
	}
	deadline := start.Add(r.t.Patience)
	for {
		err := r.attempt(ctx, c, name)
		// Retries wait out AWS's propagation of a new deployment or key;
		// locally there is none, and a retried call is not the same call.
		if err == nil || !time.Now().Before(deadline) || ctx.Err() != nil {
			r.report(name, time.Since(start), err, "")
			return
		}
		time.Sleep(time.Second)
	}
}

// attempt sends the check's request (burst times) and judges the answer.
func (r *runner) attempt(ctx context.Context, c check, name string) error {
	before := -1
	if c.function != "" {
		if n, ok := r.t.Invocations(c.function); ok {
			before = n
		}
	}
	n := max(c.burst, 1)
	var last *answer
	var lastErr error
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := r.send(ctx, c.req)
			r.mu.Lock()
			defer r.mu.Unlock()
			if err != nil {
				lastErr = err
				return
			}
			// For a burst, the refusal is what counts: keep a 429 once seen.
			if last == nil || last.status != 429 {
				last = a
			}
		}()
	}
	wg.Wait()
	if last == nil {
		return fmt.Errorf("%s %s: %v", c.req.method, c.req.path, lastErr)
	}
	if r.answers == nil {
		r.answers = map[string]*answer{}
	}
	r.answers[name] = last
	if err := c.expect(last); err != nil {
		return fmt.Errorf("%s %s: %w", c.req.method, c.req.path, err)
	}
	if before >= 0 && c.function != "" {
		after, _ := r.t.Invocations(c.function)
		switch {
		case c.notInvoked && after != before:
			return fmt.Errorf("%s %s: the function %s ran (%d invocation(s)); API Gateway must answer in front of it", c.req.method, c.req.path, c.function, after-before)
		case !c.notInvoked && c.name == "happy path" && after == before:
			return fmt.Errorf("%s %s: answered %s, but the function %s never ran", c.req.method, c.req.path, last, c.function)
		}
	}
	return nil
}

func (r *runner) send(ctx context.Context, q request) (*answer, error) {
	u := r.url + q.path
	if len(q.query) > 0 {
		u += "?" + q.query.Encode()
	}
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(ctx, q.method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range q.headers {
		req.Header.Set(k, v)
	}
	if q.sign {
		if err := r.sign(ctx, req, q.body); err != nil {
			return nil, err
		}
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &answer{status: resp.StatusCode, headers: resp.Header, body: data}, nil
}

// sign signs a request to an AWS_IAM route with SigV4 (execute-api).
func (r *runner) sign(ctx context.Context, req *http.Request, body []byte) error {
	if r.credentials == nil {
		return fmt.Errorf("no AWS credentials to sign the request with")
	}
	creds, err := r.credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", r.region, time.Now())
}

// replan checks that the deployment is what the project says: an empty plan.
func (r *runner) replan(ctx context.Context) {
	const name = "terraform/re-plan is empty"
	start := time.Now()
	changes, err := r.t.Replan(ctx)
	if err == nil && len(changes) > 0 {
		err = fmt.Errorf("terraform plan after the apply wants to change what it just applied:\n%s", strings.Join(changes, "\n"))
	}
	r.report(name, time.Since(start), err, "")
}

// usagePlans shrinks each usage plan (first its quota, then its throttle)
// and calls past the limit: 429 Limit Exceeded, then 429 Too Many Requests.
func (r *runner) usagePlans(ctx context.Context, p *plan) {
	for _, c := range p.usagePlanChecks() {
		plan := strings.TrimSuffix(strings.TrimPrefix(c.name, "usage plan "), " throttles (429)")
		quota := c
		quota.name = "usage plan " + plan + " quota (429 Limit Exceeded)"
		quota.burst = 3
		quota.before = func() error {
			return r.t.Limit(ctx, map[string]target.Limits{plan: {RateLimit: 1000, BurstLimit: 1000, QuotaLimit: 1, QuotaPeriod: "DAY"}})
		}
		quota.expect = func(a *answer) error {
			if a.status != 429 || !strings.Contains(string(a.body), "Limit Exceeded") {
				return fmt.Errorf("with a quota of 1 call a day, want 429 Limit Exceeded, got %s", a)
			}
			return nil
		}
		r.run(ctx, quota)
		throttle := c
		throttle.name = "usage plan " + plan + " throttle (429 Too Many Requests)"
		throttle.before = func() error {
			return r.t.Limit(ctx, map[string]target.Limits{plan: {RateLimit: 1, BurstLimit: 1}})
		}
		throttle.expect = func(a *answer) error {
			if a.status != 429 || !strings.Contains(string(a.body), "Too Many Requests") {
				return fmt.Errorf("20 calls at once on a plan of rate 1, burst 1: want 429 Too Many Requests, got %s", a)
			}
			return nil
		}
		r.run(ctx, throttle)
	}
}
