package dataplane

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// API Gateway hands the function the client's header names as the client
// wrote them (tEsT-HEADeR stays tEsT-HEADeR: recorded in localstack's
// test_lambda_aws_proxy_integration snapshot), but net/http canonicalises
// names before a handler runs. So the data plane reads the header lines
// off the connection itself: Listener wraps each accepted connection, and
// every byte net/http reads passes through a small HTTP/1.x framer that
// cuts the stream into request heads and skips bodies (Content-Length or
// chunked), queueing each head's lines. The handler takes the oldest
// queued head whose request line is its own; a head net/http never handed
// to the handler (it answers OPTIONS * itself) is dropped on the way.
//
// Why not a hijack or a second parser: by the time a handler runs,
// net/http has read past the head (its bufio reader may hold the body and
// the next pipelined request), so the raw lines can only be seen as they
// are read. The framer copies nothing but head bytes, and when it cannot
// follow the stream (a malformed frame, a head over 1 MiB) it stops and
// the data plane falls back to Go's canonical names, as it does on a
// listener that is not wrapped.

// headerField is one header line as the client sent it.
type headerField struct{ name, value string }

// Listener wraps ln so the data plane sees each request's header lines in
// the client's casing. Serve a Server on it (`local up` does); on any
// other listener the function's event carries Go's canonical names.
func Listener(ln net.Listener) net.Listener { return &wireListener{Listener: ln} }

type wireListener struct{ net.Listener }

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	wc := &wireConn{Conn: c, key: connKey(c.LocalAddr(), c.RemoteAddr().String())}
	wireConns.Store(wc.key, wc)
	return wc, nil
}

// wireConns finds a request's connection by its local and remote
// addresses, which net/http hands the handler.
var wireConns sync.Map // connKey -> *wireConn

func connKey(local net.Addr, remote string) string {
	l := ""
	if local != nil {
		l = local.String()
	}
	return l + "|" + remote
}

type wireConn struct {
	net.Conn
	key string

	mu    sync.Mutex
	f     framer
	heads [][]byte // complete heads not yet taken by a handler
}

func (c *wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.heads = append(c.heads, c.f.feed(p[:n])...)
		c.mu.Unlock()
	}
	return n, err
}

func (c *wireConn) Close() error {
	wireConns.Delete(c.key)
	return c.Conn.Close()
}

// take returns the header lines of the oldest queued head whose request
// line is method and target, dropping older heads.
func (c *wireConn) take(method, target string) []headerField {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.heads) > 0 {
		head := c.heads[0]
		c.heads = c.heads[1:]
		line, fields := parseHead(head)
		if m, rest, ok := strings.Cut(line, " "); ok && m == method {
			if t, _, ok := strings.Cut(rest, " "); ok && t == target {
				return fields
			}
		}
	}
	return nil
}

// wireFields are r's header lines as the client sent them, or nil when r
// did not arrive through a Listener.
func wireFields(r *http.Request) []headerField {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	v, ok := wireConns.Load(connKey(local, r.RemoteAddr))
	if !ok {
		return nil
	}
	return v.(*wireConn).take(r.Method, r.RequestURI)
}

// parseHead splits a request head into its request line and header lines;
// an obsolete folded line continues the previous value.
func parseHead(head []byte) (string, []headerField) {
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	var fields []headerField
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1].value += " " + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		fields = append(fields, headerField{name: name, value: strings.Trim(value, " \t")})
	}
	return lines[0], fields
}

// framer follows an HTTP/1.x request stream: heads, then bodies framed by
// Content-Length or chunked transfer coding.
type framer struct {
	state  int
	buf    []byte // the head being read, or the chunk-size or trailer line
	remain int64  // body or chunk bytes still to skip
}

const (
	inHead = iota
	inBody
	inChunkSize
	inChunkData
	inChunkEnd // the CRLF after chunk data
	inTrailer
	lost // the stream could not be followed; record nothing more
)

const maxHead = 1 << 20

// feed consumes bytes read off the connection and returns the heads they
// completed.
func (f *framer) feed(p []byte) [][]byte {
	var heads [][]byte
	for len(p) > 0 && f.state != lost {
		switch f.state {
		case inHead:
			// Empty lines between requests are allowed (RFC 9112, 2.2).
			if len(f.buf) == 0 && (p[0] == '\r' || p[0] == '\n') {
				p = p[1:]
				continue
			}
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				f.buf = append(f.buf, p...)
				p = nil
				break
			}
			f.buf = append(f.buf, p[:i+1]...)
			p = p[i+1:]
			if len(f.buf) > maxHead {
				f.state = lost
				break
			}
			if !bytes.HasSuffix(f.buf, []byte("\n\r\n")) && !bytes.HasSuffix(f.buf, []byte("\n\n")) {
				continue
			}
			head := f.buf
			f.buf = nil
			heads = append(heads, head)
			f.startBody(head)
		case inBody:
			n := min(int64(len(p)), f.remain)
			p = p[n:]
			if f.remain -= n; f.remain == 0 {
				f.state = inHead
			}
		case inChunkSize, inChunkEnd, inTrailer:
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				f.buf = append(f.buf, p...)
				p = nil
				if len(f.buf) > maxHead {
					f.state = lost
				}
				break
			}
			line := strings.TrimRight(string(append(f.buf, p[:i]...)), "\r")
			f.buf = nil
			p = p[i+1:]
			f.line(line)
		case inChunkData:
			n := min(int64(len(p)), f.remain)
			p = p[n:]
			if f.remain -= n; f.remain == 0 {
				f.state = inChunkEnd
			}
		}
	}
	return heads
}

// startBody sets up skipping the body the head announces.
func (f *framer) startBody(head []byte) {
	_, fields := parseHead(head)
	f.state = inHead
	for _, h := range fields {
		switch strings.ToLower(h.name) {
		case "transfer-encoding":
			codings := strings.Split(strings.ToLower(h.value), ",")
			if strings.TrimSpace(codings[len(codings)-1]) == "chunked" {
				f.state = inChunkSize
				return
			}
			f.state = lost // a body without a length: net/http refuses it
			return
		case "content-length":
			n, err := strconv.ParseInt(strings.TrimSpace(h.value), 10, 64)
			if err != nil || n < 0 {
				f.state = lost
				return
			}
			if n > 0 {
				f.state, f.remain = inBody, n
			}
		}
	}
}

// line handles one line of a chunked body's framing.
func (f *framer) line(line string) {
	switch f.state {
	case inChunkSize:
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		switch {
		case err != nil || n < 0:
			f.state = lost
		case n == 0:
			f.state = inTrailer
		default:
			f.state, f.remain = inChunkData, n
		}
	case inChunkEnd:
		if line != "" {
			f.state = lost
			return
		}
		f.state = inChunkSize
	case inTrailer:
		if line == "" {
			f.state = inHead
		}
	}
}
