package apigwproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// motoGaps answers, in front of moto 5.2.1, the API Gateway operations the
// AWS provider uses for in-place updates that moto lacks (it answers them
// with 500, and the provider retries for many minutes) or gets wrong. Each
// is built from operations moto does have: read the resource, apply the
// patch, write it back, restore what moto's write drops. Calls it makes
// go straight to moto, so an instrument counts only the client's calls.
type motoGaps struct {
	target string // moto's URL
	client *http.Client

	mu        sync.Mutex
	locks     map[string]*sync.Mutex // method key -> lock, see lock
	cacheKeys map[string][]any       // method key -> its integration's cacheKeyParameters (cachekeys.go)
	snaps     snapshots              // the API at each deployment (snapshot.go)
}

func newMotoGaps(target string) *motoGaps {
	return &motoGaps{target: strings.TrimSuffix(target, "/"), client: &http.Client{Timeout: 30 * time.Second},
		locks: map[string]*sync.Mutex{}, cacheKeys: map[string][]any{}}
}

// lock serializes the writes to one method (its responses, integration and
// integration responses included), so that a fill's read-modify-write
// (UpdateMethod re-puts the integration) never overwrites a concurrent
// write of the Terraform provider, which applies in parallel.
func (g *motoGaps) lock(r *http.Request) (unlock func()) {
	p := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	if r.Method == http.MethodGet || len(p) < 6 || p[0] != "restapis" || p[2] != "resources" || p[4] != "methods" {
		return func() {}
	}
	key := methodKey(r.URL.EscapedPath())
	g.mu.Lock()
	l := g.locks[key]
	if l == nil {
		l = &sync.Mutex{}
		g.locks[key] = l
	}
	g.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// serve handles r if it is one of the gaps and reports whether it did.
func (g *motoGaps) serve(w http.ResponseWriter, r *http.Request) bool {
	p := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	n := len(p)
	at := func(i int, s string) bool { return n > i && p[i] == s }
	method := n >= 6 && at(0, "restapis") && at(2, "resources") && at(4, "methods")
	if r.Method == http.MethodDelete && method && (n == 6 || n == 7 && at(6, "integration")) {
		g.setCacheKeys(methodKey(r.URL.EscapedPath()), nil) // and let moto delete it
	}
	var h func(*gapCall) (int, []byte, error)
	switch {
	case r.Method == http.MethodGet && method && n == 6:
		h = g.getMethodKeys
	case r.Method == http.MethodGet && method && n == 7 && at(6, "integration"):
		h = g.getIntegrationKeys
	case r.Method == http.MethodPut && method && n == 7 && at(6, "integration"):
		h = g.putIntegrationKeys
	case r.Method == http.MethodPatch && method && n == 6:
		h = g.updateMethod
	case r.Method == http.MethodPatch && method && n == 7 && at(6, "integration"):
		h = g.updateIntegration
	case r.Method == http.MethodPatch && method && n == 9 && at(6, "integration") && at(7, "responses"):
		h = g.updatePut(integrationResponseShape, "statusCode")
	case r.Method == http.MethodPatch && method && n == 8 && at(6, "responses"):
		h = g.updatePut(methodResponseShape, "statusCode")
	case r.Method == http.MethodPatch && n == 4 && at(0, "restapis") && at(2, "gatewayresponses"):
		h = g.updatePut(gatewayRespShape, "responseType", "defaultResponse")
	case r.Method == http.MethodPatch && n == 4 && at(0, "restapis") && at(2, "models"):
		h = g.updateModel
	case r.Method == http.MethodPost && n == 3 && at(0, "restapis") && at(2, "authorizers"):
		h = g.createAuthorizer
	case r.Method == http.MethodPatch && n == 2 && at(0, "usageplans"):
		h = g.rewritePatch(usagePlanOp)
	case r.Method == http.MethodPatch && n == 2 && at(0, "restapis"):
		h = g.rewritePatch(restAPIOp)
	default:
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return true
	}
	status, out, err := h(&gapCall{g: g, r: r, path: "/" + strings.Join(p, "/"), body: body})
	switch {
	case writeMotoError(w, err):
	case err != nil: // the request's patch or body
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}
	return true
}

// gapCall is one client request being answered.
type gapCall struct {
	g    *motoGaps
	r    *http.Request
	path string // escaped, no trailing slash
	body []byte
}

// motoError is a non-2xx answer from moto.
type motoError struct {
	status int
	header http.Header
	body   []byte
}

func (e *motoError) Error() string { return fmt.Sprintf("moto: %d %s", e.status, e.body) }

// moto sends one request to moto with the client's credentials (moto picks
// the service from the Authorization header) and decodes a JSON answer.
func (c *gapCall) moto(method, path string, in any) (map[string]any, []byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.r.Context(), method, c.g.target+path, body)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		if v := c.r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.g.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, nil, &motoError{status: resp.StatusCode, header: resp.Header, body: raw}
	}
	doc := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, nil, fmt.Errorf("moto %s %s: %w", method, path, err)
		}
	}
	return doc, raw, nil
}

func (c *gapCall) patchOps() ([]patchOp, error) {
	var in struct {
		PatchOperations []patchOp `json:"patchOperations"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		return nil, fmt.Errorf("patchOperations: %w", err)
	}
	return in.PatchOperations, nil
}

// getPatched reads the resource at path and applies the request's patch to it.
func (c *gapCall) getPatched(path string, s shape) (map[string]any, error) {
	ops, err := c.patchOps()
	if err != nil {
		return nil, err
	}
	doc, _, err := c.moto(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return doc, applyPatch(doc, ops, s)
}

// updatePut fills an UpdateX gap for a resource that moto can PUT whole
// (method response, integration response, gateway response): GET, patch,
// PUT without the fields that name it, answer with the result.
func (g *motoGaps) updatePut(s shape, nameFields ...string) func(*gapCall) (int, []byte, error) {
	return func(c *gapCall) (int, []byte, error) {
		doc, err := c.getPatched(c.path, s)
		if err != nil {
			return 0, nil, err
		}
		for _, f := range nameFields {
			delete(doc, f)
		}
		_, out, err := c.moto(http.MethodPut, c.path, dropNulls(doc))
		return http.StatusOK, out, err
	}
}

// updateIntegration: moto has PutIntegration only, and a PUT replaces the
// integration together with its integration responses, so those are put
// back afterwards. moto's PutIntegration also ignores cacheKeyParameters,
// which the proxy keeps itself (cachekeys.go).
func (g *motoGaps) updateIntegration(c *gapCall) (int, []byte, error) {
	ops, err := c.patchOps()
	if err != nil {
		return 0, nil, err
	}
	doc, _, err := c.moto(http.MethodGet, c.path, nil)
	if err != nil {
		return 0, nil, err
	}
	key := methodKey(c.path)
	g.withCacheKeys(key, doc)
	if err := applyPatch(doc, ops, integrationShape); err != nil {
		return 0, nil, err
	}
	if err := c.putIntegration(c.path, doc); err != nil {
		return 0, nil, err
	}
	g.setCacheKeys(key, doc["cacheKeyParameters"])
	return g.getIntegrationKeys(c)
}

// putIntegration writes integration doc (as GetIntegration returns it) to
// path and restores its integration responses.
func (c *gapCall) putIntegration(path string, doc map[string]any) error {
	responses, _ := doc["integrationResponses"].(map[string]any)
	delete(doc, "integrationResponses")
	if _, _, err := c.moto(http.MethodPut, path, dropNulls(doc)); err != nil {
		return err
	}
	for code, resp := range responses {
		ir, _ := resp.(map[string]any)
		delete(ir, "statusCode")
		if _, _, err := c.moto(http.MethodPut, path+"/responses/"+code, dropNulls(ir)); err != nil {
			return err
		}
	}
	return nil
}

// updateMethod: moto has PutMethod only, and a PUT replaces the method with
// a new one that has no method responses and no integration, so both are
// put back afterwards.
func (g *motoGaps) updateMethod(c *gapCall) (int, []byte, error) {
	doc, err := c.getPatched(c.path, methodShape)
	if err != nil {
		return 0, nil, err
	}
	integration, _ := doc["methodIntegration"].(map[string]any)
	responses, _ := doc["methodResponses"].(map[string]any)
	for _, f := range []string{"httpMethod", "methodIntegration", "methodResponses"} {
		delete(doc, f)
	}
	if _, _, err := c.moto(http.MethodPut, c.path, dropNulls(doc)); err != nil {
		return 0, nil, err
	}
	for code, resp := range responses {
		mr, _ := resp.(map[string]any)
		delete(mr, "statusCode")
		if _, _, err := c.moto(http.MethodPut, c.path+"/responses/"+code, dropNulls(mr)); err != nil {
			return 0, nil, err
		}
	}
	if integration != nil {
		if err := c.putIntegration(c.path+"/integration", integration); err != nil {
			return 0, nil, err
		}
	}
	return g.getMethodKeys(c)
}

// updateModel: moto can only create and delete models, so an update
// re-creates the model under the same name (its id changes; methods refer
// to models by name).
func (g *motoGaps) updateModel(c *gapCall) (int, []byte, error) {
	doc, err := c.getPatched(c.path, modelShape)
	if err != nil {
		return 0, nil, err
	}
	if _, _, err := c.moto(http.MethodDelete, c.path, nil); err != nil {
		return 0, nil, err
	}
	delete(doc, "id")
	_, out, err := c.moto(http.MethodPost, c.path[:strings.LastIndex(c.path, "/")], dropNulls(doc))
	return http.StatusOK, out, err
}

// createAuthorizer: moto's CreateAuthorizer drops identityValidationExpression
// (its UpdateAuthorizer keeps it), so a TOKEN authorizer would lose it and
// re-plan; set it with an update right after the create.
func (g *motoGaps) createAuthorizer(c *gapCall) (int, []byte, error) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		return 0, nil, err
	}
	created, out, err := c.moto(http.MethodPost, c.path, in)
	if err != nil {
		return 0, nil, err
	}
	expr, _ := in["identityValidationExpression"].(string)
	id, _ := created["id"].(string)
	if expr == "" || created["identityValidationExpression"] == expr || id == "" {
		return http.StatusCreated, out, nil
	}
	ops := map[string]any{"patchOperations": []patchOp{{Op: "replace", Path: "/identityValidationExpression", Value: &expr}}}
	_, out, err = c.moto(http.MethodPatch, c.path+"/"+id, ops)
	return http.StatusCreated, out, err
}

// rewritePatch fills a gap where moto has the update but reads some patch
// operations differently from AWS: each op is rewritten into the form
// moto understands, then forwarded.
func (g *motoGaps) rewritePatch(rewrite func(op patchOp) (map[string]any, error)) func(*gapCall) (int, []byte, error) {
	return func(c *gapCall) (int, []byte, error) {
		ops, err := c.patchOps()
		if err != nil {
			return 0, nil, err
		}
		out := make([]map[string]any, 0, len(ops))
		for _, op := range ops {
			o, err := rewrite(op)
			if err != nil {
				return 0, nil, err
			}
			out = append(out, o)
		}
		_, raw, err := c.moto(http.MethodPatch, c.path, map[string]any{"patchOperations": out})
		return http.StatusOK, raw, err
	}
}

func opMap(op patchOp) map[string]any {
	o := map[string]any{"op": op.Op, "path": op.Path}
	if op.Value != nil {
		o["value"] = *op.Value
	}
	if op.From != nil {
		o["from"] = *op.From
	}
	return o
}

// usagePlanOp: moto stores patched quota values verbatim, so the string
// "500" of a /quota/limit patch comes back as a JSON string no SDK can read
// (GetUsagePlan fails from then on). Send moto numbers instead.
func usagePlanOp(op patchOp) (map[string]any, error) {
	o := opMap(op)
	switch op.Path {
	case "/quota/limit", "/quota/offset", "/throttle/burstLimit", "/throttle/rateLimit":
		if op.Value != nil {
			if !json.Valid([]byte(*op.Value)) {
				return nil, fmt.Errorf("patch %s: %q is not a number", op.Path, *op.Value)
			}
			o["value"] = json.Number(*op.Value)
		}
	}
	return o, nil
}

// restAPIOp: AWS names the binary media type in the path
// (add /binaryMediaTypes/image~1png); moto reads it from the value, so it
// would add "" and fail (500) to remove one.
func restAPIOp(op patchOp) (map[string]any, error) {
	o := opMap(op)
	if t, ok := strings.CutPrefix(op.Path, "/binaryMediaTypes/"); ok && (op.Op == "add" || op.Op == "remove") {
		o["path"], o["value"] = "/binaryMediaTypes", unescapePointer(t)
	}
	return o, nil
}

// dropNulls removes the null fields moto's reads include, so a PUT sets
// only what the resource has.
func dropNulls(doc map[string]any) map[string]any {
	for k, v := range doc {
		if v == nil {
			delete(doc, k)
		}
	}
	return doc
}

func writeAPIGWError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// writeMotoError answers err when moto did not answer (503, not the
// client's fault) or answered an error (passed on as is, e.g.
// NotFoundException), and reports whether it did.
func writeMotoError(w http.ResponseWriter, err error) bool {
	var me *motoError
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		writeAPIGWError(w, http.StatusServiceUnavailable, "ServiceUnavailableException", err.Error())
	case errors.As(err, &me):
		for _, k := range []string{"Content-Type", "X-Amzn-Errortype"} {
			if v := me.header.Get(k); v != "" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(me.status)
		_, _ = w.Write(me.body)
	default:
		return false
	}
	return true
}
