// Package kumoproxy is the proxy in front of kumo, the local stack's Lambda,
// DynamoDB, IAM, STS, CloudWatch Logs and S3. It answers what kumo lacks
// (DynamoDB continuous backups, i.e. point-in-time recovery), refuses what
// AWS refuses and kumo accepts (more than 10 tags on an S3 object,
// s3tags.go), answers a lifecycle rule's empty prefix filter as it was
// put (lifecycle.go), keeps the tags of IAM OpenID Connect providers
// (oidctags.go), and makes the AWS SDK's retries idempotent as AWS's own
// handling is (replay.go); every other request passes through untouched,
// streaming included (the Lambda Runtime API long-polls). kumo itself
// already refuses a table name that exists (CreateTable answers
// ResourceInUseException), as DynamoDB does. With an instrument.Recorder it also times the
// answers of signed requests by service (bench).
package kumoproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apibuilder/apibuilder/local/instrument"
)

// Options tune Start; the zero value logs nothing and records nothing.
type Options struct {
	// Logs receives what the proxy answered itself (a replayed retry) and
	// the errors of its connection to kumo. Default: discarded.
	Logs io.Writer
	// Instrument, when set, times the answers of signed requests by service.
	Instrument *instrument.Recorder
}

// Proxy serves kumo's APIs on URL. It answers the DynamoDB operations kumo
// lacks — continuous backups, i.e. point-in-time recovery — so the
// generated prod environment (PITR on) applies and re-plans unchanged.
type Proxy struct {
	URL string // http://127.0.0.1:<port>

	proxy *httputil.ReverseProxy
	srv   *http.Server

	mu      sync.Mutex
	pitr    map[string]bool // table name -> enabled
	replies replies
	filters lifecycles // lifecycle.go
	oidc    oidcTags   // oidctags.go
	logs    io.Writer
	rec     *instrument.Recorder
}

// Start serves a proxy in front of kumo (its URL) on a free loopback port.
func Start(kumo string, opt Options) (*Proxy, error) {
	logs := opt.Logs
	if logs == nil {
		logs = io.Discard
	}
	u, err := url.Parse(kumo)
	if err != nil {
		return nil, err
	}
	s := &Proxy{proxy: httputil.NewSingleHostReverseProxy(u), pitr: map[string]bool{}, logs: logs, rec: opt.Instrument}
	// Connections to kumo are kept (the default transport keeps 2 per host,
	// so under concurrent Invokes and long polls most requests opened one).
	// Answers of unknown length (streams) are flushed as they come; whole
	// ones are written once, not header and body apart.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	s.proxy.Transport = transport
	s.proxy.BufferPool = copyBuffers // not 32 KiB of garbage per answer
	s.proxy.ModifyResponse = func(resp *http.Response) error {
		if err := lifecycleDefaults(resp); err != nil {
			return err
		}
		return dynamoAnswer(resp)
	}
	// Errors after the answer has started (a client gone mid-body) go to
	// the stack's log, not to this process's stderr.
	s.proxy.ErrorLog = log.New(logs, "kumoproxy: ", 0)
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		// A client that went away (a handler's long poll at shutdown) is not an error.
		if r.Context().Err() == nil {
			// Logged: the client's SDK retries a 502, so a request kumo had
			// already carried out is sent again.
			fmt.Fprintf(logs, "kumoproxy: %s %s %s: %v\n", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), err)
			http.Error(w, "kumo: "+err.Error(), http.StatusBadGateway)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops serving. It is safe to call twice.
func (s *Proxy) Close() { _ = s.srv.Close() }

// bufferPool lends ReverseProxy its copy buffers.
type bufferPool struct{ p sync.Pool }

var copyBuffers = &bufferPool{p: sync.Pool{New: func() any { return new([32 << 10]byte) }}}

func (b *bufferPool) Get() []byte  { return b.p.Get().(*[32 << 10]byte)[:] }
func (b *bufferPool) Put(s []byte) { b.p.Put((*[32 << 10]byte)(s)) }

const dynamoTarget = "DynamoDB_20120810."

// dynamoAnswer makes a DynamoDB answer of kumo's read as DynamoDB's:
// every global secondary index of a table description states its
// provisioned throughput, zeros for on-demand tables (kumo leaves it out,
// and the AWS provider reads an index's name only from beside it: without
// it the index is nameless in the state and every plan updates the table);
// and X-Amz-Crc32 is the CRC32 of the body (kumo's is 0, and every SDK
// client logs a checksum warning).
func dynamoAnswer(resp *http.Response) error {
	target := resp.Request.Header.Get("X-Amz-Target")
	if !strings.HasPrefix(target, dynamoTarget) {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	switch target {
	case dynamoTarget + "DescribeTable", dynamoTarget + "CreateTable", dynamoTarget + "UpdateTable":
		body = indexThroughput(body)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	return nil
}

func indexThroughput(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	changed := false
	for _, key := range []string{"Table", "TableDescription"} {
		table, _ := doc[key].(map[string]any)
		indexes, _ := table["GlobalSecondaryIndexes"].([]any)
		for _, x := range indexes {
			if gsi, ok := x.(map[string]any); ok && gsi["ProvisionedThroughput"] == nil {
				gsi["ProvisionedThroughput"] = map[string]any{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
				changed = true
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// lifecycleDefaults answers a read of a bucket lifecycle configuration as
// S3 does where kumo differs: an empty rule filter keeps its empty prefix
// (kumo drops it, <Filter></Filter>), and the default minimum object size
// of transitions is stated. After a PutBucketLifecycleConfiguration the AWS
// provider reads until the rules equal what it sent, for three minutes,
// then fails.
func lifecycleDefaults(resp *http.Response) error {
	r := resp.Request
	if r.Method != http.MethodGet || !r.URL.Query().Has("lifecycle") || resp.StatusCode != http.StatusOK {
		return nil
	}
	if resp.Header.Get("X-Amz-Transition-Default-Minimum-Object-Size") == "" {
		resp.Header.Set("X-Amz-Transition-Default-Minimum-Object-Size", "all_storage_classes_128K")
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	body = bytes.ReplaceAll(body, []byte("<Filter></Filter>"), []byte("<Filter><Prefix></Prefix></Filter>"))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

func (s *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if svc := instrument.ServiceOf(r); s.rec != nil && svc != instrument.Unsigned { // not the Runtime API's long polls
		defer func(start time.Time) { s.rec.Time(svc, time.Since(start)) }(time.Now())
	}
	if s.objectTagsOverLimit(w, r) || s.serveOIDCTags(w, r) || s.filters.serve(w, r, http.HandlerFunc(s.forward)) {
		return
	}
	switch r.Header.Get("X-Amz-Target") {
	case dynamoTarget + "UpdateContinuousBackups":
		var in struct {
			TableName                        string
			PointInTimeRecoverySpecification struct{ PointInTimeRecoveryEnabled bool }
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.TableName == "" {
			writeDynamoError(w, "ValidationException", "TableName and PointInTimeRecoverySpecification are required")
			return
		}
		s.mu.Lock()
		s.pitr[in.TableName] = in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled
		s.mu.Unlock()
		s.describeBackups(w, in.TableName)
	case dynamoTarget + "DescribeContinuousBackups":
		var in struct{ TableName string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.TableName == "" {
			writeDynamoError(w, "ValidationException", "TableName is required")
			return
		}
		s.describeBackups(w, in.TableName)
	default:
		s.forward(w, r)
	}
}

// forward passes r to kumo, once per SDK operation (see replies). Reads and
// requests without an invocation id (the Lambda Runtime API's long polls)
// pass straight through.
func (s *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("Amz-Sdk-Invocation-Id")
	if id == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.proxy.ServeHTTP(w, r)
		return
	}
	if c, ok := s.replies.get(id); ok {
		fmt.Fprintf(s.logs, "kumoproxy: %s %s %s: answered again (attempt %q of invocation %s, which kumo already carried out)\n",
			r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), r.Header.Get("Amz-Sdk-Request"), id)
		c.replay(w)
		return
	}
	c := &capture{ResponseWriter: w}
	s.proxy.ServeHTTP(c, r)
	c.ResponseWriter = nil // keep the answer, not the connection
	if c.status >= 200 && c.status < 300 && c.body.Len() <= maxReplyBytes {
		s.replies.put(id, c)
	}
}

func (s *Proxy) describeBackups(w http.ResponseWriter, table string) {
	s.mu.Lock()
	enabled := s.pitr[table]
	s.mu.Unlock()
	status := "DISABLED"
	desc := map[string]any{"PointInTimeRecoveryStatus": status}
	if enabled {
		now := float64(time.Now().Unix())
		desc = map[string]any{
			"PointInTimeRecoveryStatus":  "ENABLED",
			"EarliestRestorableDateTime": now,
			"LatestRestorableDateTime":   now,
			"RecoveryPeriodInDays":       35,
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(map[string]any{"ContinuousBackupsDescription": map[string]any{
		"ContinuousBackupsStatus":        "ENABLED",
		"PointInTimeRecoveryDescription": desc,
	}})
}

func writeDynamoError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": msg})
}
