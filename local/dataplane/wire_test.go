package dataplane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// wireServer serves a handler that answers the header lines of each
// request as the Listener saw them ("name=value;..."), after reading the
// body, on a wrapped listener (wrap false: a plain one).
func wireServer(t *testing.T, wrap bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var parts []string
		for _, f := range wireFields(r) {
			parts = append(parts, f.name+"="+f.value)
		}
		w.Header().Set("X-Body", string(body))
		_, _ = io.WriteString(w, strings.Join(parts, ";"))
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if wrap {
		ln = Listener(ln)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// Several requests on one connection, written at once (pipelined), with
// Content-Length and chunked bodies between them: each handler sees its
// own request's header lines in the client's casing.
func TestListenerKeepsWireHeaderCasing(t *testing.T) {
	addr := wireServer(t, true)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reqs := "POST /a HTTP/1.1\r\nHost: h\r\ntEsT-HEADeR: one\r\nContent-Length: 30\r\n\r\nGET /fake HTTP/1.1\r\nx-fake:1\r\n" +
		"POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nx-Second: two\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer-X: t\r\n\r\n" +
		"GET /c HTTP/1.1\r\nHost: h\r\nX-THIRD: three\r\nx-third: again\r\n\r\n"
	if _, err := io.WriteString(conn, reqs); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for i, want := range []string{
		"Host=h;tEsT-HEADeR=one;Content-Length=30",
		"Host=h;Transfer-Encoding=chunked;x-Second=two",
		"Host=h;X-THIRD=three;x-third=again",
	} {
		r := readWireResponse(t, br)
		if r.body != want {
			t.Errorf("request %d: handler saw %q, want %q", i+1, r.body, want)
		}
	}
}

// On a listener that is not wrapped there is no wire view: the data plane
// falls back to Go's canonical names.
func TestWithoutListenerNoWireView(t *testing.T) {
	addr := wireServer(t, false)
	resp, err := http.Get("http://" + addr + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if len(b) != 0 {
		t.Errorf("a plain listener produced a wire view: %q", b)
	}
}

// A request the handler never sees (Go answers OPTIONS * itself) does not
// shift the next request's header lines.
func TestListenerSkipsRequestsTheHandlerNeverSaw(t *testing.T) {
	addr := wireServer(t, true)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "OPTIONS * HTTP/1.1\r\nHost: h\r\nx-Options: 1\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\nx-Mine: 2\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	_ = readWireResponse(t, br) // Go's own answer to OPTIONS *
	if r := readWireResponse(t, br); r.body != "Host=h;x-Mine=2" {
		t.Errorf("handler saw %q", r.body)
	}
}

// The framer finds the same heads however the bytes are split into reads.
func TestFramerAnySplit(t *testing.T) {
	stream := "\r\nPOST /a HTTP/1.1\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc" +
		"PUT /b HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nxyz\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n" +
		"GET /c HTTP/1.1\r\nx-C: 3\r\n folded\r\n\r\n"
	want := []string{"POST /a HTTP/1.1|X-A=1,Content-Length=3", "PUT /b HTTP/1.1|Transfer-Encoding=gzip, chunked", "GET /c HTTP/1.1|x-C=3 folded"}
	for _, size := range []int{1, 2, 3, 7, 64, len(stream)} {
		var f framer
		var got []string
		for i := 0; i < len(stream); i += size {
			for _, head := range f.feed([]byte(stream[i:min(i+size, len(stream))])) {
				line, fields := parseHead(head)
				var parts []string
				for _, h := range fields {
					parts = append(parts, h.name+"="+h.value)
				}
				got = append(got, line+"|"+strings.Join(parts, ","))
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || f.state != inHead {
			t.Errorf("reads of %d bytes: heads %q (state %d), want %q", size, got, f.state, want)
		}
	}
	// A stream it cannot follow stops recording instead of misreading bodies as heads.
	var f framer
	f.feed([]byte("POST /x HTTP/1.1\r\nContent-Length: nope\r\n\r\nGET /y HTTP/1.1\r\n\r\n"))
	if f.state != lost {
		t.Errorf("state %d after a bad Content-Length, want lost", f.state)
	}
}
