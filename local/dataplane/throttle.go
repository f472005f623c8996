package dataplane

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// limit is one limit a request counts against: a token bucket (rate per
// second refilling up to burst) or, when quota is set, a request quota.
type limit struct {
	key         string
	rate, burst float64
	quota       *types.QuotaSettings
}

type refusal int

const (
	admitted refusal = iota
	refusedThrottle
	refusedQuota
)

// limits holds the buckets and quota counters of every stage and key. It
// lives as long as the server, so a new deployment does not reset usage.
type limits struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	quotas  map[string]*quotaUse
}

type bucket struct {
	tokens float64
	last   time.Time
}

type quotaUse struct {
	start time.Time // the current period's start
	used  int
}

func newLimits() *limits {
	return &limits{buckets: map[string]*bucket{}, quotas: map[string]*quotaUse{}}
}

// admit checks every limit in order and takes one request from each only
// when all admit it, so a refused request uses up nothing.
func (l *limits) admit(now time.Time, checks []limit) refusal {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range checks {
		if c.quota != nil {
			if q := l.quota(c, now); q.used >= int(c.quota.Limit) {
				return refusedQuota
			}
			continue
		}
		if l.bucket(c, now).tokens < 1 {
			return refusedThrottle
		}
	}
	for _, c := range checks {
		if c.quota != nil {
			l.quota(c, now).used++
		} else {
			l.bucket(c, now).tokens--
		}
	}
	return admitted
}

// bucket refills the limit's bucket up to now; a new bucket starts full.
// The key carries the limits, so changed settings start a fresh bucket.
func (l *limits) bucket(c limit, now time.Time) *bucket {
	key := fmt.Sprintf("%s|%g|%g", c.key, c.rate, c.burst)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: c.burst, last: now}
		l.buckets[key] = b
	}
	if now.After(b.last) {
		b.tokens = min(c.burst, b.tokens+c.rate*now.Sub(b.last).Seconds())
		b.last = now
	}
	return b
}

// quota returns the counter of the current period. The first period seen
// starts with offset requests already used (AWS: "the number of requests
// subtracted from the given limit in the initial time period").
func (l *limits) quota(c limit, now time.Time) *quotaUse {
	start := periodStart(c.quota.Period, now)
	key := fmt.Sprintf("%s|%d|%s", c.key, c.quota.Limit, c.quota.Period)
	q, ok := l.quotas[key]
	switch {
	case !ok:
		q = &quotaUse{start: start, used: int(c.quota.Offset)}
		l.quotas[key] = q
	case !q.start.Equal(start):
		q.start, q.used = start, 0
	}
	return q
}

// periodStart is the start of the quota period holding now, in UTC:
// midnight, the last Sunday's midnight, or the first of the month.
func periodStart(p types.QuotaPeriodType, now time.Time) time.Time {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch p {
	case types.QuotaPeriodTypeWeek:
		return day.AddDate(0, 0, -int(day.Weekday()))
	case types.QuotaPeriodTypeMonth:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return day
	}
}

// requestLimits lists what a request counts against, in AWS's order: the
// usage plan's per-method or per-key throttle and its quota (only for
// methods that require a key), then the stage's per-method throttle.
func requestLimits(st *apigateway.GetStageOutput, plan *types.UsagePlan, req *request, resourcePath, method string) []limit {
	var out []limit
	if plan != nil {
		planKey := "plan/" + aws.ToString(plan.Id) + "/" + req.keyID
		throttle := plan.Throttle
		for _, as := range plan.ApiStages {
			if aws.ToString(as.ApiId) != req.apiID || aws.ToString(as.Stage) != req.stage {
				continue
			}
			for k, t := range as.Throttle {
				if p, m, ok := methodKey(k); ok && p == resourcePath && m == method {
					throttle = &t
					planKey += resourcePath + "/" + method
				}
			}
		}
		if throttle != nil && throttle.RateLimit >= 0 && throttle.BurstLimit >= 0 {
			out = append(out, limit{key: planKey, rate: throttle.RateLimit, burst: float64(throttle.BurstLimit)})
		}
		if plan.Quota != nil && plan.Quota.Limit > 0 {
			out = append(out, limit{key: "quota/" + aws.ToString(plan.Id) + "/" + req.keyID, quota: plan.Quota})
		}
	}
	if st != nil {
		if s, ok := methodSetting(st.MethodSettings, resourcePath, method); ok && s.ThrottlingRateLimit >= 0 && s.ThrottlingBurstLimit >= 0 {
			// The stage's limits apply to each method separately.
			key := "stage/" + req.apiID + "/" + req.stage + resourcePath + "/" + method
			out = append(out, limit{key: key, rate: s.ThrottlingRateLimit, burst: float64(s.ThrottlingBurstLimit)})
		}
	}
	return out
}

// methodSetting is the method's override ("<resource path>/<METHOD>",
// slashes possibly escaped as ~1) or else the stage default ("*/*").
func methodSetting(settings map[string]types.MethodSetting, resourcePath, method string) (types.MethodSetting, bool) {
	for k, s := range settings {
		if p, m, ok := methodKey(k); ok && p == resourcePath && m == method {
			return s, true
		}
	}
	s, ok := settings["*/*"]
	return s, ok
}

// methodKey splits "items/{id}/GET", "/items/GET" or "~1items/GET" into
// the resource path ("/items/{id}") and the method.
func methodKey(k string) (string, string, bool) {
	k = strings.ReplaceAll(k, "~1", "/")
	i := strings.LastIndex(k, "/")
	if i < 0 || k == "*/*" {
		return "", "", false
	}
	return "/" + strings.Trim(k[:i], "/"), k[i+1:], true
}
