package dataplane

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
)

// deployment is a stage's deployed configuration, loaded once per deployment id.
type deployment struct {
	apiID, stage, deploymentID string
	variables                  map[string]string
	binaryTypes                []string
	resources                  []*resource
	validators                 map[string]types.RequestValidator
	models                     map[string]string // name -> schema
	gatewayResponses           map[string]types.GatewayResponse
	authorizers                map[string]types.Authorizer
	apiKeySource               types.ApiKeySourceType // HEADER or AUTHORIZER

	mu        sync.Mutex
	compiled  map[string]*jsonschema.Schema
	authCache map[string]cachedAuth // authorizer id + identity -> policy, for its TTL
}

// resource is one API Gateway resource and its methods.
type resource struct {
	id, path string
	segments []string
	methods  map[string]types.Method
}

// load reads everything the data plane serves for one stage: the API as it
// was when the stage's deployment was created. Every read names that
// deployment (apigwproxy.SnapshotHeader), and the local stack's API Gateway
// proxy answers from its snapshot of it, as AWS serves a stage from its
// deployment: a route removed or changed after the deployment still
// answers as deployed until the stage moves to a new one.
func load(ctx context.Context, api *apigateway.Client, apiID, stageName string, stage *apigateway.GetStageOutput) (*deployment, error) {
	snapshot := func(o *apigateway.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(apigwproxy.SnapshotHeader, aws.ToString(stage.DeploymentId)))
	}
	d := &deployment{
		apiID: apiID, stage: stageName, deploymentID: aws.ToString(stage.DeploymentId), variables: stage.Variables,
		validators: map[string]types.RequestValidator{}, models: map[string]string{},
		gatewayResponses: map[string]types.GatewayResponse{}, compiled: map[string]*jsonschema.Schema{},
		authorizers: map[string]types.Authorizer{}, authCache: map[string]cachedAuth{},
	}
	restAPI, err := api.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &apiID}, snapshot)
	if err != nil {
		return nil, fmt.Errorf("get rest api %s: %w", apiID, err)
	}
	d.binaryTypes = restAPI.BinaryMediaTypes
	d.apiKeySource = restAPI.ApiKeySource
	pages := apigateway.NewGetResourcesPaginator(api, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx, snapshot)
		if err != nil {
			return nil, fmt.Errorf("get resources of %s: %w", apiID, err)
		}
		for _, r := range page.Items {
			p := aws.ToString(r.Path)
			d.resources = append(d.resources, &resource{id: aws.ToString(r.Id), path: p, segments: split(p), methods: r.ResourceMethods})
		}
	}
	validators, err := api.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: &apiID}, snapshot)
	if err != nil {
		return nil, fmt.Errorf("get request validators of %s: %w", apiID, err)
	}
	for _, v := range validators.Items {
		d.validators[aws.ToString(v.Id)] = v
	}
	models, err := api.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: &apiID}, snapshot)
	if err != nil {
		return nil, fmt.Errorf("get models of %s: %w", apiID, err)
	}
	for _, m := range models.Items {
		d.models[aws.ToString(m.Name)] = aws.ToString(m.Schema)
	}
	authorizers, err := api.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: &apiID}, snapshot)
	if err != nil {
		return nil, fmt.Errorf("get authorizers of %s: %w", apiID, err)
	}
	for _, a := range authorizers.Items {
		d.authorizers[aws.ToString(a.Id)] = a
	}
	responses, err := api.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &apiID}, snapshot)
	if err == nil { // optional: an API without custom gateway responses is fine
		for _, g := range responses.Items {
			d.gatewayResponses[string(g.ResponseType)] = g
		}
	}
	return d, nil
}

func split(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// schema compiles a model's JSON schema (draft-04, as API Gateway uses) once.
func (d *deployment) schema(model string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.compiled[model]; ok {
		return s, nil
	}
	src, ok := d.models[model]
	if !ok {
		return nil, fmt.Errorf("model %q is not defined", model)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", model, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	url := "mem:///" + model + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", model, err)
	}
	d.compiled[model] = s
	return s, nil
}

// match finds the resource for a request path (as sent, percent-encoding
// intact) the way API Gateway does: static segments win over {param},
// which wins over {proxy+}; a trailing slash is ignored. Parameters keep
// the encoding they were sent with (AWS passes /items/a%2Bb as a%2Bb).
func (d *deployment) match(path string) (*resource, map[string]string) {
	segs := split(path)
	var best *resource
	var bestParams map[string]string
	var bestScore []int
	for _, r := range d.resources {
		params, score, ok := matchSegments(r.segments, segs)
		if ok && (best == nil || better(score, bestScore)) {
			best, bestParams, bestScore = r, params, score
		}
	}
	return best, bestParams
}

// matchSegments scores a template per segment: 0 static, 1 param, 2 greedy.
func matchSegments(tmpl, segs []string) (map[string]string, []int, bool) {
	params := map[string]string{}
	var score []int
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, nil, false
			}
			params[strings.TrimSuffix(t[1:], "+}")] = strings.Join(segs[i:], "/")
			return params, append(score, 2), true
		}
		if i >= len(segs) {
			return nil, nil, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			params[t[1:len(t)-1]] = segs[i]
			score = append(score, 1)
			continue
		}
		if !unescapedEquals(segs[i], t) {
			return nil, nil, false
		}
		score = append(score, 0)
	}
	if len(tmpl) != len(segs) {
		return nil, nil, false
	}
	return params, score, true
}

func better(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}
