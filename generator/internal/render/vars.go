package render

import (
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/apibuilder/apibuilder/generator/internal/model"
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
	decl("routes", "Per-route function settings for this environment, keyed by route name.", functionSettingsType, nil, false)
	if r.hasAuthorizerFunctions() {
		decl("authorizer_functions", "Function settings of the token and request authorizers for this environment, keyed by authorizer name.", functionSettingsType, nil, false)
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

// functionSettingsType is the per-env settings object of one function.
const functionSettingsType = `map(object({
  memory_mb            = number
  timeout_s            = number
  log_retention_days   = number
  reserved_concurrency = optional(number, -1)
  tracing_mode         = optional(string, "PassThrough")
  layers               = optional(list(string), [])
  ephemeral_storage_mb = optional(number)
  vpc = optional(object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  }))
  dead_letter_target_arn = optional(string)
}))`

func (r *envRenderer) hasAuthorizerFunctions() bool {
	for _, a := range r.m.Authorizers {
		if a.IsFunction() {
			return true
		}
	}
	return false
}

// functionValues are one function's settings as a tfvars object.
func functionValues(v model.RouteValues) obj {
	layers := v.Layers
	if layers == nil {
		layers = []string{}
	}
	o := obj{
		{"memory_mb", v.MemoryMB},
		{"timeout_s", v.TimeoutS},
		{"log_retention_days", v.LogRetentionDays},
		{"reserved_concurrency", v.ReservedConcurrency},
		{"tracing_mode", v.Tracing},
		{"layers", layers},
	}
	if v.EphemeralStorageMB > 0 {
		o = append(o, field{"ephemeral_storage_mb", v.EphemeralStorageMB})
	}
	if v.VPC != nil {
		o = append(o, field{"vpc", obj{{"subnet_ids", v.VPC.SubnetIDs}, {"security_group_ids", v.VPC.SecurityGroupIDs}}})
	}
	if v.DeadLetterTargetArn != "" {
		o = append(o, field{"dead_letter_target_arn", v.DeadLetterTargetArn})
	}
	return o
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
