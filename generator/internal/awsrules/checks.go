package awsrules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/mod/module"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// Values the generator adds to what routes.yaml gives. They are the
// generator's own (package model and render, modules/); the tests of this
// package check them against a generated environment.
const (
	// defaultRegion is the region of an environment that names none (model.DefaultRegion).
	defaultRegion = "us-east-1"
	// envVarLimit is Lambda's limit on a function's environment variables,
	// measured as the JSON object of names and values.
	envVarLimit = 4096
	// maxTags is AWS's limit on tags per resource.
	maxTags = 50
	// accountIDLen is the length of an AWS account ID, part of every table ARN.
	accountIDLen = 12
	// accountRoleInfix makes the account's API Gateway CloudWatch role name,
	// <api>-apigw-cloudwatch-<region> (render's account role).
	accountRoleInfix = "-apigw-cloudwatch-"
	maxRoleName      = 64
	maxTableName     = 255
	maxAttributeName = 255
)

// ourTags are the tag keys the generator sets: project, env and managed_by
// on every resource (the provider's default_tags), route or authorizer on
// each function's resources, preview on a preview's.
var ourTags = []string{"project", "env", "managed_by", "route", "authorizer", "preview"}

// ourTagsPerResource is how many of ourTags one resource carries at most:
// the three default tags, route or authorizer, and preview.
const ourTagsPerResource = 5

// corsVars are the variables that carry api.cors to every route's function
// (model.EnvCORS*; lambdakit/cors reads them).
const (
	corsOrigins       = "APIBUILDER_CORS_ORIGINS"
	corsCredentials   = "APIBUILDER_CORS_CREDENTIALS"
	corsExposeHeaders = "APIBUILDER_CORS_EXPOSE_HEADERS"
)

// ourEnvPrefix starts the names of the variables the generator adds.
const ourEnvPrefix = "APIBUILDER_"

// lambdaReserved are the environment variables Lambda sets and does not let
// a function set. AWS_* ones are refused by package config already.
var lambdaReserved = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

var (
	acmArnRe   = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+$`)
	wafArnRe   = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:wafv2:([a-z0-9-]+):\d{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]+$`)
	tagCharsRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	mediaRe    = regexp.MustCompile(`^[A-Za-z0-9!#$&^_.+*-]+/[A-Za-z0-9!#$&^_.+*-]+$`)
)

// bucketPrefixes are the bucket name prefixes S3 reserves.
var bucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}

// envRegion is where env deploys.
func envRegion(cfg *config.Config, e *config.Environment) string {
	if e != nil && e.Region.Set {
		return e.Region.V
	}
	if cfg.API.Region.Set {
		return cfg.API.Region.V
	}
	return defaultRegion
}

// envs are the environments generated, with their definitions (nil for
// the default dev and prod).
func envs(cfg *config.Config) (names []string, defs []*config.Environment) {
	for _, n := range cfg.EnvNames() {
		var def *config.Environment
		for i := range cfg.Environments {
			if cfg.Environments[i].Name.V == n {
				def = &cfg.Environments[i]
			}
		}
		names, defs = append(names, n), append(defs, def)
	}
	return names, defs
}

// envList names environments with a verb: "environment dev deploys",
// "environments dev, prod deploy".
func envList(names []string, one, many string) string {
	if len(names) == 1 {
		return strings.TrimSpace("environment " + names[0] + " " + one)
	}
	return strings.TrimSpace("environments " + strings.Join(names, ", ") + " " + many)
}

// ---- Lambda ----

// function is a Lambda function routes.yaml defines: a route's, or a
// token or request authorizer's.
type function struct {
	field    string // routes[i] or authorizers.<name>
	name     config.Str
	handler  config.Str
	settings config.Settings
	route    bool
}

func functions(cfg *config.Config) []function {
	var out []function
	for _, r := range cfg.Routes {
		out = append(out, function{field: r.Field, name: r.Name, handler: r.Handler, settings: r.Settings, route: true})
	}
	for _, a := range cfg.Authorizers {
		if a.Type.V == "token" || a.Type.V == "request" {
			out = append(out, function{field: "authorizers." + a.Name.V, name: a.Name, handler: a.Handler, settings: a.Settings})
		}
	}
	return out
}

// layers are the settings that apply to fn in env, least specific first.
func layers(cfg *config.Config, fn function, e *config.Environment) []config.Settings {
	out := []config.Settings{cfg.Defaults, fn.settings}
	if e == nil {
		return out
	}
	out = append(out, e.Settings)
	overrides := e.AuthSettings
	if fn.route {
		overrides = e.RouteSettings
	}
	for _, o := range overrides {
		if o.Route.V == fn.name.V {
			out = append(out, o.Settings)
		}
	}
	return out
}

// checkEnvSize: Lambda refuses a function whose environment variables,
// measured as the JSON object Lambda stores, exceed 4 KB. The generator
// adds its own (APIBUILDER_CORS_*) to every route's function and turns
// ${table.<name>.name|arn} into the table's name or ARN, so the size is
// the deployed one, per environment.
func checkEnvSize(cfg *config.Config, l *diag.List) {
	names, defs := envs(cfg)
	for _, fn := range functions(cfg) {
		var over []string
		worst, worstOurs := 0, 0
		for i, env := range names {
			vars, ours := envVars(cfg, fn, env, defs[i])
			if len(vars) == 0 {
				continue
			}
			n := jsonSize(vars)
			if n > envVarLimit {
				over = append(over, env)
				if n > worst {
					worst, worstOurs = n, jsonSize(ours)-2
				}
			}
		}
		if len(over) == 0 {
			continue
		}
		ours := ""
		if worstOurs > 0 {
			ours = fmt.Sprintf(", %d of them the %s* variables apibuilder adds from api.cors", worstOurs, ourEnvPrefix)
		}
		l.Add(fn.name.Pos, fn.field+".environment", fmt.Sprintf("the function's environment variables are %d bytes in %s (names and values as Lambda measures them, table references resolved%s); Lambda allows 4 KB (%d bytes) per function",
			worst, envList(over, "", ""), ours, envVarLimit),
			"move large values to SSM Parameter Store or Secrets Manager (ssm:/<name> or secretsmanager:<name> values are read at run time), or shorten names and values")
	}
}

// envVars are fn's environment variables in env as deployed (def is the
// environment's definition, or nil): routes.yaml's layers merged, table
// references resolved, and the ones apibuilder adds, which are also
// returned apart.
func envVars(cfg *config.Config, fn function, env string, def *config.Environment) (vars, ours map[string]string) {
	vars, ours = map[string]string{}, map[string]string{}
	for _, s := range layers(cfg, fn, def) {
		for _, kv := range s.Environment {
			vars[kv.Key] = resolveRefs(cfg, env, envRegion(cfg, def), kv.Value.V)
		}
	}
	if c := cfg.API.CORS; c != nil && fn.route {
		ours[corsOrigins] = strings.Join(strs(c.AllowOrigins), ",")
		ours[corsCredentials] = fmt.Sprint(c.AllowCredentials.V)
		if len(c.ExposeHeaders) > 0 {
			ours[corsExposeHeaders] = strings.Join(strs(c.ExposeHeaders), ",")
		}
	}
	for k, v := range ours {
		vars[k] = v
	}
	return vars, ours
}

// resolveRefs gives an environment value as deployed: a table reference
// becomes the table's name (<api>-<env>-<table>) or ARN (with a 12-digit
// account ID).
func resolveRefs(cfg *config.Config, env, region, value string) string {
	parts, _ := config.SplitRefs(value)
	var b strings.Builder
	for _, p := range parts {
		if !p.IsRef {
			b.WriteString(p.Text)
			continue
		}
		ref := strings.Split(p.Ref, ".")
		if len(ref) != 3 {
			continue
		}
		name := cfg.API.Name.V + "-" + env + "-" + ref[1]
		if ref[2] == "arn" {
			name = "arn:aws:dynamodb:" + region + ":" + strings.Repeat("0", accountIDLen) + ":table/" + name
		}
		b.WriteString(name)
	}
	return b.String()
}

func jsonSize(vars map[string]string) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(vars); err != nil {
		return 0
	}
	return buf.Len() - 1 // Encode adds a newline
}

func strs(ss []config.Str) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.V
	}
	return out
}

// checkReservedEnv: Lambda sets some variables itself and refuses a
// function that sets them. Names that are not variable names, AWS_* ones
// and the APIBUILDER_CORS_* ones apibuilder adds, package config reports
// already.
func checkReservedEnv(cfg *config.Config, l *diag.List) {
	each := func(s config.Settings, field string) {
		for _, kv := range s.Environment {
			f := field + ".environment." + kv.Key
			switch {
			case strings.HasPrefix(kv.Key, "AWS_") || strings.HasPrefix(kv.Key, config.CORSEnvPrefix) || !validVarName(kv.Key):
			case slices.Contains(lambdaReserved, kv.Key):
				l.Add(kv.Value.Pos, f, "is reserved: Lambda sets it in every function and refuses a function that sets it", "choose another name")
			}
		}
	}
	forEachSettings(cfg, each)
}

func validVarName(s string) bool {
	if s == "" || !unicode.IsLetter(rune(s[0])) || s[0] > unicode.MaxASCII {
		return false
	}
	for _, c := range s {
		if !(c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_')) {
			return false
		}
	}
	return true
}

// forEachSettings calls f on every layer of function settings in the file.
func forEachSettings(cfg *config.Config, f func(config.Settings, string)) {
	f(cfg.Defaults, "defaults")
	for _, r := range cfg.Routes {
		f(r.Settings, r.Field)
	}
	for _, a := range cfg.Authorizers {
		f(a.Settings, "authorizers."+a.Name.V)
	}
	for _, e := range cfg.Environments {
		ef := "environments." + e.Name.V
		f(e.Settings, ef)
		for _, o := range e.RouteSettings {
			f(o.Settings, ef+".routes."+o.Route.V)
		}
		for _, o := range e.AuthSettings {
			f(o.Settings, ef+".authorizers."+o.Route.V)
		}
	}
}

// ---- Go handlers ----

// checkHandlerImportPath: the generator builds each handler with go build
// ./<handler>, and the go command refuses a directory that is not a valid
// import path (a space, a quote, a leading dot, a name Windows reserves)
// with no position of its own: say which route names it.
func checkHandlerImportPath(cfg *config.Config, l *diag.List) {
	for _, fn := range functions(cfg) {
		h := fn.handler
		if !h.Set || h.V == "" || strings.Contains(h.V, `\`) || path.IsAbs(h.V) {
			continue
		}
		clean := path.Clean(h.V)
		if clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
			continue
		}
		if err := module.CheckImportPath("example.com/" + clean); err != nil {
			msg := err.Error()
			if e, ok := err.(*module.InvalidPathError); ok && e.Err != nil {
				msg = e.Err.Error()
			}
			l.Add(h.Pos, fn.field+".handler", fmt.Sprintf("%q is not a valid Go import path (%s), so go build cannot build it", h.V, msg),
				"rename the directory: use letters, digits and - . _ ~ + in each element")
		}
	}
}

// ---- IAM ----

// checkAccountRoleName: with api.cloudwatch_role, the generator names the
// account's API Gateway CloudWatch role <api>-apigw-cloudwatch-<region>,
// once per region; IAM refuses role names over 64 characters.
func checkAccountRoleName(cfg *config.Config, l *diag.List) {
	if !cfg.API.CloudWatchRole.V || !cfg.API.Name.Set {
		return
	}
	names, defs := envs(cfg)
	seen := map[string]bool{}
	for i := range names {
		region := envRegion(cfg, defs[i])
		role := cfg.API.Name.V + accountRoleInfix + region
		if len(role) <= maxRoleName || seen[region] {
			continue
		}
		seen[region] = true
		l.Add(cfg.API.Name.Pos, "api.name", fmt.Sprintf("makes the account's API Gateway CloudWatch role %q (api.cloudwatch_role) %d characters long in %s; IAM allows %d", role, len(role), region, maxRoleName),
			fmt.Sprintf("shorten api.name to at most %d characters", maxRoleName-len(accountRoleInfix)-len(region)))
	}
}

// ---- DynamoDB ----

// checkTableNames: each table is named <api>-<env>-<table>; DynamoDB
// allows 3 to 255 characters.
func checkTableNames(cfg *config.Config, l *diag.List) {
	names, _ := envs(cfg)
	longest := ""
	for _, n := range names {
		if len(n) > len(longest) {
			longest = n
		}
	}
	for _, t := range cfg.Tables {
		full := cfg.API.Name.V + "-" + longest + "-" + t.Name.V
		if len(full) > maxTableName {
			l.Add(t.Name.Pos, "tables."+t.Name.V, fmt.Sprintf("the table's name in environment %s would be %d characters; DynamoDB allows %d", longest, len(full), maxTableName), "shorten the table's key or api.name")
		}
	}
}

// checkAttributes: DynamoDB key attribute names are 1 to 255 bytes; the
// time-to-live attribute must hold a Number, so it cannot be a key
// attribute declared S or B (DynamoDB accepts it and never expires an item).
func checkAttributes(cfg *config.Config, l *diag.List) {
	for _, t := range cfg.Tables {
		f := "tables." + t.Name.V
		keys := map[string]string{} // attribute -> type
		note := func(name, typ config.Str, field string) {
			if !name.Set {
				return
			}
			if len(name.V) > maxAttributeName {
				l.Add(name.Pos, field, fmt.Sprintf("is %d bytes; DynamoDB allows key attribute names of at most %d", len(name.V), maxAttributeName), "shorten it")
			}
			ty := typ.V
			if !typ.Set {
				ty = "S"
			}
			if _, ok := keys[name.V]; !ok {
				keys[name.V] = ty
			}
		}
		note(t.HashKey, t.HashKeyType, f+".hash_key")
		note(t.RangeKey, t.RangeKeyType, f+".range_key")
		for _, x := range t.Indexes {
			xf := f + ".indexes." + x.Name.V
			note(x.HashKey, x.HashKeyType, xf+".hash_key")
			note(x.RangeKey, x.RangeKeyType, xf+".range_key")
		}
		ttl := t.TTLAttribute
		if !ttl.Set {
			continue
		}
		switch {
		case ttl.V == "" || len(ttl.V) > maxAttributeName:
			l.Add(ttl.Pos, f+".ttl_attribute", fmt.Sprintf("is %d bytes; DynamoDB allows attribute names of 1 to %d", len(ttl.V), maxAttributeName), "name the Number attribute holding each item's expiry time (epoch seconds)")
		case keys[ttl.V] == "S" || keys[ttl.V] == "B":
			l.Add(ttl.Pos, f+".ttl_attribute", fmt.Sprintf("%q is a key attribute of type %s; DynamoDB's time to live reads a Number (epoch seconds) and silently never expires items whose attribute is not one", ttl.V, keys[ttl.V]),
				"use a separate Number attribute, e.g. ttl_attribute: expires_at")
		}
	}
}

// ---- API Gateway ----

// checkDomainRegion: apibuilder creates a REGIONAL custom domain in each
// environment's region (for REGIONAL and EDGE APIs alike); API Gateway
// needs its ACM certificate in that same region (an EDGE domain's would
// be in us-east-1). A PRIVATE API cannot be mapped to it.
func checkDomainRegion(cfg *config.Config, l *diag.List) {
	names, defs := envs(cfg)
	type use struct {
		cert    config.Str
		field   string
		region  string
		envs    []string
		certEnv bool
	}
	var uses []*use
	for i, env := range names {
		var cert config.Str
		field := ""
		if d := cfg.API.Domain; d != nil && d.CertificateArn.Set {
			cert, field = d.CertificateArn, d.Field+".certificate_arn"
		}
		if e := defs[i]; e != nil && e.Domain != nil && e.Domain.CertificateArn.Set {
			cert, field = e.Domain.CertificateArn, e.Domain.Field+".certificate_arn"
		}
		m := acmArnRe.FindStringSubmatch(cert.V)
		if m == nil {
			continue // none, or not an ARN: package config reports it
		}
		region := envRegion(cfg, defs[i])
		if m[1] == region {
			continue
		}
		i := slices.IndexFunc(uses, func(u *use) bool { return u.cert == cert && u.region == region })
		if i < 0 {
			uses = append(uses, &use{cert: cert, field: field, region: region})
			i = len(uses) - 1
		}
		uses[i].envs = append(uses[i].envs, env)
	}
	for _, u := range uses {
		region := acmArnRe.FindStringSubmatch(u.cert.V)[1]
		hint := fmt.Sprintf("request or import a certificate for the name in %s and set it", u.region)
		if len(cfg.Environments) > 0 {
			hint += fmt.Sprintf(" under environments.<env>.domain.certificate_arn for each environment in %s", u.region)
		}
		what := ""
		if cfg.API.EndpointType.V == "EDGE" {
			what = " (an EDGE API's own domain would want us-east-1, but apibuilder creates a REGIONAL domain for it)"
		}
		l.Add(u.cert.Pos, u.field, fmt.Sprintf("the certificate is in %s, but %s to %s; API Gateway needs a REGIONAL custom domain's certificate in the API's region%s",
			region, envList(u.envs, "deploys", "deploy"), u.region, what), hint)
	}
	if cfg.API.EndpointType.V == "PRIVATE" {
		if d := cfg.API.Domain; d != nil {
			l.Add(d.Pos, d.Field, "a PRIVATE API cannot be mapped to the public REGIONAL custom domain apibuilder creates", "remove domain, or use endpoint_type: REGIONAL")
		}
	}
}

// checkWAFRegion: a regional web ACL can only be associated with a stage
// in its own region.
func checkWAFRegion(cfg *config.Config, l *diag.List) {
	names, defs := envs(cfg)
	type use struct {
		arn         config.Str
		field       string
		arnRegion   string
		envs        []string
		stageRegion string
	}
	var uses []*use
	for i, env := range names {
		arn, field := cfg.API.WAFWebACLArn, "api.waf_web_acl_arn"
		if e := defs[i]; e != nil && e.WAFWebACLArn.Set {
			arn, field = e.WAFWebACLArn, "environments."+env+".waf_web_acl_arn"
		}
		m := wafArnRe.FindStringSubmatch(arn.V)
		if m == nil {
			continue
		}
		region := envRegion(cfg, defs[i])
		if m[1] == region {
			continue
		}
		j := slices.IndexFunc(uses, func(u *use) bool { return u.arn == arn && u.stageRegion == region })
		if j < 0 {
			uses = append(uses, &use{arn: arn, field: field, arnRegion: m[1], stageRegion: region})
			j = len(uses) - 1
		}
		uses[j].envs = append(uses[j].envs, env)
	}
	for _, u := range uses {
		l.Add(u.arn.Pos, u.field, fmt.Sprintf("the web ACL is in %s, but %s to %s; WAF associates a regional web ACL only with stages in its own region", u.arnRegion, envList(u.envs, "deploys", "deploy"), u.stageRegion),
			fmt.Sprintf("create the web ACL in %s and set it under environments.<env>.waf_web_acl_arn", u.stageRegion))
	}
}

// checkBinaryMediaTypes: API Gateway compares a request's Content-Type
// and Accept with each binary media type, type/subtype with * wildcards;
// anything else never matches, and binary bodies arrive mangled.
func checkBinaryMediaTypes(cfg *config.Config, l *diag.List) {
	for i, m := range cfg.API.BinaryMediaTypes {
		if !mediaRe.MatchString(m.V) {
			l.Add(m.Pos, fmt.Sprintf("api.binary_media_types[%d]", i), fmt.Sprintf("%q is not a media type", m.V), "write type/subtype, e.g. image/png, application/octet-stream or */*")
		}
	}
}

// ---- Tags ----

// checkTags: AWS allows 50 tags per resource, the generator's included
// (project, env, managed_by on every resource, route or authorizer on a
// function's, preview on a preview's); keys are 1-128 characters and
// values 0-256 of letters, digits, spaces and _ . : / = + - @; aws: is
// AWS's; a key the generator sets would silently replace the user's.
func checkTags(cfg *config.Config, l *diag.List) {
	a := cfg.API
	if n := len(a.Tags); n+ourTagsPerResource > maxTags && n <= maxTags {
		l.Add(a.Tags[maxTags-ourTagsPerResource].Value.Pos, "api.tags", fmt.Sprintf("%d tags, and apibuilder adds up to %d to each resource (%s): %d in all; AWS allows %d per resource", n, ourTagsPerResource, strings.Join(ourTags, ", "), n+ourTagsPerResource, maxTags),
			fmt.Sprintf("keep at most %d tags", maxTags-ourTagsPerResource))
	}
	for _, kv := range a.Tags {
		f := "api.tags." + kv.Key
		k := kv.Key
		switch {
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			l.Add(kv.Value.Pos, f, "the aws: prefix is reserved for AWS's own tags", "remove it, or choose another key")
		case slices.Contains(ourTags, k):
			l.Add(kv.Value.Pos, f, "is a tag apibuilder sets itself, and its value would silently replace this one", "choose another key (apibuilder sets "+strings.Join(ourTags, ", ")+")")
		case k == "" || len([]rune(k)) > 128:
			l.Add(kv.Value.Pos, f, fmt.Sprintf("the key is %d characters; AWS allows 1 to 128", len([]rune(k))), "shorten it")
		case !tagCharsRe.MatchString(k):
			l.Add(kv.Value.Pos, f, fmt.Sprintf("the key %q has characters AWS does not allow in tags", k), "use letters, digits, spaces and _ . : / = + - @")
		}
		v := kv.Value.V
		switch {
		case len([]rune(v)) > 256:
			l.Add(kv.Value.Pos, f, fmt.Sprintf("the value is %d characters; AWS allows at most 256", len([]rune(v))), "shorten it")
		case !tagCharsRe.MatchString(v):
			l.Add(kv.Value.Pos, f, fmt.Sprintf("the value %q has characters AWS does not allow in tags", v), "use letters, digits, spaces and _ . : / = + - @")
		}
	}
}

// ---- S3 ----

// checkBucketPrefix: the functions' artifacts bucket is named
// <api>-<env>-pkg-<random> (bucket_prefix), and S3 refuses bucket names
// starting with a prefix it reserves.
func checkBucketPrefix(cfg *config.Config, l *diag.List) {
	n := cfg.API.Name
	if !n.Set {
		return
	}
	for _, p := range bucketPrefixes {
		if strings.HasPrefix(n.V, p) {
			l.Add(n.Pos, "api.name", fmt.Sprintf("starts with %q, which S3 reserves for bucket names, and the functions' bucket is named <api>-<env>-pkg-...", p), "choose a name that does not start with "+strings.Join(bucketPrefixes, ", "))
		}
	}
}
