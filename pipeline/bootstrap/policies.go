package bootstrap

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The IAM policies bootstrap writes, as Terraform templatefile templates
// (policies/<name>.json.tftpl in the generated root). docs/pipeline.md shows
// these exact texts; TestDocsShowThePolicies keeps the two the same, and the
// end-to-end test reads the roles back from IAM and compares them with the
// doc's blocks after filling in the variables.
//
// Variables: ${account_id} ${region} ${repository} (OWNER/REPO)
// ${environment} ${oidc_provider_arn} ${state_bucket} ${state_region} ${state_prefix}
// (<api>/<env>: the env's state keys) ${name_prefix} (<api>-<env>: every
// generated resource's name) ${package_buckets} (the env's function package
// buckets' name prefix).

// PolicyNames are the templates, in the order the doc shows them.
var PolicyNames = []string{"plan-trust", "apply-trust", "preview-trust", "plan-permissions", "apply-permissions", "state-bucket"}

// Policy returns the template named name (one of PolicyNames).
func Policy(name string) string { return policies[name] }

var policies = map[string]string{
	"plan-trust": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "GitHubPullRequestsAndMain",
      "Effect": "Allow",
      "Principal": { "Federated": "${oidc_provider_arn}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": [
            "repo:${repository}:pull_request",
            "repo:${repository}:ref:refs/heads/main"
          ]
        }
      }
    }
  ]
}
`,
	"apply-trust": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "GitHubEnvironment",
      "Effect": "Allow",
      "Principal": { "Federated": "${oidc_provider_arn}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:${repository}:environment:${environment}"
        }
      }
    }
  ]
}
`,
	"preview-trust": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "GitHubPreviewEnvironment",
      "Effect": "Allow",
      "Principal": { "Federated": "${oidc_provider_arn}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:${repository}:environment:preview"
        }
      }
    }
  ]
}
`,
	"plan-permissions": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "RefreshTheEnvironment",
      "Effect": "Allow",
      "Action": [
        "apigateway:GET",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTagsOfResource",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "lambda:Get*",
        "lambda:List*",
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
        "logs:ListTagsLogGroup",
        "secretsmanager:DescribeSecret",
        "ssm:GetParameter",
        "wafv2:GetWebACLForResource"
      ],
      "Resource": "*"
    },
    {
      "Sid": "RefreshThePackageBuckets",
      "Effect": "Allow",
      "Action": ["s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetObject*", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::${package_buckets}*", "arn:aws:s3:::${package_buckets}*/*"]
    },
    {
      "Sid": "ReadTheState",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::${state_bucket}"
    },
    {
      "Sid": "ReadTheStateObjects",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::${state_bucket}/${state_prefix}/*"
    },
    {
      "Sid": "TakeTheLock",
      "Effect": "Allow",
      "Action": ["s3:PutObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::${state_bucket}/${state_prefix}/*.tflock"
    },
    {
      "Sid": "NeverDecrypt",
      "Effect": "Deny",
      "Action": ["kms:Decrypt", "secretsmanager:GetSecretValue"],
      "Resource": "*"
    }
  ]
}
`,
	"apply-permissions": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "RefreshTheEnvironment",
      "Effect": "Allow",
      "Action": [
        "cloudwatch:DescribeAlarms",
        "logs:DescribeLogGroups",
        "secretsmanager:DescribeSecret",
        "ssm:GetParameter",
        "wafv2:GetWebACLForResource"
      ],
      "Resource": "*"
    },
    {
      "Sid": "AssociateTheWebAcl",
      "Effect": "Allow",
      "Action": ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACL"],
      "Resource": ["arn:aws:wafv2:${region}:${account_id}:regional/webacl/*", "arn:aws:apigateway:${region}::/restapis/*/stages/*"]
    },
    {
      "Sid": "ManageTheApi",
      "Effect": "Allow",
      "Action": ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT", "apigateway:SetWebACL", "apigateway:UpdateRestApiPolicy"],
      "Resource": "arn:aws:apigateway:${region}::/*"
    },
    {
      "Sid": "ManageTheFunctions",
      "Effect": "Allow",
      "Action": "lambda:*",
      "Resource": ["arn:aws:lambda:${region}:${account_id}:function:${name_prefix}-*"]
    },
    {
      "Sid": "ManageTheFunctionRoles",
      "Effect": "Allow",
      "Action": [
        "iam:AttachRolePolicy",
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
        "iam:PutRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole"
      ],
      "Resource": "arn:aws:iam::${account_id}:role/${name_prefix}-*"
    },
    {
      "Sid": "PassTheFunctionRolesToLambdaOnly",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::${account_id}:role/${name_prefix}-*",
      "Condition": { "StringEquals": { "iam:PassedToService": "lambda.amazonaws.com" } }
    },
    {
      "Sid": "ManageTheLogGroups",
      "Effect": "Allow",
      "Action": "logs:*",
      "Resource": [
        "arn:aws:logs:${region}:${account_id}:log-group:/aws/lambda/${name_prefix}-*",
        "arn:aws:logs:${region}:${account_id}:log-group:/aws/apigateway/${name_prefix}/*",
        "arn:aws:logs:${region}:${account_id}:log-group:/aws/apigateway/${name_prefix}-*"
      ]
    },
    {
      "Sid": "ManageTheTables",
      "Effect": "Allow",
      "Action": "dynamodb:*",
      "Resource": ["arn:aws:dynamodb:${region}:${account_id}:table/${name_prefix}-*"]
    },
    {
      "Sid": "ManageTheAlarms",
      "Effect": "Allow",
      "Action": ["cloudwatch:DeleteAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
      "Resource": "arn:aws:cloudwatch:${region}:${account_id}:alarm:${name_prefix}-*"
    },
    {
      "Sid": "ManageThePackageBuckets",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::${package_buckets}*", "arn:aws:s3:::${package_buckets}*/*"]
    },
    {
      "Sid": "ReadTheState",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::${state_bucket}"
    },
    {
      "Sid": "WriteTheStateAndTheLock",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::${state_bucket}/${state_prefix}/*"
    }
  ]
}
`,
	"state-bucket": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyInsecureTransport",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::${state_bucket}", "arn:aws:s3:::${state_bucket}/*"],
      "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    }
  ]
}
`,
}

// DynamoLockStatementName is the doc's name of dynamoLockStatement.
const DynamoLockStatementName = "dynamodb-lock-statement"

// dynamoLockStatement is added to both roles' permissions when the lock is
// a DynamoDB table (Terraform older than 1.10).
const dynamoLockStatement = `{
  "Sid": "TakeTheDynamoDBLock",
  "Effect": "Allow",
  "Action": ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"],
  "Resource": "arn:aws:dynamodb:${state_region}:${account_id}:table/${lock_table}"
}`

// Fill replaces every ${name} of a template with vars[name], as
// templatefile does, and fails on a name vars lacks. It serves the tests
// and the printed summary; Terraform fills the generated root's copies.
func Fill(tmpl string, vars map[string]string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			return "", fmt.Errorf("unterminated ${ in template")
		}
		name := tmpl[i+2 : i+j]
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("template variable ${%s} has no value", name)
		}
		b.WriteString(tmpl[:i])
		b.WriteString(v)
		tmpl = tmpl[i+j+1:]
	}
}

// templateVars lists the ${names} a template uses, sorted, once each.
func templateVars(tmpl string) []string {
	seen := map[string]bool{}
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			break
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			break
		}
		seen[tmpl[i+2:i+j]] = true
		tmpl = tmpl[i+j+1:]
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// withDynamoLock returns a permissions template with the DynamoDB lock
// statement appended.
func withDynamoLock(tmpl string) (string, error) {
	var doc struct {
		Version   string
		Statement []json.RawMessage
	}
	if err := json.Unmarshal([]byte(tmpl), &doc); err != nil {
		return "", err
	}
	doc.Statement = append(doc.Statement, json.RawMessage(dynamoLockStatement))
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", err
	}
	return string(out) + "\n", nil
}

// DocPolicies returns the policy blocks of docs/pipeline.md by name: each
// is the ```json block right after a line "<!-- policy: NAME -->".
func DocPolicies(md []byte) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.SplitAfter(string(md), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		name, ok := strings.CutPrefix(l, "<!-- policy: ")
		if !ok {
			continue
		}
		name = strings.TrimSpace(strings.TrimSuffix(name, "-->"))
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "```json" {
			return nil, fmt.Errorf("line %d: policy %s: no ```json block on the next line", i+1, name)
		}
		var b strings.Builder
		j := i + 2
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			b.WriteString(lines[j])
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: policy %s: the block does not end", i+1, name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("line %d: policy %s shown twice", i+1, name)
		}
		out[name] = b.String()
		i = j
	}
	return out, nil
}
