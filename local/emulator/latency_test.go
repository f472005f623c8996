package emulator

import (
	"net/http/httptest"
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
		if got := serviceOf(r); got != want {
			t.Errorf("serviceOf(%q) = %q, want %q", auth, got, want)
		}
	}
}

func TestLatencyAddsUpPerService(t *testing.T) {
	var l latency
	l.add("iam", 2*time.Millisecond)
	l.add("iam", 5*time.Millisecond)
	l.add("s3", time.Millisecond)
	got := l.snapshot()
	if want := (ServiceTime{Calls: 2, Total: 7 * time.Millisecond, Max: 5 * time.Millisecond}); got["iam"] != want {
		t.Errorf("iam = %+v, want %+v", got["iam"], want)
	}
	if got["s3"].Calls != 1 || len(got) != 2 {
		t.Errorf("snapshot = %+v", got)
	}
	l.add("s3", time.Millisecond)
	if got["s3"].Calls != 1 {
		t.Error("a snapshot changed after it was taken")
	}
}
