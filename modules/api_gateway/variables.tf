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
  description = "VPC endpoint IDs allowed to reach a PRIVATE API."
  type        = list(string)
  default     = []
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

variable "paths" {
  description = "Every route path, e.g. [\"/items\", \"/items/{id}\"]; each prefix becomes one API Gateway resource."
  type        = list(string)

  validation {
    condition     = alltrue([for p in var.paths : can(regex("^/([^/]+(/[^/]+)*)?$", p))])
    error_message = "paths must start with '/' and have no empty segments or trailing '/'."
  }

  validation {
    condition     = alltrue([for p in var.paths : length(split("/", p)) - 1 <= 10])
    error_message = "paths may be at most 10 segments deep (the resource tree of this module)."
  }
}

variable "request_validators" {
  description = "Request validators to create: any of body, params, all."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for v in var.request_validators : contains(["body", "params", "all"], v)])
    error_message = "request_validators may contain only body, params and all."
  }
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

variable "cors" {
  description = "CORS for browsers: OPTIONS preflight on every path and CORS headers on 4XX/5XX gateway responses; null turns it off."
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE"])
    allow_headers     = optional(list(string), ["Content-Type", "Authorization", "X-Api-Key"])
    expose_headers    = optional(list(string), [])
    max_age_seconds   = optional(number, 600)
    allow_credentials = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.cors == null || length(try(var.cors.allow_origins, [])) > 0
    error_message = "cors.allow_origins must name at least one origin."
  }
}

# ---- Deployment and stage ----

variable "deployment_triggers" {
  description = "Fingerprints of every route (method, integration, models, validator, auth); any change redeploys the stage."
  type        = map(string)
  default     = {}
}

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
  description = "Create the account-wide role API Gateway uses to write logs (one per account and region: enable it in one stack only)."
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

variable "data_trace" {
  description = "Log full requests and responses (never in prod: they may hold personal data)."
  type        = bool
  default     = false
}
