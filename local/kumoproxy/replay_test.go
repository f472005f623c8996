package kumoproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestProxyAnswersARetriedOperationOnce: a second attempt of one SDK
// operation (same amz-sdk-invocation-id) that kumo already carried out gets
// the first answer, and kumo sees the create once; other operations, failed
// attempts and reads still reach kumo.
func TestProxyAnswersARetriedOperationOnce(t *testing.T) {
	var creates atomic.Int32
	kumo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Fail") != "" {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.Method == http.MethodPost {
			if creates.Add(1) > 1 && r.Header.Get("Amz-Sdk-Invocation-Id") == "op-1" {
				w.WriteHeader(http.StatusConflict)
				_, _ = io.WriteString(w, "already exists")
				return
			}
		}
		w.Header().Set("X-Amzn-Requestid", "req-"+r.Header.Get("Amz-Sdk-Invocation-Id"))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "created "+r.Header.Get("Amz-Sdk-Invocation-Id"))
	}))
	defer kumo.Close()
	var logs strings.Builder
	p, err := Start(kumo.URL, Options{Logs: &logs})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	url := p.URL

	call := func(method, id string, fail bool) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url+"/2015-03-31/functions", strings.NewReader("{}"))
		if id != "" {
			req.Header.Set("Amz-Sdk-Invocation-Id", id)
		}
		if fail {
			req.Header.Set("X-Fail", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("X-Amzn-Requestid")
	}

	if code, body, _ := call(http.MethodPost, "op-1", false); code != 201 || body != "created op-1" {
		t.Fatalf("first attempt = %d %q", code, body)
	}
	if code, body, reqID := call(http.MethodPost, "op-1", false); code != 201 || body != "created op-1" || reqID != "req-op-1" {
		t.Errorf("retried attempt = %d %q (request id %q); want the first answer again", code, body, reqID)
	}
	if n := creates.Load(); n != 1 {
		t.Errorf("kumo saw %d creates of op-1, want 1", n)
	}
	if !strings.Contains(logs.String(), "answered again") {
		t.Errorf("the replay is not logged: %q", logs.String())
	}
	// A failed attempt is not kept: its retry reaches kumo.
	if code, _, _ := call(http.MethodPost, "op-2", true); code != 503 {
		t.Fatalf("failing attempt = %d, want 503", code)
	}
	if code, body, _ := call(http.MethodPost, "op-2", false); code != 201 || body != "created op-2" {
		t.Errorf("retry after a failure = %d %q, want kumo's answer", code, body)
	}
	// Requests without an invocation id (the Runtime API) always pass.
	before := creates.Load()
	call(http.MethodPost, "", false)
	call(http.MethodPost, "", false)
	if got := creates.Load() - before; got != 2 {
		t.Errorf("kumo saw %d of 2 requests without an invocation id", got)
	}
}
