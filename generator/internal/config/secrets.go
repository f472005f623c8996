package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// Kinds of secret reference, and the prefix each is written with.
const (
	SecretSSM            = "ssm"
	SecretSecretsManager = "secretsmanager"
)

// SecretRef is an environment value that names a secret instead of holding
// it: ssm:<parameter name> or secretsmanager:<secret name or ARN>. The
// function receives the reference and resolves it at run time
// (lambdakit/secrets); its role may read exactly that parameter or secret.
type SecretRef struct {
	Kind string // SecretSSM or SecretSecretsManager
	Name string // the parameter's name; the secret's name or full ARN
}

// ParseSecretRef reports whether an environment value is a secret
// reference. A reference is the whole value.
func ParseSecretRef(value string) (SecretRef, bool) {
	for _, kind := range []string{SecretSSM, SecretSecretsManager} {
		if name, ok := strings.CutPrefix(value, kind+":"); ok {
			return SecretRef{Kind: kind, Name: name}, true
		}
	}
	return SecretRef{}, false
}

// IsARN reports whether a Secrets Manager reference names its secret by ARN.
func (r SecretRef) IsARN() bool { return strings.HasPrefix(r.Name, "arn:") }

// String is the reference as routes.yaml writes it.
func (r SecretRef) String() string { return r.Kind + ":" + r.Name }

// AWS's rules for parameter and secret names.
const (
	// maxParamARN is SSM's limit on a parameter name, which counts the
	// whole ARN: arn:<partition>:ssm:<region>:<account>:parameter/<name>.
	maxParamARN = 1011
	// longestParamPrefix is the longest ARN prefix a name can get.
	longestParamPrefix = "arn:aws-iso-b:ssm:ap-southeast-5:123456789012:parameter/"
	maxParamLevels     = 15
	maxSecretName      = 512
)

var (
	paramNameRe   = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)
	secretNameRe  = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)
	secretArnRe   = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$`)
	valuePrefixRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*):`)
	// Prefixes that mean a secret but are not one of ours: a typo or another
	// tool's spelling. Written as plain text they would reach the function
	// as a literal.
	lookalikePrefixes = []string{"ssm-secure", "ssmsecure", "ssm-parameter", "ssmparameter", "ssm-parameter-store", "parameter", "parameters", "parameterstore", "param", "secret", "secrets", "sm", "asm", "aws-ssm", "awsssm", "aws-secretsmanager", "secrets-manager", "secret-manager"}
)

const refForms = "reference a secret as ssm:<parameter name> (SSM Parameter Store) or secretsmanager:<secret name or ARN>"

// secretRef checks an environment value that is, or looks like, a secret
// reference.
func (v *validator) secretRef(s Str, field string) {
	ref, ok := ParseSecretRef(s.V)
	if !ok {
		if msg, hint := lookalikeRef(s.V); msg != "" {
			v.add(s.Pos, field, msg, hint)
		}
		return
	}
	var msg, hint string
	if ref.Kind == SecretSSM {
		msg, hint = checkParamName(ref.Name)
	} else {
		msg, hint = checkSecretID(ref.Name)
	}
	if msg != "" {
		v.add(s.Pos, field, msg, hint)
	}
}

// lookalikeRef reports a value that reads as a secret reference apibuilder
// does not know; it would otherwise reach the function as plain text.
func lookalikeRef(value string) (msg, hint string) {
	if strings.HasPrefix(value, "{{resolve:") {
		return "is a CloudFormation dynamic reference, which nothing resolves here", refForms + ", e.g. ssm:/items/prod/admin-token-sha256"
	}
	m := valuePrefixRe.FindStringSubmatch(value)
	if m == nil {
		return "", ""
	}
	p := strings.ToLower(m[1])
	switch {
	case p == SecretSSM || p == SecretSecretsManager:
		return fmt.Sprintf("prefix %q is not one apibuilder knows: secret references are lowercase", m[1]+":"), fmt.Sprintf("write %s:%s", p, value[len(m[0]):])
	case slices.Contains(lookalikePrefixes, p), diag.Suggest(p, []string{SecretSecretsManager}) != "":
		return fmt.Sprintf("prefix %q is not a kind of secret reference", m[1]+":"), refForms
	}
	return "", ""
}

// checkParamName applies SSM Parameter Store's naming rules.
func checkParamName(name string) (msg, hint string) {
	const eg = "e.g. ssm:/items/prod/admin-token-sha256"
	switch {
	case name == "":
		return "names no parameter", "write ssm:<parameter name>, " + eg
	case !paramNameRe.MatchString(name):
		return fmt.Sprintf("%q is not an SSM parameter name", name), "parameter names use letters, digits, '_', '.', '-' and '/' between levels, and the reference is the whole value, " + eg
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return fmt.Sprintf("parameter name %q has levels but does not start with /", name), "write the full path, e.g. ssm:/" + name
	case strings.Contains(name, "//") || strings.HasSuffix(name, "/"):
		return fmt.Sprintf("parameter name %q has an empty level", name), eg
	case strings.Count(name, "/") > maxParamLevels:
		return fmt.Sprintf("parameter name %q has %d levels; SSM allows %d", name, strings.Count(name, "/"), maxParamLevels), ""
	case len(longestParamPrefix)+len(strings.TrimPrefix(name, "/")) > maxParamARN:
		return fmt.Sprintf("parameter name is %d characters; SSM allows %d for the whole parameter ARN", len(name), maxParamARN), "use a shorter name"
	}
	first := strings.ToLower(strings.SplitN(strings.TrimPrefix(name, "/"), "/", 2)[0])
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return fmt.Sprintf("parameter name %q starts with %q, which SSM reserves", name, first[:3]), "choose your own first level, " + eg
	}
	return "", ""
}

// checkSecretID applies Secrets Manager's rules to a secret name or ARN.
func checkSecretID(id string) (msg, hint string) {
	switch {
	case id == "":
		return "names no secret", "write secretsmanager:<secret name or full ARN>, e.g. secretsmanager:items/prod/admin-token"
	case strings.HasPrefix(id, "arn:"):
		if !secretArnRe.MatchString(id) {
			return fmt.Sprintf("%q is not the full ARN of a secret", id), "give the ARN with its 6-character suffix (aws secretsmanager describe-secret --secret-id <name> --query ARN), or the secret's name"
		}
	case len(id) > maxSecretName:
		return fmt.Sprintf("secret name is %d characters; Secrets Manager allows %d", len(id), maxSecretName), ""
	case !secretNameRe.MatchString(id):
		return fmt.Sprintf("%q is not a Secrets Manager secret name", id), "secret names use letters, digits and / _ + = . @ -, and the reference is the whole value"
	}
	return "", ""
}

// publicTestValues refuses, in every environment but dev, a token or
// request authorizer's setting that holds its own test value or the
// SHA-256 of it: test_token and test_identity are published in
// routes.yaml (and, for the example, in the README), so an environment
// that accepts them is open to anyone who read the file.
func (v *validator) publicTestValues() {
	for _, a := range v.cfg.Authorizers {
		public := publicValues(a)
		if len(public) == 0 {
			continue
		}
		for _, envName := range v.cfg.EnvNames() {
			if envName == "dev" {
				continue
			}
			for _, s := range v.authorizerEnvironment(a, envName) {
				what := ""
				items := append([]string{strings.TrimSpace(s.kv.Value.V)}, strings.FieldsFunc(s.kv.Value.V, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })...)
				for _, item := range items {
					if w, ok := public[strings.ToLower(item)]; ok {
						what = w
						break
					}
				}
				if what == "" {
					continue
				}
				suggest := fmt.Sprintf("ssm:/%s/%s/%s", v.cfg.API.Name.V, envName, strings.ReplaceAll(strings.ToLower(s.kv.Key), "_", "-"))
				v.add(s.kv.Value.Pos, s.field,
					fmt.Sprintf("environment %s would give authorizer %s %s, a value routes.yaml publishes for dev: anyone who read it could pass in %s", envName, a.Name.V, what, envName),
					fmt.Sprintf("set %s's own value as a secret: environments.%s.authorizers.%s.environment: { %s: %q }, then store the value in that parameter (aws ssm put-parameter --type SecureString)", envName, envName, a.Name.V, s.kv.Key, suggest))
			}
		}
	}
}

// publicValues maps each value an authorizer publishes for tests, and its
// SHA-256 (hex), lowercased, to a description of it.
func publicValues(a Authorizer) map[string]string {
	out := map[string]string{}
	add := func(v, field string, raw bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		sum := sha256.Sum256([]byte(v))
		out[hex.EncodeToString(sum[:])] = "the SHA-256 of its " + field
		if raw {
			out[strings.ToLower(v)] = "its " + field + " itself"
		}
	}
	switch a.Type.V {
	case "token":
		add(a.TestToken.V, "test_token", true)
		// The token without its scheme ("Bearer <token>"), which is what a
		// token authorizer compares.
		if _, tok, ok := strings.Cut(strings.TrimSpace(a.TestToken.V), " "); ok {
			add(tok, "test_token", true)
		}
	case "request":
		// Only digests: a test identity may be a plain name (a tenant) that
		// other environments list too, but a digest of it is a credential.
		for _, kv := range a.TestIdentity {
			add(kv.Value.V, "test_identity."+kv.Key, false)
		}
	}
	return out
}

// envSetting is an environment variable and the field that sets it.
type envSetting struct {
	kv    KV
	field string
}

// authorizerEnvironment is the environment a token or request authorizer's
// function gets in env, each variable with the field that set it (the most
// specific layer wins), sorted by name.
func (v *validator) authorizerEnvironment(a Authorizer, env string) []envSetting {
	type layer struct {
		kvs   []KV
		field string
	}
	layers := []layer{{v.cfg.Defaults.Environment, "defaults"}, {a.Settings.Environment, "authorizers." + a.Name.V}}
	for _, e := range v.cfg.Environments {
		if e.Name.V != env {
			continue
		}
		layers = append(layers, layer{e.Settings.Environment, "environments." + env})
		for _, o := range e.AuthSettings {
			if o.Route.V == a.Name.V {
				layers = append(layers, layer{o.Settings.Environment, "environments." + env + ".authorizers." + a.Name.V})
			}
		}
	}
	byKey := map[string]envSetting{}
	for _, l := range layers {
		for _, kv := range l.kvs {
			byKey[kv.Key] = envSetting{kv, l.field + ".environment." + kv.Key}
		}
	}
	out := make([]envSetting, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y envSetting) int { return strings.Compare(x.kv.Key, y.kv.Key) })
	return out
}
