package render

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// variables declares the per-environment values; terraform.tfvars sets them.
func (r *envRenderer) variables() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	decl := func(name, desc string, typ expr, def any, hasDefault bool) {
		if len(body.Blocks()) > 0 {
			body.AppendNewline()
		}
		vb := body.AppendNewBlock("variable", []string{name}).Body()
		attrs := obj{{"description", desc}, {"type", typ}}
		if hasDefault {
			attrs = append(attrs, field{"default", def})
		}
		set(vb, attrs)
	}
	decl("api_name", "Name of the API; every resource name starts with <api_name>-<environment>.", "string", nil, false)
	decl("environment", "Name of the environment (dev, prod, ...).", "string", nil, false)
	decl("region", "AWS region to deploy to.", "string", nil, false)
	decl("tags", "Tags for every resource, on top of project, env and managed_by.", "map(string)", obj{}, true)
	decl("stage", "API Gateway stage settings.", `object({
  name               = string
  variables          = optional(map(string), {})
  xray_tracing       = optional(bool, false)
  log_retention_days = optional(number, 14)
  metrics_enabled    = optional(bool, true)
  logging_level      = optional(string, "OFF")
  data_trace         = optional(bool, false)
  throttle = optional(object({
    rate_limit  = number
    burst_limit = number
  }))
})`, nil, false)
	decl("routes", "Per-route function settings for this environment, keyed by route name.", expr(functionSettingsType), nil, false)
	if r.hasAuthorizerFunctions() {
		decl("authorizer_functions", "Function settings of the token and request authorizers for this environment, keyed by authorizer name.", expr(functionSettingsType), nil, false)
	}
	decl("tables", "Per-table settings for this environment, keyed by table name.", `map(object({
  point_in_time_recovery = bool
  deletion_protection    = optional(bool, false)
}))`, obj{}, true)
	decl("usage_plans", "API key usage plans for this environment, keyed by plan name.", `map(object({
  api_keys = list(string)
  throttle = optional(object({
    rate_limit  = number
    burst_limit = number
  }))
  quota = optional(object({
    limit  = number
    period = string
  }))
}))`, obj{}, true)
	decl("domain", "Custom domain of the stage (REGIONAL, TLS 1.2): name, ACM certificate ARN in the API's region, optional base path; null for none.", `object({
  name            = string
  certificate_arn = string
  base_path       = optional(string, "")
})`, nil, true)
	decl("waf_web_acl_arn", "ARN of a regional WAFv2 web ACL to associate with the stage; null for none.", "string", nil, true)
	return finish(f, "")
}

// functionAttrKeys are the function settings Terraform carries per
// environment, read from the table once.
var functionAttrKeys = settings.AttrKeys()

// functionSettingsType is the per-env settings object of one function:
// an attribute per function setting the settings table gives an Attr, in
// table order, laid out as terraform fmt lays it out.
var functionSettingsType = "map(object({\n" + strings.Join(attrLines("  ", functionAttrs()), "\n") + "\n}))"

// tfAttr is one attribute of an object type: its name and the lines of
// its type (more than one for a nested object).
type tfAttr struct {
	name  string
	lines []string
}

// functionAttrs are the attributes of the function settings object.
func functionAttrs() []tfAttr {
	var out []tfAttr
	for _, k := range settings.AttrKeys() {
		typ := tfType(k)
		if a := k.Attr; a.Optional {
			def := ""
			if a.Default != "" {
				def = ", " + a.Default
			}
			typ[0] = "optional(" + typ[0]
			typ[len(typ)-1] += def + ")"
		}
		out = append(out, tfAttr{k.Attr.Name, typ})
	}
	return out
}

// tfType is the Terraform type of a key's value, as lines (an Object's
// keys are the required attributes of an object).
func tfType(k settings.Key) []string {
	switch k.Type {
	case settings.Int:
		return []string{"number"}
	case settings.String:
		return []string{"string"}
	case settings.Bool:
		return []string{"bool"}
	case settings.StringList:
		return []string{"list(string)"}
	case settings.StringMap:
		return []string{"map(string)"}
	case settings.Object:
		var attrs []tfAttr
		for _, sub := range settings.KeysOf(k.Group) {
			attrs = append(attrs, tfAttr{sub.Name, tfType(sub)})
		}
		return append(append([]string{"object({"}, attrLines("  ", attrs)...), "})")
	}
	panic(fmt.Sprintf("render: setting %s: no Terraform type for %s", k.Name, k.Type))
}

// attrLines writes attributes one a line under indent, the "=" of
// consecutive one-line attributes aligned (a multi-line one stands alone),
// as terraform fmt does.
func attrLines(indent string, attrs []tfAttr) []string {
	var out []string
	for i := 0; i < len(attrs); {
		if len(attrs[i].lines) > 1 {
			a := attrs[i]
			out = append(out, indent+a.name+" = "+a.lines[0])
			for _, l := range a.lines[1:] {
				out = append(out, indent+l)
			}
			i++
			continue
		}
		j, width := i, 0
		for ; j < len(attrs) && len(attrs[j].lines) == 1; j++ {
			width = max(width, len(attrs[j].name))
		}
		for _, a := range attrs[i:j] {
			out = append(out, indent+a.name+strings.Repeat(" ", width-len(a.name))+" = "+a.lines[0])
		}
		i = j
	}
	return out
}

func (r *envRenderer) hasAuthorizerFunctions() bool {
	for _, a := range r.m.Authorizers {
		if a.IsFunction() {
			return true
		}
	}
	return false
}

// functionValues are one function's settings as a tfvars object: the
// attributes of functionSettingsType, each from the model's field of its
// key. An optional attribute without a default is left out when unset; a
// list that is not set is [].
func functionValues(v model.RouteValues) obj {
	var o obj
	for _, k := range functionAttrKeys {
		val := model.Setting(&v, k.Name)
		if k.Attr.Optional && k.Attr.Default == "" && reflect.ValueOf(val).IsZero() {
			continue
		}
		o = append(o, field{k.Attr.Name, tfValue(k, val)})
	}
	return o
}

// tfValue is a function setting's value as tfvars writes it.
func tfValue(k settings.Key, val any) any {
	switch k.Type {
	case settings.StringList:
		if l := val.([]string); l != nil {
			return l
		}
		return []string{}
	case settings.Object:
		var o obj
		for _, sub := range settings.KeysOf(k.Group) {
			o = append(o, field{sub.Name, model.Setting(val, sub.Name)})
		}
		return o
	}
	return val
}

// tfvars holds this environment's values. Users override any of them in a
// *.auto.tfvars file of their own, which Terraform reads after this one.
func (r *envRenderer) tfvars() []byte {
	f := hclwrite.NewEmptyFile()
	e := r.env
	stage := obj{{"name", e.Stage}}
	stage = append(stage,
		field{"xray_tracing", e.XRay},
		field{"log_retention_days", e.AccessLogRetention},
		field{"metrics_enabled", e.Metrics},
		field{"logging_level", e.LoggingLevel},
		field{"data_trace", e.DataTrace},
	)
	if e.Throttle != nil {
		stage = append(stage, field{"throttle", obj{{"rate_limit", e.Throttle.Rate}, {"burst_limit", e.Throttle.Burst}}})
	}
	if len(e.StageVariables) > 0 {
		stage = append(stage, field{"variables", sortedObj(e.StageVariables, func(s string) any { return s })})
	}
	routes := make(obj, 0, len(r.m.Routes))
	for _, rt := range r.m.Routes {
		routes = append(routes, field{rt.Name, functionValues(e.Routes[rt.Name])})
	}
	var auths obj
	for _, a := range r.m.Authorizers {
		if a.IsFunction() {
			auths = append(auths, field{a.Name, functionValues(e.Authorizers[a.Name])})
		}
	}
	tables := make(obj, 0, len(r.m.Tables))
	for _, t := range r.m.Tables {
		tables = append(tables, field{t.Key, obj{{"point_in_time_recovery", e.PITR[t.Key]}, {"deletion_protection", e.DeletionProtection}}})
	}
	plans := make(obj, 0, len(e.UsagePlans))
	for _, p := range e.UsagePlans {
		po := obj{{"api_keys", p.Keys}}
		if p.Throttle != nil {
			po = append(po, field{"throttle", obj{{"rate_limit", p.Throttle.Rate}, {"burst_limit", p.Throttle.Burst}}})
		}
		if p.QuotaLimit > 0 {
			po = append(po, field{"quota", obj{{"limit", p.QuotaLimit}, {"period", p.QuotaPer}}})
		}
		plans = append(plans, field{p.Name, po})
	}
	vals := obj{
		{"api_name", r.m.API.Name},
		{"environment", e.Name},
		{"region", e.Region},
		{"tags", sortedObj(r.m.API.Tags, func(s string) any { return s })},
		{"stage", stage},
		{"routes", routes},
	}
	if auths != nil {
		vals = append(vals, field{"authorizer_functions", auths})
	}
	vals = append(vals, field{"tables", tables}, field{"usage_plans", plans})
	if d := e.Domain; d != nil {
		vals = append(vals, field{"domain", obj{{"name", d.Name}, {"certificate_arn", d.CertificateArn}, {"base_path", d.BasePath}}})
	}
	if e.WAFWebACLArn != "" {
		vals = append(vals, field{"waf_web_acl_arn", e.WAFWebACLArn})
	}
	set(f.Body(), vals)
	return finish(f, "# Override any value in a *.auto.tfvars file of your own: Terraform reads it after this one.\n")
}
