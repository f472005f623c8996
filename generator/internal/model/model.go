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
)

// Defaults applied when routes.yaml sets nothing.
const (
	DefaultRegion       = "us-east-1"
	DefaultRuntime      = "provided.al2023"
	DefaultArchitecture = "arm64"
	DefaultMemoryMB     = 128
	DefaultTimeoutS     = 10
	DefaultRetention    = 14
	DefaultTracing      = "PassThrough"
	DefaultEndpointType = "REGIONAL"
)

// Model is everything the renderer needs, independent of YAML.
type Model struct {
	Source      string // routes file, for headers and messages
	API         API
	Tables      []Table
	Routes      []Route
	Paths       []string // distinct route paths, sorted
	Validators  []string // request validators in use: body, params, all
	UsagePlans  []UsagePlan
	Envs        []Env
	Backend     *Backend
	ProjectRoot string // directory of routes.yaml (absolute)
}

// API is the REST API's env-independent settings.
type API struct {
	Name, Description, EndpointType string
	BinaryMediaTypes                []string
	MinimumCompressionSize          int // -1: off
	Tags                            map[string]string
	AccessLogs, CloudWatchRole      bool
	CORS                            *CORS
}

// CORS mirrors modules/api_gateway's cors variable.
type CORS struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	MaxAgeSeconds                                           int
	AllowCredentials                                        bool
}

// Table is a DynamoDB table; its name gets the API and env prefix.
type Table struct {
	Key                       string // YAML key, also the HCL resource name
	HashKey, HashKeyType      string
	RangeKey, RangeKeyType    string
	BillingMode, TTLAttribute string
	PointInTimeRecovery       *bool  // nil: on in prod only
	KMSKey                    string // "": AWS owned key; "aws_managed"; or a key ARN
}

// Route is one method + path and its function.
type Route struct {
	Name, Method, Path, Description string
	Handler                         string // slash path relative to ProjectRoot
	Runtime, Architecture           string
	RequestSchema, ResponseSchema   string // slash paths relative to ProjectRoot; "" for none
	SuccessStatus                   int
	RequestParameters               map[string]bool // method.request.* => required
	Validator                       string          // body, params, all or ""
	APIKeyRequired                  bool
	Statements                      []Statement
}

// Statement is one least-privilege IAM statement on one table.
type Statement struct {
	Sid     string
	Actions []string // dynamodb:Action
	Table   string   // table key
	Indexes bool     // also the table's indexes (Query, Scan)
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
	Routes              map[string]RouteValues
}

// RouteValues are a route's per-environment function settings.
type RouteValues struct {
	MemoryMB, TimeoutS, LogRetentionDays, ReservedConcurrency int
	Tracing                                                   string
	Layers                                                    []string
	Environment                                               []EnvVar // sorted by name
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
	m := &Model{Source: filepath.Base(cfg.File), ProjectRoot: cfg.Dir}
	a := cfg.API
	m.API = API{
		Name: a.Name.V, Description: a.Description.V, EndpointType: or(a.EndpointType.V, DefaultEndpointType),
		BinaryMediaTypes: values(a.BinaryMediaTypes), MinimumCompressionSize: -1, Tags: kvMap(a.Tags),
		AccessLogs: !a.AccessLogs.Set || a.AccessLogs.V, CloudWatchRole: a.CloudWatchRole.V,
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
		m.Tables = append(m.Tables, tb)
	}
	for _, au := range cfg.Authorizers {
		if au.Type.V != "api_key" {
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
		m.Envs = append(m.Envs, env(cfg, m, name))
	}
	if b := cfg.Backend; b != nil {
		m.Backend = &Backend{Bucket: b.Bucket.V, Region: or(b.Region.V, or(a.Region.V, DefaultRegion)), KeyPrefix: strings.Trim(b.KeyPrefix.V, "/"), LockTable: b.LockTable.V, Lockfile: b.Lockfile.V}
	}
	return m
}

func route(cfg *config.Config, r config.Route) Route {
	d := cfg.Defaults
	rt := Route{
		Name: r.Name.V, Method: strings.ToUpper(r.Method.V), Path: r.Path.V, Description: r.Description.V,
		Handler:       filepath.ToSlash(filepath.Clean(r.Handler.V)),
		Runtime:       or(r.Settings.Runtime.V, or(d.Runtime.V, DefaultRuntime)),
		Architecture:  or(r.Settings.Architecture.V, or(d.Architecture.V, DefaultArchitecture)),
		SuccessStatus: 200, RequestParameters: map[string]bool{},
		APIKeyRequired: isAPIKey(cfg, r.Auth.V),
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
		for _, a := range p.Actions {
			act := strings.TrimPrefix(a.V, "dynamodb:")
			st.Actions = append(st.Actions, "dynamodb:"+act)
			if act == "Query" || act == "Scan" || act == "PartiQLSelect" {
				st.Indexes = true
			}
		}
		slices.Sort(st.Actions)
		st.Actions = slices.Compact(st.Actions)
		rt.Statements = append(rt.Statements, st)
	}
	return rt
}

func isAPIKey(cfg *config.Config, auth string) bool {
	for _, a := range cfg.Authorizers {
		if a.Name.V == auth {
			return a.Type.V == "api_key"
		}
	}
	return false
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
		Region:       or(ec.Region.V, or(cfg.API.Region.V, DefaultRegion)),
		Metrics:      !ec.MetricsOn.Set || ec.MetricsOn.V,
		LoggingLevel: or(ec.LoggingLevel.V, "OFF"),
		DataTrace:    ec.DataTrace.V,
		XRay:         pick(ec.XRayTracing, cfg.API.XRayTracing),
		PITR:         map[string]bool{},
		Routes:       map[string]RouteValues{},
	}
	if t := ec.Throttle; t != nil {
		e.Throttle = &Throttle{Rate: t.Rate.V, Burst: t.Burst.V}
	}
	e.AccessLogRetention = firstInt(DefaultRetention, cfg.Defaults.LogRetentionDays, ec.Settings.LogRetentionDays)
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
		e.Routes[r.Name.V] = resolve(layers)
	}
	return e
}

// resolve applies settings layers in order; later layers win.
func resolve(layers []config.Settings) RouteValues {
	v := RouteValues{MemoryMB: DefaultMemoryMB, TimeoutS: DefaultTimeoutS, LogRetentionDays: DefaultRetention, ReservedConcurrency: -1, Tracing: DefaultTracing}
	vars := map[string]string{}
	for _, s := range layers {
		v.MemoryMB = firstInt(v.MemoryMB, s.MemoryMB)
		v.TimeoutS = firstInt(v.TimeoutS, s.TimeoutS)
		v.LogRetentionDays = firstInt(v.LogRetentionDays, s.LogRetentionDays)
		v.ReservedConcurrency = firstInt(v.ReservedConcurrency, s.ReservedConcurrency)
		v.Tracing = or(s.Tracing.V, v.Tracing)
		if s.LayersSet {
			v.Layers = values(s.Layers)
		}
		for _, kv := range s.Environment {
			vars[kv.Key] = kv.Value.V
		}
	}
	for _, k := range sortedKeys(vars) {
		v.Environment = append(v.Environment, EnvVar{Name: k, Parts: parseRefs(vars[k])})
	}
	return v
}

// parseRefs splits "x-${table.items.name}" into text and reference parts.
func parseRefs(s string) []Part {
	var parts []Part
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			break
		}
		if i > 0 {
			parts = append(parts, Part{Text: s[:i]})
		}
		ref := strings.Split(s[i+2:i+j], ".")
		parts = append(parts, Part{Table: ref[1], Att: ref[2]})
		s = s[i+j+1:]
	}
	if s != "" || len(parts) == 0 {
		parts = append(parts, Part{Text: s})
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

func firstInt(def int, layers ...config.Int) int {
	for _, l := range layers {
		if l.Set {
			def = l.V
		}
	}
	return def
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
