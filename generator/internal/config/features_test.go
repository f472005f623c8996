package config

import "strings"

// featureRules covers authorizers beyond api_key, route scopes, function
// VPC / dead-letter / ephemeral storage settings, table indexes, custom
// domains and WAF: one input per rule, with every line of the error.
var featureRules = []struct {
	name string
	src  string
	want []string
}{
	{
		"lambda authorizer needs a handler and a header source",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  admin: { type: token, identity_source: Authorization, result_ttl_seconds: 4000 }\n", 1),
		[]string{
			p + `:7:10: authorizers.admin.handler: is required; point to the Go main package of the function, e.g. handler: functions/create_item`,
			p + `:7:42: authorizers.admin.identity_source: "Authorization" is not a header identity source; use method.request.header.<name>, e.g. method.request.header.Authorization`,
			p + `:7:77: authorizers.admin.result_ttl_seconds: 4000 is out of range; use 0 (no caching) to 3600 seconds`,
		},
	},
	{
		"request authorizer sources and a bad validation expression",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  tenant: { type: request, handler: functions/ok, identity_validation_expression: \"[\" }\n  t2: { type: request, handler: functions/ok, identity_source: [header.X, method.request.header.X-Tenant] }\n", 1),
		[]string{
			p + `:7:19: authorizers.tenant.identity_source: is required for a request authorizer; list where the identity is, e.g. [method.request.header.X-Tenant]; requests without it get 401`,
			p + `:7:83: authorizers.tenant.identity_validation_expression: applies to token authorizers, not request; remove it`,
			p + `:8:65: authorizers.t2.identity_source[0]: "header.X" is not an identity source; use method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>`,
		},
	},
	{
		"authorizer function named like a route",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  get_item: { type: token, handler: functions/ok }\n", 1),
		[]string{
			p + `:7:3: authorizers.get_item: "get_item" is also a route name; an authorizer with a handler is a function named <api>-<env>-<name> like a route's: give it a name of its own`,
		},
	},
	{
		"keys that belong to another authorizer type",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key, keys: [Web], handler: functions/ok, memory_mb: 256 }\n  ops: { type: iam, identity_source: method.request.header.Authorization, user_pool_arns: [x] }\n", 1),
		[]string{
			p + `:6:32: authorizers.key.keys[0]: "Web" is not a valid key name; use lowercase letters, digits and '_'`,
			p + `:6:47: authorizers.key.handler: applies to token or request authorizers, not api_key; remove it`,
			p + `:6:72: authorizers.key.memory_mb: applies to token or request authorizers, not api_key; remove it`,
			p + `:7:38: authorizers.ops.identity_source: applies to token, request or cognito authorizers, not iam; remove it`,
			p + `:7:92: authorizers.ops.user_pool_arns: applies to cognito authorizers, not iam; remove it`,
		},
	},
	{
		"cognito authorizer needs user pool ARNs",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  staff: { type: cognito }\n  users: { type: cognito, user_pool_arns: [arn:aws:cognito-idp:us-east-1:123456789012:pool/x] }\n", 1),
		[]string{
			p + `:7:18: authorizers.staff.user_pool_arns: is required for a cognito authorizer; list the user pool ARNs, e.g. [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123]`,
			p + `:8:44: authorizers.users.user_pool_arns[0]: "arn:aws:cognito-idp:us-east-1:123456789012:pool/x" is not a Cognito user pool ARN; use arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`,
		},
	},
	{
		"scopes without a cognito authorizer",
		strings.Replace(base, "    auth: key\n", "    auth: key\n    scopes: [items/write]\n", 1),
		[]string{
			p + `:15:14: routes[0].scopes: needs a cognito authorizer; scopes are OAuth scopes of a Cognito access token; set auth to a type: cognito authorizer or remove scopes`,
		},
	},
	{
		"bad scope",
		strings.Replace(strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  staff: { type: cognito, user_pool_arns: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC1] }\n", 1), "    auth: key\n", "    auth: staff\n    scopes: [\"items write\"]\n", 1),
		[]string{
			p + `:16:14: routes[0].scopes[0]: "items write" is not an OAuth scope; e.g. items/read (no spaces or quotes)`,
		},
	},
	{
		"ephemeral storage, VPC and dead-letter target",
		strings.Replace(base, "api:\n  name: items\n", "api:\n  name: items\ndefaults:\n  ephemeral_storage_mb: 256\n  vpc: { subnet_ids: [subnet-1], security_group_ids: [] }\n  dead_letter_target_arn: arn:aws:s3:::bucket\n", 1),
		[]string{
			p + `:4:25: defaults.ephemeral_storage_mb: 256 MB is out of Lambda's range; use 512 to 10240`,
			p + `:5:8: defaults.vpc.security_group_ids: is required when vpc is set; list at least one, e.g. [sg-0123456789abcdef0]`,
			p + `:5:23: defaults.vpc.subnet_ids[0]: "subnet-1" is not a valid ID; e.g. subnet-0123456789abcdef0`,
			p + `:6:27: defaults.dead_letter_target_arn: "arn:aws:s3:::bucket" is not an SQS queue or SNS topic ARN; use arn:aws:sqs:<region>:<account>:<queue> or arn:aws:sns:<region>:<account>:<topic>`,
		},
	},
	{
		"table indexes",
		strings.Replace(base, "  items: { hash_key: id }\n", "  items:\n    hash_key: id\n    indexes:\n      by_owner: { hash_key: owner, projection: SOME }\n      by_id: { hash_key: id, hash_key_type: N, range_key_type: S }\n      x: { hash_key: owner }\n", 1),
		[]string{
			p + `:7:48: tables.items.indexes.by_owner.projection: "SOME" is not allowed; allowed: ALL, KEYS_ONLY`,
			p + `:8:45: tables.items.indexes.by_id.hash_key: attribute "id" is N here but S in tables.items.hash_key; DynamoDB keeps one type per attribute; use the same type`,
			p + `:8:64: tables.items.indexes.by_id.range_key_type: is set without range_key; add range_key or remove range_key_type`,
			p + `:9:7: tables.items.indexes.x: "x" is not a valid index name; use 3-255 letters, digits, '_', '-' or '.'`,
		},
	},
	{
		"custom domain and WAF",
		strings.Replace(base, "api:\n  name: items\n", "api:\n  name: items\n  domain: { name: API.example, base_path: /v1 }\n  waf_web_acl_arn: arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1\n", 1),
		[]string{
			p + `:3:11: api.domain.certificate_arn: is required; an ACM certificate for the name, in the API's region (a REGIONAL domain)`,
			p + `:3:19: api.domain.name: "API.example" is not a domain name; use a lowercase host name, e.g. api.example.com`,
			p + `:3:43: api.domain.base_path: "/v1" is not a base path; use path segments without leading or trailing '/', e.g. v1, or leave it out to map the whole domain`,
			p + `:4:20: api.waf_web_acl_arn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1" is not a regional WAFv2 web ACL ARN; use arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>`,
		},
	},
	{
		"environment overrides of authorizers",
		base + "environments:\n  prod:\n    domain: { name: api.example.com }\n    authorizers:\n      key: { memory_mb: 256 }\n",
		[]string{
			p + `:21:13: environments.prod.domain.certificate_arn: is required; an ACM certificate for the name, in the API's region (a REGIONAL domain)`,
			p + `:23:7: environments.prod.authorizers.key: names no token or request authorizer; only authorizers with a handler have function settings`,
		},
	},
	{
		"per-environment usage plan limits",
		strings.Replace(base, "  key: { type: api_key }\n", "  key: { type: api_key }\n  admin: { type: token, handler: functions/ok }\n", 1) +
			"environments:\n  prod:\n    authorizers:\n      key: { throttle: { rate: 100, burst: 50 }, quota: { limit: 0, period: YEAR }, memory_mb: 256 }\n      admin: { quota: { limit: 10, period: DAY } }\n",
		[]string{
			p + `:23:7: environments.prod.authorizers.key: names no token or request authorizer; only authorizers with a handler have function settings`,
			p + `:23:66: environments.prod.authorizers.key.quota.limit: must be a positive number of requests`,
			p + `:23:77: environments.prod.authorizers.key.quota.period: "YEAR" is not allowed; allowed: DAY, WEEK, MONTH`,
			p + `:24:7: environments.prod.authorizers.admin: names no api_key authorizer; throttle and quota here set an API key usage plan's limits in this env`,
		},
	},
	{
		"stage variables",
		base + "environments:\n  dev:\n    stage_variables: { log_level: debug, bad-name: x, note: \"two words\" }\n",
		[]string{
			p + `:21:52: environments.dev.stage_variables.bad-name: is not a valid stage variable name; use letters, digits and '_' (API Gateway's rule)`,
			p + `:21:61: environments.dev.stage_variables.note: "two words" is not a valid stage variable value; use 1-512 of letters, digits and - . _ ~ : / ? # & = , (API Gateway's rule)`,
		},
	},
}

const p = "testdata/project/routes.yaml"
