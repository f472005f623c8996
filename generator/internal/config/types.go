// Package config reads routes.yaml into positioned values and validates it.
// Every problem is reported with file:line:col, the field and what to do,
// all at once, before anything is written.
package config

import "github.com/apibuilder/apibuilder/generator/internal/diag"

// Config is the whole of routes.yaml.
type Config struct {
	File string // as given by the user, used in messages
	Dir  string // directory of the file; handler and schema paths are relative to it

	API          API
	Defaults     Settings
	Tables       []Table
	Authorizers  []Authorizer
	Routes       []Route
	Environments []Environment
	Backend      *Backend
	Modules      *Modules // nil: the modules the tool carries, written into the project
	// AllowOutside lets handlers and schemas live outside the project
	// (allow_paths_outside_project), symbolic links included.
	AllowOutside Bool

	// Inputs are the absolute paths of every file and directory Load read
	// or checked besides the routes file: while none of them (nor the
	// routes file) changes, neither does what Load returns.
	Inputs []string
}

// Modules says where the generated module calls find apibuilder's
// Terraform modules: a directory of the project (path), or a remote
// source (a git/HTTP address of the directory holding api_gateway and
// lambda_route, or a registry module with version).
type Modules struct {
	Pos     diag.Pos
	Path    Str
	Source  Str
	Version Str
}

// API is the top-level api: section.
type API struct {
	Pos                    diag.Pos
	Name                   Str
	Description            Str
	EndpointType           Str
	Region                 Str
	CORS                   *CORS
	BinaryMediaTypes       []Str
	MinimumCompressionSize Int
	Tags                   []KV
	AccessLogs             Bool
	XRayTracing            Bool
	CloudWatchRole         Bool
	ResourceQuota          Int // resources per REST API granted to the account (default 300)
	Domain                 *Domain
	WAFWebACLArn           Str
	VPCEndpointIDs         []Str // a PRIVATE API's VPC endpoints (its resource policy allows only them)
	Policy                 Str   // a resource policy file (JSON), relative to the project
}

// Domain is a custom domain name for the stage (api.domain, or an
// environment's override).
type Domain struct {
	Pos            diag.Pos
	Field          string
	Name           Str
	CertificateArn Str
	BasePath       Str
}

// CORS configures preflight responses and CORS headers on gateway errors.
type CORS struct {
	Pos              diag.Pos
	AllowOrigins     []Str
	AllowHeaders     []Str
	AllowMethods     []Str
	ExposeHeaders    []Str
	MaxAgeSeconds    Int
	AllowCredentials Bool
}

// Settings are the per-function values that defaults, routes and
// environments may each set; later layers override earlier ones.
type Settings struct {
	Pos                 diag.Pos
	Path                string // field path, e.g. defaults or environments.prod
	Runtime             Str
	Architecture        Str
	MemoryMB            Int
	TimeoutS            Int
	LogRetentionDays    Int
	ReservedConcurrency Int
	Tracing             Str
	Layers              []Str
	LayersSet           bool
	Environment         []KV
	EphemeralStorageMB  Int
	VPC                 *VPC
	DeadLetterTargetArn Str
}

// VPC places a function in subnets of a VPC.
type VPC struct {
	Pos              diag.Pos
	SubnetIDs        []Str
	SecurityGroupIDs []Str
}

// Table is one DynamoDB table.
type Table struct {
	Pos                 diag.Pos
	Name                Str
	HashKey             Str
	HashKeyType         Str
	RangeKey            Str
	RangeKeyType        Str
	BillingMode         Str
	TTLAttribute        Str
	PointInTimeRecovery Bool
	Encryption          Str // aws_owned (default), aws_managed or a KMS key ARN
	Indexes             []Index
	Malformed           bool // not a mapping (already reported); only its name is known
}

// Index is a global secondary index of a table.
type Index struct {
	Pos          diag.Pos
	Name         Str
	HashKey      Str
	HashKeyType  Str
	RangeKey     Str
	RangeKeyType Str
	Projection   Str
}

// Authorizer is a named way to authenticate callers.
type Authorizer struct {
	Pos  diag.Pos
	Name Str
	Type Str // api_key, token, request, cognito or iam
	// api_key: the keys and their usage plan limits.
	Keys     []Str
	Throttle *Throttle
	Quota    *Quota
	// token and request: a Lambda function of its own, built like a route's.
	Handler            Str
	Description        Str
	IdentitySource     []Str // token: one header; request: one or more sources
	IdentitySourceSet  bool
	IdentityValidation Str // token only: a regular expression the token must match
	ResultTTLSeconds   Int
	Settings           Settings
	// cognito: the user pools whose tokens are accepted.
	UserPoolArns []Str
	// token: a value of the identity header that the authorizer allows in
	// dev, for smoke calls and generated tests (never a production secret).
	TestToken Str
	// request: values of the identity sources that the authorizer allows
	// in dev (header or query string name -> value), for the same use.
	TestIdentity []KV
}

// Throttle is a token bucket: steady requests per second and burst.
type Throttle struct {
	Pos   diag.Pos
	Rate  Int
	Burst Int
}

// Quota caps requests per period.
type Quota struct {
	Pos    diag.Pos
	Limit  Int
	Period Str
}

// Route is one method + path served by one Lambda function.
type Route struct {
	Pos         diag.Pos
	Index       int
	Field       string // routes[i]
	Name        Str
	Method      Str
	Path        Str
	Handler     Str
	Description Str
	Request     *Body
	Response    *Body
	Permissions []Permission
	Auth        Str
	Scopes      []Str // OAuth scopes a cognito authorizer requires
	Settings    Settings
}

// Body is a request or response body described by a JSON schema file.
type Body struct {
	Pos    diag.Pos
	Schema Str
	Status Int // response only: the success status code
	// Parameters (request only): required query strings and headers.
	Query   []Str
	Headers []Str
	// Examples (request only): a body, and values of the path parameters,
	// query strings and headers, for smoke calls, generated tests and the
	// OpenAPI document.
	Example       JSON
	ExampleParams []KV
}

// JSON is a value given in YAML, kept as the JSON it stands for.
type JSON struct {
	Raw []byte
	Pos diag.Pos
	Set bool
}

// Permission grants DynamoDB actions on one table.
type Permission struct {
	Pos     diag.Pos
	Field   string
	Table   Str
	Actions []Str
}

// Environment holds the values that differ per deployment.
type Environment struct {
	Pos          diag.Pos
	Name         Str
	Stage        Str
	Region       Str
	Throttle     *Throttle
	MetricsOn    Bool
	LoggingLevel Str
	DataTrace    Bool
	XRayTracing  Bool
	PITR         Bool
	// DeletionProtection of every table (default: on in the env named prod).
	DeletionProtection Bool
	Domain             *Domain
	WAFWebACLArn       Str
	StageVars          []KV // stage variables: $stageVariables.<name>, event.stageVariables
	Settings           Settings
	RouteSettings      []RouteOverride
	AuthSettings       []RouteOverride // environments.<env>.authorizers.<name>
}

// RouteOverride is environments.<env>.routes.<route> (or .authorizers.<name>):
// one function's settings in one env.
type RouteOverride struct {
	Route    Str
	Settings Settings
	Throttle *Throttle // api_key authorizers only: this env's usage plan limits
	Quota    *Quota
}

// Backend is where Terraform keeps state for teams.
type Backend struct {
	Pos       diag.Pos
	Bucket    Str
	Region    Str
	KeyPrefix Str
	LockTable Str
	Lockfile  Bool
}
