# A fixture module: one of each kind of input the docs must show.

variable "name" {
  description = "Name of the thing; usually <api>-<env>."
  type        = string

  validation {
    condition     = length(var.name) <= 64
    error_message = "name must be at most 64 characters."
  }

  validation {
    condition     = can(regex("^[a-z]", var.name))
    error_message = "name must start with a lowercase letter."
  }
}

variable "size" {
  description = <<-EOT
    Size in MB.
    A heredoc keeps its line breaks.
  EOT
  type        = number
  default     = 128
}

variable "mode" {
  description = "Either a | b (a pipe must not split the table)."
  type        = string
  default     = "a"
}

variable "settings" {
  description = "Nested settings with defaults of their own."
  type = object({
    enabled = optional(bool, true)
    tags    = optional(map(string), {})
  })
  default = {
    enabled = false
  }
}

variable "token" {
  description = "A secret the caller passes in."
  type        = string
  sensitive   = true
  default     = null
}

variable "untyped" {
}
