# ---- API ----

variable "name" {
  description = "Name of the REST API. Usually <api>-<env>."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 1024
    error_message = "name must be 1-1024 characters."
  }
}

variable "description" {
  description = "Description of the REST API."
  type        = string
  default     = ""
}

variable "endpoint_type" {
  description = "Endpoint type of the API."
  type        = string
  default     = "REGIONAL"

  validation {
    condition     = contains(["REGIONAL", "EDGE", "PRIVATE"], var.endpoint_type)
    error_message = "endpoint_type must be REGIONAL, EDGE or PRIVATE."
  }
}

variable "vpc_endpoint_ids" {
  description = "VPC endpoint IDs allowed to reach a PRIVATE API. Without a policy, they make the API's resource policy: invocations through these endpoints only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.vpc_endpoint_ids : can(regex("^vpce-[0-9a-f]+$", id))])
    error_message = "vpc_endpoint_ids must be VPC endpoint IDs such as vpce-0123456789abcdef0."
  }
}

variable "policy" {
  description = "The API's resource policy (JSON), applied before the stage's deployment; a PRIVATE API needs one (or vpc_endpoint_ids). \"execute-api:/\" at the start of a Resource is the API's own ARN, as in AWS's examples (e.g. \"execute-api:/*\"). null for none."
  type        = string
  default     = null

  validation {
    condition     = var.policy == null || can(jsondecode(var.policy).Statement)
    error_message = "policy must be a JSON IAM policy document with a Statement."
  }
}

variable "binary_media_types" {
  description = "Media types API Gateway treats as binary, e.g. image/png."
  type        = list(string)
  default     = []
}

variable "minimum_compression_size" {
  description = "Smallest response body in bytes that is compressed; -1 turns compression off."
  type        = number
  default     = -1

  validation {
    condition     = var.minimum_compression_size >= -1 && var.minimum_compression_size <= 10485760
    error_message = "minimum_compression_size must be -1 (off) or 0 to 10485760."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of the API (merged over the provider's default tags)."
  type        = map(string)
  default     = {}
}

# ---- The API's definition ----

variable "body" {
  description = "The API as one OpenAPI 3 document (JSON) with API Gateway's x-amazon-apigateway-* extensions: paths, integrations, models, request validators, authorizers, gateway responses. \"$${AWS::Partition}\", \"$${AWS::Region}\" and \"$${AWS::AccountId}\" in it are replaced by the deploying account's values, as CloudFormation's pseudo parameters. apibuilder writes it as envs/<env>/openapi.json."
  type        = string

  validation {
    condition     = can(jsondecode(var.body).paths) && can(regex("^[23]", try(jsondecode(var.body).openapi, jsondecode(var.body).swagger, "")))
    error_message = "body must be an OpenAPI 3 (or Swagger 2) document in JSON with paths."
  }
}

variable "fail_on_warnings" {
  description = "Refuse the document when API Gateway only warns about a part of it (e.g. an extension it ignores), instead of importing the rest."
  type        = bool
  default     = false
}

# ---- Access control ----

variable "usage_plans" {
  description = "Usage plans keyed by name, each with its API keys and optional throttle and quota."
  type = map(object({
    api_keys = list(string)
    throttle = optional(object({
      rate_limit  = number
      burst_limit = number
    }))
    quota = optional(object({
      limit  = number
      period = string
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for p in values(var.usage_plans) : p.quota == null || contains(["DAY", "WEEK", "MONTH"], try(p.quota.period, ""))])
    error_message = "usage_plans quota.period must be DAY, WEEK or MONTH."
  }
}

# ---- Deployment and stage ----

variable "stage_name" {
  description = "Name of the stage, e.g. dev or prod."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits, '-' or '_'."
  }
}

variable "stage_variables" {
  description = "Stage variables."
  type        = map(string)
  default     = {}
}

variable "xray_tracing" {
  description = "Enable X-Ray tracing on the stage."
  type        = bool
  default     = false
}

variable "access_logs" {
  description = "Write one JSON access log line per request to the stage's own log group. Needs the account's API Gateway CloudWatch role (see create_cloudwatch_role)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the access log group, in days."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "create_cloudwatch_role" {
  description = "Create the account-wide role API Gateway uses to write logs and set it in the account's API Gateway settings. There is one such setting per account and region: enable it only in a stack that is alone in its account and region (apibuilder generates envs/_account for it instead)."
  type        = bool
  default     = false
}

variable "throttle" {
  description = "Default stage throttling for every method (requests per second and burst)."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = null

  validation {
    condition     = var.throttle == null || (try(var.throttle.rate_limit, 0) >= 0 && try(var.throttle.burst_limit, 0) >= 0)
    error_message = "throttle rate_limit and burst_limit must be non-negative."
  }
}

variable "metrics_enabled" {
  description = "Publish per-method CloudWatch metrics."
  type        = bool
  default     = true
}

variable "logging_level" {
  description = "Execution logging level of every method."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.logging_level)
    error_message = "logging_level must be OFF, ERROR or INFO."
  }
}

variable "domain" {
  description = "Custom domain of the stage: a REGIONAL domain name with TLS 1.2, its ACM certificate (in the API's region) and an optional base path (\"\" maps the whole domain). null for none."
  type = object({
    name            = string
    certificate_arn = string
    base_path       = optional(string, "")
  })
  default = null

  validation {
    condition     = var.domain == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain.name))
    error_message = "domain.name must be a lowercase host name such as api.example.com."
  }

  validation {
    condition     = var.domain == null || can(regex("^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.domain.certificate_arn))
    error_message = "domain.certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }

  validation {
    condition     = var.domain == null || can(regex("^([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$", var.domain.base_path))
    error_message = "domain.base_path must be empty or path segments without a leading or trailing '/', e.g. v1."
  }
}

variable "waf_web_acl_arn" {
  description = "ARN of a regional WAFv2 web ACL to associate with the stage; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.waf_web_acl_arn == null || can(regex("^arn:aws[a-zA-Z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$", var.waf_web_acl_arn))
    error_message = "waf_web_acl_arn must be null or a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)."
  }
}

variable "data_trace" {
  description = "Log full requests and responses (never in prod: they may hold personal data)."
  type        = bool
  default     = false
}
