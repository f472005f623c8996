variable "region" {
  description = "AWS region to create the API and the function in."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the REST API; the function is <name>-hello."
  type        = string
  default     = "apibuilder-example"
}

variable "zip_path" {
  description = "Path of the function's package: a zip holding one linux/arm64 executable named bootstrap (see README.md for the two commands that build it from ./handler)."
  type        = string
}
