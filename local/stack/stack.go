// Package stack is the one entry point to the local AWS stack: Up finds or
// installs the tools, starts moto (API Gateway) and kumo (Lambda, DynamoDB,
// IAM, STS, CloudWatch Logs, S3) with the proxies that make them behave as
// AWS does, and returns a Stack that hands out what every user of the stack
// needs — the environment for Terraform and the AWS SDKs, SDK clients, and
// Terraform workspaces — and stops everything with one Close. `local up`,
// the end-to-end tests, bench and every test that needs the stack start it
// here (tests through stack/stacktest).
package stack

import (
	"context"
	"fmt"
	"io"
	"maps"
	"sync"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/instrument"
	"github.com/apibuilder/apibuilder/local/kumoproxy"
	"github.com/apibuilder/apibuilder/local/tools"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// Region is the region every local resource lives in.
const Region = "us-east-1"

// Options tune Up; the zero value is a quiet, uninstrumented stack.
type Options struct {
	// Logs receives the emulators' output and what the proxies answered
	// themselves (e.g. a replayed SDK retry). Default: discarded.
	Logs io.Writer
	// Progress receives what the tool installer found or installed, the
	// first time a process needs the tools. Default: discarded.
	Progress io.Writer
	// Instrument counts API Gateway calls by operation and times every
	// service's answers (APIGatewayCalls, ServiceTimes): bench turns it on.
	Instrument bool
}

// Endpoints are the URLs the stack serves the AWS APIs on, each a proxy in
// front of its emulator.
type Endpoints struct {
	APIGateway string // moto, behind local/apigwproxy
	Kumo       string // kumo, behind local/kumoproxy: every other service
}

// Stack is a running local stack. Its methods are safe for concurrent use.
type Stack struct {
	Tools     *tools.Toolchain
	Endpoints Endpoints

	kumo, moto *emulator.Server
	kumoProxy  *kumoproxy.Proxy
	apigwProxy *apigwproxy.Proxy
	apigwRec   *instrument.Recorder // nil unless Options.Instrument
	kumoRec    *instrument.Recorder
	closeOnce  sync.Once
}

// Up finds or installs the tools, then starts kumo and moto, each behind
// its proxy. On error nothing is left running.
func Up(ctx context.Context, opt Options) (_ *Stack, err error) {
	tc, err := ensureTools(ctx, opt.Progress, true)
	if err != nil {
		return nil, err
	}
	s := &Stack{Tools: tc}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if opt.Instrument {
		s.apigwRec, s.kumoRec = &instrument.Recorder{}, &instrument.Recorder{}
	}
	if s.kumo, err = emulator.StartKumo(ctx, tc.Kumo, opt.Logs); err != nil {
		return nil, err
	}
	if s.kumoProxy, err = kumoproxy.Start(s.kumo.URL, kumoproxy.Options{Logs: opt.Logs, Instrument: s.kumoRec}); err != nil {
		return nil, fmt.Errorf("kumo proxy: %w", err)
	}
	if s.moto, err = emulator.StartMoto(ctx, tc.Moto, opt.Logs); err != nil {
		return nil, err
	}
	if s.apigwProxy, err = apigwproxy.Start(s.moto.URL, apigwproxy.Options{Instrument: s.apigwRec}); err != nil {
		return nil, fmt.Errorf("API Gateway proxy: %w", err)
	}
	s.Endpoints = Endpoints{APIGateway: s.apigwProxy.URL, Kumo: s.kumoProxy.URL}
	return s, nil
}

// Close stops the proxies and the emulators. It is safe to call twice, and
// on a stack that Up only partly started.
func (s *Stack) Close() {
	if s == nil {
		return
	}
	s.closeOnce.Do(func() {
		if s.apigwProxy != nil {
			s.apigwProxy.Close()
		}
		if s.moto != nil {
			s.moto.Stop()
		}
		if s.kumoProxy != nil {
			s.kumoProxy.Close()
		}
		if s.kumo != nil {
			s.kumo.Stop()
		}
	})
}

// Env is the environment of a Terraform run on this stack: the offline
// Terraform CLI config and AWSEnv. An empty value means "unset this variable".
func (s *Stack) Env() map[string]string {
	env := s.Tools.Env()
	maps.Copy(env, s.AWSEnv())
	return env
}

// RuntimeAPI is kumo's own URL, for the Lambda Runtime API (local/runner's
// polls and answers): the kumo proxy passes those through untouched, so
// they skip it.
func (s *Stack) RuntimeAPI() string { return s.kumo.URL }

// AWSEnv is the environment that points the AWS SDKs, the Terraform AWS
// provider and the AWS CLI at this stack: API Gateway at moto, every other
// service at kumo, the local region and dummy static credentials (and no
// profile or session token of the caller's). A function handler started
// for the stack gets it too. An empty value means "unset this variable".
func (s *Stack) AWSEnv() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":            "test",
		"AWS_SECRET_ACCESS_KEY":        "test",
		"AWS_SESSION_TOKEN":            "",
		"AWS_PROFILE":                  "",
		"AWS_REGION":                   Region,
		"AWS_DEFAULT_REGION":           Region,
		"AWS_EC2_METADATA_DISABLED":    "true",
		"AWS_ENDPOINT_URL":             s.Endpoints.Kumo,
		"AWS_ENDPOINT_URL_API_GATEWAY": s.Endpoints.APIGateway,
	}
}

// Workspace is a Terraform workspace for the root module in dir that
// applies to this stack; terraform's output goes to log (may be nil).
func (s *Stack) Workspace(dir string, log io.Writer) (*tfdriver.Workspace, error) {
	ws, err := tfdriver.New(dir, s.Tools.Terraform, s.Env(), log)
	if err != nil {
		return nil, err
	}
	ws.ProviderVersion = s.Tools.ProviderVersion
	return ws, nil
}

// APIGatewayCalls counts the calls made to the API Gateway control plane
// since the stack started, by operation (see apigwproxy.Operation). It is
// empty unless the stack was started with Options.Instrument.
func (s *Stack) APIGatewayCalls() map[string]int {
	if s.apigwRec == nil {
		return map[string]int{}
	}
	return s.apigwRec.Calls()
}

// ServiceTimes is the emulators' answer time per service since the stack
// started (API Gateway is moto, the rest kumo). It is empty unless the
// stack was started with Options.Instrument.
func (s *Stack) ServiceTimes() map[string]instrument.ServiceTime {
	out := map[string]instrument.ServiceTime{}
	if s.apigwRec != nil {
		maps.Copy(out, s.kumoRec.ServiceTimes())
		maps.Copy(out, s.apigwRec.ServiceTimes())
	}
	return out
}

// Tools finds or installs terraform and the AWS provider mirror (and moto
// and kumo when found), for Terraform runs without the emulators: terraform
// validate, or a deployment to a real AWS account. Progress goes to
// progress (may be nil) the first time a process needs the tools.
func Tools(ctx context.Context, progress io.Writer) (*tools.Toolchain, error) {
	return ensureTools(ctx, progress, false)
}

// The tools do not change while a process runs: they are looked up once
// per process (tests start many stacks), and again only after an error.
var (
	toolsMu     sync.Mutex
	toolsByMoto = map[bool]*tools.Toolchain{}
)

func ensureTools(ctx context.Context, progress io.Writer, requireMoto bool) (*tools.Toolchain, error) {
	toolsMu.Lock()
	defer toolsMu.Unlock()
	if tc := toolsByMoto[requireMoto]; tc != nil {
		return tc, nil
	}
	tc, err := tools.Ensure(ctx, tools.Options{Log: progress, RequireMoto: requireMoto})
	if err != nil {
		return nil, err
	}
	toolsByMoto[requireMoto] = tc
	return tc, nil
}
