package tfdriver

import (
	"encoding/json"
	"slices"
	"testing"
)

// The upgrade to body mode forgets exactly the per-resource API Gateway
// resources of the API modules, and bumps the serial so that terraform
// state push accepts the state.
func TestWithoutPerResourceAPI(t *testing.T) {
	state := `{"version":4,"terraform_version":"1.11.4","serial":7,"lineage":"l-1","outputs":{},"resources":[
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_rest_api","name":"this","instances":[{}]},
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_resource","name":"level1","instances":[{"index_key":"/items"}]},
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_gateway_response","name":"cors","instances":[]},
		{"module":"module.api","mode":"managed","type":"aws_api_gateway_deployment","name":"this","instances":[{}]},
		{"module":"module.route_get_item","mode":"managed","type":"aws_api_gateway_method","name":"this","instances":[{"index_key":0}]},
		{"module":"module.route_get_item","mode":"managed","type":"aws_lambda_function","name":"this","instances":[{}]},
		{"module":"module.authorizer_admin","mode":"managed","type":"aws_lambda_permission","name":"api_gateway","instances":[{}]},
		{"mode":"managed","type":"aws_api_gateway_method","name":"mine","instances":[{}]},
		{"module":"module.api","mode":"data","type":"aws_api_gateway_resource","name":"read","instances":[{}]}]}`
	out, forgotten, err := withoutPerResourceAPI([]byte(state))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"module.api.aws_api_gateway_resource.level1", "module.api.aws_api_gateway_gateway_response.cors", "module.route_get_item.aws_api_gateway_method.this"}
	if !slices.Equal(forgotten, want) {
		t.Errorf("forgotten %v, want %v", forgotten, want)
	}
	var st struct {
		Serial    int
		Lineage   string
		Resources []struct{ Module, Mode, Type, Name string }
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatal(err)
	}
	if st.Serial != 8 || st.Lineage != "l-1" {
		t.Errorf("serial %d lineage %q, want 8 and l-1", st.Serial, st.Lineage)
	}
	var kept []string
	for _, r := range st.Resources {
		kept = append(kept, r.Module+"."+r.Type+"."+r.Name)
	}
	wantKept := []string{"module.api.aws_api_gateway_rest_api.this", "module.api.aws_api_gateway_deployment.this", "module.route_get_item.aws_lambda_function.this",
		"module.authorizer_admin.aws_lambda_permission.api_gateway", ".aws_api_gateway_method.mine", "module.api.aws_api_gateway_resource.read"}
	if !slices.Equal(kept, wantKept) {
		t.Errorf("kept %v, want %v (a resource of the team's own and data sources stay)", kept, wantKept)
	}

	again, none, err := withoutPerResourceAPI(out)
	if err != nil || len(none) != 0 || string(again) != string(out) {
		t.Errorf("a state in body mode: forgotten %v err %v, changed %v; want it untouched", none, err, string(again) != string(out))
	}
	if same, none, err := withoutPerResourceAPI(nil); err != nil || none != nil || same != nil {
		t.Errorf("no state: %q %v %v", same, none, err)
	}
}
