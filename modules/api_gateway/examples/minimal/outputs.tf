output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.api.rest_api_id
}

output "invoke_url" {
  description = "Base URL of the dev stage."
  value       = module.api.invoke_url
}

output "preflight_url" {
  description = "URL to send the CORS preflight to (OPTIONS with an Origin header)."
  value       = "${module.api.invoke_url}/hello"
}
