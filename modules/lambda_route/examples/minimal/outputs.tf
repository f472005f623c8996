output "url" {
  description = "URL of the route: GET it."
  value       = "${module.api.invoke_url}/hello"
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.api.rest_api_id
}

output "invoke_url" {
  description = "Base URL of the dev stage."
  value       = module.api.invoke_url
}

output "function_name" {
  description = "Name of the route's Lambda function."
  value       = module.hello.function_name
}

output "log_group_name" {
  description = "Log group of the function (created by the module with a retention, before the function, so Lambda never makes an unmanaged one)."
  value       = module.hello.log_group_name
}
