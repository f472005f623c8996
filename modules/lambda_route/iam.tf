data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

locals {
  # Partition, region and account, read from an ARN this module owns (no
  # data source, no extra API call): arn:<partition>:logs:<region>:<account>:...
  arn_parts = split(":", aws_cloudwatch_log_group.this.arn)
  # Every EC2 resource of the account in this region: the scoping of
  # network-interface actions that Lambda's create-time check accepts (its
  # guide's own example for DeleteNetworkInterface).
  ec2_any_arn        = "arn:${local.arn_parts[1]}:ec2:${local.arn_parts[3]}:${local.arn_parts[4]}:*/*"
  dead_letter_action = var.dead_letter_target_arn == null ? null : (split(":", var.dead_letter_target_arn)[2] == "sqs" ? "sqs:SendMessage" : "sns:Publish")
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# One statement per permission from routes.yaml, each scoped to exact ARNs,
# plus writing to the function's own log group.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.tracing_mode == "Active" ? [1] : []
    content {
      sid       = "WriteTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"] # X-Ray has no resource-level permissions.
    }
  }

  # What AWSLambdaVPCAccessExecutionRole grants (its actions, from the
  # Lambda developer guide's "Required IAM permissions" for VPC access),
  # scoped as far as Lambda accepts: it checks the role when the function
  # is created or its VPC config changes, and refuses a role whose
  # network-interface permissions are narrower (per subnet or security
  # group). DescribeNetworkInterfaces works only on "*".
  dynamic "statement" {
    for_each = var.vpc == null ? [] : [1]
    content {
      sid       = "VpcDescribe"
      actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      resources = ["*"] # Describe actions have no resource-level permissions.
    }
  }

  dynamic "statement" {
    for_each = var.vpc == null ? [] : [1]
    content {
      sid       = "VpcNetworkInterfaces"
      actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = [local.ec2_any_arn]
    }
  }

  dynamic "statement" {
    for_each = var.dead_letter_target_arn == null ? [] : [1]
    content {
      sid       = "DeadLetter"
      actions   = [local.dead_letter_action]
      resources = [var.dead_letter_target_arn]
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
