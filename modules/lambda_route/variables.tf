# ---- Identity ----

variable "name" {
  description = "Function name; also names the role and the log group. Usually <api>-<env>-<route>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits, '-' and '_' (Lambda's function name rule)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "tags" {
  description = "Tags for every taggable resource of the route (merged over the provider's default tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.tags) <= 50
    error_message = "At most 50 tags are allowed."
  }
}

# ---- Function ----

variable "package" {
  description = "The deployment package, already uploaded to artifacts_bucket by the caller: its S3 key and base64 SHA-256 (the generated envs upload each distinct package once and pass it here). Null: zip_path is used."
  type = object({
    s3_key           = string
    source_code_hash = string
  })
  default = null
}

variable "zip_path" {
  description = "Path of a local deployment package (a zip holding bootstrap), when package is null: uploaded directly, or to artifacts_bucket with deploy_from_s3."
  type        = string
  default     = null

  validation {
    condition     = var.zip_path == null ? true : endswith(var.zip_path, ".zip")
    error_message = "zip_path must point to a .zip file."
  }
}

variable "deploy_from_s3" {
  description = "With zip_path: upload the package to artifacts_bucket and deploy the function from there (parallel creates, no 50 MB direct-upload limit); false uploads the zip directly."
  type        = bool
  default     = false
}

variable "artifacts_bucket" {
  description = "S3 bucket of the package: where package.s3_key is, or where zip_path is uploaded with deploy_from_s3."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Lambda runtime; Go handlers use an OS-only runtime."
  type        = string
  default     = "provided.al2023"

  validation {
    condition     = contains(["provided.al2023", "provided.al2"], var.runtime)
    error_message = "runtime must be provided.al2023 or provided.al2 (Go handlers ship their own bootstrap)."
  }
}

variable "handler" {
  description = "Handler name; the executable in the zip for provided runtimes."
  type        = string
  default     = "bootstrap"

  validation {
    condition     = length(var.handler) > 0 && length(var.handler) <= 128
    error_message = "handler must be 1-128 characters."
  }
}

variable "architecture" {
  description = "Instruction set of the function."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_mb" {
  description = "Memory in MB (128 to 10240)."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number from 128 to 10240."
  }
}

variable "timeout_s" {
  description = "Timeout in seconds (1 to 900; API Gateway itself stops waiting after 29 s)."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout_s >= 1 && var.timeout_s <= 900 && floor(var.timeout_s) == var.timeout_s
    error_message = "timeout_s must be a whole number from 1 to 900."
  }
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "Environment variable names must start with a letter and contain only letters, digits and '_'."
  }
}

variable "layers" {
  description = "Lambda layer version ARNs (at most 5)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5
    error_message = "A function can use at most 5 layers."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; -1 means unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency >= -1
    error_message = "reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

variable "ephemeral_storage_mb" {
  description = "Size of /tmp in MB (512 to 10240); null keeps Lambda's default of 512."
  type        = number
  default     = null

  validation {
    condition     = var.ephemeral_storage_mb == null || (try(var.ephemeral_storage_mb >= 512 && var.ephemeral_storage_mb <= 10240 && floor(var.ephemeral_storage_mb) == var.ephemeral_storage_mb, false))
    error_message = "ephemeral_storage_mb must be null or a whole number from 512 to 10240."
  }
}

variable "vpc" {
  description = "Subnets and security groups to run the function in; the role then gets the network-interface permissions Lambda needs. null runs it outside any VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc == null || (try(length(var.vpc.subnet_ids) > 0 && alltrue([for s in var.vpc.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]), false))
    error_message = "vpc.subnet_ids must list at least one subnet ID (subnet-0123456789abcdef0)."
  }

  validation {
    condition     = var.vpc == null || (try(length(var.vpc.security_group_ids) > 0 && alltrue([for s in var.vpc.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", s))]), false))
    error_message = "vpc.security_group_ids must list at least one security group ID (sg-0123456789abcdef0)."
  }
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic ARN for events of failed asynchronous invocations; the role may send to it and nothing else. null for none."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.dead_letter_target_arn))
    error_message = "dead_letter_target_arn must be null or an SQS queue or SNS topic ARN (arn:aws:sqs:<region>:<account>:<name> or arn:aws:sns:...)."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "policy_statements" {
  description = "Least-privilege IAM statements for the function's role, one per permission in routes.yaml."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : !contains(s.actions, "*") && !contains(s.resources, "*")])
    error_message = "policy_statements must name actions and resources exactly: '*' is not allowed."
  }
}

# ---- Who may invoke the function ----
# The API's document (modules/api_gateway body) holds the route's method
# and integration; this module only lets API Gateway invoke the function.

variable "execution_arn" {
  description = "Execution ARN of the REST API; the invoke permission is scoped below it."
  type        = string
}

variable "http_method" {
  description = "HTTP method of the route: API Gateway may invoke the function for this method and resource_path only. null for a function API Gateway invokes for something else (set invoke_source_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.http_method == null || contains(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"], coalesce(var.http_method, "-"))
    error_message = "http_method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY."
  }
}

variable "resource_path" {
  description = "Path of the route, e.g. /items/{id} (required with http_method)."
  type        = string
  default     = null

  validation {
    condition     = var.resource_path == null || startswith(coalesce(var.resource_path, "/"), "/")
    error_message = "resource_path must start with '/'."
  }
}

variable "invoke_source_arn" {
  description = "Source ARN of the invoke permission without http_method, e.g. <execution_arn>/authorizers/* for a Lambda authorizer's function; ignored with http_method."
  type        = string
  default     = null

  validation {
    condition     = var.invoke_source_arn == null || can(regex("^arn:aws[a-zA-Z-]*:execute-api:[^*]+/.+$", var.invoke_source_arn))
    error_message = "invoke_source_arn must be null or an execute-api ARN below the API, e.g. arn:aws:execute-api:<region>:<account>:<api id>/authorizers/*."
  }
}
