package apigwproxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// AWS rules moto 5.2.1 does not enforce, refused here with AWS's own
// answer, so that a configuration the local stack applies also applies on
// AWS (docs/aws.md lists each with its source):
//
//   - CreateModel under a name the API already has: 409 ConflictException
//     (moto silently replaces the model).
//   - UpdateStage that turns on access logging, execution logging or data
//     tracing while the account has no CloudWatch role ARN (UpdateAccount):
//     400 BadRequestException.
//   - CreateDeployment of a PRIVATE API without a resource policy: 400
//     BadRequestException.
//   - DeleteDeployment of a deployment a stage still points at: 400
//     BadRequestException (moto refuses it only for the stage the
//     deployment itself created).
const (
	msgModelExists     = "Another Model with the same name already exists"
	msgLoggingNeedRole = "CloudWatch Logs role ARN must be set in account settings to enable logging"
	msgPrivateNoPolicy = "Private REST API doesn't have a resource policy attached to it"
	msgActiveStage     = "Active stages pointing to this deployment must be moved or deleted"
)

// rule checks one kind of request before moto sees it. It returns
// errRefused (with the answer written) to stop the request, nil to let it
// through, or another error when moto could not be asked.
type rule func(c *gapCall) error

// refusal is an AWS error answer of a rule.
type refusal struct {
	status int
	code   string
	msg    string
}

func (r *refusal) Error() string { return r.code + ": " + r.msg }

// ruleFor picks the rule for r, or nil.
func (g *motoGaps) ruleFor(r *http.Request, p []string) rule {
	n := len(p)
	at := func(i int, s string) bool { return n > i && p[i] == s }
	switch {
	case r.Method == http.MethodPost && n == 3 && at(0, "restapis") && at(2, "models"):
		return modelNameUnique
	case r.Method == http.MethodPatch && n == 4 && at(0, "restapis") && at(2, "stages"):
		return loggingNeedsRole
	case r.Method == http.MethodPost && n == 3 && at(0, "restapis") && at(2, "deployments"):
		return privateNeedsPolicy
	case r.Method == http.MethodDelete && n == 4 && at(0, "restapis") && at(2, "deployments"):
		return noActiveStage
	}
	return nil
}

// enforce runs the rule for r, if any, and reports whether it answered r
// itself (a refusal, or moto unreachable). The body is restored for the
// next handler.
func (g *motoGaps) enforce(w http.ResponseWriter, r *http.Request, p []string, body []byte) bool {
	check := g.ruleFor(r, p)
	if check == nil {
		return false
	}
	err := check(&gapCall{g: g, r: r, path: "/" + strings.Join(p, "/"), body: body})
	var ref *refusal
	var me *motoError
	switch {
	case err == nil:
		return false
	case errors.As(err, &ref):
		writeAPIGWError(w, ref.status, ref.code, ref.msg)
	case errors.As(err, &me):
		// moto's own answer to the rule's read (e.g. the API does not
		// exist): the request would get the same.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(me.status)
		_, _ = w.Write(me.body)
	default:
		writeAPIGWError(w, http.StatusServiceUnavailable, "ServiceUnavailableException", err.Error())
	}
	return true
}

func modelNameUnique(c *gapCall) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Name == "" {
		return nil // moto answers a malformed request itself
	}
	_, _, err := c.moto(http.MethodGet, c.path+"/"+in.Name, nil)
	var me *motoError
	switch {
	case err == nil:
		return &refusal{http.StatusConflict, "ConflictException", msgModelExists}
	case errors.As(err, &me) && me.status == http.StatusNotFound:
		return nil
	default:
		return err
	}
}

// loggingNeedsRole refuses a stage update that turns logging on in an
// account without the API Gateway CloudWatch role.
func loggingNeedsRole(c *gapCall) error {
	ops, err := c.patchOps()
	if err != nil {
		return nil
	}
	if !slices.ContainsFunc(ops, turnsLoggingOn) {
		return nil
	}
	account, _, err := c.moto(http.MethodGet, "/account", nil)
	if err != nil {
		return err
	}
	if role, _ := account["cloudwatchRoleArn"].(string); role != "" {
		return nil
	}
	return &refusal{http.StatusBadRequest, "BadRequestException", msgLoggingNeedRole}
}

// turnsLoggingOn: an access-log destination, or an execution log level or
// data trace on any method path (/*/*/logging/loglevel, the method
// settings' path).
func turnsLoggingOn(op patchOp) bool {
	if op.Op != "replace" && op.Op != "add" || op.Value == nil {
		return false
	}
	v := *op.Value
	switch {
	case op.Path == "/accessLogSettings/destinationArn":
		return v != ""
	case strings.HasSuffix(op.Path, "/logging/loglevel"):
		return v != "" && !strings.EqualFold(v, "OFF")
	case strings.HasSuffix(op.Path, "/logging/dataTrace"):
		return strings.EqualFold(v, "true")
	}
	return false
}

func privateNeedsPolicy(c *gapCall) error {
	api, _, err := c.moto(http.MethodGet, strings.TrimSuffix(c.path, "/deployments"), nil)
	if err != nil {
		return err
	}
	if !isPrivate(api) {
		return nil
	}
	if policy, _ := api["policy"].(string); strings.TrimSpace(policy) != "" {
		return nil
	}
	return &refusal{http.StatusBadRequest, "BadRequestException", msgPrivateNoPolicy}
}

func isPrivate(api map[string]any) bool {
	ec, _ := api["endpointConfiguration"].(map[string]any)
	types, _ := ec["types"].([]any)
	return slices.Contains(types, any("PRIVATE"))
}

func noActiveStage(c *gapCall) error {
	i := strings.LastIndex(c.path, "/deployments/")
	id := c.path[i+len("/deployments/"):]
	stages, _, err := c.moto(http.MethodGet, c.path[:i]+"/stages", nil)
	if err != nil {
		return err
	}
	items, _ := stages["item"].([]any)
	for _, it := range items {
		if s, _ := it.(map[string]any); s != nil && s["deploymentId"] == id {
			return &refusal{http.StatusBadRequest, "BadRequestException", msgActiveStage}
		}
	}
	return nil
}
