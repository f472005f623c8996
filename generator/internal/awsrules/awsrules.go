// Package awsrules is the table of AWS's documented rules on the values a
// routes.yaml controls, for every resource the generator emits: each rule
// says what AWS requires, where AWS documents it, which error case tests
// it, and how it is checked. Without it these rules fail only at
// `terraform apply` (minutes in, half applied) or silently do the wrong
// thing; and only the generator knows the names, tags and variables it
// adds, so only it can count them exactly.
//
// The checks that need the whole config (sizes that include what the
// generator adds, one value against another or against each environment)
// live here and register with package config, so config.Load reports them
// with every other problem, positioned, before anything is written. Rules
// that package config (or identity, or generate) already checks are in
// the table too, with where they are checked, so docs/aws-rules.md lists
// every rule in one place.
package awsrules

import (
	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

func init() { config.Register(Check) }

// Check runs every rule of the table that has a check of its own here.
func Check(cfg *config.Config, l *diag.List) {
	for _, r := range Rules {
		if r.Check != nil {
			r.Check(cfg, l)
		}
	}
}

// Rule is one rule AWS (or the Go toolchain, for handlers) documents on a
// value routes.yaml controls.
type Rule struct {
	ID       string // stable, used as the docs' anchor
	Class    Class
	Resource string // the AWS resource (or build step) the rule is about
	Keys     string // the routes.yaml keys it concerns
	Requires string // what AWS requires, in one sentence
	Source   string // the AWS documentation that says so
	// Case is the error case that tests the rule: a folder under
	// generator/internal/config/testdata/errors (CaseDir), or, when the
	// rule is checked after config (Where), a test named in Where. Says is
	// a piece of the diagnostic that case's stderr.txt must hold.
	Case, Says string
	// Check is the rule's check, when it lives in this package; nil when
	// Where names the package that checks it.
	Check func(*config.Config, *diag.List)
	Where string
}

// Class is the kind of input a rule is about (the classes of issue 26's
// corpus of inputs AWS refuses).
type Class string

const (
	ClassOurs      Class = "limits that count what apibuilder adds"
	ClassReserved  Class = "reserved names and prefixes"
	ClassNames     Class = "characters and name rules"
	ClassCross     Class = "cross-field and cross-environment"
	ClassStructure Class = "structure"
	ClassPosition  Class = "positions"
	ClassSize      Class = "input size"
	ClassRange     Class = "ranges, allowed values and quotas"
)

// Classes in the order the docs list them.
var Classes = []Class{ClassOurs, ClassReserved, ClassNames, ClassCross, ClassStructure, ClassPosition, ClassSize, ClassRange}

// CaseDir is where the error cases live, relative to the repository root.
const CaseDir = "generator/internal/config/testdata/errors"

// AWS documentation.
const (
	docLambdaEnv       = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"
	docLambdaQuotas    = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
	docLambdaCreate    = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
	docLambdaGo        = "https://docs.aws.amazon.com/lambda/latest/dg/golang-handler.html"
	docLambdaRuntimes  = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
	docLambdaArch      = "https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html"
	docLambdaConc      = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"
	docLambdaLayers    = "https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html"
	docLambdaVPC       = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"
	docLambdaTracing   = "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html"
	docIAMQuotas       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
	docLogsRetention   = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"
	docDynamoNames     = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"
	docDynamoQuotas    = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
	docDynamoTTL       = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html"
	docDynamoActions   = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html"
	docAPIGWQuotas     = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
	docAPIGWDomain     = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html"
	docAPIGWEdge       = "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-edge-optimized-custom-domain-name.html"
	docAPIGWPrivate    = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html"
	docAPIGWWAF        = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html"
	docAPIGWStage      = "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"
	docAPIGWStageVars  = "https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html"
	docAPIGWBinary     = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html"
	docAPIGWResources  = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html"
	docAPIGWCompress   = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gzip-compression-decompression.html"
	docAPIGWLambdaAuth = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html"
	docAPIGWCognito    = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html"
	docAPIGWUsage      = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"
	docAPIGWModels     = "https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html"
	docAPIGWEndpoint   = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-endpoint-types.html"
	docTags            = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"
	docS3Names         = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
	docRegions         = "https://docs.aws.amazon.com/general/latest/gr/rande.html"
	docGoImportPath    = "https://go.dev/ref/mod#go-mod-file-ident"
	docGoBuild         = "https://pkg.go.dev/cmd/go#hdr-Compile_packages_and_dependencies"
	docYAMLDocuments   = "https://yaml.org/spec/1.2.2/#91-documents"
)

// Where rules are checked, when not here.
const (
	inConfig   = "package config (validate.go, routes.go)"
	inParse    = "package config (input.go), before anything else"
	inIdentity = "package identity (after loading: a renamed route keeps its deployed name)"
	inGenerate = "package generate (the build runs after validation)"
)

// with says that a rule is checked by another rule's check.
func with(id string) string { return "package awsrules, with " + id }

// Rules is the table: every rule, grouped by class in docs/aws-rules.md.
var Rules = []Rule{
	// ---- Limits that count what apibuilder adds ----
	{ID: "lambda-environment-size", Class: ClassOurs, Resource: "Lambda function",
		Keys:     "environment (defaults, routes, authorizers, environments), api.cors",
		Requires: "A function's environment variables, names and values as the JSON object Lambda stores, are at most 4 KB, including the APIBUILDER_CORS_* variables apibuilder adds and table references resolved to names and ARNs.",
		Source:   docLambdaEnv, Case: "environment-over-4-kb-with-ours", Says: "Lambda allows 4 KB (4096 bytes) per function", Check: checkEnvSize},
	{ID: "tags-per-resource", Class: ClassOurs, Resource: "every tagged resource",
		Keys:     "api.tags",
		Requires: "A resource has at most 50 tags, and apibuilder adds up to 5 (project, env, managed_by; route or authorizer; preview), so routes.yaml may set at most 45.",
		Source:   docTags, Case: "tags-with-ours", Says: "AWS allows 50 per resource", Check: checkTags},
	{ID: "function-and-role-name-length", Class: ClassOurs, Resource: "Lambda function, its IAM role and log group",
		Keys:     "api.name, environment names, route and authorizer names",
		Requires: "A function is named <api>-<env>-<route> (its role too); Lambda and IAM allow 64 characters.",
		Source:   docIAMQuotas, Case: "TestNameLengthIsCheckedOnTheNameInUse", Says: "Lambda and IAM allow 64", Where: inIdentity},
	{ID: "account-role-name-length", Class: ClassOurs, Resource: "IAM role (the account's API Gateway CloudWatch role)",
		Keys:     "api.name, api.cloudwatch_role, regions",
		Requires: "The role apibuilder names <api>-apigw-cloudwatch-<region> is at most 64 characters.",
		Source:   docIAMQuotas, Case: "cloudwatch-role-name-too-long", Says: "IAM allows 64", Check: checkAccountRoleName},
	{ID: "dynamodb-table-name-length", Class: ClassOurs, Resource: "DynamoDB table",
		Keys:     "api.name, environment names, tables",
		Requires: "A table is named <api>-<env>-<table>; DynamoDB allows 3 to 255 characters.",
		Source:   docDynamoNames, Case: "table-name-too-long", Says: "DynamoDB allows 255", Check: checkTableNames},

	// ---- Reserved names and prefixes ----
	{ID: "lambda-reserved-environment", Class: ClassReserved, Resource: "Lambda function",
		Keys:     "environment",
		Requires: "A function may not set the variables Lambda sets itself: _HANDLER, _X_AMZN_TRACE_ID, AWS_REGION, AWS_LAMBDA_*, AWS_ACCESS_KEY_ID, ..., LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR (apibuilder refuses every AWS_ name).",
		Source:   docLambdaEnv, Case: "environment-reserved-by-lambda", Says: "Lambda sets it in every function", Check: checkReservedEnv},
	{ID: "lambda-aws-prefix", Class: ClassReserved, Resource: "Lambda function",
		Keys:     "environment",
		Requires: "Names starting with AWS_ are Lambda's.",
		Source:   docLambdaEnv, Case: "environment-names", Says: "AWS_ variables are reserved by Lambda", Where: inConfig},
	{ID: "apibuilder-environment", Class: ClassReserved, Resource: "Lambda function",
		Keys:     "environment",
		Requires: "APIBUILDER_CORS_* are the variables apibuilder adds from api.cors to every function; routes.yaml may not set them.",
		Source:   docLambdaEnv, Case: "cors-reserved-environment", Says: "APIBUILDER_CORS_ variables are reserved", Where: inConfig},
	{ID: "tag-keys-reserved", Class: ClassReserved, Resource: "every tagged resource",
		Keys:     "api.tags",
		Requires: "Tag keys starting with aws: are AWS's; the keys apibuilder sets (project, env, managed_by, route, authorizer, preview) would replace the user's silently.",
		Source:   docTags, Case: "tag-keys-and-values", Says: "the aws: prefix is reserved", Where: with("tags-per-resource")},
	{ID: "s3-bucket-prefix", Class: ClassReserved, Resource: "S3 bucket (the functions' packages)",
		Keys:     "api.name",
		Requires: "The bucket is named <api>-<env>-pkg-...; S3 refuses names starting with xn--, sthree- or amzn-s3-demo-.",
		Source:   docS3Names, Case: "api-name-reserved-by-s3", Says: "which S3 reserves for bucket names", Check: checkBucketPrefix},

	// ---- Characters and name rules ----
	{ID: "tag-characters-and-lengths", Class: ClassNames, Resource: "every tagged resource",
		Keys:     "api.tags",
		Requires: "Tag keys are 1-128 and values 0-256 characters of letters, digits, spaces and _ . : / = + - @.",
		Source:   docTags, Case: "tag-keys-and-values", Says: "characters AWS does not allow in tags", Where: with("tags-per-resource")},
	{ID: "lambda-environment-names", Class: ClassNames, Resource: "Lambda function",
		Keys:     "environment",
		Requires: "Variable names start with a letter and hold letters, digits and _.",
		Source:   docLambdaEnv, Case: "environment-names", Says: "is not a valid variable name", Where: inConfig},
	{ID: "apigw-binary-media-types", Class: ClassNames, Resource: "API Gateway REST API",
		Keys:     "api.binary_media_types",
		Requires: "A binary media type is a type/subtype (wildcards allowed) that API Gateway compares with Content-Type and Accept; anything else never matches.",
		Source:   docAPIGWBinary, Case: "binary-media-types", Says: "is not a media type", Check: checkBinaryMediaTypes},
	{ID: "dynamodb-key-attribute-length", Class: ClassNames, Resource: "DynamoDB table and its indexes",
		Keys:     "tables.*.hash_key, range_key, indexes.*.hash_key, range_key, ttl_attribute",
		Requires: "Key attribute names are 1 to 255 bytes.",
		Source:   docDynamoNames, Case: "table-ttl-and-key-attributes", Says: "DynamoDB allows key attribute names of at most 255", Check: checkAttributes},
	{ID: "dynamodb-names", Class: ClassNames, Resource: "DynamoDB table and its indexes",
		Keys:     "tables, tables.*.indexes, hash_key, range_key",
		Requires: "Table and index names are 3-255 of letters, digits, _ - and .; key attributes are plain names.",
		Source:   docDynamoNames, Case: "table-indexes", Says: "is not a valid index name", Where: inConfig},
	{ID: "apigw-path-characters", Class: ClassNames, Resource: "API Gateway resource",
		Keys:     "routes[].path",
		Requires: "A path part holds letters, digits and . _ ~ -, or is a whole {parameter}; a greedy {name+} is last.",
		Source:   docAPIGWResources, Case: "path-bad-characters", Says: "has characters API Gateway does not allow", Where: inConfig},
	{ID: "apigw-sibling-parameters", Class: ClassNames, Resource: "API Gateway resource",
		Keys:     "routes[].path",
		Requires: "One resource per level: sibling path parameters have one name.",
		Source:   docAPIGWResources, Case: "sibling-parameters-with-different-names", Says: "at the same level", Where: inConfig},
	{ID: "apigw-stage-name", Class: ClassNames, Resource: "API Gateway stage",
		Keys:     "environments.*.stage",
		Requires: "A stage name is 1-128 letters, digits, - and _.",
		Source:   docAPIGWStage, Case: "environment-definitions", Says: "is not a valid stage name", Where: inConfig},
	{ID: "apigw-stage-variables", Class: ClassNames, Resource: "API Gateway stage",
		Keys:     "environments.*.stage_variables",
		Requires: "Stage variable names hold letters, digits and _; values are 1-512 of letters, digits and - . _ ~ : / ? # & = ,.",
		Source:   docAPIGWStageVars, Case: "stage-variables", Says: "is not a valid stage variable", Where: inConfig},
	{ID: "apigw-domain", Class: ClassNames, Resource: "API Gateway custom domain",
		Keys:     "api.domain, environments.*.domain",
		Requires: "A domain name is a lowercase host name with an ACM certificate ARN; a base path is path segments without leading or trailing /.",
		Source:   docAPIGWDomain, Case: "custom-domain-and-waf", Says: "is not a domain name", Where: inConfig},
	{ID: "waf-web-acl-arn", Class: ClassNames, Resource: "WAFv2 web ACL association",
		Keys:     "api.waf_web_acl_arn, environments.*.waf_web_acl_arn",
		Requires: "A stage takes a REGIONAL WAFv2 web ACL: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>.",
		Source:   docAPIGWWAF, Case: "custom-domain-and-waf", Says: "is not a regional WAFv2 web ACL ARN", Where: inConfig},
	{ID: "lambda-layer-arn", Class: ClassNames, Resource: "Lambda function",
		Keys:     "layers",
		Requires: "A layer is a layer version ARN, arn:aws:lambda:<region>:<account>:layer:<name>:<version>.",
		Source:   docLambdaLayers, Case: "layer-arn", Says: "is not a layer version ARN", Where: inConfig},
	{ID: "lambda-vpc-and-dead-letter-target", Class: ClassNames, Resource: "Lambda function",
		Keys:     "vpc, dead_letter_target_arn",
		Requires: "A VPC function names subnets and security groups by ID; a dead-letter target is an SQS queue or SNS topic ARN.",
		Source:   docLambdaVPC, Case: "ephemeral-storage-vpc-and-dead-letter-target", Says: "is not an SQS queue or SNS topic ARN", Where: inConfig},
	{ID: "apigw-authorizer-sources", Class: ClassNames, Resource: "API Gateway authorizer",
		Keys:     "authorizers.*.identity_source, identity_validation_expression",
		Requires: "Identity sources are method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<name>.",
		Source:   docAPIGWLambdaAuth, Case: "request-authorizer-sources-and-a-bad-validation-expression", Says: "is not an identity source", Where: inConfig},
	{ID: "cognito-user-pool-arn", Class: ClassNames, Resource: "API Gateway authorizer (Cognito)",
		Keys:     "authorizers.*.user_pool_arns",
		Requires: "A Cognito authorizer names its user pools by ARN.",
		Source:   docAPIGWCognito, Case: "cognito-authorizer-needs-user-pool-arns", Says: "is not a Cognito user pool ARN", Where: inConfig},
	{ID: "apigw-request-parameters", Class: ClassNames, Resource: "API Gateway method", Keys: "routes[].request.query, routes[].request.headers",
		Requires: "Required headers are named with letters, digits and -; query strings with letters, digits and - . _ (as method.request.header.<name> and method.request.querystring.<name>).",
		Source:   docAPIGWResources, Case: "query-and-header-names", Says: "is not a header name", Where: inConfig},
	{ID: "cognito-scopes", Class: ClassNames, Resource: "API Gateway method (Cognito authorization scopes)", Keys: "routes[].scopes",
		Requires: "An authorization scope is an OAuth scope: printable characters without spaces or quotes.",
		Source:   docAPIGWCognito, Case: "bad-scope", Says: "is not an OAuth scope", Where: inConfig},
	{ID: "region-names", Class: ClassNames, Resource: "every regional resource",
		Keys:     "api.region, environments.*.region",
		Requires: "A region is an AWS region code such as us-east-1.",
		Source:   docRegions, Case: "region", Says: "is not an AWS region", Where: inConfig},
	{ID: "handler-import-path", Class: ClassNames, Resource: "Lambda function code (go build)",
		Keys:     "routes[].handler, authorizers.*.handler",
		Requires: "go build builds a handler by its import path, whose elements are letters, digits and - . _ ~ +; the error is reported at the route.",
		Source:   docGoImportPath, Case: "handler-not-an-import-path", Says: "is not a valid Go import path", Check: checkHandlerImportPath},

	// ---- Cross-field and cross-environment ----
	{ID: "apigw-certificate-region", Class: ClassCross, Resource: "API Gateway custom domain (ACM certificate)",
		Keys:     "api.domain.certificate_arn, environments.*.domain, api.region, environments.*.region, api.endpoint_type",
		Requires: "apibuilder creates a REGIONAL custom domain in each environment's region (for REGIONAL and EDGE APIs); its ACM certificate must be in that region (an EDGE domain's would be in us-east-1).",
		Source:   docAPIGWDomain, Case: "certificate-region-per-environment", Says: "needs a REGIONAL custom domain's certificate in the API's region", Check: checkDomainRegion},
	{ID: "apigw-private-domain", Class: ClassCross, Resource: "API Gateway custom domain",
		Keys:     "api.endpoint_type, api.domain",
		Requires: "A PRIVATE API cannot be mapped to a public REGIONAL custom domain.",
		Source:   docAPIGWPrivate, Case: "private-api-with-a-domain", Says: "a PRIVATE API cannot be mapped", Where: with("apigw-certificate-region")},
	{ID: "waf-region", Class: ClassCross, Resource: "WAFv2 web ACL association",
		Keys:     "api.waf_web_acl_arn, environments.*.waf_web_acl_arn, regions",
		Requires: "A regional web ACL is associated only with stages in its own region, per environment.",
		Source:   docAPIGWWAF, Case: "waf-region-per-environment", Says: "WAF associates a regional web ACL only with stages in its own region", Check: checkWAFRegion},
	{ID: "dynamodb-ttl-attribute", Class: ClassCross, Resource: "DynamoDB table (time to live)",
		Keys:     "tables.*.ttl_attribute, hash_key_type, range_key_type",
		Requires: "The time-to-live attribute holds a Number (epoch seconds); a key attribute of type S or B never expires an item.",
		Source:   docDynamoTTL, Case: "table-ttl-and-key-attributes", Says: "silently never expires", Where: with("dynamodb-key-attribute-length")},
	{ID: "dynamodb-one-type-per-attribute", Class: ClassCross, Resource: "DynamoDB table and its indexes",
		Keys:     "tables.*.hash_key_type, range_key_type, indexes",
		Requires: "An attribute used as a key in the table and its indexes has one type.",
		Source:   docDynamoNames, Case: "table-indexes", Says: "DynamoDB keeps one type per attribute", Where: inConfig},
	{ID: "apigw-private-policy", Class: ClassCross, Resource: "API Gateway REST API (PRIVATE)",
		Keys:     "api.endpoint_type, api.vpc_endpoint_ids, api.policy",
		Requires: "A PRIVATE API is deployed only with a resource policy.",
		Source:   docAPIGWPrivate, Case: "private-api-without-a-policy", Says: "a PRIVATE API needs a resource policy", Where: inConfig},

	// ---- Structure ----
	{ID: "yaml-one-document", Class: ClassStructure, Resource: "routes.yaml",
		Keys:     "(the file)",
		Requires: "routes.yaml is one YAML document: a second one after --- (valid or not) is refused at its line instead of ignored.",
		Source:   docYAMLDocuments, Case: "second-yaml-document", Says: "starts a second YAML document", Where: inParse},

	// ---- Positions ----
	{ID: "apigw-resources-per-api", Class: ClassPosition, Resource: "API Gateway REST API",
		Keys:     "routes[].path, api.resource_quota",
		Requires: "A REST API has at most 300 resources (every distinct path prefix plus the root) unless AWS raised the quota; the error is at the first route over it.",
		Source:   docAPIGWQuotas, Case: "too-many-resources", Says: "this path is the first over the quota", Where: inConfig},
	{ID: "handler-main-package", Class: ClassPosition, Resource: "Lambda function code",
		Keys:     "routes[].handler, authorizers.*.handler",
		Requires: "A Go handler for provided.al2023 is a main package calling lambda.Start; the error is at the route's handler.",
		Source:   docLambdaGo, Case: "handler-that-is-not-a-main-package", Says: "not a main package", Where: inConfig},
	{ID: "handler-compiles", Class: ClassPosition, Resource: "Lambda function code (go build)",
		Keys:     "routes[].handler, authorizers.*.handler",
		Requires: "A handler compiles; the compiler's first errors are reported under each route (and authorizer) that uses it, at its handler line.",
		Source:   docGoBuild, Case: "TestHandlerThatDoesNotCompile", Says: "does not compile", Where: inGenerate},

	// ---- Input size ----
	{ID: "input-size", Class: ClassSize, Resource: "routes.yaml",
		Keys:     "(the file)",
		Requires: "A routes file is at most 2 MiB and 200,000 YAML nodes, refused before it is decoded further (a real API, at most 300 resources, is far smaller).",
		Source:   docAPIGWQuotas, Case: "TestInputLimits", Says: "apibuilder reads routes files of at most", Where: inParse},

	// ---- Ranges, allowed values and quotas ----
	{ID: "lambda-memory", Class: ClassRange, Resource: "Lambda function", Keys: "memory_mb",
		Requires: "Memory is 128 to 10,240 MB.", Source: docLambdaQuotas, Case: "memory-out-of-range", Says: "out of Lambda's range", Where: inConfig},
	{ID: "lambda-timeout", Class: ClassRange, Resource: "Lambda function", Keys: "timeout_s",
		Requires: "The timeout is 1 to 900 seconds.", Source: docLambdaQuotas, Case: "timeout", Says: "out of Lambda's range", Where: inConfig},
	{ID: "lambda-ephemeral-storage", Class: ClassRange, Resource: "Lambda function", Keys: "ephemeral_storage_mb",
		Requires: "/tmp is 512 to 10,240 MB.", Source: docLambdaQuotas, Case: "ephemeral-storage-vpc-and-dead-letter-target", Says: "ephemeral_storage_mb", Where: inConfig},
	{ID: "lambda-layers", Class: ClassRange, Resource: "Lambda function", Keys: "layers",
		Requires: "A function has at most 5 layers.", Source: docLambdaQuotas, Case: "too-many-layers", Says: "Lambda allows at most 5", Where: inConfig},
	{ID: "lambda-reserved-concurrency", Class: ClassRange, Resource: "Lambda function", Keys: "reserved_concurrency",
		Requires: "Reserved concurrency is 0 or more and leaves 100 of the account's concurrency (1,000 by default) unreserved; apibuilder checks -1 (unreserved) or 0 to 1,000, since an account's limit may be raised.", Source: docLambdaConc, Case: "reserved-concurrency", Says: "reserved_concurrency", Where: inConfig},
	{ID: "lambda-architecture", Class: ClassRange, Resource: "Lambda function", Keys: "architecture",
		Requires: "The architecture is arm64 or x86_64.", Source: docLambdaArch, Case: "architecture", Says: "allowed: arm64, x86_64", Where: inConfig},
	{ID: "lambda-runtime", Class: ClassRange, Resource: "Lambda function", Keys: "runtime",
		Requires: "Go runs on the OS-only runtimes provided.al2023 and provided.al2 (go1.x is retired).", Source: docLambdaRuntimes, Case: "runtime", Says: "allowed: provided.al2023, provided.al2", Where: inConfig},
	{ID: "lambda-tracing", Class: ClassRange, Resource: "Lambda function", Keys: "tracing",
		Requires: "The tracing mode is PassThrough or Active.", Source: docLambdaTracing, Case: "tracing", Says: "allowed: PassThrough, Active", Where: inConfig},
	{ID: "lambda-description", Class: ClassRange, Resource: "Lambda function", Keys: "routes[].description, authorizers.*.description",
		Requires: "A function's description is at most 256 characters.", Source: docLambdaCreate, Case: "route-description-too-long", Says: "Lambda allows 256", Where: inConfig},
	{ID: "logs-retention", Class: ClassRange, Resource: "CloudWatch Logs log group", Keys: "log_retention_days",
		Requires: "Retention is one of the values CloudWatch Logs offers (1, 3, 5, 7, 14, 30, ... 3653 days).", Source: docLogsRetention, Case: "retention-that-cloudwatch-does-not-offer", Says: "is not a CloudWatch Logs retention", Where: inConfig},
	{ID: "dynamodb-key-types-and-billing", Class: ClassRange, Resource: "DynamoDB table", Keys: "tables.*.hash_key_type, range_key_type, billing_mode, encryption",
		Requires: "Key types are S, N or B; billing is on demand; encryption is an AWS owned or managed key or a KMS key ARN.", Source: docDynamoNames, Case: "table-definitions", Says: "allowed: S, N, B", Where: inConfig},
	{ID: "dynamodb-indexes", Class: ClassRange, Resource: "DynamoDB table", Keys: "tables.*.indexes",
		Requires: "A table has at most 20 global secondary indexes, projecting ALL or KEYS_ONLY.", Source: docDynamoQuotas, Case: "table-indexes", Says: "allowed: ALL, KEYS_ONLY", Where: inConfig},
	{ID: "dynamodb-actions", Class: ClassRange, Resource: "IAM policy (the function's role)", Keys: "routes[].permissions[].actions",
		Requires: "Each action is a DynamoDB action, named without wildcards.", Source: docDynamoActions, Case: "unknown-action", Says: "did you mean \"PutItem\"", Where: inConfig},
	{ID: "apigw-endpoint-type", Class: ClassRange, Resource: "API Gateway REST API", Keys: "api.endpoint_type",
		Requires: "The endpoint type is REGIONAL, EDGE or PRIVATE.", Source: docAPIGWEndpoint, Case: "endpoint-type", Says: "allowed: REGIONAL, EDGE, PRIVATE", Where: inConfig},
	{ID: "apigw-compression", Class: ClassRange, Resource: "API Gateway REST API", Keys: "api.minimum_compression_size",
		Requires: "The minimum compression size is off (-1) or 0 to 10,485,760 bytes.", Source: docAPIGWCompress, Case: "compression", Says: "0 to 10485760 bytes", Where: inConfig},
	{ID: "apigw-usage-plan-limits", Class: ClassRange, Resource: "API Gateway usage plan", Keys: "authorizers.*.throttle, quota; environments.*.authorizers",
		Requires: "A usage plan's throttle has a rate and a burst, 0 or more; its quota a positive limit per DAY, WEEK or MONTH.", Source: docAPIGWUsage, Case: "authorizer-definitions", Says: "allowed: DAY, WEEK, MONTH", Where: inConfig},
	{ID: "apigw-authorizer-ttl", Class: ClassRange, Resource: "API Gateway authorizer", Keys: "authorizers.*.result_ttl_seconds",
		Requires: "An authorizer's result is cached 0 to 3,600 seconds.", Source: docAPIGWLambdaAuth, Case: "lambda-authorizer-needs-a-handler-and-a-header-source", Says: "use 0 (no caching) to 3600 seconds", Where: inConfig},
	{ID: "apigw-method-response-status", Class: ClassRange, Resource: "API Gateway method response", Keys: "routes[].response.status",
		Requires: "A method response's status code is an HTTP status code.", Source: docAPIGWResources, Case: "response-status-and-schema", Says: "is not an HTTP status code", Where: inConfig},
	{ID: "apigw-models", Class: ClassRange, Resource: "API Gateway model", Keys: "routes[].request.schema, response.schema",
		Requires: "A model is a JSON Schema draft-04 document.", Source: docAPIGWModels, Case: "schema-of-another-draft", Says: "declares $schema", Where: inConfig},
}
