output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the function, as API Gateway integrations and authorizers use it. Built from the function's name and the API's execution ARN, so that what uses it does not depend on the function resource (see main.tf)."
  value       = local.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "fingerprint" {
  description = "Hash of everything about the method that needs a new API deployment when it changes; null when create_method is false."
  value = var.create_method ? sha1(jsonencode({
    method      = aws_api_gateway_method.this[0].id
    integration = aws_api_gateway_integration.this[0].id
    uri         = aws_api_gateway_integration.this[0].uri
    auth        = [var.authorization, var.authorizer_id, var.api_key_required, var.authorization_scopes]
    validator   = var.request_validator_id
    parameters  = var.request_parameters
    request     = var.request_schema
    response    = [var.response_schema, var.success_status_code]
    # The method response itself, so that the deployment waits for it
    # (exports and SDKs read it from the deployment).
    success = try(aws_api_gateway_method_response.success[0].id, null)
  })) : null
}
