// Package model resolves a validated config into the values each
// environment gets: defaults, then the route, then the environment, then the
// environment's override for that route. Rendering reads only this model.
package model

import (
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// Defaults applied when routes.yaml sets nothing. The function settings'
// defaults are the settings table's (see layer).
const (
	DefaultRegion       = "us-east-1"
	DefaultEndpointType = "REGIONAL"
)

// Model is everything the renderer needs, independent of YAML.
type Model struct {
	File        string // routes file as the user named it, for diagnostics
	Source      string // base name of the routes file, for headers
	API         API
	Tables      []Table
	Routes      []Route
	Authorizers []Authorizer // token, request, cognito and iam (api_key ones are UsagePlans)
	Paths       []string     // distinct route paths, sorted
	Validators  []string     // request validators in use: body, params, all
	UsagePlans  []UsagePlan
	Envs        []Env
	Backend     *Backend
	Modules     Modules
	ProjectRoot string // directory of routes.yaml (absolute)
}

// Modules is where module calls find the Terraform modules: Path (a
// directory of the project), Source (+ Version) a remote address, or
// neither: the copy the tool writes into the project.
type Modules struct {
	Path, Source, Version string
}

// API is the REST API's env-independent settings.
type API struct {
	Name, Description, EndpointType string
	BinaryMediaTypes                []string
	MinimumCompressionSize          int // -1: off
	Tags                            map[string]string
	AccessLogs, CloudWatchRole      bool
	CORS                            *CORS
	Domain                          *Domain
	WAFWebACLArn                    string
	VPCEndpointIDs                  []string // a PRIVATE API's VPC endpoints
	Policy                          string   // resource policy file, slash path relative to the project; "" for none
}

// Domain is a REGIONAL custom domain mapped to the stage.
type Domain struct {
	Name, CertificateArn, BasePath string
}

// CORS mirrors modules/api_gateway's cors variable.
type CORS struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	MaxAgeSeconds                                           int
	AllowCredentials                                        bool
}

// Table is a DynamoDB table; its name gets the API and env prefix.
type Table struct {
	// Pos is where routes.yaml names the table; HashKeyPos and RangeKeyPos
	// where it sets its keys (Pos when it does not).
	Pos, HashKeyPos, RangeKeyPos diag.Pos
	Key                          string // YAML key, also the HCL resource name
	HashKey, HashKeyType         string
	RangeKey, RangeKeyType       string
	BillingMode, TTLAttribute    string
	PointInTimeRecovery          *bool  // nil: on in prod only
	KMSKey                       string // "": AWS owned key; "aws_managed"; or a key ARN
	Indexes                      []Index
}

// Index is a global secondary index.
type Index struct {
	Name                   string
	HashKey, HashKeyType   string
	RangeKey, RangeKeyType string
	Projection             string // ALL or KEYS_ONLY
}

// Authorizer is a non-api_key authorizer. Token and request authorizers
// are Lambda functions of their own, packaged and deployed like routes.
type Authorizer struct {
	Pos                  diag.Pos // of its name in routes.yaml
	Name, Type           string   // token, request, cognito, iam
	Handler, Description string
	Runtime              string `setting:"runtime"`
	Architecture         string `setting:"architecture"`
	IdentitySource       []string
	IdentityValidation   string
	ResultTTLSeconds     int
	UserPoolArns         []string
	TestToken            string            // token: an identity value allowed in dev, for smoke calls and tests
	TestIdentity         map[string]string // request: identity source name -> a value allowed in dev
}

// Terraform module labels of the functions in a generated env. They are
// also how the previous generation is read back (package identity).
const (
	RouteModulePrefix      = "route_"
	AuthorizerModulePrefix = "authorizer_"
)

// RouteModule is the module label of a route's function.
func RouteModule(route string) string { return RouteModulePrefix + route }

// AuthorizerModule is the module label of a Lambda authorizer's function.
func AuthorizerModule(name string) string { return AuthorizerModulePrefix + name }

// IsFunction reports whether the authorizer is a Lambda function.
func (a Authorizer) IsFunction() bool { return a.Type == "token" || a.Type == "request" }

// Function is one Lambda function to build: a route's or an authorizer's.
type Function struct {
	Kind                        string // "route" or "authorizer"
	Name, Handler, Architecture string
}

// Functions lists every function to package, routes first.
func (m *Model) Functions() []Function {
	var out []Function
	for _, r := range m.Routes {
		out = append(out, Function{Kind: "route", Name: r.Name, Handler: r.Handler, Architecture: r.Architecture})
	}
	for _, a := range m.Authorizers {
		if a.IsFunction() {
			out = append(out, Function{Kind: "authorizer", Name: a.Name, Handler: a.Handler, Architecture: a.Architecture})
		}
	}
	return out
}

// Route is one method + path and its function.
type Route struct {
	Pos                             diag.Pos // of its name in routes.yaml
	Field                           string   // routes[i], for diagnostics
	Name, Method, Path, Description string
	Handler                         string // slash path relative to ProjectRoot
	Runtime                         string `setting:"runtime"`
	Architecture                    string `setting:"architecture"`
	RequestSchema, ResponseSchema   string // slash paths relative to ProjectRoot; "" for none
	SuccessStatus                   int
	RequestParameters               map[string]bool // method.request.* => required
	Validator                       string          // body, params, all or ""
	APIKeyRequired                  bool
	Authorizer                      string // name of a token, request, cognito or iam authorizer
	Authorization                   string // NONE, CUSTOM, COGNITO_USER_POOLS or AWS_IAM
	Scopes                          []string
	Statements                      []Statement
	Auth                            string            // the authorizer routes.yaml names (any type), or ""
	RequestExample                  []byte            // JSON body example; nil for none
	ExampleParams                   map[string]string // example values of path parameters, query strings, headers
}

// Statement is one least-privilege IAM statement on one table, or on the
// named indexes of one table (for the actions that read indexes only).
type Statement struct {
	Sid     string
	Actions []string // dynamodb:Action
	Table   string   // table key
	Indexes []string // index names: the statement is on these indexes, not the table
}

// UsagePlan is an api_key authorizer's keys and limits.
type UsagePlan struct {
	Name       string
	Keys       []string
	Throttle   *Throttle
	QuotaLimit int
	QuotaPer   string
}

// Throttle is a rate/burst pair.
type Throttle struct {
	Rate, Burst int
}

// Env is one environment with every value resolved.
type Env struct {
	Name, Stage, Region string
	Throttle            *Throttle
	Metrics             bool
	LoggingLevel        string
	DataTrace, XRay     bool
	AccessLogRetention  int
	PITR                map[string]bool // table key -> point-in-time recovery
	DeletionProtection  bool            // of every table: on in the env named prod unless set
	Routes              map[string]RouteValues
	Authorizers         map[string]RouteValues // function settings of token and request authorizers
	Domain              *Domain
	WAFWebACLArn        string
	StageVariables      map[string]string
	UsagePlans          []UsagePlan // the api_key authorizers' plans with this env's limits

	// FunctionNames are the AWS name suffixes of the env's functions by
	// module label: each function is "<api>-<env>-<suffix>". Build names
	// every function after itself (a first generation); package identity
	// replaces that with what the previous generation deployed (a renamed
	// route keeps its suffix) and adds the moves.
	FunctionNames map[string]string
	// Moves are renamed routes whose Terraform state moves, sorted by From.
	Moves []Move
}

// Move is a moved block: route From's state now belongs to route To.
type Move struct {
	From, To string
}

// RouteValues are a route's per-environment function settings: a field
// per key of the settings table layered PerEnv, tagged with the key and
// named as config.Settings names it (layer merges them).
type RouteValues struct {
	MemoryMB            int      `setting:"memory_mb"`
	TimeoutS            int      `setting:"timeout_s"`
	LogRetentionDays    int      `setting:"log_retention_days"`
	ReservedConcurrency int      `setting:"reserved_concurrency"`
	Tracing             string   `setting:"tracing"`
	Layers              []string `setting:"layers"`
	Environment         []EnvVar `setting:"environment"`          // sorted by name
	EphemeralStorageMB  int      `setting:"ephemeral_storage_mb"` // 0: not set (Lambda's 512)
	VPC                 *VPC     `setting:"vpc"`
	DeadLetterTargetArn string   `setting:"dead_letter_target_arn"`
	// Secrets are the secrets the environment references (ssm: and
	// secretsmanager: values), sorted and distinct: the function's role
	// may read exactly these.
	Secrets []Secret
}

// Secret is a secret a function reads at run time: an SSM parameter, or a
// Secrets Manager secret by name or full ARN.
type Secret struct {
	Kind string // config.SecretSSM or config.SecretSecretsManager
	Name string
}

// IsARN reports whether a Secrets Manager secret is named by its ARN.
func (s Secret) IsARN() bool { return config.SecretRef{Kind: s.Kind, Name: s.Name}.IsARN() }

// Secrets lists the secrets the env's functions reference, sorted and
// distinct, routes' and authorizers' together.
func (e Env) Secrets() []Secret {
	var out []Secret
	for _, v := range e.Routes {
		out = append(out, v.Secrets...)
	}
	for _, v := range e.Authorizers {
		out = append(out, v.Secrets...)
	}
	return sortSecrets(out)
}

func sortSecrets(s []Secret) []Secret {
	slices.SortFunc(s, func(a, b Secret) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return slices.Compact(s)
}

// VPC is a function's subnets and security groups.
type VPC struct {
	SubnetIDs        []string `setting:"subnet_ids"`
	SecurityGroupIDs []string `setting:"security_group_ids"`
}

// EnvVar is a function environment variable; Parts alternate literal text
// and table references so the renderer can emit an HCL template.
type EnvVar struct {
	Name  string
	Parts []Part
}

// Part is literal text, or a reference to a table attribute.
type Part struct {
	Text       string
	Table, Att string // set for a ${table.<Table>.<Att>} reference
}

// Backend is the S3 state backend shared by all envs (keys differ per env).
type Backend struct {
	Bucket, Region, KeyPrefix, LockTable string
	Lockfile                             bool
}

// Build resolves cfg. cfg must have passed validation.
func Build(cfg *config.Config) *Model {
	m := &Model{File: cfg.File, Source: filepath.Base(cfg.File), ProjectRoot: cfg.Dir}
	a := cfg.API
	m.API = API{
		Name: a.Name.V, Description: a.Description.V, EndpointType: or(a.EndpointType.V, DefaultEndpointType),
		BinaryMediaTypes: values(a.BinaryMediaTypes), MinimumCompressionSize: -1, Tags: kvMap(a.Tags),
		AccessLogs: !a.AccessLogs.Set || a.AccessLogs.V, CloudWatchRole: a.CloudWatchRole.V,
		VPCEndpointIDs: values(a.VPCEndpointIDs),
	}
	if a.Policy.Set {
		m.API.Policy = filepath.ToSlash(filepath.Clean(a.Policy.V))
	}
	if a.MinimumCompressionSize.Set {
		m.API.MinimumCompressionSize = a.MinimumCompressionSize.V
	}
	if c := a.CORS; c != nil {
		m.API.CORS = &CORS{
			AllowOrigins: values(c.AllowOrigins), AllowMethods: values(c.AllowMethods), AllowHeaders: values(c.AllowHeaders),
			ExposeHeaders: values(c.ExposeHeaders), MaxAgeSeconds: c.MaxAgeSeconds.V, AllowCredentials: c.AllowCredentials.V,
		}
		if !c.MaxAgeSeconds.Set {
			m.API.CORS.MaxAgeSeconds = 600
		}
	}
	for _, t := range cfg.Tables {
		tb := Table{
			Pos: t.Pos, HashKeyPos: posOr(t.HashKey, t.Pos), RangeKeyPos: posOr(t.RangeKey, t.Pos),
			Key: t.Name.V, HashKey: t.HashKey.V, HashKeyType: or(t.HashKeyType.V, "S"),
			RangeKey: t.RangeKey.V, RangeKeyType: t.RangeKeyType.V, BillingMode: or(t.BillingMode.V, "PAY_PER_REQUEST"),
			TTLAttribute: t.TTLAttribute.V,
		}
		if t.Encryption.V != "aws_owned" {
			tb.KMSKey = t.Encryption.V
		}
		if tb.RangeKey != "" && tb.RangeKeyType == "" {
			tb.RangeKeyType = "S"
		}
		if t.PointInTimeRecovery.Set {
			v := t.PointInTimeRecovery.V
			tb.PointInTimeRecovery = &v
		}
		for _, x := range t.Indexes {
			ix := Index{
				Name: x.Name.V, HashKey: x.HashKey.V, HashKeyType: or(x.HashKeyType.V, "S"),
				RangeKey: x.RangeKey.V, RangeKeyType: x.RangeKeyType.V, Projection: or(x.Projection.V, "ALL"),
			}
			if ix.RangeKey != "" && ix.RangeKeyType == "" {
				ix.RangeKeyType = "S"
			}
			tb.Indexes = append(tb.Indexes, ix)
		}
		m.Tables = append(m.Tables, tb)
	}
	m.API.Domain = domain(nil, a.Domain)
	m.API.WAFWebACLArn = a.WAFWebACLArn.V
	for _, au := range cfg.Authorizers {
		if au.Type.V != "api_key" {
			m.Authorizers = append(m.Authorizers, authorizer(cfg, au))
			continue
		}
		up := UsagePlan{Name: au.Name.V, Keys: values(au.Keys)}
		if len(up.Keys) == 0 {
			up.Keys = []string{au.Name.V}
		}
		if t := au.Throttle; t != nil {
			up.Throttle = &Throttle{Rate: t.Rate.V, Burst: t.Burst.V}
		}
		if q := au.Quota; q != nil {
			up.QuotaLimit, up.QuotaPer = q.Limit.V, q.Period.V
		}
		m.UsagePlans = append(m.UsagePlans, up)
	}
	paths := map[string]bool{}
	validators := map[string]bool{}
	for _, r := range cfg.Routes {
		rt := route(cfg, r)
		m.Routes = append(m.Routes, rt)
		paths[rt.Path] = true
		if rt.Validator != "" {
			validators[rt.Validator] = true
		}
	}
	m.Paths = sortedKeys(paths)
	m.Validators = sortedKeys(validators)
	for _, name := range cfg.EnvNames() {
		e := env(cfg, m, name)
		e.FunctionNames = map[string]string{}
		for _, r := range m.Routes {
			e.FunctionNames[RouteModule(r.Name)] = r.Name
		}
		for _, a := range m.Authorizers {
			if a.IsFunction() {
				e.FunctionNames[AuthorizerModule(a.Name)] = a.Name
			}
		}
		m.Envs = append(m.Envs, e)
	}
	if mo := cfg.Modules; mo != nil {
		m.Modules = Modules{Path: mo.Path.V, Source: mo.Source.V, Version: mo.Version.V}
		if m.Modules.Path != "" {
			m.Modules.Path = filepath.ToSlash(filepath.Clean(m.Modules.Path))
		}
	}
	if b := cfg.Backend; b != nil {
		m.Backend = &Backend{Bucket: b.Bucket.V, Region: or(b.Region.V, or(a.Region.V, DefaultRegion)), KeyPrefix: strings.Trim(b.KeyPrefix.V, "/"), LockTable: b.LockTable.V, Lockfile: b.Lockfile.V}
	}
	return m
}

// domain applies an override (an env's domain) over a base (the API's).
func domain(base *Domain, d *config.Domain) *Domain {
	if d == nil {
		return base
	}
	out := Domain{}
	if base != nil {
		out = *base
	}
	out.Name = or(d.Name.V, out.Name)
	out.CertificateArn = or(d.CertificateArn.V, out.CertificateArn)
	if d.BasePath.Set {
		out.BasePath = d.BasePath.V
	}
	return &out
}

func authorizer(cfg *config.Config, a config.Authorizer) Authorizer {
	d := cfg.Defaults
	au := Authorizer{
		Pos: a.Name.Pos, Name: a.Name.V, Type: a.Type.V, Description: a.Description.V,
		IdentitySource: values(a.IdentitySource), IdentityValidation: a.IdentityValidation.V,
		ResultTTLSeconds: 300, UserPoolArns: values(a.UserPoolArns), TestToken: a.TestToken.V,
	}
	if len(a.TestIdentity) > 0 {
		au.TestIdentity = kvMap(a.TestIdentity)
	}
	if a.ResultTTLSeconds.Set {
		au.ResultTTLSeconds = a.ResultTTLSeconds.V
	}
	if au.Type != "request" && len(au.IdentitySource) == 0 {
		au.IdentitySource = []string{"method.request.header.Authorization"}
	}
	switch au.Type {
	case "iam":
		au.IdentitySource, au.ResultTTLSeconds = nil, 0
	case "cognito":
	default:
		au.Handler = filepath.ToSlash(filepath.Clean(a.Handler.V))
		layer(&au, builtKeys, []config.Settings{d, a.Settings})
		if au.Description == "" {
			au.Description = "Lambda " + a.Type.V + " authorizer " + a.Name.V
		}
	}
	return au
}

func route(cfg *config.Config, r config.Route) Route {
	d := cfg.Defaults
	rt := Route{
		Pos: r.Name.Pos, Field: r.Field,
		Name: r.Name.V, Method: strings.ToUpper(r.Method.V), Path: r.Path.V, Description: r.Description.V,
		Handler:       filepath.ToSlash(filepath.Clean(r.Handler.V)),
		SuccessStatus: 200, RequestParameters: map[string]bool{},
		Authorization: "NONE", Scopes: values(r.Scopes),
	}
	layer(&rt, builtKeys, []config.Settings{d, r.Settings})
	if r.Auth.V != "none" {
		rt.Auth = r.Auth.V
	}
	for _, a := range cfg.Authorizers {
		if a.Name.V != r.Auth.V {
			continue
		}
		switch a.Type.V {
		case "api_key":
			rt.APIKeyRequired = true
		case "token", "request":
			rt.Authorizer, rt.Authorization = a.Name.V, "CUSTOM"
		case "cognito":
			rt.Authorizer, rt.Authorization = a.Name.V, "COGNITO_USER_POOLS"
		case "iam":
			rt.Authorization = "AWS_IAM"
		}
	}
	for _, seg := range strings.Split(r.Path.V, "/") {
		if strings.HasPrefix(seg, "{") {
			rt.RequestParameters["method.request.path."+strings.TrimSuffix(strings.Trim(seg, "{}"), "+")] = true
		}
	}
	body, params := false, false
	if q := r.Request; q != nil {
		if q.Schema.Set {
			rt.RequestSchema = filepath.ToSlash(filepath.Clean(q.Schema.V))
			body = true
		}
		for _, s := range q.Query {
			rt.RequestParameters["method.request.querystring."+s.V] = true
			params = true
		}
		for _, s := range q.Headers {
			rt.RequestParameters["method.request.header."+s.V] = true
			params = true
		}
		if q.Example.Set {
			rt.RequestExample = q.Example.Raw
		}
		if len(q.ExampleParams) > 0 {
			rt.ExampleParams = kvMap(q.ExampleParams)
		}
	}
	switch {
	case body && params:
		rt.Validator = "all"
	case body:
		rt.Validator = "body"
	case params:
		rt.Validator = "params"
	}
	if s := r.Response; s != nil {
		rt.ResponseSchema = filepath.ToSlash(filepath.Clean(s.Schema.V))
		if s.Status.Set {
			rt.SuccessStatus = s.Status.V
		} else if rt.Method == "POST" {
			rt.SuccessStatus = 201
		}
	}
	for i, p := range r.Permissions {
		st := Statement{Sid: sid(r.Name.V, p.Table.V, i), Table: p.Table.V}
		var reads []string // the actions that may also target an index
		for _, a := range p.Actions {
			act := strings.TrimPrefix(a.V, "dynamodb:")
			st.Actions = append(st.Actions, "dynamodb:"+act)
			if act == "Query" || act == "Scan" || act == "PartiQLSelect" {
				reads = append(reads, "dynamodb:"+act)
			}
		}
		slices.Sort(st.Actions)
		st.Actions = slices.Compact(st.Actions)
		rt.Statements = append(rt.Statements, st)
		// Indexes get only the reads, and only the indexes the table has.
		if idx := indexNames(cfg, p.Table.V); len(idx) > 0 && len(reads) > 0 {
			slices.Sort(reads)
			rt.Statements = append(rt.Statements, Statement{Sid: st.Sid + "Indexes", Actions: slices.Compact(reads), Table: p.Table.V, Indexes: idx})
		}
	}
	return rt
}

func indexNames(cfg *config.Config, table string) []string {
	for _, t := range cfg.Tables {
		if t.Name.V == table {
			var out []string
			for _, x := range t.Indexes {
				out = append(out, x.Name.V)
			}
			return out
		}
	}
	return nil
}

// sid builds an IAM statement id: alphanumeric only.
func sid(route, table string, i int) string {
	var b strings.Builder
	for _, part := range []string{route, table} {
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '_' || r == '-' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	if i > 0 {
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

func env(cfg *config.Config, m *Model, name string) Env {
	var ec config.Environment
	for _, e := range cfg.Environments {
		if e.Name.V == name {
			ec = e
		}
	}
	e := Env{
		Name: name, Stage: or(ec.Stage.V, name),
		Region:             or(ec.Region.V, or(cfg.API.Region.V, DefaultRegion)),
		Metrics:            !ec.MetricsOn.Set || ec.MetricsOn.V,
		LoggingLevel:       or(ec.LoggingLevel.V, "OFF"),
		DataTrace:          ec.DataTrace.V,
		XRay:               pick(ec.XRayTracing, cfg.API.XRayTracing),
		PITR:               map[string]bool{},
		DeletionProtection: name == "prod",
		Routes:             map[string]RouteValues{},
		Authorizers:        map[string]RouteValues{},
		Domain:             domain(m.API.Domain, ec.Domain),
		WAFWebACLArn:       or(ec.WAFWebACLArn.V, cfg.API.WAFWebACLArn.V),
	}
	if len(ec.StageVars) > 0 {
		e.StageVariables = map[string]string{}
		for _, kv := range ec.StageVars {
			e.StageVariables[kv.Key] = kv.Value.V
		}
	}
	if ec.DeletionProtection.Set {
		e.DeletionProtection = ec.DeletionProtection.V
	}
	if t := ec.Throttle; t != nil {
		e.Throttle = &Throttle{Rate: t.Rate.V, Burst: t.Burst.V}
	}
	// The stage's access logs are kept as long as the functions' logs of
	// defaults, then environments.<env> (not a route's).
	var stageLogs RouteValues
	layer(&stageLogs, []settings.Key{settings.Lookup(settings.Function, "log_retention_days")}, []config.Settings{cfg.Defaults, ec.Settings})
	e.AccessLogRetention = stageLogs.LogRetentionDays
	for _, t := range m.Tables {
		switch {
		case ec.PITR.Set:
			e.PITR[t.Key] = ec.PITR.V
		case t.PointInTimeRecovery != nil:
			e.PITR[t.Key] = *t.PointInTimeRecovery
		default:
			e.PITR[t.Key] = name == "prod"
		}
	}
	for _, r := range cfg.Routes {
		layers := []config.Settings{cfg.Defaults, r.Settings, ec.Settings}
		for _, o := range ec.RouteSettings {
			if o.Route.V == r.Name.V {
				layers = append(layers, o.Settings)
			}
		}
		e.Routes[r.Name.V] = withCORS(resolve(layers), m.API.CORS)
	}
	for _, a := range cfg.Authorizers {
		if a.Type.V != "token" && a.Type.V != "request" {
			continue
		}
		layers := []config.Settings{cfg.Defaults, a.Settings, ec.Settings}
		for _, o := range ec.AuthSettings {
			if o.Route.V == a.Name.V {
				layers = append(layers, o.Settings)
			}
		}
		e.Authorizers[a.Name.V] = resolve(layers)
	}
	for _, up := range m.UsagePlans {
		for _, o := range ec.AuthSettings {
			if o.Route.V != up.Name {
				continue
			}
			if t := o.Throttle; t != nil {
				up.Throttle = &Throttle{Rate: t.Rate.V, Burst: t.Burst.V}
			}
			if q := o.Quota; q != nil {
				up.QuotaLimit, up.QuotaPer = q.Limit.V, q.Period.V
			}
		}
		e.UsagePlans = append(e.UsagePlans, up)
	}
	return e
}

// resolve applies settings layers in order; later layers win. layer
// merges every per-environment key of the settings table; the environment
// variables' merged mapping becomes their references and secrets here.
func resolve(layers []config.Settings) RouteValues {
	var v RouteValues
	vars := layer(&v, perEnvKeys, layers)["environment"]
	for _, k := range sortedKeys(vars) {
		if ref, ok := config.ParseSecretRef(vars[k]); ok {
			// The function gets the reference itself, as literal text.
			v.Environment = append(v.Environment, EnvVar{Name: k, Parts: []Part{{Text: vars[k]}}})
			v.Secrets = append(v.Secrets, Secret{Kind: ref.Kind, Name: ref.Name})
			continue
		}
		v.Environment = append(v.Environment, EnvVar{Name: k, Parts: parseRefs(vars[k])})
	}
	v.Secrets = sortSecrets(v.Secrets)
	return v
}

// The variables that carry api.cors to every route's function. They are
// lambdakit/cors's EnvOrigins, EnvCredentials and EnvExposeHeaders (a test
// keeps them equal; the generator does not import Lambda's packages).
const (
	EnvCORSOrigins       = "APIBUILDER_CORS_ORIGINS"
	EnvCORSCredentials   = "APIBUILDER_CORS_CREDENTIALS"
	EnvCORSExposeHeaders = "APIBUILDER_CORS_EXPOSE_HEADERS"
)

// withCORS adds the variables that give a route's function the API's
// CORS settings (lambdakit/cors reads them): with Lambda proxy
// integrations the function's own answer must carry
// Access-Control-Allow-Origin. routes.yaml cannot set these names.
func withCORS(v RouteValues, c *CORS) RouteValues {
	if c == nil {
		return v
	}
	add := map[string]string{
		EnvCORSOrigins:     strings.Join(c.AllowOrigins, ","),
		EnvCORSCredentials: strconv.FormatBool(c.AllowCredentials),
	}
	if len(c.ExposeHeaders) > 0 {
		add[EnvCORSExposeHeaders] = strings.Join(c.ExposeHeaders, ",")
	}
	for _, k := range sortedKeys(add) {
		v.Environment = append(v.Environment, EnvVar{Name: k, Parts: []Part{{Text: add[k]}}})
	}
	sort.Slice(v.Environment, func(i, j int) bool { return v.Environment[i].Name < v.Environment[j].Name })
	return v
}

// parseRefs splits "x-${table.items.name}" into text and reference parts
// ("$${" is a literal "${").
func parseRefs(s string) []Part {
	refs, _ := config.SplitRefs(s)
	parts := make([]Part, len(refs))
	for i, r := range refs {
		if !r.IsRef {
			parts[i] = Part{Text: r.Text}
			continue
		}
		ref := strings.Split(r.Ref, ".")
		parts[i] = Part{Table: ref[1], Att: ref[2]}
	}
	return parts
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// pick returns the first layer that is set, most specific first.
func pick(layers ...config.Bool) bool {
	for _, b := range layers {
		if b.Set {
			return b.V
		}
	}
	return false
}

func values(ss []config.Str) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.V
	}
	return out
}

func kvMap(kvs []config.KV) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.V
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// posOr is where s is set, or def.
func posOr(s config.Str, def diag.Pos) diag.Pos {
	if s.Set && s.Pos.Line > 0 {
		return s.Pos
	}
	return def
}
