package dataplane

import (
	"net/http/httptest"
	"reflect"
	"testing"
)

func deploymentWith(paths ...string) *deployment {
	d := &deployment{}
	for i, p := range paths {
		d.resources = append(d.resources, &resource{id: string(rune('a' + i)), path: p, segments: split(p)})
	}
	return d
}

// Static segments beat {param}, which beats {proxy+}, as in API Gateway.
func TestMatchPrefersStaticThenParamThenGreedy(t *testing.T) {
	d := deploymentWith("/", "/items", "/items/{id}", "/items/search", "/items/{id}/tags", "/files/{proxy+}", "/{proxy+}")
	for _, c := range []struct {
		path, want string
		params     map[string]string
	}{
		{"/", "/", map[string]string{}},
		{"/items", "/items", map[string]string{}},
		{"/items/search", "/items/search", map[string]string{}},
		{"/items/42", "/items/{id}", map[string]string{"id": "42"}},
		{"/items/42/tags", "/items/{id}/tags", map[string]string{"id": "42"}},
		{"/files/a/b/c.txt", "/files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"/other/x", "/{proxy+}", map[string]string{"proxy": "other/x"}},
	} {
		r, params := d.match(c.path)
		if r == nil || r.path != c.want || !reflect.DeepEqual(params, c.params) {
			t.Errorf("match(%s) = %v %v, want %s %v", c.path, r, params, c.want, c.params)
		}
	}
	if r, _ := deploymentWith("/items", "/items/{id}").match("/items/1/2"); r != nil {
		t.Errorf("a path deeper than every template matched %s", r.path)
	}
	if r, _ := deploymentWith("/files/{proxy+}").match("/files"); r != nil {
		t.Errorf("{proxy+} matched an empty remainder")
	}
}

func TestAddressForms(t *testing.T) {
	for _, c := range []struct {
		host, path               string
		ok                       bool
		api, stage, resourcePath string
	}{
		{"127.0.0.1:8080", "/restapis/abc123/dev/_user_request_/items/1", true, "abc123", "dev", "/items/1"},
		{"127.0.0.1:8080", "/restapis/abc123/dev/_user_request_", true, "abc123", "dev", "/"},
		{"abc123.execute-api.localhost:8080", "/prod/items", true, "abc123", "prod", "/items"},
		{"127.0.0.1:8080", "/items", false, "", "", ""},
		{"127.0.0.1:8080", "/restapis/abc123/dev/items", false, "", "", ""},
	} {
		r := httptest.NewRequest("GET", "http://"+c.host+c.path, nil)
		req, ok := address(r)
		if ok != c.ok || (ok && (req.apiID != c.api || req.stage != c.stage || req.path != c.resourcePath)) {
			t.Errorf("address(%s%s) = %+v %v", c.host, c.path, req, ok)
		}
	}
}

func TestFunctionFromURIAndBinaryTypes(t *testing.T) {
	fn, ok := functionFromURI("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:items-dev-get_item/invocations")
	if !ok || fn != "arn:aws:lambda:us-east-1:000000000000:function:items-dev-get_item" {
		t.Errorf("functionFromURI = %q %v", fn, ok)
	}
	if _, ok := functionFromURI("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"); ok {
		t.Error("a non-Lambda integration was taken for a function")
	}
	types := []string{"image/png", "application/octet-stream", "audio/*"}
	for ct, want := range map[string]bool{"image/png": true, "audio/mpeg": true, "application/json; charset=utf-8": false, "image/jpeg": false} {
		if got := isBinary(types, ct); got != want {
			t.Errorf("isBinary(%s) = %v, want %v", ct, got, want)
		}
	}
}
