package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// Limits enforced before Terraform ever runs, each named in its message.
const (
	// MaxResources is API Gateway's default quota of resources per REST API
	// (every distinct path prefix, plus the root). It can be raised through
	// a Service Quotas request.
	MaxResources = 300
	// MaxDepth is how deep a path may go: modules/api_gateway has one
	// resource block per level.
	MaxDepth = 10
	// maxNameLen is Lambda's function name limit and IAM's role name limit;
	// both get "<api>-<env>-<route>".
	maxNameLen = 64
)

var (
	apiNameRe   = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	routeNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	envNameRe   = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	stageRe     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	regionRe    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	segmentRe   = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
	paramRe     = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$`)
	envVarRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	layerArnRe  = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$`)
	headerRe    = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	queryRe     = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	refRe       = regexp.MustCompile(`\$\{([^}]*)\}`)
	kmsArnRe    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$`)
)

// Allowed values, shared with the model and the README.
var (
	Methods          = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
	Runtimes         = []string{"provided.al2023", "provided.al2"}
	Architectures    = []string{"arm64", "x86_64"}
	TracingModes     = []string{"PassThrough", "Active"}
	EndpointTypes    = []string{"REGIONAL", "EDGE", "PRIVATE"}
	KeyTypes         = []string{"S", "N", "B"}
	BillingModes     = []string{"PAY_PER_REQUEST"}
	AuthorizerTypes  = []string{"api_key"}
	LoggingLevels    = []string{"OFF", "ERROR", "INFO"}
	QuotaPeriods     = []string{"DAY", "WEEK", "MONTH"}
	RetentionDays    = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	DynamoDBActions  = []string{"BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DeleteItem", "DescribeTable", "GetItem", "PartiQLDelete", "PartiQLInsert", "PartiQLSelect", "PartiQLUpdate", "PutItem", "Query", "Scan", "UpdateItem"}
	DefaultEnvNames  = []string{"dev", "prod"}
	tableRefAttrs    = []string{"name", "arn"}
	maxLayers        = 5
	maxTags          = 50
	maxCompression   = 10485760
	maxConcurrency   = 1000
	minMemory, maxMB = 128, 10240
	maxTimeout       = 900
)

type validator struct {
	cfg   *Config
	diags *diag.List
}

func validate(cfg *Config, diags *diag.List) {
	v := &validator{cfg: cfg, diags: diags}
	v.api()
	v.settings(cfg.Defaults, "defaults")
	v.tables()
	v.authorizers()
	v.routes()
	v.environments()
	v.backend()
	v.names()
}

func (v *validator) add(pos diag.Pos, field, msg, hint string) { v.diags.Add(pos, field, msg, hint) }

func (v *validator) oneOf(s Str, field string, allowed []string) {
	if s.Set && !slices.Contains(allowed, s.V) {
		hint := "allowed: " + strings.Join(allowed, ", ")
		if sug := diag.Suggest(s.V, allowed); sug != "" {
			hint = fmt.Sprintf("did you mean %q? (allowed: %s)", sug, strings.Join(allowed, ", "))
		}
		v.add(s.Pos, field, fmt.Sprintf("%q is not allowed", s.V), hint)
	}
}

func (v *validator) required(s Str, field, hint string) bool {
	if !s.Set || strings.TrimSpace(s.V) == "" {
		v.add(s.Pos, field, "is required", hint)
		return false
	}
	return true
}

func (v *validator) api() {
	a := v.cfg.API
	if a.Pos.Line == 0 {
		return // the missing section is already reported
	}
	if v.required(a.Name, "api.name", "name the API, e.g. name: items") && !apiNameRe.MatchString(a.Name.V) {
		v.add(a.Name.Pos, "api.name", fmt.Sprintf("%q is not a valid name", a.Name.V), "use lowercase letters, digits and '-', starting with a letter")
	}
	v.oneOf(a.EndpointType, "api.endpoint_type", EndpointTypes)
	if a.Region.Set && !regionRe.MatchString(a.Region.V) {
		v.add(a.Region.Pos, "api.region", fmt.Sprintf("%q is not an AWS region", a.Region.V), "e.g. us-east-1")
	}
	if c := a.MinimumCompressionSize; c.Set && (c.V < -1 || c.V > maxCompression) {
		v.add(c.Pos, "api.minimum_compression_size", fmt.Sprintf("%d is out of range", c.V), fmt.Sprintf("use -1 (off) or 0 to %d bytes", maxCompression))
	}
	if q := a.ResourceQuota; q.Set && q.V < MaxResources {
		v.add(q.Pos, "api.resource_quota", fmt.Sprintf("%d is below API Gateway's default of %d", q.V, MaxResources), "set it only after AWS raised the quota")
	}
	if len(a.Tags) > maxTags {
		v.add(a.Pos, "api.tags", fmt.Sprintf("%d tags; AWS allows at most %d", len(a.Tags), maxTags), "")
	}
	if c := a.CORS; c != nil {
		if len(c.AllowOrigins) == 0 {
			v.add(c.Pos, "api.cors.allow_origins", "is required when cors is set", `list the origins, e.g. ["https://app.example.com"]`)
		}
		for i, m := range c.AllowMethods {
			v.oneOf(m, fmt.Sprintf("api.cors.allow_methods[%d]", i), Methods)
		}
		for field, list := range map[string][]Str{"allow_headers": c.AllowHeaders, "expose_headers": c.ExposeHeaders} {
			for i, h := range list {
				if !headerRe.MatchString(h.V) {
					v.add(h.Pos, fmt.Sprintf("api.cors.%s[%d]", field, i), fmt.Sprintf("%q is not a header name", h.V), "use letters, digits and '-'")
				}
			}
		}
		if m := c.MaxAgeSeconds; m.Set && (m.V < 0 || m.V > 86400) {
			v.add(m.Pos, "api.cors.max_age_seconds", fmt.Sprintf("%d is out of range", m.V), "use 0 to 86400")
		}
	}
}

// settings checks one layer of function settings (defaults, a route, an env).
func (v *validator) settings(s Settings, field string) {
	v.oneOf(s.Runtime, field+".runtime", Runtimes)
	v.oneOf(s.Architecture, field+".architecture", Architectures)
	v.oneOf(s.Tracing, field+".tracing", TracingModes)
	if m := s.MemoryMB; m.Set && (m.V < minMemory || m.V > maxMB) {
		v.add(m.Pos, field+".memory_mb", fmt.Sprintf("%d MB is out of Lambda's range", m.V), fmt.Sprintf("use %d to %d", minMemory, maxMB))
	}
	if t := s.TimeoutS; t.Set && (t.V < 1 || t.V > maxTimeout) {
		v.add(t.Pos, field+".timeout_s", fmt.Sprintf("%d s is out of Lambda's range", t.V), fmt.Sprintf("use 1 to %d (API Gateway stops waiting after 29 s)", maxTimeout))
	}
	if r := s.LogRetentionDays; r.Set && !slices.Contains(RetentionDays, r.V) {
		v.add(r.Pos, field+".log_retention_days", fmt.Sprintf("%d is not a CloudWatch Logs retention", r.V), "use one of "+joinInts(RetentionDays))
	}
	if c := s.ReservedConcurrency; c.Set && (c.V < -1 || c.V > maxConcurrency) {
		v.add(c.Pos, field+".reserved_concurrency", fmt.Sprintf("%d is out of range", c.V), fmt.Sprintf("use -1 (unreserved) or 0 to %d", maxConcurrency))
	}
	if len(s.Layers) > maxLayers {
		v.add(s.Pos, field+".layers", fmt.Sprintf("%d layers; Lambda allows at most %d", len(s.Layers), maxLayers), "")
	}
	for i, l := range s.Layers {
		if !layerArnRe.MatchString(l.V) {
			v.add(l.Pos, fmt.Sprintf("%s.layers[%d]", field, i), fmt.Sprintf("%q is not a layer version ARN", l.V), "use arn:aws:lambda:<region>:<account>:layer:<name>:<version>")
		}
	}
	for _, kv := range s.Environment {
		f := field + ".environment." + kv.Key
		if !envVarRe.MatchString(kv.Key) {
			v.add(kv.Value.Pos, f, "is not a valid variable name", "start with a letter; use letters, digits and '_'")
		}
		if strings.HasPrefix(kv.Key, "AWS_") {
			v.add(kv.Value.Pos, f, "AWS_ variables are reserved by Lambda", "choose another name")
		}
		v.refs(kv.Value, f)
	}
}

// refs checks ${table.<name>.name|arn} references inside an environment value.
func (v *validator) refs(s Str, field string) {
	if strings.Count(s.V, "${") != len(refRe.FindAllString(s.V, -1)) {
		v.add(s.Pos, field, "has an unclosed ${", "write references as ${table.<name>.name}")
		return
	}
	for _, m := range refRe.FindAllStringSubmatch(s.V, -1) {
		parts := strings.Split(m[1], ".")
		if len(parts) != 3 || parts[0] != "table" {
			v.add(s.Pos, field, fmt.Sprintf("unknown reference ${%s}", m[1]), "references have the form ${table.<name>.name} or ${table.<name>.arn}")
			continue
		}
		if _, ok := v.table(parts[1]); !ok {
			v.add(s.Pos, field, fmt.Sprintf("reference to unknown table %q", parts[1]), v.tableHint(parts[1]))
		}
		if !slices.Contains(tableRefAttrs, parts[2]) {
			v.add(s.Pos, field, fmt.Sprintf("tables have no attribute %q", parts[2]), "use name or arn")
		}
	}
}

func (v *validator) table(name string) (Table, bool) {
	for _, t := range v.cfg.Tables {
		if t.Name.V == name {
			return t, true
		}
	}
	return Table{}, false
}

func (v *validator) tableHint(name string) string {
	names := make([]string, len(v.cfg.Tables))
	for i, t := range v.cfg.Tables {
		names[i] = t.Name.V
	}
	if s := diag.Suggest(name, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	if len(names) == 0 {
		return "declare it under tables:"
	}
	return "declared tables: " + strings.Join(names, ", ")
}

func (v *validator) tables() {
	for _, t := range v.cfg.Tables {
		if t.Malformed {
			continue
		}
		f := "tables." + t.Name.V
		if !routeNameRe.MatchString(t.Name.V) {
			v.add(t.Name.Pos, f, fmt.Sprintf("%q is not a valid table name", t.Name.V), "use lowercase letters, digits and '_', starting with a letter")
		}
		if v.required(t.HashKey, f+".hash_key", "name the partition key attribute, e.g. hash_key: id") && !envVarRe.MatchString(t.HashKey.V) {
			v.add(t.HashKey.Pos, f+".hash_key", fmt.Sprintf("%q is not a plain attribute name", t.HashKey.V), "use letters, digits and '_'")
		}
		v.oneOf(t.HashKeyType, f+".hash_key_type", KeyTypes)
		v.oneOf(t.RangeKeyType, f+".range_key_type", KeyTypes)
		if t.RangeKeyType.Set && !t.RangeKey.Set {
			v.add(t.RangeKeyType.Pos, f+".range_key_type", "is set without range_key", "add range_key or remove range_key_type")
		}
		v.oneOf(t.BillingMode, f+".billing_mode", BillingModes)
		if e := t.Encryption; e.Set && e.V != "aws_owned" && e.V != "aws_managed" && !kmsArnRe.MatchString(e.V) {
			v.add(e.Pos, f+".encryption", fmt.Sprintf("%q is not a kind of table encryption", e.V), "use aws_owned (the default), aws_managed, or a KMS key ARN")
		}
	}
}

func (v *validator) authorizers() {
	for _, a := range v.cfg.Authorizers {
		f := "authorizers." + a.Name.V
		if !routeNameRe.MatchString(a.Name.V) {
			v.add(a.Name.Pos, f, fmt.Sprintf("%q is not a valid authorizer name", a.Name.V), "use lowercase letters, digits and '_'")
		}
		if v.required(a.Type, f+".type", "set type: api_key") {
			v.oneOf(a.Type, f+".type", AuthorizerTypes)
		}
		for i, k := range a.Keys {
			if !routeNameRe.MatchString(k.V) {
				v.add(k.Pos, fmt.Sprintf("%s.keys[%d]", f, i), fmt.Sprintf("%q is not a valid key name", k.V), "use lowercase letters, digits and '_'")
			}
		}
		v.throttle(a.Throttle, f+".throttle")
		if q := a.Quota; q != nil {
			if !q.Limit.Set || q.Limit.V < 1 {
				v.add(q.Limit.Pos, f+".quota.limit", "must be a positive number of requests", "")
			}
			if v.required(q.Period, f+".quota.period", "use DAY, WEEK or MONTH") {
				v.oneOf(q.Period, f+".quota.period", QuotaPeriods)
			}
		}
	}
}

func (v *validator) throttle(t *Throttle, field string) {
	if t == nil {
		return
	}
	for _, x := range []struct {
		n          Int
		name, unit string
	}{{t.Rate, "rate", "requests per second"}, {t.Burst, "burst", "requests"}} {
		switch {
		case !x.n.Set:
			v.add(x.n.Pos, field+"."+x.name, "is required", "set both rate and burst, e.g. { rate: 100, burst: 50 }")
		case x.n.V < 0:
			v.add(x.n.Pos, field+"."+x.name, fmt.Sprintf("%d is negative", x.n.V), "use a number of "+x.unit+", 0 or more")
		}
	}
}

func (v *validator) environments() {
	for _, e := range v.cfg.Environments {
		f := "environments." + e.Name.V
		if !envNameRe.MatchString(e.Name.V) {
			v.add(e.Name.Pos, f, fmt.Sprintf("%q is not a valid environment name", e.Name.V), "use lowercase letters and digits, starting with a letter (it becomes part of every resource name)")
		}
		if e.Stage.Set && !stageRe.MatchString(e.Stage.V) {
			v.add(e.Stage.Pos, f+".stage", fmt.Sprintf("%q is not a valid stage name", e.Stage.V), "use 1-128 letters, digits, '-' or '_'")
		}
		if e.Region.Set && !regionRe.MatchString(e.Region.V) {
			v.add(e.Region.Pos, f+".region", fmt.Sprintf("%q is not an AWS region", e.Region.V), "e.g. eu-west-1")
		}
		v.oneOf(e.LoggingLevel, f+".logging_level", LoggingLevels)
		v.throttle(e.Throttle, f+".throttle")
		v.settings(e.Settings, f)
		v.buildSettingsFixed(e.Settings, f)
		for _, o := range e.RouteSettings {
			of := f + ".routes." + o.Route.V
			if !slices.ContainsFunc(v.cfg.Routes, func(r Route) bool { return r.Name.V == o.Route.V }) {
				v.add(o.Route.Pos, of, "names no route", v.routeHint(o.Route.V))
			}
			v.settings(o.Settings, of)
			v.buildSettingsFixed(o.Settings, of)
		}
	}
}

// buildSettingsFixed rejects per-environment runtime and architecture: a
// route has one build, shared by every environment.
func (v *validator) buildSettingsFixed(s Settings, field string) {
	for _, x := range []struct {
		s    Str
		name string
	}{{s.Runtime, "runtime"}, {s.Architecture, "architecture"}} {
		if x.s.Set {
			v.add(x.s.Pos, field+"."+x.name, "cannot differ per environment", "a route is built once for all environments; set it under defaults or on the route")
		}
	}
}

func (v *validator) routeHint(name string) string {
	names := make([]string, 0, len(v.cfg.Routes))
	for _, r := range v.cfg.Routes {
		names = append(names, r.Name.V)
	}
	if s := diag.Suggest(name, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "routes: " + strings.Join(names, ", ")
}

func (v *validator) backend() {
	b := v.cfg.Backend
	if b == nil {
		return
	}
	v.required(b.Bucket, "backend.s3.bucket", "name the S3 bucket that holds the state")
	if b.Region.Set && !regionRe.MatchString(b.Region.V) {
		v.add(b.Region.Pos, "backend.s3.region", fmt.Sprintf("%q is not an AWS region", b.Region.V), "")
	}
	if b.LockTable.Set && b.Lockfile.V {
		v.add(b.Lockfile.Pos, "backend.s3.use_lockfile", "set together with dynamodb_table", "choose one way of locking")
	}
	if strings.Contains(b.KeyPrefix.V, "..") || strings.HasPrefix(b.KeyPrefix.V, "/") {
		v.add(b.KeyPrefix.Pos, "backend.s3.key_prefix", "must be a relative key prefix", "e.g. key_prefix: teams/payments")
	}
}

// names checks that every generated name fits AWS's limits for every env.
func (v *validator) names() {
	if v.cfg.API.Name.V == "" {
		return
	}
	for _, env := range v.cfg.EnvNames() {
		for _, r := range v.cfg.Routes {
			if r.Name.V == "" {
				continue
			}
			full := v.cfg.API.Name.V + "-" + env + "-" + r.Name.V
			if len(full) > maxNameLen {
				v.add(r.Name.Pos, r.Field+".name", fmt.Sprintf("the function name %q is %d characters; Lambda and IAM allow %d", full, len(full), maxNameLen),
					"shorten the route name or api.name")
			}
		}
	}
}

// EnvNames are the environments to generate: those named in the file, or dev and prod.
func (c *Config) EnvNames() []string {
	if len(c.Environments) == 0 {
		return DefaultEnvNames
	}
	out := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		out[i] = e.Name.V
	}
	return out
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
