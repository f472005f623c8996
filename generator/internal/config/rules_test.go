package config

// allRules is one input per validation rule not already in TestValidation,
// with every line of the error it must give, position included.
var allRules = []struct {
	name string
	src  string
	want []string
}{
	{
		"missing sections",
		"defaults: {}\n",
		[]string{
			`testdata/project/routes.yaml:1:1: api: missing required section; see the README for the routes.yaml contract`,
			`testdata/project/routes.yaml:1:1: routes: missing required section; see the README for the routes.yaml contract`,
		},
	},
	{
		"empty file",
		"",
		[]string{
			`testdata/project/routes.yaml:1:1: the file is empty; start with an api: section and a routes: list`,
		},
	},
	{
		"top level is a list",
		"- a\n- b\n",
		[]string{
			`testdata/project/routes.yaml:1:1: expected a mapping (key: value), found a list`,
		},
	},
	{
		"duplicate key",
		"api:\n  name: items\n  name: again\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:3: api.name: duplicate key (first set on line 2); remove one of them`,
		},
	},
	{
		"list where a mapping belongs",
		"api:\n  name: items\ntables:\n  items: [id]\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:10: tables.items: expected a mapping (key: value), found a list`,
		},
	},
	{
		"not a number",
		"api:\n  name: items\ndefaults:\n  timeout_s: soon\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:14: defaults.timeout_s: expected a whole number, found "soon"`,
		},
	},
	{
		"not a boolean",
		"api:\n  name: items\n  access_logs: maybe\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:16: api.access_logs: expected true or false, found "maybe"`,
		},
	},
	{
		"endpoint type",
		"api:\n  name: items\n  endpoint_type: REGINAL\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:18: api.endpoint_type: "REGINAL" is not allowed; did you mean "REGIONAL"? (allowed: REGIONAL, EDGE, PRIVATE)`,
		},
	},
	{
		"region",
		"api:\n  name: items\n  region: mars-1\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:11: api.region: "mars-1" is not an AWS region; e.g. us-east-1`,
		},
	},
	{
		"compression",
		"api:\n  name: items\n  minimum_compression_size: -5\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:29: api.minimum_compression_size: -5 is out of range; use -1 (off) or 0 to 10485760 bytes`,
		},
	},
	{
		"cors without origins",
		"api:\n  name: items\n  cors: { allow_headers: [X-Y] }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:9: api.cors.allow_origins: is required when cors is set; list the origins, e.g. ["https://app.example.com"]`,
		},
	},
	{
		"cors method and header",
		"api:\n  name: items\n  cors: { allow_origins: [x], allow_methods: [GETS], allow_headers: [\"a b\"] }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:47: api.cors.allow_methods[0]: "GETS" is not allowed; did you mean "GET"? (allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY)`,
			`testdata/project/routes.yaml:3:70: api.cors.allow_headers[0]: "a b" is not a header name; use letters, digits and '-'`,
		},
	},
	{
		"cors max age",
		"api:\n  name: items\n  cors: { allow_origins: [x], max_age_seconds: 90000 }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:3:48: api.cors.max_age_seconds: 90000 is out of range; use 0 to 86400`,
		},
	},
	{
		"runtime",
		"api:\n  name: items\ndefaults:\n  runtime: go1.x\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:12: defaults.runtime: "go1.x" is not allowed; allowed: provided.al2023, provided.al2`,
		},
	},
	{
		"architecture",
		"api:\n  name: items\ndefaults:\n  architecture: arm\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:17: defaults.architecture: "arm" is not allowed; did you mean "arm64"? (allowed: arm64, x86_64)`,
		},
	},
	{
		"tracing",
		"api:\n  name: items\ndefaults:\n  tracing: active\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:12: defaults.tracing: "active" is not allowed; did you mean "Active"? (allowed: PassThrough, Active)`,
		},
	},
	{
		"timeout",
		"api:\n  name: items\ndefaults:\n  timeout_s: 901\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:14: defaults.timeout_s: 901 s is out of Lambda's range; use 1 to 900 (API Gateway stops waiting after 29 s)`,
		},
	},
	{
		"reserved concurrency",
		"api:\n  name: items\ndefaults:\n  reserved_concurrency: -2\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:25: defaults.reserved_concurrency: -2 is out of range; use -1 (unreserved) or 0 to 1000`,
		},
	},
	{
		"too many layers",
		"api:\n  name: items\ndefaults:\n  layers: [arn:aws:lambda:us-east-1:123456789012:layer:l:0, arn:aws:lambda:us-east-1:123456789012:layer:l:1, arn:aws:lambda:us-east-1:123456789012:layer:l:2, arn:aws:lambda:us-east-1:123456789012:layer:l:3, arn:aws:lambda:us-east-1:123456789012:layer:l:4, arn:aws:lambda:us-east-1:123456789012:layer:l:5]\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:3: defaults.layers: 6 layers; Lambda allows at most 5`,
		},
	},
	{
		"layer arn",
		"api:\n  name: items\ndefaults:\n  layers: [my-layer]\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:12: defaults.layers[0]: "my-layer" is not a layer version ARN; use arn:aws:lambda:<region>:<account>:layer:<name>:<version>`,
		},
	},
	{
		"environment names",
		"api:\n  name: items\ndefaults:\n  environment: { 1BAD: x, AWS_REGION: y }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:24: defaults.environment.1BAD: is not a valid variable name; start with a letter; use letters, digits and '_'`,
			`testdata/project/routes.yaml:4:39: defaults.environment.AWS_REGION: AWS_ variables are reserved by Lambda; choose another name`,
		},
	},
	{
		"references",
		"api:\n  name: items\ndefaults:\n  environment: { A: \"${table.items.name\", B: \"${env.name}\", C: \"${table.itemz.name}\", D: \"${table.items.id}\" }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:4:21: defaults.environment.A: has an unclosed ${; write references as ${table.<name>.name}, and a literal ${ as $${`,
			`testdata/project/routes.yaml:4:46: defaults.environment.B: unknown reference ${env.name}; references have the form ${table.<name>.name} or ${table.<name>.arn}; write a literal ${ as $${`,
			`testdata/project/routes.yaml:4:64: defaults.environment.C: reference to unknown table "itemz"; did you mean "items"?`,
			`testdata/project/routes.yaml:4:90: defaults.environment.D: tables have no attribute "id"; use name or arn`,
		},
	},
	{
		"table definitions",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\n  Bad-Name: { hash_key_type: X, range_key_type: S, billing_mode: PROVISIONED, encryption: kms }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:5:3: tables.Bad-Name: "Bad-Name" is not a valid table name; use lowercase letters, digits and '_', starting with a letter`,
			`testdata/project/routes.yaml:5:13: tables.Bad-Name.hash_key: is required; name the partition key attribute, e.g. hash_key: id`,
			`testdata/project/routes.yaml:5:30: tables.Bad-Name.hash_key_type: "X" is not allowed; did you mean "S"? (allowed: S, N, B)`,
			`testdata/project/routes.yaml:5:49: tables.Bad-Name.range_key_type: is set without range_key; add range_key or remove range_key_type`,
			`testdata/project/routes.yaml:5:66: tables.Bad-Name.billing_mode: "PROVISIONED" is not allowed; allowed: PAY_PER_REQUEST`,
			`testdata/project/routes.yaml:5:91: tables.Bad-Name.encryption: "kms" is not a kind of table encryption; use aws_owned (the default), aws_managed, or a KMS key ARN`,
		},
	},
	{
		"authorizer definitions",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\n  jwt: { type: bearer }\n  plan: { type: api_key, throttle: { rate: -1 }, quota: { limit: 0, period: YEAR } }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:7:16: authorizers.jwt.type: "bearer" is not allowed; allowed: api_key, token, request, cognito, iam`,
			`testdata/project/routes.yaml:8:36: authorizers.plan.throttle.burst: is required; set both rate and burst, e.g. { rate: 100, burst: 50 }`,
			`testdata/project/routes.yaml:8:44: authorizers.plan.throttle.rate: -1 is negative; use a number of requests per second, 0 or more`,
			`testdata/project/routes.yaml:8:66: authorizers.plan.quota.limit: must be a positive number of requests`,
			`testdata/project/routes.yaml:8:77: authorizers.plan.quota.period: "YEAR" is not allowed; allowed: DAY, WEEK, MONTH`,
		},
	},
	{
		"empty request",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: {}\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:12:14: routes[0].request: is empty; set schema, query or headers, or remove request`,
		},
	},
	{
		"query and header names",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { query: [\"a b\"], headers: [\"x:y\"] }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:12:24: routes[0].request.query[0]: "a b" is not a query parameter name`,
			`testdata/project/routes.yaml:12:42: routes[0].request.headers[0]: "x:y" is not a header name`,
		},
	},
	{
		"response status and schema",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    response: { status: 700 }\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:12:15: routes[0].response.schema: is required; point to a JSON Schema (draft-04) file, e.g. schema: schemas/item.json`,
			`testdata/project/routes.yaml:12:25: routes[0].response.status: 700 is not an HTTP status code; e.g. 200 or 201`,
		},
	},
	{
		"path: empty segment",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items//{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: "/items//{id}" has an empty segment; remove the trailing or doubled '/'`,
		},
	},
	{
		"path: greedy not last",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{rest+}/x\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: greedy parameter {rest+} must be the last segment`,
		},
	},
	{
		"path: parameter twice",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}/sub/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: parameter {id} appears twice in "/items/{id}/sub/{id}"; give each parameter its own name`,
		},
	},
	{
		"path: partial parameter",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/x{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: segment "x{id}" is not a valid parameter; write parameters as a whole segment: {name}`,
		},
	},
	{
		"path: bad characters",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/a$b\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: segment "a$b" has characters API Gateway does not allow; use letters, digits, '.', '_', '~' and '-'`,
		},
	},
	{
		"path: too deep",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /a/b/c/d/e/f/g/h/i/j/k\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: "/a/b/c/d/e/f/g/h/i/j/k" is 11 segments deep; the limit is 10 (modules/api_gateway has one resource level per segment); shorten the path`,
		},
	},
	{
		"ANY overlaps",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: ANY\n    path: /items\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:17:11: routes[1].path: ANY /items overlaps POST (routes[0], line 10); each method and path needs exactly one route`,
		},
	},
	{
		"handler outside the project",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: ../outside\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:11:14: routes[0].handler: "../outside" is outside the project; keep handlers below the directory of routes.yaml (<project>), or set allow_paths_outside_project: true if you mean it`,
		},
	},
	{
		"handler missing",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/nope\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:11:14: routes[0].handler: no directory <project>/functions/nope; create it with the handler's main.go, or fix the path (it is relative to <project>)`,
		},
	},
	{
		"handler without Go files",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: schemas\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:11:14: routes[0].handler: no Go main package in <project>/schemas (it holds no Go files); a handler is a Go main package calling lambda.Start; fix the path, or add the handler's main.go`,
		},
	},
	{
		"permission without actions",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:13:19: routes[0].permissions[0].actions: is required; list DynamoDB actions, e.g. actions: [GetItem]`,
		},
	},
	{
		"environment definitions",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\nenvironments:\n  Prod: { stage: \"v 1\", region: moon, logging_level: DEBUG, throttle: { burst: 1 } }\n",
		[]string{
			`testdata/project/routes.yaml:20:3: environments.Prod: "Prod" is not a valid environment name; use lowercase letters and digits, starting with a letter (it becomes part of every resource name)`,
			`testdata/project/routes.yaml:20:18: environments.Prod.stage: "v 1" is not a valid stage name; use 1-128 letters, digits, '-' or '_'`,
			`testdata/project/routes.yaml:20:33: environments.Prod.region: "moon" is not an AWS region; e.g. eu-west-1`,
			`testdata/project/routes.yaml:20:54: environments.Prod.logging_level: "DEBUG" is not allowed; allowed: OFF, ERROR, INFO`,
			`testdata/project/routes.yaml:20:71: environments.Prod.throttle.rate: is required; set both rate and burst, e.g. { rate: 100, burst: 50 }`,
		},
	},
	{
		"backend",
		"api:\n  name: items\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\nbackend:\n  s3: { region: nowhere, key_prefix: ../up, dynamodb_table: locks, use_lockfile: true }\n",
		[]string{
			`testdata/project/routes.yaml:20:7: backend.s3.bucket: is required; name the S3 bucket that holds the state`,
			`testdata/project/routes.yaml:20:17: backend.s3.region: "nowhere" is not an AWS region`,
			`testdata/project/routes.yaml:20:38: backend.s3.key_prefix: must be a relative key prefix; e.g. key_prefix: teams/payments`,
			`testdata/project/routes.yaml:20:82: backend.s3.use_lockfile: set together with dynamodb_table; choose one way of locking`,
		},
	},
	{
		"api name",
		"api:\n  description: nameless\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n  - name: create_item\n    method: POST\n    path: /items\n    handler: functions/ok\n    request: { schema: schemas/ok.json }\n    permissions: [{ table: items, actions: [PutItem] }]\n    auth: key\n  - name: get_item\n    method: GET\n    path: /items/{id}\n    handler: functions/ok\n",
		[]string{
			`testdata/project/routes.yaml:2:3: api.name: is required; name the API, e.g. name: items`,
		},
	},
}
