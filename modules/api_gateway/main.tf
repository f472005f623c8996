locals {
  # Every prefix of every route path is one API Gateway resource.
  segments = { for p in var.paths : p => split("/", trimprefix(p, "/")) if p != "/" }
  prefixes = distinct(flatten([
    for segs in values(local.segments) : [for i in range(1, length(segs) + 1) : "/${join("/", slice(segs, 0, i))}"]
  ]))
  nodes = { for p in local.prefixes : p => {
    depth  = length(split("/", p)) - 1
    part   = element(split("/", p), length(split("/", p)) - 1)
    parent = join("/", slice(split("/", p), 0, length(split("/", p)) - 1))
  } }

  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.this.root_resource_id },
    { for p, r in aws_api_gateway_resource.level1 : p => r.id },
    { for p, r in aws_api_gateway_resource.level2 : p => r.id },
    { for p, r in aws_api_gateway_resource.level3 : p => r.id },
    { for p, r in aws_api_gateway_resource.level4 : p => r.id },
    { for p, r in aws_api_gateway_resource.level5 : p => r.id },
    { for p, r in aws_api_gateway_resource.level6 : p => r.id },
    { for p, r in aws_api_gateway_resource.level7 : p => r.id },
    { for p, r in aws_api_gateway_resource.level8 : p => r.id },
    { for p, r in aws_api_gateway_resource.level9 : p => r.id },
    { for p, r in aws_api_gateway_resource.level10 : p => r.id },
  )

  validator_settings = {
    body   = { name = "body", body = true, params = false }
    params = { name = "params", body = false, params = true }
    all    = { name = "body-and-params", body = true, params = true }
  }
}

resource "aws_api_gateway_rest_api" "this" {
  name                     = var.name
  description              = var.description
  binary_media_types       = var.binary_media_types
  minimum_compression_size = var.minimum_compression_size >= 0 ? tostring(var.minimum_compression_size) : ""
  tags                     = var.tags

  endpoint_configuration {
    types            = [var.endpoint_type]
    vpc_endpoint_ids = var.endpoint_type == "PRIVATE" && length(var.vpc_endpoint_ids) > 0 ? var.vpc_endpoint_ids : null
  }
}

# ---- Resource tree: one block per depth, because an instance of a for_each
# resource cannot refer to a sibling instance as its parent. ----

resource "aws_api_gateway_resource" "level1" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 1 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level2" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 2 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level3" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 3 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level2[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level4" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 4 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level3[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level5" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 5 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level4[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level6" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 6 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level5[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level7" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 7 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level6[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level8" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 8 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level7[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level9" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 9 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level8[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level10" {
  for_each = { for p, n in local.nodes : p => n if n.depth == 10 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level9[each.value.parent].id
  path_part   = each.value.part
}

# ---- Resource policy: who may invoke the API (a PRIVATE API needs one) ----

locals {
  # AWS's examples name the API as "execute-api:/..."; API Gateway stores
  # such a Resource as the API's ARN, so it is written that way here and the
  # stored policy reads back as sent (no diff on the next plan).
  given_policy = var.policy == null ? null : replace(var.policy, "\"execute-api:/", "\"${aws_api_gateway_rest_api.this.execution_arn}/")
  # Without a policy, a PRIVATE API with VPC endpoints gets AWS's standard
  # one: invocations through those endpoints only.
  endpoint_policy = var.endpoint_type != "PRIVATE" || length(var.vpc_endpoint_ids) == 0 ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "${aws_api_gateway_rest_api.this.execution_arn}/*"
        Condition = { StringNotEquals = { "aws:SourceVpce" = var.vpc_endpoint_ids } }
      },
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "${aws_api_gateway_rest_api.this.execution_arn}/*"
      },
    ]
  })
  policy     = coalesce(local.given_policy, local.endpoint_policy, "-")
  has_policy = var.policy != null || local.endpoint_policy != null
}

resource "aws_api_gateway_rest_api_policy" "this" {
  count = var.policy != null || var.endpoint_type == "PRIVATE" && length(var.vpc_endpoint_ids) > 0 ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  policy      = local.policy
}

resource "aws_api_gateway_request_validator" "this" {
  for_each = var.request_validators

  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = local.validator_settings[each.key].name
  validate_request_body       = local.validator_settings[each.key].body
  validate_request_parameters = local.validator_settings[each.key].params
}
