package dataplane

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
)

// What a request needs of the control plane — the stage, its deployment,
// the API keys and usage plans — is read once and kept while nothing has
// changed it. "Changed" is Config.Changes: the count of write calls the
// local stack's API Gateway proxy has answered (apigwproxy.Proxy.Changes).
// The count is taken before a read and kept with what was read; a request
// that finds the count where it was serves what was read, any other reads
// again. A stage update (variables, method settings, throttling, access
// logging, its deployment id), a new deployment or a new API key is
// therefore seen by the first request that starts after the call that made
// it has returned, as when the stage was read on every request.
//
// Without a count (an API Gateway that is not a proxy of this process), the
// stage is read on every request, and the deployment again only when the
// stage names another one.

// changesOf is cfg.Changes, or the count of the proxy of this process that
// serves cfg.APIGateway's endpoint, or nil.
func changesOf(cfg Config) func() uint64 {
	if cfg.Changes != nil || cfg.APIGateway == nil {
		return cfg.Changes
	}
	if changes, ok := apigwproxy.ChangesAt(aws.ToString(cfg.APIGateway.Options().BaseEndpoint)); ok {
		return changes
	}
	return nil
}

// stageSlot holds one stage's last read, and serialises its reloads so
// that a burst of requests after a change costs one read, not one each.
type stageSlot struct {
	cur  atomic.Pointer[stageRead]
	load sync.Mutex
}

// stageRead is a stage as read when the change count was at.
type stageRead struct {
	at    uint64
	stage *apigateway.GetStageOutput
	d     *deployment
}

// cachedStage serves deployment() when a change count is known.
func (s *Server) cachedStage(ctx context.Context, apiID, stageName string) (*deployment, *apigateway.GetStageOutput, error) {
	key := apiID + "/" + stageName
	s.mu.Lock()
	slot := s.stages[key]
	if slot == nil {
		slot = &stageSlot{}
		s.stages[key] = slot
	}
	s.mu.Unlock()
	if r := slot.cur.Load(); r != nil && r.at == s.changes() {
		return r.d, r.stage, nil
	}
	slot.load.Lock()
	defer slot.load.Unlock()
	at := s.changes()
	if r := slot.cur.Load(); r != nil && r.at == at { // another request read it meanwhile
		return r.d, r.stage, nil
	}
	d, stage, err := s.readStage(ctx, apiID, stageName)
	if err != nil {
		return nil, nil, err
	}
	slot.cur.Store(&stageRead{at: at, stage: stage, d: d})
	return d, stage, nil
}

// apiKeyRead is checkAPIKey's answer for one key value on one stage, as
// read when the change count was at.
type apiKeyRead struct {
	at    uint64
	keyID string
	plan  *types.UsagePlan
	ok    bool
}

// cachedAPIKey is checkAPIKey's answer from the last read, while the change
// count has not moved (keys and usage plans change only through writes).
func (s *Server) cachedAPIKey(ctx context.Context, req *request, value string) (string, *types.UsagePlan, bool) {
	key := req.apiID + "/" + req.stage + "/" + value
	at := s.changes()
	s.mu.Lock()
	r, found := s.keys[key]
	s.mu.Unlock()
	if found && r.at == at {
		return r.keyID, r.plan, r.ok
	}
	id, plan, ok, err := s.readAPIKey(ctx, req, value)
	if err != nil {
		return "", nil, false // as before: refused, and read again next time
	}
	s.mu.Lock()
	if len(s.keys) > 10000 { // bounded: a client trying key after key
		clear(s.keys)
	}
	s.keys[key] = apiKeyRead{at: at, keyID: id, plan: plan, ok: ok}
	s.mu.Unlock()
	return id, plan, ok
}
