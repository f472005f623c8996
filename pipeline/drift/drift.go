// Package drift finds what changed in a deployed REST API behind
// Terraform's back. The API is one OpenAPI document given to
// aws_api_gateway_rest_api's body, and the provider never reads the body
// back: a method edited in the console (another integration, no validator,
// no authorizer) and deployed to the stage is invisible to terraform plan.
// Compare reads the stage's export (GetExport, OpenAPI 3 with API
// Gateway's extensions) and the document Terraform applied, reduces both
// to what API Gateway enforces — methods, their integrations, parameters,
// models, validators, authorization and API keys, the authorizers, models,
// validators and gateway responses of the API — leaving out what an export
// adds or drops (servers, info, descriptions and examples, defaults API
// Gateway fills in, the form of model references, its own names for the
// API key scheme), and names each difference the way a user reads it:
// "GET /items/{id}: integration uri is …, the document says …".
// `apibuilder drift` and the workflow's scheduled drift job run it.
package drift

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Difference is one way the stage differs from the document.
type Difference struct {
	// Where names what differs: "GET /items/{id}", "authorizer admin",
	// "model item", "request validator body", "gateway response
	// DEFAULT_4XX" or "API".
	Where string
	// What says how, the stage's value first: "integration uri is X, the
	// document says Y", "in the stage but not in routes.yaml".
	What string

	rank int // sorts the API's settings first, then definitions, then methods
	key  string
}

func (d Difference) String() string { return d.Where + ": " + d.What }

// The phrases for something on one side only.
const (
	onlyInStage    = "in the stage but not in routes.yaml"
	onlyInDocument = "in routes.yaml but not in the stage"
)

// Compare returns every difference between the stage's export (GetExport
// oas30 with extensions integrations, authorizers and apigateway) and the
// document Terraform applied, sorted; none means no drift. It fails only
// when either is not an OpenAPI document.
func Compare(exported, document []byte) ([]Difference, error) {
	stage, err := parse(exported)
	if err != nil {
		return nil, fmt.Errorf("the stage's export: %w", err)
	}
	doc, err := parse(document)
	if err != nil {
		return nil, fmt.Errorf("the document: %w", err)
	}
	withoutDefaults(stage, doc)
	c := &comparison{}
	c.api(stage, doc)
	c.authorizers(stage.authorizers, doc.authorizers)
	c.models(stage.models, doc.models)
	c.validators(stage.validators, doc.validators)
	c.gatewayResponses(stage.gatewayResponses, doc.gatewayResponses)
	c.methods(stage.methods, doc.methods)
	sort.SliceStable(c.diffs, func(i, j int) bool {
		a, b := c.diffs[i], c.diffs[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.key < b.key
	})
	return c.diffs, nil
}

// Report is the differences as lines for a terminal, "no drift" when none.
func Report(diffs []Difference) string {
	if len(diffs) == 0 {
		return "no drift\n"
	}
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "%s\n", d)
	}
	return b.String()
}

// Markdown is the differences for a job summary; what names the stage
// ("stage dev of envs/dev").
func Markdown(what string, diffs []Difference) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Drift of %s\n\n", what)
	if len(diffs) == 0 {
		b.WriteString("No drift: the stage serves the document Terraform applied.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d difference(s) between the stage and the document Terraform applied:\n\n", len(diffs))
	for _, d := range diffs {
		fmt.Fprintf(&b, "- `%s`: %s\n", d.Where, d.What)
	}
	return b.String()
}

// Ranks of the kinds of Where, in report order.
const (
	rankAPI = iota
	rankAuthorizer
	rankModel
	rankValidator
	rankGatewayResponse
	rankMethod
)

type comparison struct {
	diffs []Difference
}

func (c *comparison) add(rank int, key, where, format string, args ...any) {
	c.diffs = append(c.diffs, Difference{Where: where, What: fmt.Sprintf(format, args...), rank: rank, key: key})
}

// value compares one setting: "<name> is <stage>, the document says <doc>".
func (c *comparison) value(rank int, key, where, name, stage, doc string) {
	if stage == doc {
		return
	}
	switch {
	case doc == "":
		c.add(rank, key, where, "%s is %s, the document has none", name, stage)
	case stage == "":
		c.add(rank, key, where, "%s missing (the document says %s)", name, doc)
	default:
		c.add(rank, key, where, "%s is %s, the document says %s", name, stage, doc)
	}
}

// entries compares two maps entry by entry: "<name> <key> …".
func (c *comparison) entries(rank int, key, where, name string, stage, doc map[string]string) {
	for _, k := range unionKeys(stage, doc) {
		c.value(rank, key, where, name+" "+k, stage[k], doc[k])
	}
}

func (c *comparison) api(stage, doc *api) {
	c.value(rankAPI, "", "API", "API key source", stage.keySource, doc.keySource)
	c.value(rankAPI, "", "API", "binary media types", strings.Join(stage.binary, ", "), strings.Join(doc.binary, ", "))
}

func (c *comparison) authorizers(stage, doc map[string]*authorizer) {
	for _, name := range unionKeys(stage, doc) {
		where := "authorizer " + name
		s, d := stage[name], doc[name]
		switch {
		case d == nil:
			c.add(rankAuthorizer, name, where, onlyInStage)
		case s == nil:
			c.add(rankAuthorizer, name, where, onlyInDocument)
		default:
			c.value(rankAuthorizer, name, where, "type", s.kind, d.kind)
			c.value(rankAuthorizer, name, where, "authorizerUri", s.uri, d.uri)
			c.value(rankAuthorizer, name, where, "authorizerCredentials", s.credentials, d.credentials)
			c.value(rankAuthorizer, name, where, "identitySource", s.identitySource, d.identitySource)
			c.value(rankAuthorizer, name, where, "identityValidationExpression", s.validation, d.validation)
			c.value(rankAuthorizer, name, where, "authorizerResultTtlInSeconds", s.ttl, d.ttl)
			c.value(rankAuthorizer, name, where, "providerARNs", s.providers, d.providers)
		}
	}
}

func (c *comparison) models(stage, doc map[string]any) {
	for _, name := range unionKeys(stage, doc) {
		where := "model " + name
		s, sok := stage[name]
		d, dok := doc[name]
		switch {
		case !dok:
			c.add(rankModel, name, where, onlyInStage)
		case !sok:
			c.add(rankModel, name, where, onlyInDocument)
		default:
			c.schema(name, where, "schema", s, d)
		}
	}
}

// schema compares two normalised schemas keyword by keyword, naming the
// first place each differs ("properties.name.maxLength").
func (c *comparison) schema(key, where, path string, s, d any) {
	so, sok := s.(object)
	do, dok := d.(object)
	if !sok || !dok {
		if compact(s) != compact(d) {
			c.add(rankModel, key, where, "%s is %s, the document says %s", path, compact(s), compact(d))
		}
		return
	}
	for _, k := range unionKeys(so, do) {
		sv, sin := so[k]
		dv, din := do[k]
		p := k
		if path != "schema" {
			p = path + "." + k
		}
		switch {
		case !din:
			c.add(rankModel, key, where, "%s is %s, the document has none", p, compact(sv))
		case !sin:
			c.add(rankModel, key, where, "%s missing (the document says %s)", p, compact(dv))
		default:
			c.schema(key, where, p, sv, dv)
		}
	}
}

func (c *comparison) validators(stage, doc map[string]validator) {
	for _, name := range unionKeys(stage, doc) {
		where := "request validator " + name
		s, sok := stage[name]
		d, dok := doc[name]
		switch {
		case !dok:
			c.add(rankValidator, name, where, onlyInStage)
		case !sok:
			c.add(rankValidator, name, where, onlyInDocument)
		default:
			c.value(rankValidator, name, where, "validateRequestBody", fmt.Sprint(s.body), fmt.Sprint(d.body))
			c.value(rankValidator, name, where, "validateRequestParameters", fmt.Sprint(s.params), fmt.Sprint(d.params))
		}
	}
}

func (c *comparison) gatewayResponses(stage, doc map[string]*gatewayResponse) {
	for _, name := range unionKeys(stage, doc) {
		where := "gateway response " + name
		s, d := stage[name], doc[name]
		switch {
		case d == nil:
			c.add(rankGatewayResponse, name, where, onlyInStage)
		case s == nil:
			c.add(rankGatewayResponse, name, where, onlyInDocument)
		default:
			c.value(rankGatewayResponse, name, where, "statusCode", s.status, d.status)
			c.entries(rankGatewayResponse, name, where, "responseParameter", s.params, d.params)
			c.entries(rankGatewayResponse, name, where, "responseTemplate", s.templates, d.templates)
		}
	}
}

func (c *comparison) methods(stage, doc map[string]*method) {
	for _, k := range unionKeys(stage, doc) {
		s, d := stage[k], doc[k]
		var where, key string
		if s != nil {
			where, key = s.name(), s.sortKey()
		} else {
			where, key = d.name(), d.sortKey()
		}
		switch {
		case d == nil:
			c.add(rankMethod, key, where, onlyInStage)
		case s == nil:
			c.add(rankMethod, key, where, onlyInDocument)
		default:
			c.method(key, where, s, d)
		}
	}
}

func (c *comparison) method(key, where string, s, d *method) {
	// Authorization first: it is what a user of the API meets first.
	if s.auth != d.auth {
		switch {
		case d.auth == "":
			c.add(rankMethod, key, where, "%s in the stage, the document has no authorization", s.auth)
		case s.auth == "":
			c.add(rankMethod, key, where, "%s missing", d.auth)
		default:
			c.add(rankMethod, key, where, "authorization is %s, the document says %s", s.auth, d.auth)
		}
	}
	c.value(rankMethod, key, where, "authorization scopes", strings.Join(s.scopes, ", "), strings.Join(d.scopes, ", "))
	switch {
	case s.apiKey && !d.apiKey:
		c.add(rankMethod, key, where, "API key required in the stage, not by the document")
	case !s.apiKey && d.apiKey:
		c.add(rankMethod, key, where, "API key requirement missing")
	}
	switch {
	case s.validator == d.validator:
	case s.validator == "":
		c.add(rankMethod, key, where, "request validator %s missing", d.validator)
	case d.validator == "":
		c.add(rankMethod, key, where, "request validator %s in the stage, the document has none", s.validator)
	default:
		c.add(rankMethod, key, where, "request validator is %s, the document says %s", s.validator, d.validator)
	}
	c.entries(rankMethod, key, where, "request parameter", s.params, d.params)
	c.entries(rankMethod, key, where, "request model", inlineMatched(s.requestModels, d.requestModels), d.requestModels)
	for _, code := range unionKeys(s.responses, d.responses) {
		sr, dr := s.responses[code], d.responses[code]
		switch {
		case dr == nil:
			c.add(rankMethod, key, where, "response %s %s", code, onlyInStage)
		case sr == nil:
			c.add(rankMethod, key, where, "response %s %s", code, onlyInDocument)
		default:
			c.entries(rankMethod, key, where, "response "+code+" model", inlineMatched(sr.models, dr.models), dr.models)
			c.entries(rankMethod, key, where, "response "+code+" header", sr.headers, dr.headers)
		}
	}
	si, di := s.integration, d.integration
	switch {
	case si == nil && di == nil:
	case si == nil:
		c.add(rankMethod, key, where, "integration missing (the document says %s %s)", di.fields["type"], di.fields["uri"])
	case di == nil:
		c.add(rankMethod, key, where, "integration %s %s in the stage, the document has none", si.fields["type"], si.fields["uri"])
	default:
		for _, f := range integrationFields {
			sv := si.fields[f.name]
			if f.name == "contentHandling" && di.contentHandlingDefault && sv == "CONVERT_TO_TEXT" {
				sv = ""
			}
			c.value(rankMethod, key, where, "integration "+f.name, sv, di.fields[f.name])
		}
		c.entries(rankMethod, key, where, "integration requestParameter", si.params, di.params)
		c.entries(rankMethod, key, where, "integration requestTemplate", si.templates, di.templates)
		for _, pattern := range unionKeys(si.responses, di.responses) {
			sr, dr := si.responses[pattern], di.responses[pattern]
			label := "integration response " + pattern
			switch {
			case dr == nil:
				c.add(rankMethod, key, where, "%s %s", label, onlyInStage)
			case sr == nil:
				c.add(rankMethod, key, where, "%s %s", label, onlyInDocument)
			default:
				c.value(rankMethod, key, where, label+" statusCode", sr.status, dr.status)
				c.value(rankMethod, key, where, label+" contentHandling", sr.contentHandling, dr.contentHandling)
				c.entries(rankMethod, key, where, label+" responseParameter", sr.params, dr.params)
				c.entries(rankMethod, key, where, label+" responseTemplate", sr.templates, dr.templates)
			}
		}
	}
}

// inlineMatched is the stage's models with those the document gives
// inline (whose names API Gateway chose) taken as the document's.
func inlineMatched(stage, doc map[string]string) map[string]string {
	out := map[string]string{}
	for ct, m := range stage {
		if doc[ct] == inlineSchema {
			m = inlineSchema
		}
		out[ct] = m
	}
	return out
}

// unionKeys are the keys of a and b, sorted.
func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// compact is v as one line of JSON with sorted keys (encoding/json sorts
// map keys).
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
