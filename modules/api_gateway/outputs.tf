output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "root_resource_id" {
  description = "ID of the API's root resource (/)."
  value       = aws_api_gateway_rest_api.this.root_resource_id
}

output "body" {
  description = "The OpenAPI document API Gateway imported: var.body with the account's values substituted (and the resource policy, when there is one). apibuilder drift compares the stage's export with it."
  value       = local.body
}

output "execution_arn" {
  description = "Execution ARN of the API, the base of Lambda invoke permissions."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the deployed stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "Base URL of the deployed stage."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "deployment_id" {
  description = "ID of the current deployment."
  value       = aws_api_gateway_deployment.this.id
}

output "api_key_ids" {
  description = "IDs of the API keys, keyed by key name."
  value       = { for k, v in aws_api_gateway_api_key.this : k => v.id }
}

output "api_key_values" {
  description = "Values of the API keys, keyed by key name."
  value       = { for k, v in aws_api_gateway_api_key.this : k => v.value }
  sensitive   = true
}

output "access_log_group_name" {
  description = "Name of the stage's access log group, or null when access logs are off."
  value       = try(aws_cloudwatch_log_group.access[0].name, null)
}

output "domain_url" {
  description = "Base URL of the stage on the custom domain, or null without one."
  value       = var.domain == null ? null : "https://${var.domain.name}/${var.domain.base_path}"
}

output "domain_target" {
  description = "Where to point the custom domain's DNS (an alias A record): regional_domain_name and regional_zone_id; null without a domain."
  value = try({
    regional_domain_name = aws_api_gateway_domain_name.this[0].regional_domain_name
    regional_zone_id     = aws_api_gateway_domain_name.this[0].regional_zone_id
  }, null)
}
