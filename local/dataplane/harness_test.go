package dataplane

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apibuilder/apibuilder/testkit"
)

// The harness serves a hand-built deployment over real TCP (through
// Listener, as `local up` does) in front of a fake AWS endpoint that
// answers GetStage and Lambda Invoke. Tests write requests byte for byte
// and read answers byte for byte, so header casing and raw paths are what
// travels on the wire; no emulator is needed.

// fakeAWS answers API Gateway GetStage and Lambda Invoke.
type fakeAWS struct {
	mu        sync.Mutex
	variables map[string]string
	functions map[string]func(event []byte) (payload []byte, functionError bool)
	events    map[string][][]byte // function name -> events received, in order
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/restapis/") && strings.Contains(r.URL.Path, "/stages/") {
		_ = json.NewEncoder(w).Encode(map[string]any{"deploymentId": "dep1", "stageName": "dev", "variables": f.variables})
		return
	}
	if _, rest, ok := strings.Cut(r.URL.EscapedPath(), "/functions/"); ok {
		arn, _ := url.PathUnescape(strings.TrimSuffix(rest, "/invocations"))
		name := arn[strings.LastIndex(arn, ":")+1:]
		fn, ok := f.functions[name]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"Type":"User","message":"Function not found"}`))
			return
		}
		f.events[name] = append(f.events[name], body)
		payload, failed := fn(body)
		if failed {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		_, _ = w.Write(payload)
		return
	}
	w.WriteHeader(http.StatusNotFound)
}

// lastEvent is the last event function name received, decoded.
func (f *fakeAWS) lastEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	evs := f.events[name]
	if len(evs) == 0 {
		t.Fatalf("function %s was not invoked", name)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[len(evs)-1], &m); err != nil {
		t.Fatalf("event of %s is not a JSON object: %v\n%s", name, err, evs[len(evs)-1])
	}
	return m
}

func (f *fakeAWS) invocations(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events[name])
}

// echo answers 200 with the event it received as its body.
func echo(event []byte) ([]byte, bool) {
	b, _ := json.Marshal(map[string]any{"statusCode": 200, "body": string(event)})
	return b, false
}

// answer returns a function that always answers payload.
func answer(payload string) func([]byte) ([]byte, bool) {
	return func([]byte) ([]byte, bool) { return []byte(payload), false }
}

func functionURI(name string) *string {
	return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + name + "/invocations")
}

// proxyMethod is a method integrated with function fn through AWS_PROXY.
func proxyMethod(fn string) types.Method {
	return types.Method{AuthorizationType: aws.String("NONE"), MethodIntegration: &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: functionURI(fn)}}
}

// harness is one data plane serving api1/dev with the given resources.
type harness struct {
	t    *testing.T
	aws  *fakeAWS
	d    *deployment
	addr string              // host:port of the data plane
	logs *testkit.SyncBuffer // the data plane's log
}

// newHarness serves resources (path -> method -> Method) as api1/dev,
// deployment dep1. Adjust h.d before the first request.
func newHarness(t *testing.T, resources map[string]map[string]types.Method) *harness {
	t.Helper()
	f := &fakeAWS{functions: map[string]func([]byte) ([]byte, bool){"fn": echo}, events: map[string][][]byte{}}
	awsSrv := httptest.NewServer(f)
	t.Cleanup(awsSrv.Close)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	api := apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsSrv.URL), Credentials: creds, RetryMaxAttempts: 1})
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsSrv.URL), Credentials: creds, RetryMaxAttempts: 1})

	d := &deployment{
		apiID: "api1", stage: "dev", deploymentID: "dep1",
		validators: map[string]types.RequestValidator{}, models: map[string]string{},
		gatewayResponses: map[string]types.GatewayResponse{}, compiled: map[string]*jsonschema.Schema{},
		authorizers: map[string]types.Authorizer{}, authCache: map[string]cachedAuth{},
	}
	i := 0
	for p, methods := range resources {
		i++
		d.resources = append(d.resources, &resource{id: "res" + strconv.Itoa(i), path: p, segments: split(p), methods: methods})
	}
	logs := &testkit.SyncBuffer{}
	s := New(Config{APIGateway: api, Lambda: lc, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	s.cache["api1/dev"] = d

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(Listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &harness{t: t, aws: f, d: d, addr: ln.Addr().String(), logs: logs}
}

// wireResponse is an answer as it travelled: header lines in their casing.
type wireResponse struct {
	status int
	fields [][2]string // name, value in wire order
	body   string
}

// values are the values of every header line named name (any casing).
func (r wireResponse) values(name string) []string {
	var out []string
	for _, f := range r.fields {
		if strings.EqualFold(f[0], name) {
			out = append(out, f[1])
		}
	}
	return out
}

func (r wireResponse) get(name string) string {
	if v := r.values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// names are the header names as sent, casing kept.
func (r wireResponse) names() []string {
	var out []string
	for _, f := range r.fields {
		out = append(out, f[0])
	}
	return out
}

// send writes raw (a request head, "\r\n" line ends added where "\n" is
// written) and body, and reads one answer.
func (h *harness) send(head, body string) wireResponse {
	h.t.Helper()
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close()
	head = strings.ReplaceAll(strings.TrimRight(head, "\n"), "\n", "\r\n")
	if body != "" && !strings.Contains(strings.ToLower(head), "content-length:") {
		head += "\r\nContent-Length: " + strconv.Itoa(len(body))
	}
	if _, err := io.WriteString(conn, head+"\r\n\r\n"+body); err != nil {
		h.t.Fatal(err)
	}
	return readWireResponse(h.t, bufio.NewReader(conn))
}

// readWireResponse reads one HTTP/1.1 answer without canonicalising names.
func readWireResponse(t *testing.T, br *bufio.Reader) wireResponse {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	parts := strings.SplitN(strings.TrimSpace(line), " ", 3)
	if len(parts) < 2 {
		t.Fatalf("bad status line %q", line)
	}
	var r wireResponse
	r.status, _ = strconv.Atoi(parts[1])
	length := -1
	chunked := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading header: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		r.fields = append(r.fields, [2]string{name, value})
		switch strings.ToLower(name) {
		case "content-length":
			length, _ = strconv.Atoi(value)
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		}
	}
	var body []byte
	switch {
	case r.status == http.StatusNoContent || r.status == http.StatusNotModified:
		// no body, whatever the headers say
	case chunked:
		body, err = io.ReadAll(httpChunkedReader(br))
	case length >= 0:
		body = make([]byte, length)
		_, err = io.ReadFull(br, body)
	default:
		body, err = io.ReadAll(br)
	}
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	r.body = string(body)
	return r
}

// httpChunkedReader decodes a chunked body.
func httpChunkedReader(br *bufio.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			size, err := strconv.ParseInt(strings.TrimSpace(strings.Split(line, ";")[0]), 16, 64)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if size == 0 {
				_, _ = br.ReadString('\n')
				pw.Close()
				return
			}
			if _, err := io.CopyN(pw, br, size); err != nil {
				pw.CloseWithError(err)
				return
			}
			_, _ = br.ReadString('\n')
		}
	}()
	return pr
}

// eventOf sends a request to fn's route and returns the event fn got.
func (h *harness) eventOf(head, body string) (map[string]any, wireResponse) {
	h.t.Helper()
	before := h.aws.invocations("fn")
	r := h.send(head, body)
	if h.aws.invocations("fn") == before {
		h.t.Fatalf("the function was not invoked: %d %s", r.status, r.body)
	}
	return h.aws.lastEvent(h.t, "fn"), r
}

// at walks a decoded JSON value along keys.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// has says whether the object at keys has key k (present, even as null).
func has(v any, k string, keys ...string) bool {
	m, ok := at(v, keys...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[k]
	return ok
}
