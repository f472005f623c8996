package render

import (
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// Secrets referenced by environment values (ssm:<name>,
// secretsmanager:<name or ARN>) are read by data sources keyed by that
// name or ARN, for two reasons: plan fails while one does not exist, so an
// environment cannot be deployed with a setting nobody has stored yet; and
// the function's role is granted exactly the ARN AWS reports for each, with
// the account, region and partition (and a secret's random suffix) it has.
// Nothing decrypted reaches the state: a SecureString is read without
// decryption and a secret's metadata only.
const (
	ssmSource    = "aws_ssm_parameter"
	secretSource = "aws_secretsmanager_secret"
	secretLabel  = "secret"
	// Secrets Manager secrets named by ARN are read by ARN.
	secretByARNLabel = "secret_by_arn"
)

// secretSources writes the data sources of the env's secrets.
func (r *envRenderer) secretSources(body *hclwrite.Body) {
	var params, secrets []string
	for _, s := range r.env.Secrets() {
		if s.Kind == config.SecretSSM {
			params = append(params, s.Name)
		} else {
			secrets = append(secrets, s.Name)
		}
	}
	if len(params) > 0 {
		body.AppendNewline()
		comment(body, "SSM parameters the functions read at run time (environment values ssm:<name>).\nPlan fails while one does not exist: store it first (aws ssm put-parameter).\nRead without decryption: a SecureString's value stays encrypted in the state.")
		b := body.AppendNewBlock("data", []string{ssmSource, secretLabel}).Body()
		set(b, obj{{"for_each", call{"toset", []any{params}}}})
		b.AppendNewline()
		set(b, obj{{"name", expr("each.key")}, {"with_decryption", false}})
	}
	for _, by := range []struct {
		arn   bool
		label string
		attr  string
		what  string
	}{{false, secretLabel, "name", "secret name"}, {true, secretByARNLabel, "arn", "secret ARN"}} {
		var ids []string
		for _, id := range secrets {
			if isARN(id) == by.arn {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		body.AppendNewline()
		comment(body, "Secrets Manager secrets the functions read at run time (environment values\nsecretsmanager:<"+by.what+">). Plan fails while one does not exist: create it first\n(aws secretsmanager create-secret). Only metadata is read, never the value.")
		b := body.AppendNewBlock("data", []string{secretSource, by.label}).Body()
		set(b, obj{{"for_each", call{"toset", []any{ids}}}})
		b.AppendNewline()
		set(b, obj{{by.attr, expr("each.key")}})
	}
}

func isARN(secretID string) bool {
	return config.SecretRef{Kind: config.SecretSecretsManager, Name: secretID}.IsARN()
}

// secretStatements grant a function exactly the reads of the secrets it
// references: ssm:GetParameter on each parameter, and
// secretsmanager:GetSecretValue on each secret, by the ARN its data source
// reports. No kms:Decrypt: the AWS managed keys (aws/ssm,
// aws/secretsmanager) allow every principal of the account to decrypt
// through their service already.
func secretStatements(secrets []model.Secret) []any {
	var params, sms []any
	for _, s := range secrets {
		if s.Kind == config.SecretSSM {
			params = append(params, ref("data", ssmSource, secretLabel, key(s.Name), "arn"))
		} else {
			label := secretLabel
			if s.IsARN() {
				label = secretByARNLabel
			}
			sms = append(sms, ref("data", secretSource, label, key(s.Name), "arn"))
		}
	}
	var out []any
	if len(params) > 0 {
		out = append(out, obj{{"sid", "ReadSsmParameters"}, {"actions", []string{"ssm:GetParameter"}}, {"resources", params}})
	}
	if len(sms) > 0 {
		out = append(out, obj{{"sid", "ReadSecretsManagerSecrets"}, {"actions", []string{"secretsmanager:GetSecretValue"}}, {"resources", sms}})
	}
	return out
}
