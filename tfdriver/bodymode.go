package tfdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// An env applied by apibuilder before body mode has one Terraform
// resource per path, method, integration, model, validator, authorizer and
// CORS response. Body mode defines all of them by the API's document, and
// a plain apply would get the upgrade wrong: Terraform updates the REST
// API (PutRestApi, which brings the document's methods) before it
// destroys the removed resources, whose deletes then hit what the import
// just made (API Gateway addresses methods by resource and verb, gateway
// responses by type). So the old resources leave the state first, without
// a call to API Gateway: the import in overwrite mode replaces them in
// the API itself. docs/upgrading.md#to-body-mode has the same step for
// plain Terraform.

// perResourceTypes are the resource types the document replaces.
var perResourceTypes = []string{
	"aws_api_gateway_resource",
	"aws_api_gateway_method",
	"aws_api_gateway_method_response",
	"aws_api_gateway_integration",
	"aws_api_gateway_integration_response",
	"aws_api_gateway_model",
	"aws_api_gateway_request_validator",
	"aws_api_gateway_authorizer",
	"aws_api_gateway_gateway_response",
	"aws_api_gateway_rest_api_policy",
}

// perResourceModule reports whether a state module path is one of the
// generated env's API modules: the API, a route or an authorizer.
func perResourceModule(module string) bool {
	return module == "module.api" || strings.HasPrefix(module, "module.route_") || strings.HasPrefix(module, "module.authorizer_")
}

// UpgradeToBodyMode removes the per-resource API Gateway resources of the
// env's API modules from the state (one state pull and push), and returns
// their addresses; none when the env is already in body mode or has no
// state. It never calls AWS.
func (w *Workspace) UpgradeToBodyMode(ctx context.Context) ([]string, error) {
	raw, err := w.tf.StatePull(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform state pull (%s): %w", w.Dir, err)
	}
	kept, forgotten, err := withoutPerResourceAPI([]byte(raw))
	if err != nil || len(forgotten) == 0 {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "apibuilder-state-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "upgraded.tfstate")
	if err := os.WriteFile(path, kept, 0o600); err != nil {
		return nil, err
	}
	if err := w.tf.StatePush(ctx, path); err != nil {
		return nil, fmt.Errorf("terraform state push (%s): %w", w.Dir, err)
	}
	fmt.Fprintf(w.stdout(), "apibuilder: upgraded %s to body mode: %d per-resource API Gateway resources left the state without a call to AWS; the API's document replaces them when it is imported (docs/upgrading.md#to-body-mode)\n", w.Dir, len(forgotten))
	return forgotten, nil
}

// withoutPerResourceAPI returns the state (format version 4) without the
// per-resource API Gateway resources of the API modules, its serial one
// higher, and the addresses it left out; the state unchanged and no
// addresses when there are none.
func withoutPerResourceAPI(state []byte) ([]byte, []string, error) {
	if len(strings.TrimSpace(string(state))) == 0 {
		return state, nil, nil
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, nil, fmt.Errorf("the state is not JSON: %w", err)
	}
	var resources []json.RawMessage
	if r, ok := st["resources"]; ok {
		if err := json.Unmarshal(r, &resources); err != nil {
			return nil, nil, fmt.Errorf("the state's resources: %w", err)
		}
	}
	var kept []json.RawMessage
	var forgotten []string
	for _, r := range resources {
		var head struct{ Module, Mode, Type, Name string }
		if err := json.Unmarshal(r, &head); err != nil {
			return nil, nil, fmt.Errorf("a resource of the state: %w", err)
		}
		if head.Mode == "managed" && slices.Contains(perResourceTypes, head.Type) && perResourceModule(head.Module) {
			forgotten = append(forgotten, head.Module+"."+head.Type+"."+head.Name)
			continue
		}
		kept = append(kept, r)
	}
	if len(forgotten) == 0 {
		return state, nil, nil
	}
	var serial int64
	if err := json.Unmarshal(st["serial"], &serial); err != nil {
		return nil, nil, fmt.Errorf("the state's serial: %w", err)
	}
	st["serial"], _ = json.Marshal(serial + 1)
	if kept == nil {
		kept = []json.RawMessage{}
	}
	st["resources"], _ = json.Marshal(kept)
	out, err := json.MarshalIndent(st, "", "  ")
	return out, forgotten, err
}
