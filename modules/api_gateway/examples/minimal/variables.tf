variable "region" {
  description = "AWS region to create the API in."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the REST API."
  type        = string
  default     = "apibuilder-example-minimal"
}
