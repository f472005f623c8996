package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// Limits enforced before Terraform ever runs, each named in its message.
const (
	// MaxResources is API Gateway's default quota of resources per REST API
	// (every distinct path prefix, plus the root). It can be raised through
	// a Service Quotas request.
	MaxResources = 300
	// maxDescription is Lambda's limit on a function's description.
	maxDescription = 256
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
	kmsArnRe    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$`)
	subnetRe    = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	sgRe        = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	dlqArnRe    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$`)
	userPoolRe  = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[a-z0-9-]+_[A-Za-z0-9]+$`)
	headerSrcRe = regexp.MustCompile(`^method\.request\.header\.[A-Za-z0-9-]+$`)
	reqSrcRe    = regexp.MustCompile(`^(method\.request\.(header\.[A-Za-z0-9-]+|querystring\.[A-Za-z0-9_.-]+)|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$`)
	scopeRe     = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
	indexNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	hostRe      = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	acmArnRe    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$`)
	basePathRe  = regexp.MustCompile(`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`)
	// originHostRe is the host[:port] of a CORS origin: a DNS name or IPv4
	// address in lowercase, or an IPv6 address in brackets.
	originHostRe = regexp.MustCompile(`^((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?$`)
	wafArnRe     = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]+$`)
	vpceRe       = regexp.MustCompile(`^vpce-[0-9a-f]{8,17}$`)
)

// CORSEnvPrefix starts the names of the variables that carry api.cors to
// every function (lambdakit/cors reads them); routes.yaml may not set them.
const CORSEnvPrefix = "APIBUILDER_CORS_"

// Allowed values and ranges, shared with the model: read from the one
// table of settings (package settings), as the JSON Schema and the
// reference doc are.
var (
	Methods          = settings.Enum("route", "method")
	Runtimes         = settings.Enum("function", "runtime")
	Architectures    = settings.Enum("function", "architecture")
	TracingModes     = settings.Enum("function", "tracing")
	EndpointTypes    = settings.Enum("api", "endpoint_type")
	KeyTypes         = settings.Enum("table", "hash_key_type")
	BillingModes     = settings.Enum("table", "billing_mode")
	AuthorizerTypes  = settings.Enum("authorizer", "type")
	Projections      = settings.Enum("index", "projection")
	LoggingLevels    = settings.Enum("environment", "logging_level")
	QuotaPeriods     = settings.Enum("quota", "period")
	RetentionDays    = settings.Lookup("function", "log_retention_days").Ints
	DynamoDBActions  = settings.Enum("permission", "actions")
	DefaultEnvNames  = []string{"dev", "prod"}
	tableRefAttrs    = []string{"name", "arn"}
	maxLayers        = settings.Lookup("function", "layers").MaxItems
	maxTags          = settings.Lookup("api", "tags").MaxItems
	compression      = rangeOf("api", "minimum_compression_size")
	concurrency      = rangeOf("function", "reserved_concurrency")
	minMemory, maxMB = rangeOf("function", "memory_mb").Min, rangeOf("function", "memory_mb").Max
	timeout          = rangeOf("function", "timeout_s")
	ephemeral        = rangeOf("function", "ephemeral_storage_mb")
	maxIndexes       = settings.Lookup("table", "indexes").MaxItems
	ttl              = rangeOf("authorizer", "result_ttl_seconds")
	maxAge           = rangeOf("cors", "max_age_seconds")
	status           = rangeOf("response", "status")
)

func rangeOf(group, key string) settings.Range { return *settings.Lookup(group, key).Range }

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
	v.modules()
	v.publicTestValues()
	runRegistered(cfg, diags) // AWS's documented rules (package awsrules)
	// Function names' length depends on the previous generation (a renamed
	// route keeps its deployed name): package identity checks it.
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
	if c := a.MinimumCompressionSize; c.Set && (c.V < compression.Min || c.V > compression.Max) {
		v.add(c.Pos, "api.minimum_compression_size", fmt.Sprintf("%d is out of range", c.V), fmt.Sprintf("use -1 (off) or 0 to %d bytes", compression.Max))
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
		v.corsOrigins(c)
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
		if m := c.MaxAgeSeconds; m.Set && (m.V < maxAge.Min || m.V > maxAge.Max) {
			v.add(m.Pos, "api.cors.max_age_seconds", fmt.Sprintf("%d is out of range", m.V), fmt.Sprintf("use %d to %d", maxAge.Min, maxAge.Max))
		}
	}
	v.domain(a.Domain, true)
	v.waf(a.WAFWebACLArn, "api.waf_web_acl_arn")
	v.resourcePolicy(a)
}

// resourcePolicy checks who may call the API: a PRIVATE API cannot be
// deployed without a resource policy (API Gateway refuses it), which its
// VPC endpoints or a policy file give it.
func (v *validator) resourcePolicy(a API) {
	private := a.EndpointType.V == "PRIVATE"
	for i, id := range a.VPCEndpointIDs {
		f := fmt.Sprintf("api.vpc_endpoint_ids[%d]", i)
		switch {
		case !private:
			v.add(id.Pos, f, "is only for endpoint_type: PRIVATE", "remove vpc_endpoint_ids, or set endpoint_type: PRIVATE")
		case !vpceRe.MatchString(id.V):
			v.add(id.Pos, f, fmt.Sprintf("%q is not a VPC endpoint ID", id.V), "use the ID of an execute-api interface endpoint, e.g. vpce-0123456789abcdef0")
		}
	}
	if p := a.Policy; p.Set {
		if path, ok := v.inProject(p, "api.policy", "the policy file"); ok {
			if msg := checkPolicy(path, p.V); msg != "" {
				v.add(p.Pos, "api.policy", msg, `a resource policy is {"Version": "2012-10-17", "Statement": [...]}; "execute-api:/*" names the whole API`)
			}
		}
	}
	if private && len(a.VPCEndpointIDs) == 0 && !a.Policy.Set {
		v.add(a.EndpointType.Pos, "api.endpoint_type", "a PRIVATE API needs a resource policy: API Gateway refuses to deploy it without one",
			"set api.vpc_endpoint_ids: [vpce-...] (only those VPC endpoints may call it), or api.policy: <file> (a JSON resource policy)")
	}
}

func checkPolicy(path, name string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("policy file %q cannot be read: %v", name, unwrapPathErr(err))
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Sprintf("policy file %q is not a JSON object: %v", name, err)
	}
	if len(doc.Statement) == 0 || string(doc.Statement) == "null" {
		return fmt.Sprintf("policy file %q has no Statement", name)
	}
	return ""
}

// corsOrigins checks each allowed origin as a browser sends it (the
// module writes them into a mapping template and the functions compare
// them with the request's Origin byte for byte), and the combinations
// browsers refuse: "*" with credentials, and "*" among other origins.
func (v *validator) corsOrigins(c *CORS) {
	seen := map[string]bool{}
	wildcard := -1
	for i, o := range c.AllowOrigins {
		f := fmt.Sprintf("api.cors.allow_origins[%d]", i)
		if o.V == "*" {
			wildcard = i
		} else if msg, hint := CheckOrigin(o.V); msg != "" {
			v.add(o.Pos, f, msg, hint)
			continue
		}
		if seen[o.V] {
			v.add(o.Pos, f, fmt.Sprintf("%q is listed twice", o.V), "list each origin once")
		}
		seen[o.V] = true
	}
	if wildcard < 0 {
		return
	}
	if len(c.AllowOrigins) > 1 {
		v.add(c.AllowOrigins[wildcard].Pos, fmt.Sprintf("api.cors.allow_origins[%d]", wildcard), `"*" allows every origin, so it cannot be listed with others`,
			`use ["*"] alone, or list the origins without "*"`)
	}
	if c.AllowCredentials.V {
		v.add(c.AllowCredentials.Pos, "api.cors.allow_credentials", `cannot be true with allow_origins "*": browsers refuse credentialed answers that allow every origin`,
			"list the origins that may send credentials instead of \"*\", or set allow_credentials: false")
	}
}

// CheckOrigin checks one CORS origin other than "*": scheme://host[:port]
// exactly as a browser serializes it in the Origin header (http or https,
// lowercase, no default port, nothing after the host or port). It returns
// what is wrong and a hint, or two empty strings.
func CheckOrigin(o string) (msg, hint string) {
	const shape = "use \"*\" or scheme://host[:port] with http or https, e.g. https://app.example.com"
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		if ok && (strings.ToLower(scheme) == "http" || strings.ToLower(scheme) == "https") {
			return fmt.Sprintf("%q has an uppercase scheme", o), "write it in lowercase, as browsers send it"
		}
		return fmt.Sprintf("%q is not an origin", o), shape
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostPort := rest[:i]
		if strings.Trim(rest[i:], "/") == "" {
			return fmt.Sprintf("%q ends with a slash", o), fmt.Sprintf("remove it: browsers send the origin as %s://%s", scheme, hostPort)
		}
		return fmt.Sprintf("%q has a path, query or fragment", o), fmt.Sprintf("an origin is only scheme://host[:port], e.g. %s://%s", scheme, hostPort)
	}
	hostPort := rest
	if hostPort != strings.ToLower(hostPort) {
		return fmt.Sprintf("%q has uppercase letters in its host", o), "write it in lowercase, as browsers send it: " + scheme + "://" + strings.ToLower(hostPort)
	}
	m := originHostRe.FindStringSubmatch(hostPort)
	if m == nil {
		return fmt.Sprintf("%q is not an origin", o), shape + " (a host is letters, digits, '-' and '.', or an IPv6 address in brackets; no user, quote or space)"
	}
	if port := m[2]; port != "" {
		n := 0
		for _, d := range port {
			n = n*10 + int(d-'0')
		}
		switch {
		case n < 1 || n > 65535 || port[0] == '0':
			return fmt.Sprintf("%q has an invalid port", o), "use a port from 1 to 65535 without leading zeros"
		case (scheme == "https" && n == 443) || (scheme == "http" && n == 80):
			return fmt.Sprintf("%q names the default port", o), fmt.Sprintf("remove :%s: browsers leave the default port out of the origin (%s://%s)", port, scheme, m[1])
		}
	}
	return "", ""
}

// domain checks a custom domain. The one under api needs a certificate;
// an environment's may override only the name or base path.
func (v *validator) domain(d *Domain, needCert bool) {
	if d == nil {
		return
	}
	if v.required(d.Name, d.Field+".name", "e.g. name: api.example.com") && !hostRe.MatchString(d.Name.V) {
		v.add(d.Name.Pos, d.Field+".name", fmt.Sprintf("%q is not a domain name", d.Name.V), "use a lowercase host name, e.g. api.example.com")
	}
	if c := d.CertificateArn; c.Set && !acmArnRe.MatchString(c.V) {
		v.add(c.Pos, d.Field+".certificate_arn", fmt.Sprintf("%q is not an ACM certificate ARN", c.V), "use arn:aws:acm:<region>:<account>:certificate/<id>, issued in the API's region")
	} else if !c.Set && needCert {
		v.add(c.Pos, d.Field+".certificate_arn", "is required", "an ACM certificate for the name, in the API's region (a REGIONAL domain)")
	}
	if b := d.BasePath; b.Set && !basePathRe.MatchString(b.V) {
		v.add(b.Pos, d.Field+".base_path", fmt.Sprintf("%q is not a base path", b.V), "use path segments without leading or trailing '/', e.g. v1, or leave it out to map the whole domain")
	}
}

func (v *validator) waf(s Str, field string) {
	if s.Set && !wafArnRe.MatchString(s.V) {
		v.add(s.Pos, field, fmt.Sprintf("%q is not a regional WAFv2 web ACL ARN", s.V), "use arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>")
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
	if t := s.TimeoutS; t.Set && (t.V < timeout.Min || t.V > timeout.Max) {
		v.add(t.Pos, field+".timeout_s", fmt.Sprintf("%d s is out of Lambda's range", t.V), fmt.Sprintf("use %d to %d (API Gateway stops waiting after 29 s)", timeout.Min, timeout.Max))
	}
	if r := s.LogRetentionDays; r.Set && !slices.Contains(RetentionDays, r.V) {
		v.add(r.Pos, field+".log_retention_days", fmt.Sprintf("%d is not a CloudWatch Logs retention", r.V), "use one of "+joinInts(RetentionDays))
	}
	if c := s.ReservedConcurrency; c.Set && (c.V < concurrency.Min || c.V > concurrency.Max) {
		v.add(c.Pos, field+".reserved_concurrency", fmt.Sprintf("%d is out of range", c.V), fmt.Sprintf("use -1 (unreserved) or 0 to %d", concurrency.Max))
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
		if strings.HasPrefix(kv.Key, CORSEnvPrefix) {
			v.add(kv.Value.Pos, f, CORSEnvPrefix+" variables are reserved: apibuilder sets them from api.cors for every function", "choose another name; change api.cors to change their values")
		}
		v.refs(kv.Value, f)
		v.secretRef(kv.Value, f)
	}
	if e := s.EphemeralStorageMB; e.Set && (e.V < ephemeral.Min || e.V > ephemeral.Max) {
		v.add(e.Pos, field+".ephemeral_storage_mb", fmt.Sprintf("%d MB is out of Lambda's range", e.V), fmt.Sprintf("use %d to %d", ephemeral.Min, ephemeral.Max))
	}
	if d := s.DeadLetterTargetArn; d.Set && !dlqArnRe.MatchString(d.V) {
		v.add(d.Pos, field+".dead_letter_target_arn", fmt.Sprintf("%q is not an SQS queue or SNS topic ARN", d.V), "use arn:aws:sqs:<region>:<account>:<queue> or arn:aws:sns:<region>:<account>:<topic>")
	}
	if c := s.VPC; c != nil {
		for _, x := range []struct {
			ids        []Str
			name, want string
			re         *regexp.Regexp
		}{{c.SubnetIDs, "subnet_ids", "subnet-0123456789abcdef0", subnetRe}, {c.SecurityGroupIDs, "security_group_ids", "sg-0123456789abcdef0", sgRe}} {
			if len(x.ids) == 0 {
				v.add(c.Pos, field+".vpc."+x.name, "is required when vpc is set", "list at least one, e.g. ["+x.want+"]")
			}
			for i, id := range x.ids {
				if !x.re.MatchString(id.V) {
					v.add(id.Pos, fmt.Sprintf("%s.vpc.%s[%d]", field, x.name, i), fmt.Sprintf("%q is not a valid ID", id.V), "e.g. "+x.want)
				}
			}
		}
	}
}

// refs checks ${table.<name>.name|arn} references inside an environment value.
func (v *validator) refs(s Str, field string) {
	refs, unclosed := SplitRefs(s.V)
	if unclosed {
		v.add(s.Pos, field, "has an unclosed ${", "write references as ${table.<name>.name}, and a literal ${ as $${")
		return
	}
	for _, r := range refs {
		if !r.IsRef {
			continue
		}
		parts := strings.Split(r.Ref, ".")
		if len(parts) != 3 || parts[0] != "table" {
			v.add(s.Pos, field, fmt.Sprintf("unknown reference ${%s}", r.Ref), "references have the form ${table.<name>.name} or ${table.<name>.arn}; write a literal ${ as $${")
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
		v.indexes(t, f)
	}
}

// indexes checks a table's global secondary indexes. An attribute used as a
// key in several places must have one type: DynamoDB declares it once.
func (v *validator) indexes(t Table, f string) {
	if len(t.Indexes) > maxIndexes {
		v.add(t.Indexes[maxIndexes].Pos, f+".indexes", fmt.Sprintf("%d indexes; DynamoDB allows %d global secondary indexes per table", len(t.Indexes), maxIndexes), "")
	}
	types := map[string]string{} // attribute -> type, where it was first declared
	where := map[string]string{}
	declare := func(name, typ Str, field string) {
		if !name.Set {
			return
		}
		ty := typ.V
		if !typ.Set {
			ty = "S"
		}
		if prev, ok := types[name.V]; ok && prev != ty {
			pos := typ.Pos
			if !typ.Set {
				pos = name.Pos
			}
			v.add(pos, field, fmt.Sprintf("attribute %q is %s here but %s in %s", name.V, ty, prev, where[name.V]), "DynamoDB keeps one type per attribute; use the same type")
			return
		}
		types[name.V], where[name.V] = ty, field
	}
	declare(t.HashKey, t.HashKeyType, f+".hash_key")
	declare(t.RangeKey, t.RangeKeyType, f+".range_key")
	for _, x := range t.Indexes {
		xf := f + ".indexes." + x.Name.V
		if !indexNameRe.MatchString(x.Name.V) {
			v.add(x.Name.Pos, xf, fmt.Sprintf("%q is not a valid index name", x.Name.V), "use 3-255 letters, digits, '_', '-' or '.'")
		}
		if v.required(x.HashKey, xf+".hash_key", "name the index's partition key attribute, e.g. hash_key: owner") && !envVarRe.MatchString(x.HashKey.V) {
			v.add(x.HashKey.Pos, xf+".hash_key", fmt.Sprintf("%q is not a plain attribute name", x.HashKey.V), "use letters, digits and '_'")
		}
		v.oneOf(x.HashKeyType, xf+".hash_key_type", KeyTypes)
		v.oneOf(x.RangeKeyType, xf+".range_key_type", KeyTypes)
		if x.RangeKeyType.Set && !x.RangeKey.Set {
			v.add(x.RangeKeyType.Pos, xf+".range_key_type", "is set without range_key", "add range_key or remove range_key_type")
		}
		if x.RangeKey.Set && !envVarRe.MatchString(x.RangeKey.V) {
			v.add(x.RangeKey.Pos, xf+".range_key", fmt.Sprintf("%q is not a plain attribute name", x.RangeKey.V), "use letters, digits and '_'")
		}
		v.oneOf(x.Projection, xf+".projection", Projections)
		if slices.Contains(KeyTypes, or(x.HashKeyType.V, "S")) {
			declare(x.HashKey, x.HashKeyType, xf+".hash_key")
		}
		if slices.Contains(KeyTypes, or(x.RangeKeyType.V, "S")) {
			declare(x.RangeKey, x.RangeKeyType, xf+".range_key")
		}
	}
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func (v *validator) authorizers() {
	for _, a := range v.cfg.Authorizers {
		f := "authorizers." + a.Name.V
		if !routeNameRe.MatchString(a.Name.V) {
			v.add(a.Name.Pos, f, fmt.Sprintf("%q is not a valid authorizer name", a.Name.V), "use lowercase letters, digits and '_'")
		}
		if v.required(a.Type, f+".type", "set type: api_key, token, request, cognito or iam") {
			v.oneOf(a.Type, f+".type", AuthorizerTypes)
		}
		t := a.Type.V
		// Keys that belong to other types of authorizer.
		for _, k := range []struct {
			key   string
			set   bool
			pos   diag.Pos
			types []string
		}{
			{"keys", len(a.Keys) > 0, firstPos(a.Keys), []string{"api_key"}},
			{"throttle", a.Throttle != nil, throttlePos(a.Throttle), []string{"api_key"}},
			{"quota", a.Quota != nil, quotaPos(a.Quota), []string{"api_key"}},
			{"handler", a.Handler.Set, a.Handler.Pos, []string{"token", "request"}},
			{"description", a.Description.Set, a.Description.Pos, []string{"token", "request"}},
			{"identity_validation_expression", a.IdentityValidation.Set, a.IdentityValidation.Pos, []string{"token"}},
			{"identity_source", a.IdentitySourceSet, firstPos(a.IdentitySource), []string{"token", "request", "cognito"}},
			{"result_ttl_seconds", a.ResultTTLSeconds.Set, a.ResultTTLSeconds.Pos, []string{"token", "request", "cognito"}},
			{"user_pool_arns", len(a.UserPoolArns) > 0, firstPos(a.UserPoolArns), []string{"cognito"}},
			{"test_token", a.TestToken.Set, a.TestToken.Pos, []string{"token"}},
			{"test_identity", len(a.TestIdentity) > 0, firstKVPos(a.TestIdentity), []string{"request"}},
		} {
			v.onlyFor(f, t, k.key, k.set, k.pos, k.types...)
		}
		if key, p, ok := settingSet(a.Settings); ok {
			v.onlyFor(f, t, key, true, p, "token", "request")
		}
		switch t {
		case "api_key":
			for i, k := range a.Keys {
				if !routeNameRe.MatchString(k.V) {
					v.add(k.Pos, fmt.Sprintf("%s.keys[%d]", f, i), fmt.Sprintf("%q is not a valid key name", k.V), "use lowercase letters, digits and '_'")
				}
			}
			v.throttle(a.Throttle, f+".throttle")
			v.quota(a.Quota, f+".quota")
		case "token", "request":
			v.handler(a.Handler, f+".handler")
			v.settings(a.Settings, f)
			if a.Description.Set && len(a.Description.V) > 256 {
				v.add(a.Description.Pos, f+".description", fmt.Sprintf("is %d characters; Lambda allows 256", len(a.Description.V)), "")
			}
			if slices.ContainsFunc(v.cfg.Routes, func(r Route) bool { return r.Name.V == a.Name.V }) {
				v.add(a.Name.Pos, f, fmt.Sprintf("%q is also a route name", a.Name.V), "an authorizer with a handler is a function named <api>-<env>-<name> like a route's: give it a name of its own")
			}
			v.identitySource(a, f)
			if x := a.IdentityValidation; x.Set && t == "token" {
				if _, err := regexp.Compile(x.V); err != nil {
					v.add(x.Pos, f+".identity_validation_expression", "is not a regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "), "e.g. ^Bearer [-0-9a-zA-Z._~+/]+=*$")
				}
			}
		case "cognito":
			if len(a.UserPoolArns) == 0 {
				v.add(a.Type.Pos, f+".user_pool_arns", "is required for a cognito authorizer", "list the user pool ARNs, e.g. [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123]")
			}
			for i, u := range a.UserPoolArns {
				if !userPoolRe.MatchString(u.V) {
					v.add(u.Pos, fmt.Sprintf("%s.user_pool_arns[%d]", f, i), fmt.Sprintf("%q is not a Cognito user pool ARN", u.V), "use arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>")
				}
			}
			v.identitySource(a, f)
		}
		if n := a.ResultTTLSeconds; n.Set && (n.V < ttl.Min || n.V > ttl.Max) {
			v.add(n.Pos, f+".result_ttl_seconds", fmt.Sprintf("%d is out of range", n.V), fmt.Sprintf("use %d (no caching) to %d seconds", ttl.Min, ttl.Max))
		}
	}
}

// identitySource checks where API Gateway finds the caller's identity: one
// header for token and cognito authorizers, one or more request values for
// request authorizers.
func (v *validator) identitySource(a Authorizer, f string) {
	f += ".identity_source"
	if a.Type.V == "request" {
		if len(a.IdentitySource) == 0 {
			v.add(a.Type.Pos, f, "is required for a request authorizer", "list where the identity is, e.g. [method.request.header.X-Tenant]; requests without it get 401")
		}
		for i, s := range a.IdentitySource {
			if !reqSrcRe.MatchString(s.V) {
				v.add(s.Pos, fmt.Sprintf("%s[%d]", f, i), fmt.Sprintf("%q is not an identity source", s.V), "use method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>")
			}
		}
		return
	}
	if len(a.IdentitySource) > 1 {
		v.add(a.IdentitySource[1].Pos, f, fmt.Sprintf("a %s authorizer reads one header", a.Type.V), "give one, e.g. identity_source: method.request.header.Authorization")
		return
	}
	for _, s := range a.IdentitySource {
		if !headerSrcRe.MatchString(s.V) {
			v.add(s.Pos, f, fmt.Sprintf("%q is not a header identity source", s.V), "use method.request.header.<name>, e.g. method.request.header.Authorization")
		}
	}
}

// onlyFor reports a key that is set on an authorizer of a type it does not
// apply to. An unknown type is reported once, by the type check.
func (v *validator) onlyFor(f, typ, key string, set bool, pos diag.Pos, types ...string) {
	if !set || !slices.Contains(AuthorizerTypes, typ) || slices.Contains(types, typ) {
		return
	}
	names := types[0]
	if n := len(types); n > 1 {
		names = strings.Join(types[:n-1], ", ") + " or " + types[n-1]
	}
	v.add(pos, f+"."+key, fmt.Sprintf("applies to %s authorizers, not %s", names, typ), "remove it")
}

// settingSet returns the first function setting that s sets.
func settingSet(s Settings) (string, diag.Pos, bool) {
	for _, x := range []struct {
		key string
		set bool
		pos diag.Pos
	}{
		{"runtime", s.Runtime.Set, s.Runtime.Pos}, {"architecture", s.Architecture.Set, s.Architecture.Pos},
		{"memory_mb", s.MemoryMB.Set, s.MemoryMB.Pos}, {"timeout_s", s.TimeoutS.Set, s.TimeoutS.Pos},
		{"log_retention_days", s.LogRetentionDays.Set, s.LogRetentionDays.Pos},
		{"reserved_concurrency", s.ReservedConcurrency.Set, s.ReservedConcurrency.Pos},
		{"tracing", s.Tracing.Set, s.Tracing.Pos}, {"layers", s.LayersSet, s.Pos},
		{"environment", len(s.Environment) > 0, firstKVPos(s.Environment)},
		{"ephemeral_storage_mb", s.EphemeralStorageMB.Set, s.EphemeralStorageMB.Pos},
		{"vpc", s.VPC != nil, vpcPos(s.VPC)},
		{"dead_letter_target_arn", s.DeadLetterTargetArn.Set, s.DeadLetterTargetArn.Pos},
	} {
		if x.set {
			return x.key, x.pos, true
		}
	}
	return "", diag.Pos{}, false
}

func firstPos(ss []Str) diag.Pos {
	if len(ss) == 0 {
		return diag.Pos{}
	}
	return ss[0].Pos
}

func firstKVPos(kvs []KV) diag.Pos {
	if len(kvs) == 0 {
		return diag.Pos{}
	}
	return kvs[0].Value.Pos
}

func throttlePos(t *Throttle) diag.Pos {
	if t == nil {
		return diag.Pos{}
	}
	return t.Pos
}

func vpcPos(c *VPC) diag.Pos {
	if c == nil {
		return diag.Pos{}
	}
	return c.Pos
}

func quotaPos(q *Quota) diag.Pos {
	if q == nil {
		return diag.Pos{}
	}
	return q.Pos
}

func (v *validator) quota(q *Quota, field string) {
	if q == nil {
		return
	}
	if !q.Limit.Set || q.Limit.V < 1 {
		v.add(q.Limit.Pos, field+".limit", "must be a positive number of requests", "")
	}
	if v.required(q.Period, field+".period", "use DAY, WEEK or MONTH") {
		v.oneOf(q.Period, field+".period", QuotaPeriods)
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
		for _, o := range e.AuthSettings {
			of := f + ".authorizers." + o.Route.V
			i := slices.IndexFunc(v.cfg.Authorizers, func(a Authorizer) bool { return a.Name.V == o.Route.V })
			typ := ""
			if i >= 0 {
				typ = v.cfg.Authorizers[i].Type.V
			}
			if o.Throttle != nil || o.Quota != nil {
				if typ != "api_key" {
					v.add(o.Route.Pos, of, "names no api_key authorizer", "throttle and quota here set an API key usage plan's limits in this env")
				}
				v.throttle(o.Throttle, of+".throttle")
				v.quota(o.Quota, of+".quota")
			}
			if _, _, ok := settingSet(o.Settings); ok || (o.Throttle == nil && o.Quota == nil) {
				if typ != "token" && typ != "request" {
					v.add(o.Route.Pos, of, "names no token or request authorizer", "only authorizers with a handler have function settings")
				}
			}
			v.settings(o.Settings, of)
			v.buildSettingsFixed(o.Settings, of)
		}
		v.domain(e.Domain, v.cfg.API.Domain == nil)
		v.waf(e.WAFWebACLArn, f+".waf_web_acl_arn")
		for _, kv := range e.StageVars {
			sf := f + ".stage_variables." + kv.Key
			if !stageVarNameRe.MatchString(kv.Key) {
				v.add(kv.Value.Pos, sf, "is not a valid stage variable name", "use letters, digits and '_' (API Gateway's rule)")
			}
			if !stageVarValueRe.MatchString(kv.Value.V) {
				v.add(kv.Value.Pos, sf, fmt.Sprintf("%q is not a valid stage variable value", kv.Value.V), "use 1-512 of letters, digits and - . _ ~ : / ? # & = , (API Gateway's rule)")
			}
		}
	}
}

// API Gateway's rules for stage variables.
var (
	stageVarNameRe  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	stageVarValueRe = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{1,512}$`)
)

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

// registryRe is a Terraform registry module address (optionally on a
// private registry host, optionally with a //subdirectory).
var registryRe = regexp.MustCompile(`^([a-z0-9.-]+\.[a-z]{2,}/)?[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*/[a-z0-9]+(//.*)?$`)

// IsRegistrySource reports whether a modules.source is a registry address
// (the only kind of source Terraform lets a version constraint go with).
func IsRegistrySource(s string) bool { return registryRe.MatchString(s) }

func (v *validator) modules() {
	m := v.cfg.Modules
	if m == nil {
		return
	}
	const use = "point path at a directory of this project holding api_gateway/ and lambda_route/ (path: modules), or source at a remote copy of it; or remove modules: to use the modules apibuilder carries"
	switch {
	case m.Path.Set && m.Source.Set:
		v.add(m.Source.Pos, "modules.source", "set together with modules.path", "choose one: path (a directory of this project) or source (a remote address)")
		return
	case !m.Path.Set && !m.Source.Set:
		v.add(m.Pos, "modules", "names neither path nor source", use)
		return
	}
	if m.Path.Set {
		if m.Version.Set {
			v.add(m.Version.Pos, "modules.version", "goes with a registry source only", "remove it, or use source: <namespace>/<name>/<provider>//modules with version")
		}
		p := m.Path.V
		if filepath.IsAbs(p) || p == "" {
			v.add(m.Path.Pos, "modules.path", fmt.Sprintf("%q is not a relative path", p), use)
			return
		}
		dir := filepath.Join(v.cfg.Dir, filepath.FromSlash(p))
		for _, name := range []string{"api_gateway", "lambda_route"} {
			v.cfg.Inputs = append(v.cfg.Inputs, filepath.Join(dir, name, "main.tf"))
			if st, err := os.Stat(filepath.Join(dir, name, "main.tf")); err != nil || st.IsDir() {
				v.add(m.Path.Pos, "modules.path", fmt.Sprintf("no %s module (%s/main.tf) in %s", name, name, dir), use)
				return
			}
		}
		return
	}
	src := m.Source.V
	if strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") || filepath.IsAbs(src) {
		v.add(m.Source.Pos, "modules.source", fmt.Sprintf("%q is a local path", src), "use modules.path for a directory of this project")
		return
	}
	if m.Version.Set && !IsRegistrySource(src) {
		v.add(m.Version.Pos, "modules.version", fmt.Sprintf("Terraform accepts a version only for registry sources, and %q is not one", src), "pin git sources with ?ref=<tag> in the source instead")
	}
	if IsRegistrySource(src) && !m.Version.Set {
		v.add(m.Source.Pos, "modules.source", "a registry source needs a version", "add modules.version, e.g. version: 1.2.3 (the apibuilder release whose modules you want)")
	}
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
	if !b.LockTable.Set && !b.Lockfile.V {
		v.add(b.Pos, "backend.s3", "has no state locking: two applies at once would corrupt the state", "add dynamodb_table: <lock table> or use_lockfile: true (Terraform 1.10 or later)")
	}
	if strings.Contains(b.KeyPrefix.V, "..") || strings.HasPrefix(b.KeyPrefix.V, "/") {
		v.add(b.KeyPrefix.Pos, "backend.s3.key_prefix", "must be a relative key prefix", "e.g. key_prefix: teams/payments")
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
