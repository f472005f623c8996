locals {
  api_keys = toset(flatten([for p in values(var.usage_plans) : p.api_keys]))
  plan_keys = { for pk in flatten([
    for plan, p in var.usage_plans : [for k in p.api_keys : { plan = plan, key = k }]
  ]) : "${pk.plan}/${pk.key}" => pk }
}

resource "aws_api_gateway_api_key" "this" {
  for_each = local.api_keys

  name    = "${var.name}-${each.key}"
  enabled = true
  tags    = var.tags
}

resource "aws_api_gateway_usage_plan" "this" {
  for_each = var.usage_plans

  name = "${var.name}-${each.key}"
  tags = var.tags

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  dynamic "throttle_settings" {
    for_each = each.value.throttle == null ? [] : [each.value.throttle]
    content {
      rate_limit  = throttle_settings.value.rate_limit
      burst_limit = throttle_settings.value.burst_limit
    }
  }

  dynamic "quota_settings" {
    for_each = each.value.quota == null ? [] : [each.value.quota]
    content {
      limit  = quota_settings.value.limit
      period = quota_settings.value.period
    }
  }
}

resource "aws_api_gateway_usage_plan_key" "this" {
  for_each = local.plan_keys

  key_id        = aws_api_gateway_api_key.this[each.value.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[each.value.plan].id
}
