package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/apibuilder/apibuilder/local/stack"
)

// SecretFlag collects -secret <reference>=<value> assignments: the secrets
// an env references (ssm:<name>, secretsmanager:<name>), stored on the
// local stack before the env is applied.
type SecretFlag []stack.Secret

func (f *SecretFlag) String() string { return fmt.Sprint(len(*f), " secrets") }

func (f *SecretFlag) Set(s string) error {
	sec, err := parseSecret(s)
	if err != nil {
		return err
	}
	*f = append(*f, sec)
	return nil
}

// parseSecret reads "<reference>=<value>". The value starts after the first
// "=", so a value may hold "=" (base64) but a reference may not: SSM
// parameter names never do; a Secrets Manager secret whose name does cannot
// be stored this way.
func parseSecret(s string) (stack.Secret, error) {
	ref, value, ok := strings.Cut(s, "=")
	ref = strings.TrimSpace(ref)
	if !ok || ref == "" || value == "" {
		return stack.Secret{}, fmt.Errorf("%q: want <reference>=<value>, e.g. ssm:/items/prod/admin-token-sha256=<sha256 hex>", redact(s))
	}
	return stack.Secret{Ref: ref, Value: value}, nil
}

// ReadSecretsFile reads one <reference>=<value> per line; blank lines and
// lines starting with # are skipped.
func ReadSecretsFile(path string) ([]stack.Secret, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []stack.Secret
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseSecret(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// redact keeps the reference of an assignment and hides its value.
func redact(s string) string {
	if ref, _, ok := strings.Cut(s, "="); ok {
		return ref + "=…"
	}
	return s
}

// missingSecret reports a Terraform failure of reading a referenced secret
// that does not exist (the generated data sources' errors).
func missingSecret(err error) bool {
	msg := err.Error()
	reading := strings.Contains(msg, "reading SSM Parameter (") || strings.Contains(msg, "reading Secrets Manager Secret (")
	notFound := strings.Contains(msg, "couldn't find resource") || strings.Contains(msg, "ParameterNotFound") || strings.Contains(msg, "ResourceNotFoundException")
	return reading && notFound
}
