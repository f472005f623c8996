package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// shim fronts kumo and answers the DynamoDB operations kumo lacks —
// continuous backups, i.e. point-in-time recovery — so the generated prod
// environment (PITR on) applies and re-plans unchanged. Every other request
// passes through untouched, streaming included (the Runtime API long-polls).
type shim struct {
	proxy *httputil.ReverseProxy
	srv   *http.Server

	mu      sync.Mutex
	pitr    map[string]bool // table name -> enabled
	replies replies
	logs    io.Writer
	times   latency
}

func startShim(target string, logs io.Writer) (*shim, string, error) {
	if logs == nil {
		logs = io.Discard
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, "", err
	}
	s := &shim{proxy: httputil.NewSingleHostReverseProxy(u), pitr: map[string]bool{}, logs: logs}
	s.proxy.FlushInterval = -1
	// Errors after the answer has started (a client gone mid-body) go to
	// the stack's log, not to this process's stderr.
	s.proxy.ErrorLog = log.New(logs, "shim: ", 0)
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		// A client that went away (a handler's long poll at shutdown) is not an error.
		if r.Context().Err() == nil {
			// Logged: the client's SDK retries a 502, so a request kumo had
			// already carried out is sent again.
			fmt.Fprintf(logs, "shim: %s %s %s: %v\n", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), err)
			http.Error(w, "kumo: "+err.Error(), http.StatusBadGateway)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, "http://" + ln.Addr().String(), nil
}

func (s *shim) close() { _ = s.srv.Close() }

const dynamoTarget = "DynamoDB_20120810."

func (s *shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if svc := serviceOf(r); svc != "unsigned" { // not the Runtime API's long polls
		defer func(start time.Time) { s.times.add(svc, time.Since(start)) }(time.Now())
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
func (s *shim) forward(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("Amz-Sdk-Invocation-Id")
	if id == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.proxy.ServeHTTP(w, r)
		return
	}
	if c, ok := s.replies.get(id); ok {
		fmt.Fprintf(s.logs, "shim: %s %s %s: answered again (attempt %q of invocation %s, which kumo already carried out)\n",
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

func (s *shim) describeBackups(w http.ResponseWriter, table string) {
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
