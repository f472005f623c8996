package model

import (
	"reflect"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/lambdakit/cors"
)

// The tests below pin each rule of Build with the smallest routes.yaml that
// shows it, so that when a golden file of render changes, these say whether
// the resolved values moved or only their rendering did.

// build parses src (which must be well-formed) and resolves it.
func build(t *testing.T, src string) *Model {
	t.Helper()
	cfg, list := config.Parse("project/routes.yaml", []byte(src))
	if err := list.Err(); err != nil {
		t.Fatalf("test input does not parse:\n%v", err)
	}
	cfg.Dir = "/project"
	return Build(cfg)
}

func envOf(t *testing.T, m *Model, name string) Env {
	t.Helper()
	for _, e := range m.Envs {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no env %q in %v", name, m.Envs)
	return Env{}
}

func routeOf(t *testing.T, m *Model, name string) Route {
	t.Helper()
	for _, r := range m.Routes {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no route %q", name)
	return Route{}
}

func authOf(t *testing.T, m *Model, name string) Authorizer {
	t.Helper()
	for _, a := range m.Authorizers {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no authorizer %q", name)
	return Authorizer{}
}

func check[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// builtIn is what a function gets when routes.yaml sets nothing.
var builtIn = RouteValues{MemoryMB: 128, TimeoutS: 10, LogRetentionDays: 14, ReservedConcurrency: -1, Tracing: "PassThrough"}

// with returns builtIn changed by f.
func with(f func(v *RouteValues)) RouteValues {
	v := builtIn
	f(&v)
	return v
}

func text(name, value string) EnvVar { return EnvVar{Name: name, Parts: []Part{{Text: value}}} }

// TestFunctionSettingsPrecedence: defaults, then the route, then the
// environment, then environments.<env>.routes.<route>; each later layer
// wins for the keys it sets, and only for them.
func TestFunctionSettingsPrecedence(t *testing.T) {
	const routes = `
routes:
  - { name: get_item, method: GET, path: "/items/{id}", handler: functions/get_item ROUTE }
  - { name: list_items, method: GET, path: /items, handler: functions/list_items }
`
	cases := []struct {
		name     string
		defaults string // under defaults:
		route    string // appended to get_item's flow mapping
		envs     string // the environments: section
		env      string
		route2   string // the route to check
		want     RouteValues
	}{
		{
			name: "nothing set: the built-in defaults", env: "dev", route2: "get_item",
			want: builtIn,
		},
		{
			name: "defaults apply to every route",
			defaults: `{ memory_mb: 256, timeout_s: 20, log_retention_days: 30, reserved_concurrency: 5, tracing: Active,
  ephemeral_storage_mb: 1024, dead_letter_target_arn: "arn:aws:sqs:us-east-1:123456789012:dlq",
  layers: ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"], vpc: { subnet_ids: [subnet-1], security_group_ids: [sg-1] },
  environment: { LOG_LEVEL: info } }`,
			env: "prod", route2: "list_items",
			want: RouteValues{
				MemoryMB: 256, TimeoutS: 20, LogRetentionDays: 30, ReservedConcurrency: 5, Tracing: "Active",
				EphemeralStorageMB: 1024, DeadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:dlq",
				Layers:      []string{"arn:aws:lambda:us-east-1:123456789012:layer:l:1"},
				VPC:         &VPC{SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}},
				Environment: []EnvVar{text("LOG_LEVEL", "info")},
			},
		},
		{
			name:     "the route beats defaults, for the keys it sets",
			defaults: "{ memory_mb: 256, timeout_s: 20 }", route: ", memory_mb: 512",
			env: "dev", route2: "get_item",
			want: with(func(v *RouteValues) { v.MemoryMB, v.TimeoutS = 512, 20 }),
		},
		{
			name:     "the environment beats the route",
			defaults: "{ memory_mb: 256 }", route: ", memory_mb: 512, timeout_s: 5",
			envs: "  dev: {}\n  prod: { memory_mb: 1024 }\n",
			env:  "prod", route2: "get_item",
			want: with(func(v *RouteValues) { v.MemoryMB, v.TimeoutS = 1024, 5 }),
		},
		{
			name:  "the environment's value stays in that environment",
			route: ", memory_mb: 512",
			envs:  "  dev: {}\n  prod: { memory_mb: 1024 }\n",
			env:   "dev", route2: "get_item",
			want: with(func(v *RouteValues) { v.MemoryMB = 512 }),
		},
		{
			name:  "environments.<env>.routes.<route> beats the environment",
			route: ", memory_mb: 512",
			envs:  "  prod: { memory_mb: 1024, timeout_s: 30, routes: { get_item: { memory_mb: 2048 } } }\n",
			env:   "prod", route2: "get_item",
			want: with(func(v *RouteValues) { v.MemoryMB, v.TimeoutS = 2048, 30 }),
		},
		{
			name: "a route override applies to its route only",
			envs: "  prod: { memory_mb: 1024, routes: { get_item: { memory_mb: 2048 } } }\n",
			env:  "prod", route2: "list_items",
			want: with(func(v *RouteValues) { v.MemoryMB = 1024 }),
		},
		{
			name:     "environment variables merge by name, later layers win, sorted by name",
			defaults: "{ environment: { B: defaults, A: defaults, D: defaults } }",
			route:    ", environment: { A: route }",
			envs:     "  prod: { environment: { C: env }, routes: { get_item: { environment: { B: override } } } }\n",
			env:      "prod", route2: "get_item",
			want: with(func(v *RouteValues) {
				v.Environment = []EnvVar{text("A", "route"), text("B", "override"), text("C", "env"), text("D", "defaults")}
			}),
		},
		{
			name:     "layers set by a later layer replace the earlier list",
			defaults: `{ layers: ["arn:aws:lambda:us-east-1:123456789012:layer:a:1", "arn:aws:lambda:us-east-1:123456789012:layer:b:1"] }`,
			route:    `, layers: ["arn:aws:lambda:us-east-1:123456789012:layer:c:2"]`,
			env:      "dev", route2: "get_item",
			want: with(func(v *RouteValues) { v.Layers = []string{"arn:aws:lambda:us-east-1:123456789012:layer:c:2"} }),
		},
		{
			name:     "an empty layers list clears them",
			defaults: `{ layers: ["arn:aws:lambda:us-east-1:123456789012:layer:a:1"] }`,
			envs:     "  prod: { layers: [] }\n",
			env:      "prod", route2: "get_item",
			want: builtIn,
		},
		{
			name:     "a VPC is replaced as a whole, not merged",
			defaults: "{ vpc: { subnet_ids: [subnet-1, subnet-2], security_group_ids: [sg-1] } }",
			envs:     "  prod: { routes: { get_item: { vpc: { subnet_ids: [subnet-3], security_group_ids: [sg-3] } } } }\n",
			env:      "prod", route2: "get_item",
			want: with(func(v *RouteValues) {
				v.VPC = &VPC{SubnetIDs: []string{"subnet-3"}, SecurityGroupIDs: []string{"sg-3"}}
			}),
		},
		{
			name:  "table references in values become parts",
			route: `, environment: { TABLE: "${table.items.name}", URL: "arn=${table.items.arn}/x" }`,
			env:   "dev", route2: "get_item",
			want: with(func(v *RouteValues) {
				v.Environment = []EnvVar{
					{Name: "TABLE", Parts: []Part{{Table: "items", Att: "name"}}},
					{Name: "URL", Parts: []Part{{Text: "arn="}, {Table: "items", Att: "arn"}, {Text: "/x"}}},
				}
			}),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := "api: { name: items }\ntables: { items: { hash_key: id } }\n"
			if c.defaults != "" {
				src += "defaults: " + c.defaults + "\n"
			}
			src += strings.Replace(routes, "ROUTE", c.route, 1)
			if c.envs != "" {
				src += "environments:\n" + c.envs
			}
			m := build(t, src)
			check(t, c.env+"/"+c.route2, envOf(t, m, c.env).Routes[c.route2], c.want)
		})
	}
}

// TestRuntimeAndArchitecture: the route, then defaults, then the built-in
// values; one build serves every environment.
func TestRuntimeAndArchitecture(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
defaults: { runtime: provided.al2, architecture: x86_64 }
authorizers:
  admin: { type: token, handler: functions/auth, architecture: arm64 }
routes:
  - { name: a, method: GET, path: /a, handler: functions/a }
  - { name: b, method: GET, path: /b, handler: functions/b, runtime: provided.al2023, architecture: arm64 }
`)
	check(t, "a", [2]string{routeOf(t, m, "a").Runtime, routeOf(t, m, "a").Architecture}, [2]string{"provided.al2", "x86_64"})
	check(t, "b", [2]string{routeOf(t, m, "b").Runtime, routeOf(t, m, "b").Architecture}, [2]string{"provided.al2023", "arm64"})
	check(t, "admin", [2]string{authOf(t, m, "admin").Runtime, authOf(t, m, "admin").Architecture}, [2]string{"provided.al2", "arm64"})

	m = build(t, "api: { name: items }\nroutes:\n  - { name: a, method: GET, path: /a, handler: functions/a }\n")
	check(t, "built in", [2]string{routeOf(t, m, "a").Runtime, routeOf(t, m, "a").Architecture}, [2]string{"provided.al2023", "arm64"})
}

// TestAuthorizerFunctions: a token or request authorizer is a function with
// the same layers as a route (defaults, the authorizer, the environment,
// environments.<env>.authorizers.<name>), and defaults of its own.
func TestAuthorizerFunctions(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
defaults: { memory_mb: 192, environment: { A: defaults } }
authorizers:
  key: { type: api_key }
  admin: { type: token, handler: ./functions/auth/, memory_mb: 256, environment: { B: authorizer } }
  tenant: { type: request, handler: functions/tenant, identity_source: [method.request.header.X-Tenant], result_ttl_seconds: 0 }
  users: { type: cognito, user_pool_arns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC1"] }
  ops: { type: iam, result_ttl_seconds: 60 }
routes:
  - { name: a, method: GET, path: /a, handler: functions/a }
environments:
  dev: {}
  prod:
    timeout_s: 20
    authorizers:
      admin: { memory_mb: 1024, environment: { A: override } }
`)
	check(t, "admin", authOf(t, m, "admin"), Authorizer{
		Pos: diag.Pos{Line: 6, Col: 3}, Name: "admin", Type: "token", Handler: "functions/auth", Description: "Lambda token authorizer admin",
		Runtime: "provided.al2023", Architecture: "arm64",
		IdentitySource: []string{"method.request.header.Authorization"}, ResultTTLSeconds: 300,
	})
	check(t, "tenant", authOf(t, m, "tenant"), Authorizer{
		Pos: diag.Pos{Line: 7, Col: 3}, Name: "tenant", Type: "request", Handler: "functions/tenant", Description: "Lambda request authorizer tenant",
		Runtime: "provided.al2023", Architecture: "arm64",
		IdentitySource: []string{"method.request.header.X-Tenant"}, ResultTTLSeconds: 0,
	})
	check(t, "users", authOf(t, m, "users"), Authorizer{
		Pos: diag.Pos{Line: 8, Col: 3}, Name: "users", Type: "cognito", IdentitySource: []string{"method.request.header.Authorization"}, ResultTTLSeconds: 300,
		UserPoolArns: []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC1"},
	})
	check(t, "ops: IAM has no identity source and no cache", authOf(t, m, "ops"), Authorizer{Pos: diag.Pos{Line: 9, Col: 3}, Name: "ops", Type: "iam"})
	check(t, "api_key authorizers are usage plans, not authorizers", len(m.Authorizers), 4)

	check(t, "dev admin", envOf(t, m, "dev").Authorizers["admin"], with(func(v *RouteValues) {
		v.MemoryMB = 256
		v.Environment = []EnvVar{text("A", "defaults"), text("B", "authorizer")}
	}))
	check(t, "prod admin", envOf(t, m, "prod").Authorizers["admin"], with(func(v *RouteValues) {
		v.MemoryMB, v.TimeoutS = 1024, 20
		v.Environment = []EnvVar{text("A", "override"), text("B", "authorizer")}
	}))
	check(t, "prod tenant", envOf(t, m, "prod").Authorizers["tenant"], with(func(v *RouteValues) {
		v.MemoryMB, v.TimeoutS = 192, 20
		v.Environment = []EnvVar{text("A", "defaults")}
	}))
	if _, ok := envOf(t, m, "prod").Authorizers["users"]; ok {
		t.Error("a cognito authorizer has no function settings")
	}
	check(t, "functions: routes first, then token and request authorizers", m.Functions(), []Function{
		{Kind: "route", Name: "a", Handler: "functions/a", Architecture: "arm64"},
		{Kind: "authorizer", Name: "admin", Handler: "functions/auth", Architecture: "arm64"},
		{Kind: "authorizer", Name: "tenant", Handler: "functions/tenant", Architecture: "arm64"},
	})
	check(t, "description when set", build(t, `
api: { name: items }
authorizers: { admin: { type: token, handler: functions/auth, description: Checks the admin token } }
routes: []
`).Authorizers[0].Description, "Checks the admin token")
}

// TestUsagePlans: an api_key authorizer is a usage plan; its keys default
// to its name; environments.<env>.authorizers.<name> sets that env's
// throttle and quota and nothing else.
func TestUsagePlans(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
authorizers:
  key: { type: api_key, throttle: { rate: 50, burst: 20 }, quota: { limit: 1000, period: MONTH } }
  partners: { type: api_key, keys: [acme, globex] }
routes: []
environments:
  dev: {}
  prod:
    authorizers:
      key: { throttle: { rate: 200, burst: 100 } }
      partners: { quota: { limit: 10, period: DAY } }
`)
	key := UsagePlan{Name: "key", Keys: []string{"key"}, Throttle: &Throttle{Rate: 50, Burst: 20}, QuotaLimit: 1000, QuotaPer: "MONTH"}
	partners := UsagePlan{Name: "partners", Keys: []string{"acme", "globex"}}
	check(t, "the API's plans", m.UsagePlans, []UsagePlan{key, partners})
	check(t, "dev", envOf(t, m, "dev").UsagePlans, []UsagePlan{key, partners})
	prodKey, prodPartners := key, partners
	prodKey.Throttle = &Throttle{Rate: 200, Burst: 100}
	prodPartners.QuotaLimit, prodPartners.QuotaPer = 10, "DAY"
	check(t, "prod", envOf(t, m, "prod").UsagePlans, []UsagePlan{prodKey, prodPartners})
	check(t, "prod's override leaves the API's plan alone", m.UsagePlans[0].Throttle, &Throttle{Rate: 50, Burst: 20})
}

// TestPointInTimeRecovery: the environment's setting, then the table's,
// then on in the environment named prod (and only that name).
func TestPointInTimeRecovery(t *testing.T) {
	cases := []struct {
		name   string
		table  string // extra keys of the table
		envs   string
		want   map[string]bool // env -> PITR of table t
		envSet []string
	}{
		{"unset: on in prod only", "", "  dev: {}\n  prod: {}\n  production: {}\n", map[string]bool{"dev": false, "prod": true, "production": false}, nil},
		{"the table's setting in every env", ", point_in_time_recovery: true", "  dev: {}\n  prod: {}\n", map[string]bool{"dev": true, "prod": true}, nil},
		{"off on the table is off in prod too", ", point_in_time_recovery: false", "  dev: {}\n  prod: {}\n", map[string]bool{"dev": false, "prod": false}, nil},
		{"the environment beats the table", ", point_in_time_recovery: true", "  dev: { point_in_time_recovery: false }\n  prod: {}\n", map[string]bool{"dev": false, "prod": true}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := build(t, "api: { name: items }\ntables: { t: { hash_key: id"+c.table+" } }\nroutes: []\nenvironments:\n"+c.envs)
			for name, want := range c.want {
				check(t, name, envOf(t, m, name).PITR, map[string]bool{"t": want})
			}
		})
	}
}

// TestTables: key types default to S (a range key's too), billing to
// PAY_PER_REQUEST, encryption to the AWS owned key; indexes project ALL.
func TestTables(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
tables:
  plain: { hash_key: id }
  full:
    hash_key: pk
    hash_key_type: N
    range_key: sk
    ttl_attribute: expires
    encryption: aws_managed
    point_in_time_recovery: true
    indexes:
      by_owner: { hash_key: owner, range_key: created, range_key_type: N, projection: KEYS_ONLY }
      by_tag: { hash_key: tag }
  owned: { hash_key: id, encryption: aws_owned }
  cmk: { hash_key: id, encryption: "arn:aws:kms:us-east-1:123456789012:key/1234" }
routes: []
`)
	on := true
	if got := m.Tables[1]; got.Pos.Line != 5 || got.HashKeyPos.Line != 6 || got.RangeKeyPos.Line != 8 {
		t.Errorf("positions of full: %+v %+v %+v; want its name (line 5), hash_key (6), range_key (8)", got.Pos, got.HashKeyPos, got.RangeKeyPos)
	}
	if got := m.Tables[0]; got.RangeKeyPos != got.Pos {
		t.Errorf("plain has no range key: its position %+v, want the table's %+v", got.RangeKeyPos, got.Pos)
	}
	for i := range m.Tables {
		m.Tables[i].Pos, m.Tables[i].HashKeyPos, m.Tables[i].RangeKeyPos = diag.Pos{}, diag.Pos{}, diag.Pos{}
	}
	check(t, "tables", m.Tables, []Table{
		{Key: "plain", HashKey: "id", HashKeyType: "S", BillingMode: "PAY_PER_REQUEST"},
		{
			Key: "full", HashKey: "pk", HashKeyType: "N", RangeKey: "sk", RangeKeyType: "S", BillingMode: "PAY_PER_REQUEST",
			TTLAttribute: "expires", KMSKey: "aws_managed", PointInTimeRecovery: &on,
			Indexes: []Index{
				{Name: "by_owner", HashKey: "owner", HashKeyType: "S", RangeKey: "created", RangeKeyType: "N", Projection: "KEYS_ONLY"},
				{Name: "by_tag", HashKey: "tag", HashKeyType: "S", Projection: "ALL"},
			},
		},
		{Key: "owned", HashKey: "id", HashKeyType: "S", BillingMode: "PAY_PER_REQUEST"},
		{Key: "cmk", HashKey: "id", HashKeyType: "S", BillingMode: "PAY_PER_REQUEST", KMSKey: "arn:aws:kms:us-east-1:123456789012:key/1234"},
	})
}

// TestAPI: the REST API's defaults (REGIONAL, compression off, access logs
// on) and CORS (max age 600 unless set; nothing when cors is absent).
func TestAPI(t *testing.T) {
	t.Parallel()
	m := build(t, "api: { name: items }\nroutes: []\n")
	check(t, "defaults", m.API, API{Name: "items", EndpointType: "REGIONAL", MinimumCompressionSize: -1, Tags: map[string]string{}, AccessLogs: true})
	check(t, "file, source and root", [3]string{m.File, m.Source, m.ProjectRoot}, [3]string{"project/routes.yaml", "routes.yaml", "/project"})

	m = build(t, `
api:
  name: items
  description: Items API
  endpoint_type: EDGE
  binary_media_types: [image/png]
  minimum_compression_size: 0
  tags: { team: payments }
  access_logs: false
  cloudwatch_role: true
  cors: { allow_origins: ["https://a.example"], allow_headers: [X-Y], allow_methods: [GET], expose_headers: [X-Z], allow_credentials: true }
routes: []
`)
	check(t, "set", m.API, API{
		Name: "items", Description: "Items API", EndpointType: "EDGE", BinaryMediaTypes: []string{"image/png"},
		MinimumCompressionSize: 0, Tags: map[string]string{"team": "payments"}, AccessLogs: false, CloudWatchRole: true,
		CORS: &CORS{
			AllowOrigins: []string{"https://a.example"}, AllowHeaders: []string{"X-Y"}, AllowMethods: []string{"GET"},
			ExposeHeaders: []string{"X-Z"}, MaxAgeSeconds: 600, AllowCredentials: true,
		},
	})
	m = build(t, "api: { name: items, cors: { allow_origins: [\"*\"], max_age_seconds: 0 } }\nroutes: []\n")
	check(t, "max age 0 stays 0", m.API.CORS, &CORS{AllowOrigins: []string{"*"}, MaxAgeSeconds: 0})
}

// TestCORSEnvironment: with api.cors every route's function gets the
// allowed origins and the credentials flag (and the exposed headers when
// there are any), sorted among its own variables in every environment;
// authorizers, whose answers are policies rather than HTTP, get none.
func TestCORSEnvironment(t *testing.T) {
	t.Parallel()
	m := build(t, `
api:
  name: items
  cors: { allow_origins: ["https://a.example", "http://localhost:5173"], allow_credentials: true, expose_headers: [Location, ETag] }
authorizers:
  admin: { type: token, handler: functions/auth }
routes:
  - { name: get, method: GET, path: /items, handler: functions/get, environment: { ZONE: z, APP: a } }
`)
	for _, e := range []string{"dev", "prod"} {
		check(t, e+" route environment", envOf(t, m, e).Routes["get"].Environment, []EnvVar{
			text("APIBUILDER_CORS_CREDENTIALS", "true"),
			text("APIBUILDER_CORS_EXPOSE_HEADERS", "Location,ETag"),
			text("APIBUILDER_CORS_ORIGINS", "https://a.example,http://localhost:5173"),
			text("APP", "a"), text("ZONE", "z"),
		})
		check(t, e+" authorizer environment", envOf(t, m, e).Authorizers["admin"].Environment, []EnvVar(nil))
	}
	for _, names := range [][2]string{{EnvCORSOrigins, cors.EnvOrigins}, {EnvCORSCredentials, cors.EnvCredentials}, {EnvCORSExposeHeaders, cors.EnvExposeHeaders}} {
		if names[0] != names[1] || !strings.HasPrefix(names[0], config.CORSEnvPrefix) {
			t.Errorf("the generator sets %s, lambdakit/cors reads %s; both must be the same, under the reserved %s", names[0], names[1], config.CORSEnvPrefix)
		}
	}
	m = build(t, "api: { name: items, cors: { allow_origins: [\"*\"] } }\nroutes: [{ name: get, method: GET, path: /items, handler: functions/get }]\n")
	check(t, "wildcard", envOf(t, m, "dev").Routes["get"].Environment, []EnvVar{
		text("APIBUILDER_CORS_CREDENTIALS", "false"), text("APIBUILDER_CORS_ORIGINS", "*"),
	})
	m = build(t, "api: { name: items }\nroutes: [{ name: get, method: GET, path: /items, handler: functions/get }]\n")
	check(t, "no cors", envOf(t, m, "dev").Routes["get"].Environment, []EnvVar(nil))
}

// TestRoutes: method case, handler and schema paths cleaned, request
// parameters, validators, success status and authorization.
func TestRoutes(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
authorizers:
  key: { type: api_key }
  admin: { type: token, handler: functions/auth }
  users: { type: cognito, user_pool_arns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC1"] }
  ops: { type: iam }
routes:
  - name: create
    method: post
    path: /items
    handler: ./functions/create/
    description: Creates an item
    request: { schema: ./schemas/item.json }
    response: { schema: schemas/item.json }
    auth: key
  - { name: created, method: POST, path: /created, handler: functions/x, response: { schema: schemas/item.json, status: 202 } }
  - { name: no_body, method: POST, path: /no_body, handler: functions/x }
  - name: get
    method: GET
    path: /items/{id}/files/{rest+}
    handler: functions/get
    request: { query: [fields], headers: [X-Tenant] }
    auth: admin
  - { name: both, method: PUT, path: "/items/{id}", handler: functions/x, request: { schema: schemas/item.json, query: [v] }, auth: users, scopes: [items/write] }
  - { name: iam, method: DELETE, path: "/items/{id}", handler: functions/x, auth: ops }
`)
	check(t, "create", routeOf(t, m, "create"), Route{
		Pos: diag.Pos{Line: 9, Col: 11}, Field: "routes[0]", Auth: "key", Name: "create", Method: "POST", Path: "/items", Description: "Creates an item", Handler: "functions/create",
		Runtime: "provided.al2023", Architecture: "arm64",
		RequestSchema: "schemas/item.json", ResponseSchema: "schemas/item.json", SuccessStatus: 201,
		RequestParameters: map[string]bool{}, Validator: "body", APIKeyRequired: true, Authorization: "NONE",
	})
	check(t, "created: an explicit status wins", routeOf(t, m, "created").SuccessStatus, 202)
	check(t, "no_body: a POST without a response schema answers 200", routeOf(t, m, "no_body").SuccessStatus, 200)
	get := routeOf(t, m, "get")
	check(t, "get: parameters", get.RequestParameters, map[string]bool{
		"method.request.path.id": true, "method.request.path.rest": true,
		"method.request.querystring.fields": true, "method.request.header.X-Tenant": true,
	})
	check(t, "get: validator and authorization", [4]string{get.Validator, get.Authorization, get.Authorizer, strings.Join(get.Scopes, ",")}, [4]string{"params", "CUSTOM", "admin", ""})
	both := routeOf(t, m, "both")
	check(t, "both", [4]string{both.Validator, both.Authorization, both.Authorizer, strings.Join(both.Scopes, ",")}, [4]string{"all", "COGNITO_USER_POOLS", "users", "items/write"})
	iam := routeOf(t, m, "iam")
	check(t, "iam", [3]string{iam.Validator, iam.Authorization, iam.Authorizer}, [3]string{"", "AWS_IAM", ""})
	check(t, "the path parameter of a plain route", iam.RequestParameters, map[string]bool{"method.request.path.id": true})
	check(t, "paths: distinct, sorted", m.Paths, []string{"/created", "/items", "/items/{id}", "/items/{id}/files/{rest+}", "/no_body"})
	check(t, "validators in use: distinct, sorted", m.Validators, []string{"all", "body", "params"})
}

// TestStatements: one statement per permission, named after the route and
// the table; actions prefixed, sorted and deduplicated; the read actions
// that can use an index get a second statement on the table's indexes.
func TestStatements(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
tables:
  items: { hash_key: id, indexes: { by_owner: { hash_key: owner }, by_tag: { hash_key: tag } } }
  audit_log: { hash_key: id }
routes:
  - name: list_items
    method: GET
    path: /items
    handler: functions/x
    permissions:
      - { table: items, actions: [Scan, GetItem, dynamodb:Query, Scan] }
      - { table: audit_log, actions: [PutItem, Query] }
      - { table: items, actions: [PutItem] }
`)
	check(t, "statements", routeOf(t, m, "list_items").Statements, []Statement{
		{Sid: "ListItemsItems", Table: "items", Actions: []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}},
		{Sid: "ListItemsItemsIndexes", Table: "items", Actions: []string{"dynamodb:Query", "dynamodb:Scan"}, Indexes: []string{"by_owner", "by_tag"}},
		{Sid: "ListItemsAuditLog1", Table: "audit_log", Actions: []string{"dynamodb:PutItem", "dynamodb:Query"}},
		{Sid: "ListItemsItems2", Table: "items", Actions: []string{"dynamodb:PutItem"}},
	})
}

// TestEnvironments: per-environment values and where each comes from.
func TestEnvironments(t *testing.T) {
	t.Parallel()
	m := build(t, "api: { name: items }\nroutes: []\n")
	check(t, "no environments: dev and prod", []string{m.Envs[0].Name, m.Envs[1].Name}, []string{"dev", "prod"})
	check(t, "dev", m.Envs[0], Env{
		Name: "dev", Stage: "dev", Region: DefaultRegion, Metrics: true, LoggingLevel: "OFF", AccessLogRetention: 14,
		PITR: map[string]bool{}, Routes: map[string]RouteValues{}, Authorizers: map[string]RouteValues{}, FunctionNames: map[string]string{},
	})

	m = build(t, `
api: { name: items, region: eu-west-1, xray_tracing: true }
defaults: { log_retention_days: 30 }
routes: []
environments:
  staging:
    stage: v1
    region: eu-central-1
    metrics: false
    logging_level: INFO
    data_trace: true
    xray_tracing: false
    log_retention_days: 7
    throttle: { rate: 100, burst: 50 }
    stage_variables: { color: blue }
  live: {}
`)
	check(t, "environments in file order", []string{m.Envs[0].Name, m.Envs[1].Name}, []string{"staging", "live"})
	staging, live := envOf(t, m, "staging"), envOf(t, m, "live")
	check(t, "staging", [7]any{staging.Stage, staging.Region, staging.Metrics, staging.LoggingLevel, staging.DataTrace, staging.XRay, staging.AccessLogRetention},
		[7]any{"v1", "eu-central-1", false, "INFO", true, false, 7})
	check(t, "staging throttle and stage variables", [2]any{staging.Throttle, staging.StageVariables}, [2]any{&Throttle{Rate: 100, Burst: 50}, map[string]string{"color": "blue"}})
	check(t, "live: the API's region and X-Ray, defaults' retention", [7]any{live.Stage, live.Region, live.Metrics, live.LoggingLevel, live.DataTrace, live.XRay, live.AccessLogRetention},
		[7]any{"live", "eu-west-1", true, "OFF", false, true, 30})
	check(t, "live: no throttle, no stage variables", [2]any{live.Throttle, live.StageVariables}, [2]any{(*Throttle)(nil), map[string]string(nil)})
}

// TestDomainAndWAF: an environment's domain changes the fields it sets of
// the API's (base_path even to empty); its WAF ACL replaces the API's.
func TestDomainAndWAF(t *testing.T) {
	t.Parallel()
	const cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	const waf = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1"
	m := build(t, `
api:
  name: items
  domain: { name: api.example.com, certificate_arn: "`+cert+`", base_path: v1 }
  waf_web_acl_arn: "`+waf+`"
routes: []
environments:
  dev: { domain: { name: dev.api.example.com }, waf_web_acl_arn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/dev/2" }
  test: { domain: { base_path: "" } }
  prod: {}
`)
	check(t, "api", [2]any{m.API.Domain, m.API.WAFWebACLArn}, [2]any{&Domain{Name: "api.example.com", CertificateArn: cert, BasePath: "v1"}, waf})
	check(t, "dev", [2]any{envOf(t, m, "dev").Domain, envOf(t, m, "dev").WAFWebACLArn},
		[2]any{&Domain{Name: "dev.api.example.com", CertificateArn: cert, BasePath: "v1"}, "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/dev/2"})
	check(t, "test: an empty base_path maps the whole domain", envOf(t, m, "test").Domain, &Domain{Name: "api.example.com", CertificateArn: cert})
	check(t, "prod: the API's", [2]any{envOf(t, m, "prod").Domain, envOf(t, m, "prod").WAFWebACLArn}, [2]any{m.API.Domain, waf})

	m = build(t, "api: { name: items }\nroutes: []\nenvironments:\n  prod: { domain: { name: api.example.com, certificate_arn: \""+cert+"\" } }\n  dev: {}\n")
	check(t, "a domain in one env only", [2]*Domain{envOf(t, m, "prod").Domain, envOf(t, m, "dev").Domain}, [2]*Domain{{Name: "api.example.com", CertificateArn: cert}, nil})
}

// TestBackend: the region falls back to the API's, then the default; the
// key prefix loses its slashes.
func TestBackend(t *testing.T) {
	t.Parallel()
	m := build(t, "api: { name: items, region: eu-west-1 }\nroutes: []\nbackend: { s3: { bucket: state, key_prefix: /teams/pay/, dynamodb_table: locks } }\n")
	check(t, "api region", m.Backend, &Backend{Bucket: "state", Region: "eu-west-1", KeyPrefix: "teams/pay", LockTable: "locks"})
	m = build(t, "api: { name: items }\nroutes: []\nbackend: { s3: { bucket: state, region: us-west-2, use_lockfile: true } }\n")
	check(t, "own region", m.Backend, &Backend{Bucket: "state", Region: "us-west-2", Lockfile: true})
	m = build(t, "api: { name: items }\nroutes: []\nbackend: { s3: { bucket: state, use_lockfile: true } }\n")
	check(t, "default region", m.Backend.Region, DefaultRegion)
	check(t, "no backend", build(t, "api: { name: items }\nroutes: []\n").Backend, (*Backend)(nil))
}

func TestParseRefs(t *testing.T) {
	t.Parallel()
	cases := map[string][]Part{
		"":                                 {{Text: ""}},
		"plain":                            {{Text: "plain"}},
		"${table.a.name}":                  {{Table: "a", Att: "name"}},
		"x-${table.a.name}-${table.b.arn}": {{Text: "x-"}, {Table: "a", Att: "name"}, {Text: "-"}, {Table: "b", Att: "arn"}},
		"open ${table.a.name":              {{Text: "open ${table.a.name"}},
		"X$${table.a.name}-${table.a.arn}": {{Text: "X${table.a.name}-"}, {Table: "a", Att: "arn"}},
	}
	for in, want := range cases {
		check(t, in, parseRefs(in), want)
	}
}

// TestRouteAuthAndExamples: the authorizer a route names (none is no
// authorizer), and its request examples, as JSON and by parameter.
func TestRouteAuthAndExamples(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
authorizers:
  admin: { type: token, handler: functions/auth, test_token: dev-token }
routes:
  - name: create
    method: POST
    path: /items/{id}
    handler: functions/x
    auth: admin
    request:
      query: [dry_run]
      example: { name: pen, tags: [a, b], 1: one }
      example_params: { id: "42", dry_run: "true" }
  - { name: open, method: GET, path: /open, handler: functions/x, auth: none }
`)
	create, open := routeOf(t, m, "create"), routeOf(t, m, "open")
	check(t, "auth", [2]string{create.Auth, open.Auth}, [2]string{"admin", ""})
	check(t, "open is not authorized", [2]string{open.Authorization, open.Authorizer}, [2]string{"NONE", ""})
	check(t, "example as JSON, keys as strings", string(create.RequestExample), `{"1":"one","name":"pen","tags":["a","b"]}`)
	check(t, "example params", create.ExampleParams, map[string]string{"id": "42", "dry_run": "true"})
	check(t, "no examples", [2]any{open.RequestExample, open.ExampleParams}, [2]any{[]byte(nil), map[string]string(nil)})
	check(t, "test token", authOf(t, m, "admin").TestToken, "dev-token")
}

// TestFunctionNames: Build names every function after itself, by module
// label, in every environment; package identity may rename them later.
func TestFunctionNames(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
authorizers:
  key: { type: api_key }
  admin: { type: token, handler: functions/auth }
  users: { type: cognito, user_pool_arns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC1"] }
routes:
  - { name: get_item, method: GET, path: /items, handler: functions/x }
`)
	for _, e := range m.Envs {
		check(t, e.Name, [2]any{e.FunctionNames, e.Moves}, [2]any{map[string]string{"route_get_item": "get_item", "authorizer_admin": "admin"}, []Move(nil)})
	}
}

// TestModules: where module calls find the modules; a path is cleaned.
func TestModules(t *testing.T) {
	t.Parallel()
	check(t, "unset", build(t, "api: { name: items }\nroutes: []\n").Modules, Modules{})
	check(t, "path", build(t, "api: { name: items }\nroutes: []\nmodules: { path: ./infra//modules/ }\n").Modules, Modules{Path: "infra/modules"})
	check(t, "source", build(t, "api: { name: items }\nroutes: []\nmodules: { source: \"github.com/acme/apibuilder//modules\", version: v1.2.0 }\n").Modules,
		Modules{Source: "github.com/acme/apibuilder//modules", Version: "v1.2.0"})
}

// TestSecrets: an ssm: or secretsmanager: value reaches the function as the
// reference itself (literal text, never resolved at generate time), and the
// function lists exactly the secrets its resolved environment references, so
// its role may read those and no others. A value overridden in an env no
// longer counts there.
func TestSecrets(t *testing.T) {
	t.Parallel()
	m := build(t, `
api: { name: items }
defaults: { environment: { SHARED: "ssm:/items/shared" } }
authorizers:
  admin: { type: token, handler: functions/auth, environment: { ALLOWED: d2ea } }
routes:
  - { name: a, method: GET, path: /a, handler: functions/a, environment: { DB: "secretsmanager:items/db", DB_AGAIN: "secretsmanager:items/db" } }
  - { name: b, method: GET, path: /b, handler: functions/b }
environments:
  dev: {}
  prod:
    environment: { SHARED: plain }
    routes:
      b: { environment: { KEY: "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:items/key-AbC123" } }
    authorizers:
      admin: { environment: { ALLOWED: "ssm:/items/prod/admin-token-sha256" } }
`)
	dev, prod := envOf(t, m, "dev"), envOf(t, m, "prod")
	shared := Secret{Kind: "ssm", Name: "/items/shared"}
	db := Secret{Kind: "secretsmanager", Name: "items/db"}
	key := Secret{Kind: "secretsmanager", Name: "arn:aws:secretsmanager:us-east-1:123456789012:secret:items/key-AbC123"}
	admin := Secret{Kind: "ssm", Name: "/items/prod/admin-token-sha256"}

	check(t, "dev a", dev.Routes["a"].Secrets, []Secret{db, shared})
	check(t, "dev a environment: the references as literal text", dev.Routes["a"].Environment, []EnvVar{
		text("DB", "secretsmanager:items/db"), text("DB_AGAIN", "secretsmanager:items/db"), text("SHARED", "ssm:/items/shared"),
	})
	check(t, "dev b", dev.Routes["b"].Secrets, []Secret{shared})
	check(t, "dev admin", dev.Authorizers["admin"].Secrets, []Secret{shared})
	check(t, "dev: every function's secrets, by kind then name", dev.Secrets(), []Secret{db, shared})

	check(t, "prod a: SHARED is plain text in prod", prod.Routes["a"].Secrets, []Secret{db})
	check(t, "prod b", prod.Routes["b"].Secrets, []Secret{key})
	check(t, "prod admin", prod.Authorizers["admin"].Secrets, []Secret{admin})
	check(t, "prod admin environment", prod.Authorizers["admin"].Environment, []EnvVar{text("ALLOWED", "ssm:/items/prod/admin-token-sha256"), text("SHARED", "plain")})
	check(t, "prod: every function's secrets, by kind then name", prod.Secrets(), []Secret{key, db, admin})
	check(t, "ARN", []bool{key.IsARN(), db.IsARN()}, []bool{true, false})
}
