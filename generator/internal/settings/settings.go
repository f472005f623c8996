// Package settings is the one table of routes.yaml's keys: for every key its
// type, default, allowed values or range, a one-line description, how it
// merges across defaults, routes and environments, and the Terraform
// variable it becomes. Before it, a key was typed in six files of three
// packages (the parser's key lists, the validator's ranges, the model's
// defaults, render's variables, the README) and they could drift apart.
// Now the parser's known keys and the validator's simple ranges and allowed
// values are read from here, `apibuilder schema` prints a JSON Schema made
// from it (for editors), and the routes.yaml reference's key tables are
// generated from it; tests fail when any of them disagrees with the table.
// The model merges the function settings across defaults, route (or
// authorizer) and environment by walking the keys with Layers, and render
// declares, sets (terraform.tfvars) and passes to lambda_route every key
// with an Attr, walking the table too.
//
// What a new key needs besides its row here:
//
//   - config: a field of the mapping's struct (for a function setting, of
//     config.Settings; a list also its <Field>Set bool) and the line of
//     parse.go that reads it; rules beyond the row's range or allowed
//     values in validate.go;
//   - a function setting layered per environment (Layers: PerEnv): a field
//     of model.RouteValues of the same Go name, tagged `setting:"<key>"`
//     (Built: of model.Route and model.Authorizer); with an Attr, a
//     variable of that name in modules/lambda_route that uses it. The
//     model merges it and render declares, writes and passes it with no
//     further code (an Object's group needs a model struct whose fields
//     are tagged with its keys, like model.VPC);
//   - any other key: the code of model and render that uses its value;
//   - then: go test ./generator/internal/settings -update (the reference
//     doc's table), go run ./cmd/apibuilder generate -no-build (the
//     repository's schema copy), and the goldens the new output changes.
//
// Tests fail when one of these is missing: config's
// TestParserReadsEveryKeyOfTheTable (a key the parser does not read),
// model's TestMergedKeys, render's TestFunctionVariablesAreTheTable and
// TestModuleArgumentsMatchDeclaredVariables (lambda_route lacks it).
//
// The package depends on nothing of the generator, so that every step
// (config, model, render, the CLI through generate) may read it.
package settings

import (
	"fmt"
	"slices"
	"strings"
)

// Type is the shape of a key's value.
type Type int

const (
	String       Type = iota // a scalar, read as text
	Int                      // a whole number
	Bool                     // true or false (yes/no and on/off too)
	StringList               // a list of strings
	StringOrList             // one string or a list of strings
	StringMap                // a mapping of names to strings
	Any                      // any YAML value (kept as the JSON it stands for)
	Object                   // a mapping with the keys of Group
	MapOf                    // a mapping of names (Item) to mappings with the keys of Group
	ListOf                   // a list of mappings with the keys of Group
)

// String names the type as the reference doc shows it.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Bool:
		return "boolean"
	case StringList:
		return "list of strings"
	case StringOrList:
		return "string or list of strings"
	case StringMap:
		return "map of strings"
	case Any:
		return "any value"
	case Object:
		return "mapping"
	case MapOf:
		return "map of mappings"
	case ListOf:
		return "list of mappings"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Range bounds a whole number (or, for lists and maps, their length).
type Range struct {
	Min, Max       int
	HasMin, HasMax bool
}

// Between is the range lo..hi.
func Between(lo, hi int) *Range { return &Range{Min: lo, Max: hi, HasMin: true, HasMax: true} }

// AtLeast is the range lo.. (no upper bound).
func AtLeast(lo int) *Range { return &Range{Min: lo, HasMin: true} }

// Key is one routes.yaml key.
type Key struct {
	Name string
	Type Type
	// Group names the group of keys of the mapping(s) an Object, MapOf or
	// ListOf holds; Item is what a MapOf's names are (e.g. "table"), shown
	// as <table> in paths.
	Group, Item string
	// Doc is the one-line description the reference doc and the JSON
	// Schema carry.
	Doc string
	// Default is the value used when the key is absent: a literal of the
	// key's type, or a description in parentheses when it is computed.
	Default string
	// Enum are the allowed values of a string (of each item of a list);
	// Fold compares them ignoring case; Prefix may precede the value
	// ("dynamodb:" before an action).
	Enum   []string
	Fold   bool
	Prefix string
	// Ints are the allowed values of a whole number.
	Ints []int
	// Range bounds a whole number; MaxItems a list's or map's length;
	// MaxLen a string's length in bytes.
	Range    *Range
	MaxItems int
	MaxLen   int
	// Required: a mapping of this group must set it.
	Required bool
	// Merge says how the value combines across defaults, routes and
	// environments (or api and environments), where it does. For a
	// function setting it is written from Layers (see init).
	Merge string
	// Layers is how a function setting is layered; the model merges every
	// key that has it, walking the table (model.TestMergedKeys).
	Layers Layering
	// TFVar is the Terraform variable (of envs/<env>) that carries the
	// resolved value, where one does. For a function setting with an Attr
	// it starts with the routes' and authorizers' attribute (see init);
	// a row names only other variables.
	TFVar string
	// Attr is the attribute of the function settings object that carries
	// a per-environment function setting to Terraform; render declares it
	// in var.routes and var.authorizer_functions, writes it into
	// terraform.tfvars and passes it to lambda_route, walking the table.
	Attr *Attr
}

// Layering is how a function setting combines across the layers of
// settings a function has.
type Layering int

const (
	NotLayered Layering = iota
	// Built: defaults, then the route (or authorizer); the last set
	// wins. A function is built once, so no environment may change it.
	Built
	// PerEnv: defaults, then the route (or authorizer), then
	// environments.<env>, then that environment's entry for the route
	// (or authorizer); the last set wins. A list is replaced whole, a
	// mapping of strings name by name, a mapping (Object) whole.
	PerEnv
)

// Attr is how a per-environment function setting reaches Terraform: an
// attribute of the object var.routes[<route>] and
// var.authorizer_functions[<authorizer>] hold, and the lambda_route
// argument of the same name. Its Terraform type follows from the key's
// Type (a list of strings is list(string), an Object the object of its
// group's keys).
type Attr struct {
	Name string
	// Optional declares it optional(type) or, with Default (an HCL
	// literal), optional(type, Default). An attribute that is required or
	// has a Default is always written into terraform.tfvars (a list that
	// is not set as []); one that is optional without a Default only when
	// the merged value is set (not the zero value).
	Optional bool
	Default  string
}

// Group is the set of keys a mapping may have.
type Group struct {
	Name string
	Doc  string
	Keys []Key
	// Include is a group whose keys this one also has, after its own.
	Include string
}

// Root is the group of routes.yaml's top level.
const Root = "routes.yaml"

// Function settings merge from defaults over the route (or authorizer) and
// the environment to the environment's entry for that route.
const functionMerge = "defaults, then the route (or authorizer), then environments.<env>, then environments.<env>.routes.<route> (or .authorizers.<name>); the last set wins"

// builtMerge is the merge rule of a Built function setting.
const builtMerge = "defaults, then the route (or authorizer)"

// fnVar names the variables that carry a function setting: the routes'
// and the token and request authorizers'.
func fnVar(name string) string {
	return "routes[<route>]." + name + ", authorizer_functions[<authorizer>]." + name
}

// mergeDoc is the merge rule the reference shows for a layered key.
func mergeDoc(k Key) string {
	switch k.Layers {
	case Built:
		return builtMerge
	case PerEnv:
		switch k.Type {
		case StringList:
			return functionMerge + " (the whole list)"
		case StringMap:
			return functionMerge + " (variable by variable)"
		case Object:
			return functionMerge + " (the whole mapping)"
		}
		return functionMerge
	}
	return ""
}

// init writes the Merge and TFVar text of the function settings from
// their Layers and Attr, so that a row says each once.
func init() {
	for i := range Groups {
		for j := range Groups[i].Keys {
			k := &Groups[i].Keys[j]
			if k.Layers != NotLayered {
				k.Merge = mergeDoc(*k)
			}
			if k.Attr != nil {
				v := fnVar(k.Attr.Name)
				if k.TFVar != "" {
					v += ", " + k.TFVar
				}
				k.TFVar = v
			}
		}
	}
}

// Groups is the table, in the order the reference shows it.
var Groups = []Group{
	{Name: Root, Doc: "The top level of routes.yaml.", Keys: []Key{
		{Name: "api", Type: Object, Group: "api", Required: true, Doc: "The REST API: its name and API-wide settings."},
		{Name: "defaults", Type: Object, Group: "function", Doc: "Function settings every route and token or request authorizer inherits and may override."},
		{Name: "tables", Type: MapOf, Group: "table", Item: "table", Doc: "DynamoDB tables, by name; routes reach them through permissions and ${table.<name>.name|arn}."},
		{Name: "authorizers", Type: MapOf, Group: "authorizer", Item: "authorizer", Doc: "Named ways to authenticate callers; a route names one with auth."},
		{Name: "routes", Type: ListOf, Group: "route", Required: true, Doc: "The routes: each is one method and path served by one Lambda function."},
		{Name: "environments", Type: MapOf, Group: "environment", Item: "env", Default: "(dev and prod)", Doc: "The environments, by name, with the values that differ per deployment; each becomes envs/<env>."},
		{Name: "backend", Type: Object, Group: "backend", Default: "(state in each envs/<env>)", Doc: "Where Terraform keeps the state, for teams."},
		{Name: "modules", Type: Object, Group: "modules", Default: "(the modules apibuilder carries, written to .apibuilder/modules)", Doc: "Where the generated module calls find apibuilder's Terraform modules."},
		{Name: "allow_paths_outside_project", Type: Bool, Default: "false", Doc: "Let handlers and schemas lead outside the project (symbolic links followed)."},
	}},
	{Name: "api", Doc: "The REST API.", Keys: []Key{
		{Name: "name", Type: String, Required: true, Doc: "Name of the API: lowercase letters, digits and '-', starting with a letter; resource names are <name>-<env>-<route>.", TFVar: "api_name"},
		{Name: "description", Type: String, Doc: "Description of the REST API."},
		{Name: "endpoint_type", Type: String, Enum: []string{"REGIONAL", "EDGE", "PRIVATE"}, Default: "REGIONAL", Doc: "The API's endpoint type."},
		{Name: "region", Type: String, Default: "us-east-1", Doc: "AWS region of every environment that names none.", Merge: "environments.<env>.region overrides it", TFVar: "region"},
		{Name: "cors", Type: Object, Group: "cors", Doc: "CORS: the preflight, CORS headers on gateway errors, and APIBUILDER_CORS_* for the functions."},
		{Name: "binary_media_types", Type: StringList, Doc: "Media types API Gateway treats as binary, e.g. image/png."},
		{Name: "minimum_compression_size", Type: Int, Range: Between(-1, 10485760), Default: "-1", Doc: "Smallest response body (bytes) API Gateway compresses; -1 is off."},
		{Name: "tags", Type: StringMap, MaxItems: 50, Doc: "Tags on every resource (at most 50).", TFVar: "tags"},
		{Name: "access_logs", Type: Bool, Default: "true", Doc: "A JSON access log entry per request (needs the account's API Gateway CloudWatch role)."},
		{Name: "xray_tracing", Type: Bool, Default: "false", Doc: "X-Ray tracing of the stage.", Merge: "environments.<env>.xray_tracing overrides it", TFVar: "stage.xray_tracing"},
		{Name: "cloudwatch_role", Type: Bool, Default: "false", Doc: "Generate envs/_account, which sets the account's API Gateway CloudWatch logging role."},
		{Name: "resource_quota", Type: Int, Range: AtLeast(300), Default: "300", Doc: "Resources per REST API AWS granted the account; set it only after AWS raised the quota."},
		{Name: "domain", Type: Object, Group: "domain", Doc: "A REGIONAL custom domain (TLS 1.2) mapped to the stage.", Merge: "environments.<env>.domain overrides its name or base_path", TFVar: "domain"},
		{Name: "waf_web_acl_arn", Type: String, Doc: "ARN of a regional WAFv2 web ACL to associate with the stage.", Merge: "environments.<env>.waf_web_acl_arn overrides it", TFVar: "waf_web_acl_arn"},
		{Name: "vpc_endpoint_ids", Type: StringList, Doc: "PRIVATE APIs only: the VPC endpoints that may call the API."},
		{Name: "policy", Type: String, Doc: "A JSON resource policy file, relative to the project; a PRIVATE API needs it or vpc_endpoint_ids."},
	}},
	{Name: "domain", Doc: "A custom domain name for the stage.", Keys: []Key{
		{Name: "name", Type: String, Required: true, Doc: "The domain name, lowercase, e.g. api.example.com."},
		{Name: "certificate_arn", Type: String, Doc: "ARN of the ACM certificate for the name, in the API's region (required under api.domain)."},
		{Name: "base_path", Type: String, Default: "(the whole domain)", Doc: "Path segments the stage is mapped under, e.g. v1."},
	}},
	{Name: "cors", Doc: "CORS settings.", Keys: []Key{
		{Name: "allow_origins", Type: StringList, Doc: "Allowed origins: scheme://host[:port] each, or \"*\" alone (required when cors is set)."},
		{Name: "allow_headers", Type: StringList, Doc: "Request headers the preflight allows."},
		{Name: "allow_methods", Type: StringList, Enum: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}, Default: "(the usual set)", Doc: "Methods the preflight allows."},
		{Name: "expose_headers", Type: StringList, Doc: "Response headers scripts may read besides the safelisted ones."},
		{Name: "max_age_seconds", Type: Int, Range: Between(0, 86400), Doc: "How long browsers may cache the preflight answer, in seconds."},
		{Name: "allow_credentials", Type: Bool, Default: "false", Doc: "Let browsers send credentials (not with allow_origins \"*\")."},
	}},
	{Name: "function", Doc: "Settings of one Lambda function, layered: " + functionMerge + ".", Keys: []Key{
		{Name: "runtime", Type: String, Enum: []string{"provided.al2023", "provided.al2"}, Default: "provided.al2023", Doc: "Lambda runtime of the function (not per environment: a function is built once).", Layers: Built},
		{Name: "architecture", Type: String, Enum: []string{"arm64", "x86_64"}, Default: "arm64", Doc: "Instruction set the function is built for (not per environment: a function is built once).", Layers: Built},
		{Name: "memory_mb", Type: Int, Range: Between(128, 10240), Default: "128", Doc: "Memory of the function, in MB.", Layers: PerEnv, Attr: &Attr{Name: "memory_mb"}},
		{Name: "timeout_s", Type: Int, Range: Between(1, 900), Default: "10", Doc: "Timeout of the function, in seconds (API Gateway stops waiting after 29 s).", Layers: PerEnv, Attr: &Attr{Name: "timeout_s"}},
		{Name: "log_retention_days", Type: Int, Ints: []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}, Default: "14", Doc: "Days CloudWatch Logs keeps the function's logs (and, from defaults or the environment, the stage's access logs).", Layers: PerEnv, Attr: &Attr{Name: "log_retention_days"}, TFVar: "stage.log_retention_days"},
		{Name: "reserved_concurrency", Type: Int, Range: Between(-1, 1000), Default: "-1", Doc: "Concurrency reserved for the function; -1 is unreserved.", Layers: PerEnv, Attr: &Attr{Name: "reserved_concurrency", Optional: true, Default: "-1"}},
		{Name: "tracing", Type: String, Enum: []string{"PassThrough", "Active"}, Default: "PassThrough", Doc: "X-Ray tracing mode of the function.", Layers: PerEnv, Attr: &Attr{Name: "tracing_mode", Optional: true, Default: `"PassThrough"`}},
		{Name: "layers", Type: StringList, MaxItems: 5, Doc: "Layer version ARNs, at most 5.", Layers: PerEnv, Attr: &Attr{Name: "layers", Optional: true, Default: "[]"}},
		{Name: "environment", Type: StringMap, Doc: "Environment variables: ${table.<t>.name|arn} references; $${ is a literal ${; a secret is ssm:<parameter> or secretsmanager:<name or ARN>.", Layers: PerEnv},
		{Name: "ephemeral_storage_mb", Type: Int, Range: Between(512, 10240), Default: "(Lambda's 512)", Doc: "Size of /tmp, in MB.", Layers: PerEnv, Attr: &Attr{Name: "ephemeral_storage_mb", Optional: true}},
		{Name: "vpc", Type: Object, Group: "vpc", Doc: "Subnets and security groups to run the function in.", Layers: PerEnv, Attr: &Attr{Name: "vpc", Optional: true}},
		{Name: "dead_letter_target_arn", Type: String, Doc: "SQS queue or SNS topic ARN for failed asynchronous invocations.", Layers: PerEnv, Attr: &Attr{Name: "dead_letter_target_arn", Optional: true}},
	}},
	{Name: "vpc", Doc: "A function's place in a VPC.", Keys: []Key{
		{Name: "subnet_ids", Type: StringList, Doc: "Subnet IDs, e.g. subnet-0123456789abcdef0 (at least one)."},
		{Name: "security_group_ids", Type: StringList, Doc: "Security group IDs, e.g. sg-0123456789abcdef0 (at least one)."},
	}},
	{Name: "table", Doc: "A DynamoDB table.", Keys: []Key{
		{Name: "hash_key", Type: String, Required: true, Doc: "Partition key attribute: letters, digits and '_'."},
		{Name: "hash_key_type", Type: String, Enum: []string{"S", "N", "B"}, Default: "S", Doc: "Type of the partition key."},
		{Name: "range_key", Type: String, Doc: "Sort key attribute, if any."},
		{Name: "range_key_type", Type: String, Enum: []string{"S", "N", "B"}, Default: "S", Doc: "Type of the sort key (with range_key)."},
		{Name: "billing_mode", Type: String, Enum: []string{"PAY_PER_REQUEST"}, Default: "PAY_PER_REQUEST", Doc: "Billing mode of the table."},
		{Name: "ttl_attribute", Type: String, Doc: "Attribute holding each item's expiry time (epoch seconds)."},
		{Name: "point_in_time_recovery", Type: Bool, Default: "(on in the env named prod only)", Doc: "Point-in-time recovery of the table.", Merge: "environments.<env>.point_in_time_recovery overrides it for every table", TFVar: "tables[<table>].point_in_time_recovery"},
		{Name: "encryption", Type: String, Default: "aws_owned", Doc: "Encryption at rest: aws_owned, aws_managed or a KMS key ARN."},
		{Name: "indexes", Type: MapOf, Group: "index", Item: "index", MaxItems: 20, Doc: "Global secondary indexes, by name (at most 20)."},
	}},
	{Name: "index", Doc: "A global secondary index.", Keys: []Key{
		{Name: "hash_key", Type: String, Required: true, Doc: "Partition key attribute of the index."},
		{Name: "hash_key_type", Type: String, Enum: []string{"S", "N", "B"}, Default: "S", Doc: "Type of the index's partition key."},
		{Name: "range_key", Type: String, Doc: "Sort key attribute of the index, if any."},
		{Name: "range_key_type", Type: String, Enum: []string{"S", "N", "B"}, Default: "S", Doc: "Type of the index's sort key (with range_key)."},
		{Name: "projection", Type: String, Enum: []string{"ALL", "KEYS_ONLY"}, Default: "ALL", Doc: "Attributes the index holds."},
	}},
	{Name: "authorizer", Doc: "A named way to authenticate callers.", Include: "function", Keys: []Key{
		{Name: "type", Type: String, Required: true, Enum: []string{"api_key", "token", "request", "cognito", "iam"}, Doc: "api_key (usage plans), token or request (a Lambda function of your own), cognito (user pools) or iam (SigV4)."},
		{Name: "keys", Type: StringList, Default: "(one key named after the authorizer)", Doc: "api_key: the API keys of the usage plan."},
		{Name: "throttle", Type: Object, Group: "throttle", Doc: "api_key: the usage plan's throttling.", Merge: "environments.<env>.authorizers.<name>.throttle overrides it", TFVar: "usage_plans[<name>].throttle"},
		{Name: "quota", Type: Object, Group: "quota", Doc: "api_key: the usage plan's quota.", Merge: "environments.<env>.authorizers.<name>.quota overrides it", TFVar: "usage_plans[<name>].quota"},
		{Name: "handler", Type: String, Doc: "token and request: the Go main package of the authorizer's function."},
		{Name: "description", Type: String, MaxLen: 256, Doc: "token and request: the function's description (at most 256 characters)."},
		{Name: "identity_source", Type: StringOrList, Default: "method.request.header.Authorization", Doc: "Where the identity is: one header (token, cognito) or a list of sources (request, required)."},
		{Name: "identity_validation_expression", Type: String, Doc: "token only: a regular expression the token must match."},
		{Name: "result_ttl_seconds", Type: Int, Range: Between(0, 3600), Default: "300", Doc: "How long API Gateway caches the decision; 0 is no caching."},
		{Name: "user_pool_arns", Type: StringList, Doc: "cognito: ARNs of the user pools whose tokens are accepted (required)."},
		{Name: "test_token", Type: String, Doc: "token only: a value allowed in dev, for smoke calls and generated tests (never a production secret)."},
		{Name: "test_identity", Type: StringMap, Doc: "request only: values of the identity sources allowed in dev, for smoke calls and generated tests."},
	}},
	{Name: "throttle", Doc: "A token bucket.", Keys: []Key{
		{Name: "rate", Type: Int, Required: true, Range: AtLeast(0), Doc: "Steady requests per second."},
		{Name: "burst", Type: Int, Required: true, Range: AtLeast(0), Doc: "Requests in a burst."},
	}},
	{Name: "quota", Doc: "A cap of requests per period.", Keys: []Key{
		{Name: "limit", Type: Int, Required: true, Range: AtLeast(1), Doc: "Requests allowed per period."},
		{Name: "period", Type: String, Required: true, Enum: []string{"DAY", "WEEK", "MONTH"}, Doc: "The period."},
	}},
	{Name: "route", Doc: "One method and path served by one Lambda function.", Include: "function", Keys: []Key{
		{Name: "name", Type: String, Required: true, Doc: "Unique name of the route: lowercase letters, digits and '_', starting with a letter."},
		{Name: "method", Type: String, Required: true, Enum: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}, Fold: true, Doc: "HTTP method (ANY overlaps every method)."},
		{Name: "path", Type: String, Required: true, Doc: "Path: {param} segments; a greedy {proxy+} last only."},
		{Name: "handler", Type: String, Required: true, Doc: "The Go main package of the route's function, relative to the project."},
		{Name: "description", Type: String, MaxLen: 256, Doc: "The route's description; it becomes the function's (at most 256 characters)."},
		{Name: "request", Type: Object, Group: "request", Doc: "What the request must carry (validated by API Gateway), and its examples."},
		{Name: "response", Type: Object, Group: "response", Doc: "The success response: its schema and status."},
		{Name: "permissions", Type: ListOf, Group: "permission", Doc: "DynamoDB actions the function may perform, per table."},
		{Name: "auth", Type: String, Default: "none", Doc: "An authorizer's name, or none."},
		{Name: "scopes", Type: StringList, Doc: "OAuth scopes a cognito authorizer requires, e.g. items/write."},
	}},
	{Name: "request", Doc: "A route's request.", Keys: []Key{
		{Name: "schema", Type: String, Doc: "JSON Schema (draft-04) file of the body, enforced by API Gateway."},
		{Name: "query", Type: StringList, Doc: "Required query strings (validated)."},
		{Name: "headers", Type: StringList, Doc: "Required headers (validated)."},
		{Name: "example", Type: Any, Doc: "A body for smoke calls and generated tests, checked against the schema."},
		{Name: "example_params", Type: StringMap, Doc: "Values of path parameters, required query strings and headers, for the same use."},
	}},
	{Name: "response", Doc: "A route's success response.", Keys: []Key{
		{Name: "schema", Type: String, Required: true, Doc: "JSON Schema (draft-04) file of the body."},
		{Name: "status", Type: Int, Range: Between(100, 599), Default: "(201 for POST, 200 otherwise)", Doc: "The success status code."},
	}},
	{Name: "permission", Doc: "DynamoDB actions on one table.", Keys: []Key{
		{Name: "table", Type: String, Required: true, Doc: "A table declared under tables."},
		{Name: "actions", Type: StringList, Prefix: "dynamodb:", Enum: []string{"BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DeleteItem", "DescribeTable", "GetItem", "PartiQLDelete", "PartiQLInsert", "PartiQLSelect", "PartiQLUpdate", "PutItem", "Query", "Scan", "UpdateItem"}, Doc: "Exact DynamoDB actions (no wildcards)."},
	}},
	{Name: "environment", Doc: "The values of one deployment.", Include: "function", Keys: []Key{
		{Name: "stage", Type: String, Default: "(the environment's name)", Doc: "API Gateway stage name: 1-128 letters, digits, '-' or '_'.", TFVar: "stage.name"},
		{Name: "region", Type: String, Default: "(api.region)", Doc: "AWS region of the environment.", Merge: "overrides api.region", TFVar: "region"},
		{Name: "throttle", Type: Object, Group: "throttle", Doc: "Stage throttling.", TFVar: "stage.throttle"},
		{Name: "metrics", Type: Bool, Default: "true", Doc: "CloudWatch metrics of the stage.", TFVar: "stage.metrics_enabled"},
		{Name: "logging_level", Type: String, Enum: []string{"OFF", "ERROR", "INFO"}, Default: "OFF", Doc: "Execution logging of the stage.", TFVar: "stage.logging_level"},
		{Name: "data_trace", Type: Bool, Default: "false", Doc: "Log full requests and responses (execution logs).", TFVar: "stage.data_trace"},
		{Name: "xray_tracing", Type: Bool, Default: "(api.xray_tracing)", Doc: "X-Ray tracing of the stage.", Merge: "overrides api.xray_tracing", TFVar: "stage.xray_tracing"},
		{Name: "point_in_time_recovery", Type: Bool, Default: "(each table's; on in prod only)", Doc: "Point-in-time recovery of every table.", Merge: "overrides tables.<table>.point_in_time_recovery", TFVar: "tables[<table>].point_in_time_recovery"},
		{Name: "deletion_protection", Type: Bool, Default: "(on in the env named prod only)", Doc: "Deletion protection of every table.", TFVar: "tables[<table>].deletion_protection"},
		{Name: "routes", Type: MapOf, Group: "function", Item: "route", Doc: "One route's function settings in this environment only (not runtime or architecture)."},
		{Name: "authorizers", Type: MapOf, Group: "authorizer_env", Item: "authorizer", Doc: "One authorizer's settings in this environment: function settings (token, request) or usage plan limits (api_key)."},
		{Name: "domain", Type: Object, Group: "domain", Doc: "The stage's custom domain in this environment.", Merge: "overrides api.domain's name or base_path", TFVar: "domain"},
		{Name: "waf_web_acl_arn", Type: String, Doc: "ARN of a regional WAFv2 web ACL for this environment's stage.", Merge: "overrides api.waf_web_acl_arn", TFVar: "waf_web_acl_arn"},
		{Name: "stage_variables", Type: StringMap, Doc: "The stage's variables ($stageVariables.<name>, event.stageVariables).", TFVar: "stage.variables"},
	}},
	{Name: "authorizer_env", Doc: "One authorizer in one environment.", Include: "function", Keys: []Key{
		{Name: "throttle", Type: Object, Group: "throttle", Doc: "api_key: this environment's usage plan throttling.", Merge: "overrides authorizers.<name>.throttle", TFVar: "usage_plans[<name>].throttle"},
		{Name: "quota", Type: Object, Group: "quota", Doc: "api_key: this environment's usage plan quota.", Merge: "overrides authorizers.<name>.quota", TFVar: "usage_plans[<name>].quota"},
	}},
	{Name: "backend", Doc: "Remote Terraform state.", Keys: []Key{
		{Name: "s3", Type: Object, Group: "s3", Doc: "An S3 backend."},
	}},
	{Name: "s3", Doc: "An S3 backend.", Keys: []Key{
		{Name: "bucket", Type: String, Required: true, Doc: "The S3 bucket that holds the state."},
		{Name: "region", Type: String, Doc: "The bucket's region."},
		{Name: "key_prefix", Type: String, Doc: "A relative key prefix for the state objects, e.g. teams/payments."},
		{Name: "dynamodb_table", Type: String, Doc: "A DynamoDB table for state locking (or use_lockfile)."},
		{Name: "use_lockfile", Type: Bool, Default: "false", Doc: "Lock with an S3 lock file (Terraform 1.10 or later) instead of dynamodb_table."},
	}},
	{Name: "modules", Doc: "Where the Terraform modules are.", Keys: []Key{
		{Name: "path", Type: String, Doc: "A directory of this project holding api_gateway/ and lambda_route/."},
		{Name: "source", Type: String, Doc: "A remote source of that directory: a registry module (with version) or a git address (?ref=<tag>)."},
		{Name: "version", Type: String, Doc: "The registry module's version (registry sources only)."},
	}},
}

// group returns the named group; it panics on a name the table lacks (a
// programming error, caught by any test that reads the table).
func group(name string) *Group {
	for i := range Groups {
		if Groups[i].Name == name {
			return &Groups[i]
		}
	}
	panic("settings: no group " + name)
}

// KeysOf is every key a mapping of the group may have, in table order:
// its own, then those of the group it includes.
func KeysOf(name string) []Key {
	g := group(name)
	keys := slices.Clone(g.Keys)
	if g.Include != "" {
		keys = append(keys, KeysOf(g.Include)...)
	}
	return keys
}

// Names is the names of KeysOf(name): the parser's allowed keys.
func Names(name string) []string {
	var out []string
	for _, k := range KeysOf(name) {
		out = append(out, k.Name)
	}
	return out
}

// Lookup is the key of a group (included keys too).
func Lookup(groupName, key string) Key {
	for _, k := range KeysOf(groupName) {
		if k.Name == key {
			return k
		}
	}
	panic(fmt.Sprintf("settings: group %s has no key %s", groupName, key))
}

// Enum is the allowed values of a key.
func Enum(groupName, key string) []string { return slices.Clone(Lookup(groupName, key).Enum) }

// Entry is one key at one place of routes.yaml.
type Entry struct {
	Path  string // e.g. routes[].memory_mb, environments.<env>.routes.<route>.memory_mb
	Group string // the group it belongs to
	Key   Key
}

// Paths lists every key at every place it may appear, depth first in table
// order.
func Paths() []Entry {
	var out []Entry
	var walk func(prefix, name string)
	walk = func(prefix, name string) {
		for _, k := range KeysOf(name) {
			p := k.Name
			if prefix != "" {
				p = prefix + "." + k.Name
			}
			out = append(out, Entry{Path: p, Group: name, Key: k})
			switch k.Type {
			case Object:
				walk(p, k.Group)
			case MapOf:
				walk(p+".<"+k.Item+">", k.Group)
			case ListOf:
				walk(p+"[]", k.Group)
			}
		}
	}
	walk("", Root)
	return out
}

// Placeholder is how Paths writes a MapOf's names: <item>.
func Placeholder(item string) string { return "<" + item + ">" }

// DefaultLiteral reports whether a key's default is a literal value (and
// not a description of a computed one).
func (k Key) DefaultLiteral() bool { return k.Default != "" && !strings.HasPrefix(k.Default, "(") }

// Function is the group of function settings.
const Function = "function"

// LayeredKeys is the function settings layered as l, in table order: the
// keys the model merges (Built into a route's or authorizer's function,
// PerEnv into each environment's values).
func LayeredKeys(l Layering) []Key {
	var out []Key
	for _, k := range KeysOf(Function) {
		if k.Layers == l {
			out = append(out, k)
		}
	}
	return out
}

// AttrKeys is the function settings Terraform carries per environment
// (those with an Attr), in table order: the attributes of var.routes and
// var.authorizer_functions.
func AttrKeys() []Key {
	var out []Key
	for _, k := range KeysOf(Function) {
		if k.Attr != nil {
			out = append(out, k)
		}
	}
	return out
}
