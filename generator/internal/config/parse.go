package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/settings"
)

// Keys allowed in each section: the public contract, read from the one
// table of settings (package settings), which the JSON Schema and the
// reference doc are made from too.
var (
	topKeys      = settings.Names(settings.Root)
	apiKeys      = settings.Names("api")
	domainKeys   = settings.Names("domain")
	corsKeys     = settings.Names("cors")
	settingKeys  = settings.Names("function")
	vpcKeys      = settings.Names("vpc")
	tableKeys    = settings.Names("table")
	indexKeys    = settings.Names("index")
	authKeys     = settings.Names("authorizer")
	throttleKeys = settings.Names("throttle")
	quotaKeys    = settings.Names("quota")
	routeKeys    = settings.Names("route")
	requestKeys  = settings.Names("request")
	responseKeys = settings.Names("response")
	permKeys     = settings.Names("permission")
	envKeys      = settings.Names("environment")
	authEnvKeys  = settings.Names("authorizer_env")
	backendKeys  = settings.Names("backend")
	s3Keys       = settings.Names("s3")
	modulesKeys  = settings.Names("modules")
)

// Load reads, parses and validates the file at path. On any problem it
// returns a *diag.Error listing all of them.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file; pass the routes file with -config", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	cfg, list, ok := parse(path, data)
	if ok {
		// Check meaning even after structural errors, so one run reports
		// everything (a typo'd key is also a missing required one).
		cfg.Dir = filepath.Dir(abs)
		validate(cfg, list)
	}
	if err := list.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Parse decodes the YAML structure without touching the file system. It
// never panics on any input.
func Parse(file string, data []byte) (*Config, *diag.List) {
	cfg, list, _ := parse(file, data)
	return cfg, list
}

// parse also reports whether the document had a top-level mapping, i.e.
// whether checking its meaning makes sense.
func parse(file string, data []byte) (*Config, *diag.List, bool) {
	list := &diag.List{File: file}
	cfg := &Config{File: file}
	var doc yaml.Node
	stop, err := readDocument(data, &doc, list) // one document, within the input limits
	if err != nil {
		for _, d := range syntaxErrors(data, err) {
			list.Add(d.Pos, "", d.Message, d.Hint)
		}
		return cfg, list, false
	}
	if stop {
		return cfg, list, false
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		list.Add(diag.Pos{Line: 1, Col: 1}, "", "the file is empty", "start with an api: section and a routes: list")
		return cfg, list, false
	}
	d := &decoder{diags: list}
	top := d.mapping(doc.Content[0], "", topKeys...)
	if top == nil {
		return cfg, list, false
	}
	for _, key := range []string{"api", "routes"} {
		if !top.has(key) {
			list.Add(pos(top.node), key, "missing required section", "see the README for the routes.yaml contract")
		}
	}
	if m := top.sub("api", apiKeys...); m != nil {
		cfg.API = d.api(m)
	}
	if m := top.sub("defaults", settingKeys...); m != nil {
		cfg.Defaults = d.settings(m)
	}
	if m := top.sub("tables"); m != nil {
		for _, e := range m.entries() {
			tm := d.mapping(e.Value, join("tables", e.Key.Value), tableKeys...)
			if tm == nil {
				// Keep the name: references to a malformed table are not errors of their own.
				bad := d.table(e.Key, &mapping{d: d, path: join("tables", e.Key.Value), node: e.Key, values: map[string]*yaml.Node{}})
				bad.Malformed = true
				cfg.Tables = append(cfg.Tables, bad)
				continue
			}
			cfg.Tables = append(cfg.Tables, d.table(e.Key, tm))
		}
	}
	if m := top.sub("authorizers"); m != nil {
		for _, e := range m.entries() {
			if am := d.mapping(e.Value, join("authorizers", e.Key.Value), authKeys...); am != nil {
				cfg.Authorizers = append(cfg.Authorizers, d.authorizer(e.Key, am))
			}
		}
	}
	for i, n := range top.list("routes") {
		field := fmt.Sprintf("routes[%d]", i)
		if rm := d.mapping(n, field, routeKeys...); rm != nil {
			cfg.Routes = append(cfg.Routes, d.route(i, field, rm))
		}
	}
	if m := top.sub("environments"); m != nil {
		for _, e := range m.entries() {
			if em := d.mapping(e.Value, join("environments", e.Key.Value), envKeys...); em != nil {
				cfg.Environments = append(cfg.Environments, d.environment(e.Key, em))
			}
		}
	}
	if m := top.sub("backend", backendKeys...); m != nil {
		if s3 := m.sub("s3", s3Keys...); s3 != nil {
			cfg.Backend = &Backend{
				Pos: pos(s3.node), Bucket: s3.str("bucket"), Region: s3.str("region"),
				KeyPrefix: s3.str("key_prefix"), LockTable: s3.str("dynamodb_table"), Lockfile: s3.bool("use_lockfile"),
			}
		}
	}
	cfg.AllowOutside = top.bool("allow_paths_outside_project")
	if m := top.sub("modules", modulesKeys...); m != nil {
		cfg.Modules = &Modules{Pos: pos(m.node), Path: m.str("path"), Source: m.str("source"), Version: m.str("version")}
	}
	return cfg, list, true
}

func (d *decoder) api(m *mapping) API {
	a := API{
		Pos: pos(m.node), Name: m.str("name"), Description: m.str("description"), EndpointType: m.str("endpoint_type"),
		Region: m.str("region"), BinaryMediaTypes: m.strList("binary_media_types"),
		MinimumCompressionSize: m.int("minimum_compression_size"), Tags: m.strMap("tags"),
		AccessLogs: m.bool("access_logs"), XRayTracing: m.bool("xray_tracing"), CloudWatchRole: m.bool("cloudwatch_role"),
		ResourceQuota: m.int("resource_quota"), Domain: d.domain(m), WAFWebACLArn: m.str("waf_web_acl_arn"),
		VPCEndpointIDs: m.strList("vpc_endpoint_ids"), Policy: m.str("policy"),
	}
	if c := m.sub("cors", corsKeys...); c != nil {
		a.CORS = &CORS{
			Pos: pos(c.node), AllowOrigins: c.strList("allow_origins"), AllowHeaders: c.strList("allow_headers"),
			AllowMethods: c.strList("allow_methods"), ExposeHeaders: c.strList("expose_headers"),
			MaxAgeSeconds: c.int("max_age_seconds"), AllowCredentials: c.bool("allow_credentials"),
		}
	}
	return a
}

func (d *decoder) settings(m *mapping) Settings {
	s := Settings{
		Pos: pos(m.node), Path: m.path,
		Runtime: m.str("runtime"), Architecture: m.str("architecture"), MemoryMB: m.int("memory_mb"),
		TimeoutS: m.int("timeout_s"), LogRetentionDays: m.int("log_retention_days"),
		ReservedConcurrency: m.int("reserved_concurrency"), Tracing: m.str("tracing"),
		Layers: m.strList("layers"), LayersSet: m.has("layers"), Environment: m.strMap("environment"),
		EphemeralStorageMB: m.int("ephemeral_storage_mb"), DeadLetterTargetArn: m.str("dead_letter_target_arn"),
	}
	if v := m.sub("vpc", vpcKeys...); v != nil {
		s.VPC = &VPC{Pos: pos(v.node), SubnetIDs: v.strList("subnet_ids"), SecurityGroupIDs: v.strList("security_group_ids")}
	}
	return s
}

func (d *decoder) domain(m *mapping) *Domain {
	dm := m.sub("domain", domainKeys...)
	if dm == nil {
		return nil
	}
	return &Domain{Pos: pos(dm.node), Field: dm.path, Name: dm.str("name"), CertificateArn: dm.str("certificate_arn"), BasePath: dm.str("base_path")}
}

func (d *decoder) table(key *yaml.Node, m *mapping) Table {
	t := Table{
		Pos: pos(key), Name: Str{V: key.Value, Pos: pos(key), Set: true},
		HashKey: m.str("hash_key"), HashKeyType: m.str("hash_key_type"),
		RangeKey: m.str("range_key"), RangeKeyType: m.str("range_key_type"),
		BillingMode: m.str("billing_mode"), TTLAttribute: m.str("ttl_attribute"),
		PointInTimeRecovery: m.bool("point_in_time_recovery"), Encryption: m.str("encryption"),
	}
	if im := m.sub("indexes"); im != nil {
		for _, e := range im.entries() {
			if x := d.mapping(e.Value, join(im.path, e.Key.Value), indexKeys...); x != nil {
				t.Indexes = append(t.Indexes, Index{
					Pos: pos(e.Key), Name: Str{V: e.Key.Value, Pos: pos(e.Key), Set: true},
					HashKey: x.str("hash_key"), HashKeyType: x.str("hash_key_type"),
					RangeKey: x.str("range_key"), RangeKeyType: x.str("range_key_type"), Projection: x.str("projection"),
				})
			}
		}
	}
	return t
}

func (d *decoder) authorizer(key *yaml.Node, m *mapping) Authorizer {
	a := Authorizer{
		Pos: pos(key), Name: Str{V: key.Value, Pos: pos(key), Set: true}, Type: m.str("type"),
		Keys: m.strList("keys"), Throttle: d.throttle(m), Quota: d.quota(m),
		Handler: m.str("handler"), Description: m.str("description"),
		IdentityValidation: m.str("identity_validation_expression"), ResultTTLSeconds: m.int("result_ttl_seconds"),
		Settings: d.settings(m), UserPoolArns: m.strList("user_pool_arns"), TestToken: m.str("test_token"),
		TestIdentity: m.strMap("test_identity"),
	}
	// identity_source is one string (token) or a list (request); accept both.
	if n := m.value("identity_source"); n != nil {
		a.IdentitySourceSet = true
		if n.Kind == yaml.ScalarNode {
			a.IdentitySource = []Str{m.str("identity_source")}
		} else {
			a.IdentitySource = m.strList("identity_source")
		}
	}
	return a
}

func (d *decoder) throttle(m *mapping) *Throttle {
	t := m.sub("throttle", throttleKeys...)
	if t == nil {
		return nil
	}
	return &Throttle{Pos: pos(t.node), Rate: t.int("rate"), Burst: t.int("burst")}
}

func (d *decoder) quota(m *mapping) *Quota {
	q := m.sub("quota", quotaKeys...)
	if q == nil {
		return nil
	}
	return &Quota{Pos: pos(q.node), Limit: q.int("limit"), Period: q.str("period")}
}

func (d *decoder) route(i int, field string, m *mapping) Route {
	r := Route{
		Pos: pos(m.node), Index: i, Field: field,
		Name: m.str("name"), Method: m.str("method"), Path: m.str("path"), Handler: m.str("handler"),
		Description: m.str("description"), Auth: m.str("auth"), Scopes: m.strList("scopes"), Settings: d.settings(m),
	}
	if b := m.sub("request", requestKeys...); b != nil {
		r.Request = &Body{Pos: pos(b.node), Schema: b.str("schema"), Query: b.strList("query"), Headers: b.strList("headers"),
			Example: d.example(b, "example"), ExampleParams: b.strMap("example_params")}
	}
	if b := m.sub("response", responseKeys...); b != nil {
		r.Response = &Body{Pos: pos(b.node), Schema: b.str("schema"), Status: b.int("status")}
	}
	for j, n := range m.list("permissions") {
		pf := fmt.Sprintf("%s.permissions[%d]", field, j)
		if pm := d.mapping(n, pf, permKeys...); pm != nil {
			r.Permissions = append(r.Permissions, Permission{Pos: pos(pm.node), Field: pf, Table: pm.str("table"), Actions: pm.strList("actions")})
		}
	}
	return r
}

// example reads a YAML value as the JSON it stands for.
func (d *decoder) example(m *mapping, key string) JSON {
	n := m.value(key)
	if n == nil {
		return JSON{}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		d.diags.Add(pos(n), join(m.path, key), "cannot be read: "+err.Error(), "write the example as YAML or JSON")
		return JSON{}
	}
	raw, err := json.Marshal(jsonable(v))
	if err != nil {
		d.diags.Add(pos(n), join(m.path, key), "is not expressible as JSON: "+err.Error(), "use strings, numbers, booleans, null, lists and maps with string keys")
		return JSON{}
	}
	return JSON{Raw: raw, Pos: pos(n), Set: true}
}

// jsonable turns what yaml.v3 decodes (maps with non-string keys among
// them) into values encoding/json accepts.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}

func (d *decoder) environment(key *yaml.Node, m *mapping) Environment {
	e := Environment{
		Pos: pos(key), Name: Str{V: key.Value, Pos: pos(key), Set: true},
		Stage: m.str("stage"), Region: m.str("region"), Throttle: d.throttle(m),
		MetricsOn: m.bool("metrics"), LoggingLevel: m.str("logging_level"), DataTrace: m.bool("data_trace"),
		XRayTracing: m.bool("xray_tracing"), PITR: m.bool("point_in_time_recovery"), DeletionProtection: m.bool("deletion_protection"), Settings: d.settings(m),
		Domain: d.domain(m), WAFWebACLArn: m.str("waf_web_acl_arn"),
		StageVars: m.strMap("stage_variables"),
	}
	e.RouteSettings = d.overrides(m, "routes")
	e.AuthSettings = d.overrides(m, "authorizers")
	return e
}

// overrides reads environments.<env>.<key>.<name>: settings of one function.
func (d *decoder) overrides(m *mapping, key string) []RouteOverride {
	allowed := settingKeys
	if key == "authorizers" { // an api_key authorizer's usage plan limits may differ per env
		allowed = authEnvKeys
	}
	var out []RouteOverride
	if rm := m.sub(key); rm != nil {
		for _, re := range rm.entries() {
			if sm := d.mapping(re.Value, join(rm.path, re.Key.Value), allowed...); sm != nil {
				o := RouteOverride{Route: Str{V: re.Key.Value, Pos: pos(re.Key), Set: true}, Settings: d.settings(sm)}
				if key == "authorizers" {
					o.Throttle, o.Quota = d.throttle(sm), d.quota(sm)
				}
				out = append(out, o)
			}
		}
	}
	return out
}
