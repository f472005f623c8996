// Package secrets gives a Lambda function the values of its secret settings.
//
// apibuilder never puts a secret into routes.yaml, the generated Terraform or
// the function's configuration: an environment value of the form
// ssm:<parameter name> (SSM Parameter Store, String or SecureString) or
// secretsmanager:<secret name or ARN> reaches the function as that reference,
// and the function's role may read exactly that parameter or secret. Env
// turns the reference into the value: it fetches it once per process (a
// Lambda cold start) and caches it; any other value is returned as it is.
//
//	allowed, err := secrets.Env(ctx, "ALLOWED_TOKEN_SHA256")
//
// The AWS clients come from the standard configuration chain, so a function
// started by the local stack reaches the stack's emulator through
// AWS_ENDPOINT_URL like every other AWS call it makes.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// The prefixes of a reference; what follows is the parameter's name, or the
// secret's name or ARN.
const (
	SSMPrefix            = "ssm:"
	SecretsManagerPrefix = "secretsmanager:"
)

// IsReference reports whether an environment value names a secret rather
// than holding its value.
func IsReference(value string) bool {
	return strings.HasPrefix(value, SSMPrefix) || strings.HasPrefix(value, SecretsManagerPrefix)
}

// SSMAPI is the part of the SSM client a Resolver uses.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// SecretsManagerAPI is the part of the Secrets Manager client a Resolver uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Resolver fetches referenced secrets and caches every value it fetched for
// its lifetime. A failed fetch is not cached: the next call tries again.
// It is safe for concurrent use.
type Resolver struct {
	SSM            SSMAPI
	SecretsManager SecretsManagerAPI

	mu      sync.Mutex
	entries map[string]*entry // reference -> its value, once fetched
}

type entry struct {
	mu    sync.Mutex // held while fetching, so one reference is fetched once
	done  bool
	value string
}

// New returns a Resolver whose clients use cfg.
func New(cfg aws.Config) *Resolver {
	return &Resolver{SSM: ssm.NewFromConfig(cfg), SecretsManager: secretsmanager.NewFromConfig(cfg)}
}

// Env returns the value of the environment variable key: the referenced
// secret's value when it holds a reference, the variable itself otherwise
// (empty when it is not set).
func (r *Resolver) Env(ctx context.Context, key string) (string, error) {
	v, err := r.Resolve(ctx, os.Getenv(key))
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return v, nil
}

// Resolve returns the value a reference names, or value itself when it is
// not a reference. Errors name the reference, never a value.
func (r *Resolver) Resolve(ctx context.Context, value string) (string, error) {
	if !IsReference(value) {
		return value, nil
	}
	r.mu.Lock()
	if r.entries == nil {
		r.entries = map[string]*entry{}
	}
	e := r.entries[value]
	if e == nil {
		e = &entry{}
		r.entries[value] = e
	}
	r.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return e.value, nil
	}
	v, err := r.fetch(ctx, value)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", value, err)
	}
	e.value, e.done = v, true
	return v, nil
}

func (r *Resolver) fetch(ctx context.Context, ref string) (string, error) {
	if name, ok := strings.CutPrefix(ref, SSMPrefix); ok {
		if name == "" {
			return "", errors.New("no parameter name after ssm:")
		}
		if r.SSM == nil {
			return "", errors.New("no SSM client")
		}
		out, err := r.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", err
		}
		if out.Parameter == nil || out.Parameter.Value == nil {
			return "", errors.New("SSM returned no value")
		}
		return *out.Parameter.Value, nil
	}
	id := strings.TrimPrefix(ref, SecretsManagerPrefix)
	if id == "" {
		return "", errors.New("no secret name or ARN after secretsmanager:")
	}
	if r.SecretsManager == nil {
		return "", errors.New("no Secrets Manager client")
	}
	out, err := r.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", err
	}
	switch {
	case out.SecretString != nil:
		return *out.SecretString, nil
	case out.SecretBinary != nil:
		return string(out.SecretBinary), nil
	}
	return "", errors.New("Secrets Manager returned no value")
}

// The process-wide resolver behind Env, built on first use from the
// standard AWS configuration chain.
var (
	defaultMu       sync.Mutex
	defaultResolver *Resolver
)

func processResolver(ctx context.Context) (*Resolver, error) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultResolver != nil {
		return defaultResolver, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	defaultResolver = New(cfg)
	return defaultResolver, nil
}

// Env returns the value of the environment variable key, resolving an
// ssm: or secretsmanager: reference with the standard AWS configuration
// chain. Fetched values are cached for the life of the process; plain
// values are returned as they are, and no AWS configuration is loaded for
// them.
func Env(ctx context.Context, key string) (string, error) {
	v := os.Getenv(key)
	if !IsReference(v) {
		return v, nil
	}
	r, err := processResolver(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return r.Env(ctx, key)
}
