output "id" {
  description = "ID of the thing."
  value       = random_id.this.hex
}

output "secret" {
  description = "The token, for whoever needs it."
  value       = var.token
  sensitive   = true
}
