package instrument

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestServiceOfReadsTheCredentialScope(t *testing.T) {
	for auth, want := range map[string]string{
		"AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc": "lambda",
		"AWS4-HMAC-SHA256 Credential=AKID/20261125/eu-west-1/apigateway/aws4_request":                                "apigateway",
		"":         "unsigned",
		"Bearer x": "unsigned",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if got := ServiceOf(r); got != want {
			t.Errorf("ServiceOf(%q) = %q, want %q", auth, got, want)
		}
	}
}

func TestTimesAddUpPerService(t *testing.T) {
	var r Recorder
	r.Time("iam", 2*time.Millisecond)
	r.Time("iam", 5*time.Millisecond)
	r.Time("s3", time.Millisecond)
	got := r.ServiceTimes()
	if want := (ServiceTime{Calls: 2, Total: 7 * time.Millisecond, Max: 5 * time.Millisecond}); got["iam"] != want {
		t.Errorf("iam = %+v, want %+v", got["iam"], want)
	}
	if got["s3"].Calls != 1 || len(got) != 2 {
		t.Errorf("snapshot = %+v", got)
	}
	r.Time("s3", time.Millisecond)
	if got["s3"].Calls != 1 {
		t.Error("a snapshot changed after it was taken")
	}
}

func TestCallsCountPerOperation(t *testing.T) {
	var r Recorder
	for _, op := range []string{"PUT /a", "GET /b", "PUT /a", "GET /c", "PUT /a", "GET /b"} {
		r.Count(op)
	}
	calls := r.Calls()
	if TotalCalls(calls) != 6 || calls["PUT /a"] != 3 {
		t.Fatalf("calls = %v, want 6 with PUT /a 3 times", calls)
	}
	if got, want := SortedOps(calls), []string{"PUT /a", "GET /b", "GET /c"}; !slices.Equal(got, want) {
		t.Errorf("SortedOps = %v, want %v (by count, then by name)", got, want)
	}
	r.Count("GET /c")
	if calls["GET /c"] != 1 {
		t.Error("a snapshot changed after it was taken")
	}
}
