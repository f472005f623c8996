package dataplane

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func TestTokenBucketRefillsAtTheRateUpToTheBurst(t *testing.T) {
	l := newLimits()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := []limit{{key: "m", rate: 2, burst: 3}}
	admits := func(at time.Time, n int) int {
		ok := 0
		for range n {
			if l.admit(at, b) == admitted {
				ok++
			}
		}
		return ok
	}
	if got := admits(t0, 5); got != 3 {
		t.Errorf("a full bucket admitted %d of 5, want the burst of 3", got)
	}
	if got := admits(t0.Add(500*time.Millisecond), 3); got != 1 {
		t.Errorf("after 0.5 s at 2 rps: %d admitted, want 1", got)
	}
	if got := admits(t0.Add(time.Hour), 10); got != 3 {
		t.Errorf("after an hour: %d admitted, want the burst of 3 (the bucket caps)", got)
	}
	if got := l.admit(t0, []limit{{key: "blocked", rate: 0, burst: 0}}); got != refusedThrottle {
		t.Errorf("rate 0 burst 0 = %d, want every request throttled", got)
	}
}

func TestRefusedRequestsUseUpNoLimit(t *testing.T) {
	l := newLimits()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	quota := limit{key: "q", quota: &types.QuotaSettings{Limit: 2, Period: types.QuotaPeriodTypeDay}}
	empty := limit{key: "empty", rate: 0, burst: 0}
	for range 5 {
		if got := l.admit(now, []limit{quota, empty}); got != refusedThrottle {
			t.Fatalf("admit = %d, want throttled", got)
		}
	}
	if got := l.admit(now, []limit{quota}); got != admitted {
		t.Errorf("the throttled requests used up the quota: %d", got)
	}
}

func TestQuotaPeriodsAndOffset(t *testing.T) {
	wed := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC) // a Wednesday
	for p, want := range map[types.QuotaPeriodType]time.Time{
		types.QuotaPeriodTypeDay:   time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		types.QuotaPeriodTypeWeek:  time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), // Sunday
		types.QuotaPeriodTypeMonth: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got := periodStart(p, wed); !got.Equal(want) {
			t.Errorf("periodStart(%s) = %s, want %s", p, got, want)
		}
	}
	l := newLimits()
	q := []limit{{key: "k", quota: &types.QuotaSettings{Limit: 3, Offset: 2, Period: types.QuotaPeriodTypeWeek}}}
	if l.admit(wed, q) != admitted || l.admit(wed, q) != refusedQuota {
		t.Error("the offset did not count against the first week")
	}
	if l.admit(wed.AddDate(0, 0, 3), q) != refusedQuota { // Saturday, same week
		t.Error("the quota reset within the week")
	}
	sun := time.Date(2026, 3, 8, 0, 0, 1, 0, time.UTC)
	for i := range 3 {
		if l.admit(sun, q) != admitted {
			t.Errorf("next week, request %d refused", i+1)
		}
	}
	if l.admit(sun, q) != refusedQuota {
		t.Error("next week: the fourth request passed")
	}
}

func TestRequestLimitsPickTheMethodSettings(t *testing.T) {
	st := &apigateway.GetStageOutput{MethodSettings: map[string]types.MethodSetting{
		"*/*":               {ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20},
		"~1items~1{id}/GET": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2},
		"~1/GET":            {ThrottlingRateLimit: -1, ThrottlingBurstLimit: -1},
	}}
	req := &request{Request: httptest.NewRequest("GET", "/", nil), apiID: "a", stage: "dev", keyID: "key1"}
	check := func(path, method string, want ...limit) {
		t.Helper()
		got := requestLimits(st, nil, req, path, method)
		if len(got) != len(want) {
			t.Fatalf("%s %s: %+v, want %+v", method, path, got, want)
		}
		for i := range got {
			if got[i].rate != want[i].rate || got[i].burst != want[i].burst || got[i].key != want[i].key {
				t.Errorf("%s %s: %+v, want %+v", method, path, got[i], want[i])
			}
		}
	}
	check("/items/{id}", "GET", limit{key: "stage/a/dev/items/{id}/GET", rate: 1, burst: 2}) // the override
	check("/items", "POST", limit{key: "stage/a/dev/items/POST", rate: 10, burst: 20})       // the stage default, per method
	check("/", "GET")                                                                        // -1: not throttled

	plan := &types.UsagePlan{Id: aws.String("p"), Throttle: &types.ThrottleSettings{RateLimit: 5, BurstLimit: 5},
		ApiStages: []types.ApiStage{{ApiId: aws.String("a"), Stage: aws.String("dev"),
			Throttle: map[string]types.ThrottleSettings{"/items/POST": {RateLimit: 1, BurstLimit: 1}}}}}
	got := requestLimits(nil, plan, req, "/items", "POST")
	if len(got) != 1 || got[0].rate != 1 || got[0].key != "plan/p/key1/items/POST" {
		t.Errorf("usage plan per-method throttle: %+v", got)
	}
	if got := requestLimits(nil, plan, req, "/items", "GET"); len(got) != 1 || got[0].rate != 5 || got[0].key != "plan/p/key1" {
		t.Errorf("usage plan throttle: %+v", got)
	}
}
