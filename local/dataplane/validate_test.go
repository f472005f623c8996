package dataplane

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestValidatorAnswersLikeAPIGateway(t *testing.T) {
	d := &deployment{
		validators: map[string]types.RequestValidator{
			"all": {Id: aws.String("all"), ValidateRequestBody: true, ValidateRequestParameters: true},
		},
		models:   map[string]string{"Item": `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`},
		compiled: map[string]*jsonschema.Schema{},
	}
	m := types.Method{
		RequestValidatorId: aws.String("all"),
		RequestModels:      map[string]string{"application/json": "Item"},
		RequestParameters:  map[string]bool{"method.request.querystring.limit": true, "method.request.header.X-Trace": true, "method.request.querystring.opt": false},
	}
	req := func(url, body string, headers map[string]string) *request {
		r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		return &request{Request: r, body: []byte(body)}
	}
	ok := map[string]string{"X-Trace": "1", "Content-Type": "application/json"}
	for _, c := range []struct {
		name    string
		r       *request
		status  int
		message string
	}{
		{"valid", req("/x?limit=1", `{"id":"a"}`, ok), 0, ""},
		{"missing parameters", req("/x", `{"id":"a"}`, map[string]string{"Content-Type": "application/json"}), 400, "Missing required request parameters: [X-Trace, limit]"},
		{"body against the model", req("/x?limit=1", `{"name":"no id"}`, ok), 400, "Invalid request body"},
		{"body that is not JSON", req("/x?limit=1", `{`, ok), 400, "Invalid request body"},
	} {
		status, msg := d.validate(m, c.r)
		if status != c.status || msg != c.message {
			t.Errorf("%s: validate = %d %q, want %d %q", c.name, status, msg, c.status, c.message)
		}
	}
}

// Missing required parameters are listed as AWS lists them: headers, then
// path parameters, then query strings.
func TestMissingParametersInAWSOrder(t *testing.T) {
	d := &deployment{validators: map[string]types.RequestValidator{"p": {Id: aws.String("p"), ValidateRequestParameters: true}}}
	m := types.Method{RequestValidatorId: aws.String("p"), RequestParameters: map[string]bool{
		"method.request.querystring.Limit": true, "method.request.header.x-trace": true,
		"method.request.path.id": true, "method.request.header.A-Header": true, "method.request.querystring.after": true,
	}}
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	status, msg := d.validate(m, &request{Request: r})
	if want := "Missing required request parameters: [A-Header, x-trace, id, Limit, after]"; status != 400 || msg != want {
		t.Errorf("validate = %d %q, want 400 %q", status, msg, want)
	}
}
