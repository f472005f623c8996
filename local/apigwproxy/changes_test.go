package apigwproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The change count moves for a write after moto has carried it out and
// before its client has the answer, not for a read; ChangesAt finds the
// proxy by its URL while it serves.
func TestChangesCountWritesBeforeTheirAnswer(t *testing.T) {
	var p *Proxy
	var during atomic.Uint64 // the count while moto carries out the write
	moto := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			during.Store(p.Changes())
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(moto.Close)
	p, err := Start(moto.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	call := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, p.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	changes, ok := ChangesAt(p.URL + "/")
	if !ok {
		t.Fatalf("ChangesAt(%s) found no proxy", p.URL)
	}
	before := changes()
	call(http.MethodGet, "/restapis/a1/stages/dev", "")
	if got := changes(); got != before {
		t.Errorf("a read moved the count from %d to %d", before, got)
	}
	call(http.MethodPatch, "/restapis/a1/stages/dev", `{"patchOperations":[{"op":"replace","path":"/variables/v","value":"two"}]}`)
	after := changes()
	if d := during.Load(); d == 0 && before == 0 {
		t.Fatal("moto never saw the PATCH")
	} else if after <= d {
		t.Errorf("the count was %d while moto carried out the write and %d when its client had the answer: a reader in between would keep a stale stage", d, after)
	}
	p.Close()
	if _, ok := ChangesAt(p.URL); ok {
		t.Error("ChangesAt still finds a closed proxy")
	}
}
