package dataplane

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
)

// countingAWS is fakeAWS counting its GetStage calls.
type countingAWS struct {
	*fakeAWS
	stageReads atomic.Int64
}

func (c *countingAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/stages/") {
		c.stageReads.Add(1)
	}
	c.fakeAWS.ServeHTTP(w, r)
}

// cachedServer is a data plane serving GET /items of api1/dev (deployment
// dep1) with changes as its change count.
func cachedServer(t *testing.T, changes func() uint64) (*countingAWS, *httptest.Server) {
	t.Helper()
	f := &countingAWS{fakeAWS: &fakeAWS{functions: map[string]func([]byte) ([]byte, bool){"fn": echo}, events: map[string][][]byte{},
		variables: map[string]string{"v": "one"}}}
	awsSrv := httptest.NewServer(f)
	t.Cleanup(awsSrv.Close)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	s := New(Config{
		APIGateway: apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsSrv.URL), Credentials: creds, RetryMaxAttempts: 1}),
		Lambda:     lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsSrv.URL), Credentials: creds, RetryMaxAttempts: 1}),
		Changes:    changes,
	})
	s.cache["api1/dev"] = &deployment{
		apiID: "api1", stage: "dev", deploymentID: "dep1",
		resources:  []*resource{{id: "r1", path: "/items", segments: split("/items"), methods: map[string]types.Method{"GET": proxyMethod("fn")}}},
		validators: map[string]types.RequestValidator{}, models: map[string]string{}, gatewayResponses: map[string]types.GatewayResponse{},
		compiled: map[string]*jsonschema.Schema{}, authorizers: map[string]types.Authorizer{}, authCache: map[string]cachedAuth{},
	}
	plane := httptest.NewServer(s)
	t.Cleanup(plane.Close)
	return f, plane
}

// stageVariable calls GET /items and returns the stage variable v the function saw.
func stageVariable(t *testing.T, f *countingAWS, plane *httptest.Server) any {
	t.Helper()
	resp, err := http.Get(InvokeURL(plane.URL, "api1", "dev") + "/items")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /items: %d", resp.StatusCode)
	}
	return at(f.lastEvent(t, "fn"), "stageVariables", "v")
}

// With a change count, the stage is read once, and again by the first
// request after the count moved; an update the count does not show (made
// behind the proxy's back) is not seen.
func TestStageIsReadAgainOnlyAfterAChange(t *testing.T) {
	var changes atomic.Uint64
	f, plane := cachedServer(t, changes.Load)
	for i := 0; i < 5; i++ {
		if v := stageVariable(t, f, plane); v != "one" {
			t.Fatalf("request %d: stage variable %v, want one", i, v)
		}
	}
	if n := f.stageReads.Load(); n != 1 {
		t.Fatalf("5 requests read the stage %d times, want 1", n)
	}

	f.mu.Lock()
	f.variables = map[string]string{"v": "two"}
	f.mu.Unlock()
	if v := stageVariable(t, f, plane); v != "one" {
		t.Errorf("an update the count does not show was served (%v): the stage was read again without a change", v)
	}
	changes.Add(1) // as the proxy does when it answers UpdateStage
	if v := stageVariable(t, f, plane); v != "two" {
		t.Errorf("after the count moved: stage variable %v, want two", v)
	}
	if n := f.stageReads.Load(); n != 2 {
		t.Errorf("stage read %d times, want 2", n)
	}
}

// Concurrent requests after a change read the stage once between them.
func TestConcurrentRequestsReadTheStageOnce(t *testing.T) {
	var changes atomic.Uint64
	f, plane := cachedServer(t, changes.Load)
	changes.Add(1)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(InvokeURL(plane.URL, "api1", "dev") + "/items")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET /items: %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := f.stageReads.Load(); n != 1 {
		t.Errorf("16 concurrent requests read the stage %d times, want 1", n)
	}
}

// Without a change count (an API Gateway that is no proxy of this
// process), every request reads the stage: an update is seen at once.
func TestWithoutAChangeCountEveryRequestReadsTheStage(t *testing.T) {
	f, plane := cachedServer(t, nil)
	stageVariable(t, f, plane)
	f.mu.Lock()
	f.variables = map[string]string{"v": "two"}
	f.mu.Unlock()
	if v := stageVariable(t, f, plane); v != "two" {
		t.Errorf("stage variable %v, want two", v)
	}
	if n := f.stageReads.Load(); n != 2 {
		t.Errorf("2 requests read the stage %d times, want 2", n)
	}
}

// A data plane whose API Gateway is the local stack's proxy in this
// process takes its change count without being told; one in front of
// anything else reads the stage on every request.
func TestChangesComeFromTheProxyOfThisProcess(t *testing.T) {
	moto := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(moto.Close)
	p, err := apigwproxy.Start(moto.URL, apigwproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	client := func(url string) *apigateway.Client {
		return apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds})
	}
	if s := New(Config{APIGateway: client(p.URL)}); s.changes == nil {
		t.Error("a data plane in front of the proxy of this process has no change count")
	}
	if s := New(Config{APIGateway: client(moto.URL)}); s.changes != nil {
		t.Error("a data plane in front of moto itself has a change count")
	}
}
