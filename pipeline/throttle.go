package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// API Gateway's control plane allows few calls per account: CreateRestApi
// once per 3 s, DeleteRestApi once per 30 s (and 10 stages per API).
// Previews create and delete REST APIs, several per hour when pull
// requests open and close together, and a sweep deletes many in a row.
// The AWS provider retries a throttled call a few times; when its retries
// run out, the whole Terraform run is retried here, after a wait that
// grows to past DeleteRestApi's 30 s window.
const (
	firstWait   = 3 * time.Second
	longestWait = 60 * time.Second
	maxAttempts = 6
)

// throttled reports whether err is API Gateway (or another AWS API)
// refusing a call for its rate.
func throttled(err error) bool {
	s := err.Error()
	for _, sign := range []string{"TooManyRequestsException", "Too Many Requests", "StatusCode: 429", "status code: 429", "ThrottlingException", "Rate exceeded"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

// retryThrottled runs f until it succeeds, fails otherwise than by a
// throttle, or has been throttled maxAttempts times.
func retryThrottled(ctx context.Context, opt Options, f func() error) error {
	wait := firstWait
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !throttled(err) || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(opt.Log, "apibuilder: AWS throttled a call (API Gateway allows CreateRestApi once per 3 s and DeleteRestApi once per 30 s per account); running terraform again in %s (attempt %d of %d)\n", wait, attempt+1, maxAttempts)
		opt.Sleep(wait)
		wait = min(2*wait, longestWait)
	}
}

// setLockTimeout makes every plan, apply and destroy of ws wait up to d
// for a state lock (negative: not at all).
func setLockTimeout(ws *tfdriver.Workspace, d time.Duration) {
	ws.LockTimeout = max(d, 0)
}
