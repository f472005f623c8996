output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.api.rest_api_id
}

output "invoke_url" {
  description = "Base URL of the dev stage."
  value       = module.api.invoke_url
}

output "hello_url" {
  description = "URL of GET /hello, answered by API Gateway's MOCK integration."
  value       = "${module.api.invoke_url}/hello"
}
