// Package dataplane serves deployed API Gateway REST APIs locally: the
// execute-api data plane that no emulator here provides. It reads the
// deployed configuration through the API Gateway API (moto) and invokes
// functions through the Lambda API (kumo).
//
// Two ways to address a stage:
//
//	http://127.0.0.1:<port>/restapis/<api-id>/<stage>/_user_request_/<path>
//	http://<api-id>.execute-api.localhost:<port>/<stage>/<path>
//
// A stage is served from what was read of it and its deployment, read
// again only after the control plane has answered a write (a stage update,
// a new deployment): the next request sees it. That count comes from the
// local stack's API Gateway proxy when it runs in this process (see
// stagecache.go); against any other API Gateway the stage is read on every
// request and its deployment again when the stage names a new one.
//
// A request goes through API Gateway's steps in its order: route match,
// authorization (Lambda TOKEN/REQUEST authorizers, Cognito, IAM; see
// auth.go), the API key, usage-plan and stage throttling and quotas
// (throttle.go), request validation, the integration; then one access-log
// line (accesslog.go). An AWS_PROXY integration's event and the mapping of
// the function's answer follow API Gateway key for key (event.go,
// answer.go; docs/dataplane.md); serve on Listener (wire.go) so the
// function sees the client's header casing.
package dataplane

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Config connects the data plane to the control planes.
type Config struct {
	APIGateway *apigateway.Client
	Lambda     *lambda.Client
	Logger     *slog.Logger // errors, and access lines when AccessLog is nil; default: discard
	// AccessLog receives one line per request: the stage's
	// accessLogSettings.format with its $context variables filled in, or a
	// JSON line of our own when the stage has none. Nil: lines go to Logger.
	AccessLog io.Writer
	// Now is the clock of throttling, quotas, the authorizer cache and
	// request times (tests inject one); default time.Now.
	Now func() time.Time
	// Changes counts the API Gateway's write calls (see
	// apigwproxy.Proxy.Changes): what was read of a stage, its deployment
	// and the API keys is served until it moves. Default: the count of the
	// local stack's proxy serving APIGateway's endpoint in this process;
	// with none, the stage and keys are read on every request.
	Changes func() uint64
}

// accountID is the account every local resource belongs to (kumo's and moto's default).
const accountID = "000000000000"

// Server is an http.Handler serving every deployed stage.
type Server struct {
	cfg    Config
	region string
	limits *limits

	mu    sync.Mutex
	cache map[string]*deployment // "<api>/<stage>" -> last loaded deployment

	changes func() uint64         // nil: read the stage on every request
	stages  map[string]*stageSlot // "<api>/<stage>" -> last read, with changes
	keys    map[string]apiKeyRead // "<api>/<stage>/<key value>" -> last check, with changes

	logMu sync.Mutex // one access line at a time
}

// New returns a data plane.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	region := "us-east-1"
	if cfg.APIGateway != nil && cfg.APIGateway.Options().Region != "" {
		region = cfg.APIGateway.Options().Region
	}
	return &Server{cfg: cfg, region: region, limits: newLimits(), cache: map[string]*deployment{},
		changes: changesOf(cfg), stages: map[string]*stageSlot{}, keys: map[string]apiKeyRead{}}
}

// InvokeURL is the base URL of a stage on a data plane listening at base.
func InvokeURL(base, restAPIID, stage string) string {
	return strings.TrimSuffix(base, "/") + "/restapis/" + restAPIID + "/" + stage + "/_user_request_"
}

// request is one call being served, and what serving it found out (for
// the event, the access log and $context variables).
type request struct {
	*http.Request
	apiID, stage string
	path         string // after the stage, as sent but with leading slashes collapsed (the event's path)
	contextPath  string // /<stage> and the rest as sent (requestContext.path, $context.path)
	wire         []headerField
	id           string
	traceID      string
	start        time.Time // Config.Now at arrival
	began        time.Time // wall clock, for latencies
	body         []byte

	st         *apigateway.GetStageOutput
	res        *resource
	method     *types.Method
	params     map[string]string // path parameters, as sent
	keyID      string
	apiKey     string // the API key value checked, with keyID
	auth       *authResult
	accessKey  string // AWS_IAM: the signature's access key id
	errMsg     string // $context.error.message
	errType    string // $context.error.responseType
	integLat   time.Duration
	integErr   string
	integState int // the integration's status, 0 when none ran
}

func (s *Server) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	req, ok := address(hr)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "not an execute-api address: use /restapis/<api-id>/<stage>/_user_request_/<path>"}, nil)
		return
	}
	req.id = newID()
	req.start = s.cfg.Now()
	req.began = time.Now()
	req.integLat = -1
	req.wire = wireFields(hr)
	if req.traceID = hr.Header.Get("X-Amzn-Trace-Id"); req.traceID == "" {
		req.traceID = newTraceID(req.start.Unix())
	}
	rec := &statusRecorder{ResponseWriter: w}
	// In AWS's casing: net/http's Set would write X-Amzn-Requestid.
	setHeader(rec.Header(), "x-amzn-RequestId", req.id)
	setHeader(rec.Header(), "x-amz-apigw-id", req.id[:16])
	body, err := io.ReadAll(io.LimitReader(hr.Body, 10<<20+1))
	if err != nil || len(body) > 10<<20 {
		noDeployment.fail(rec, req, requestTooLarge, "")
	} else {
		req.body = body
		s.serve(rec, req)
	}
	s.accessLog(req, rec, time.Since(req.began))
}

func (s *Server) serve(w http.ResponseWriter, req *request) {
	ctx := req.Context()
	d, st, err := s.deployment(ctx, req.apiID, req.stage)
	if err != nil {
		s.cfg.Logger.Error("load deployment", "api", req.apiID, "stage", req.stage, "error", err)
		noDeployment.fail(w, req, unknownStage, "")
		return
	}
	req.st = st
	res, params := d.match(req.path)
	if res == nil {
		d.fail(w, req, missingAuthenticationToken, "")
		return
	}
	req.res, req.params = res, params
	methodName := req.Method
	method, ok := res.methods[methodName]
	if !ok {
		methodName = "ANY"
		method, ok = res.methods[methodName]
	}
	if !ok {
		d.fail(w, req, missingAuthenticationToken, "")
		return
	}
	req.method = &method
	// AWS's order: authorization, then the API key (an authorizer may
	// supply it), then throttling and quotas, then validation.
	if !s.authorize(w, d, res, method, params, req) {
		return
	}
	var plan *types.UsagePlan
	if aws.ToBool(method.ApiKeyRequired) {
		value := req.Header.Get("x-api-key")
		if d.apiKeySource == types.ApiKeySourceTypeAuthorizer {
			value = ""
			if req.auth != nil {
				value = req.auth.usageKey
			}
		}
		id, p, ok := s.checkAPIKey(ctx, req, value)
		if !ok {
			d.fail(w, req, invalidAPIKey, "")
			return
		}
		req.keyID, req.apiKey, plan = id, value, p
	}
	switch s.limits.admit(s.cfg.Now(), requestLimits(st, plan, req, res.path, methodName)) {
	case refusedThrottle:
		d.fail(w, req, throttled, "")
		return
	case refusedQuota:
		d.fail(w, req, quotaExceeded, "")
		return
	}
	if e, msg, ok := d.validation(method, req); !ok {
		d.fail(w, req, e, msg)
		return
	}
	integ := method.MethodIntegration
	if integ == nil {
		d.fail(w, req, notServedLocally, "")
		return
	}
	switch integ.Type {
	case "AWS_PROXY":
		s.proxy(w, d, res, params, req, aws.ToString(integ.Uri))
	case "MOCK":
		s.mock(w, d, req, integ)
	default:
		s.cfg.Logger.Error("integration type not served locally", "type", integ.Type, "path", res.path)
		d.fail(w, req, notServedLocally, "")
	}
}

// deployment returns the stage's configuration, reloading it when the
// stage points at a new deployment, and the stage itself: method settings,
// variables and access logging change without a deployment. Both come from
// the last read while the change count has not moved (stagecache.go).
func (s *Server) deployment(ctx context.Context, apiID, stageName string) (*deployment, *apigateway.GetStageOutput, error) {
	if s.changes != nil {
		return s.cachedStage(ctx, apiID, stageName)
	}
	return s.readStage(ctx, apiID, stageName)
}

// readStage reads the stage, and its deployment when the stage names
// another one than the last loaded.
func (s *Server) readStage(ctx context.Context, apiID, stageName string) (*deployment, *apigateway.GetStageOutput, error) {
	stage, err := s.cfg.APIGateway.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stageName})
	if err != nil {
		return nil, nil, err
	}
	key := apiID + "/" + stageName
	s.mu.Lock()
	d := s.cache[key]
	s.mu.Unlock()
	if d != nil && d.deploymentID == aws.ToString(stage.DeploymentId) {
		return d, stage, nil
	}
	d, err = load(ctx, s.cfg.APIGateway, apiID, stageName, stage)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	s.cache[key] = d
	s.mu.Unlock()
	return d, stage, nil
}

// address extracts the API, stage and path from either addressing form.
// Paths stay as sent (percent-encoding intact). As recorded on AWS,
// slashes before the stage are collapsed (//dev/items is served), and so
// are leading slashes after it in the event's path (/dev//items has path
// /items) but not in requestContext.path (/dev//items).
func address(r *http.Request) (*request, bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	raw := rawPath(r)
	var apiID, stage, rest string
	if id, ok := strings.CutSuffix(host, ".execute-api.localhost"); ok && id != "" {
		p := strings.TrimLeft(raw, "/")
		apiID = id
		stage, rest, _ = strings.Cut(p, "/")
		if strings.Contains(p, "/") {
			rest = "/" + rest
		}
	} else {
		after, ok := strings.CutPrefix(raw, "/restapis/")
		if !ok {
			return nil, false
		}
		parts := strings.SplitN(after, "/", 4)
		if len(parts) < 3 || parts[2] != "_user_request_" {
			return nil, false
		}
		apiID, stage = parts[0], parts[1]
		if len(parts) == 4 {
			rest = "/" + parts[3]
		}
	}
	if apiID == "" || stage == "" {
		return nil, false
	}
	return &request{Request: r, apiID: apiID, stage: stage,
		path: "/" + strings.TrimLeft(rest, "/"), contextPath: "/" + stage + rest}, true
}

// writeJSON writes an answer of the gateway itself; header names keep
// the casing given (x-amzn-ErrorType, as AWS writes it).
func writeJSON(w http.ResponseWriter, status int, v any, headers []headerField) {
	for _, h := range headers {
		setHeader(w.Header(), h.name, h.value)
	}
	setHeader(w.Header(), "Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusRecorder remembers the status and counts the body, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	length int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.length += n
	return n, err
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
