package secrets_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/sivchari/kumo"

	"github.com/apibuilder/apibuilder/lambdakit/secrets"
)

// The tests read parameters and secrets from kumo served in process, the
// emulator the local stack runs: nothing installed, nothing of the tool.
var kumoServer *kumo.Server

func TestMain(m *testing.M) {
	kumoServer = kumo.NewServer()
	code := m.Run()
	kumoServer.Close()
	os.Exit(code)
}

func kumoConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(kumoServer.URL),
	}
}

var seq atomic.Int64

// unique names a parameter or secret of one test: kumo is shared by the
// whole test binary.
func unique(t *testing.T, prefix string) string {
	return prefix + strings.ToLower(t.Name()) + "-" + strconv.FormatInt(seq.Add(1), 10)
}

func putParameter(t *testing.T, name, value string, typ ssmtypes.ParameterType) {
	t.Helper()
	_, err := ssm.NewFromConfig(kumoConfig()).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("put parameter %s: %v", name, err)
	}
}

func TestPlainValuesAreReturnedAsTheyAre(t *testing.T) {
	r := &secrets.Resolver{} // no clients: a plain value must not need any
	for _, v := range []string{"", "items-dev-items", "https://example.com", "SSM:/not/a/reference", "arn:aws:ssm:us-east-1:123456789012:parameter/x"} {
		got, err := r.Resolve(context.Background(), v)
		if err != nil || got != v {
			t.Errorf("Resolve(%q) = %q, %v; want it unchanged", v, got, err)
		}
	}
}

func TestSSMParametersResolveDecrypted(t *testing.T) {
	r := secrets.New(kumoConfig())
	for _, typ := range []ssmtypes.ParameterType{ssmtypes.ParameterTypeString, ssmtypes.ParameterTypeSecureString} {
		name := "/" + unique(t, "app/") + "/" + string(typ)
		putParameter(t, name, "value-of-"+string(typ), typ)
		got, err := r.Resolve(context.Background(), "ssm:"+name)
		if err != nil || got != "value-of-"+string(typ) {
			t.Errorf("%s parameter: %q, %v; want its value in clear", typ, got, err)
		}
	}
}

func TestSecretsManagerSecretsResolveByNameAndARN(t *testing.T) {
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(kumoConfig())
	name := unique(t, "app/")
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	r := secrets.New(kumoConfig())
	for _, ref := range []string{"secretsmanager:" + name, "secretsmanager:" + aws.ToString(created.ARN)} {
		if got, err := r.Resolve(ctx, ref); err != nil || got != "s3cret" {
			t.Errorf("Resolve(%s) = %q, %v; want the secret's string", ref, got, err)
		}
	}
}

func TestValuesAreFetchedOnceAndCached(t *testing.T) {
	ctx := context.Background()
	name := "/" + unique(t, "app/")
	putParameter(t, name, "first", ssmtypes.ParameterTypeSecureString)
	counting := &countingSSM{SSMAPI: ssm.NewFromConfig(kumoConfig())}
	r := &secrets.Resolver{SSM: counting}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := r.Resolve(ctx, "ssm:"+name); err != nil || got != "first" {
				t.Errorf("concurrent Resolve = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	// A later change is not seen by this process: the value belongs to
	// the cold start, as the environment does.
	putParameter(t, name, "second", ssmtypes.ParameterTypeSecureString)
	if got, _ := r.Resolve(ctx, "ssm:"+name); got != "first" {
		t.Errorf("after a change: %q, want the cached %q", got, "first")
	}
	if n := counting.calls.Load(); n != 1 {
		t.Errorf("GetParameter called %d times, want once", n)
	}
}

type countingSSM struct {
	secrets.SSMAPI
	calls atomic.Int64
}

func (c *countingSSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	c.calls.Add(1)
	return c.SSMAPI.GetParameter(ctx, in, opts...)
}

func TestAMissingSecretIsAnErrorThatIsNotCached(t *testing.T) {
	ctx := context.Background()
	name := "/" + unique(t, "app/")
	r := secrets.New(kumoConfig())
	_, err := r.Resolve(ctx, "ssm:"+name)
	if err == nil || !strings.Contains(err.Error(), "ssm:"+name) || !strings.Contains(err.Error(), "ParameterNotFound") {
		t.Fatalf("missing parameter: %v; want an error naming the reference and ParameterNotFound", err)
	}
	putParameter(t, name, "now-set", ssmtypes.ParameterTypeSecureString)
	if got, err := r.Resolve(ctx, "ssm:"+name); err != nil || got != "now-set" {
		t.Errorf("after the parameter was set: %q, %v; want its value (failures are not cached)", got, err)
	}
	if _, err := r.Resolve(ctx, "secretsmanager:"+unique(t, "missing/")); err == nil {
		t.Error("missing secret: no error")
	}
	for _, empty := range []string{"ssm:", "secretsmanager:"} {
		if _, err := r.Resolve(ctx, empty); err == nil {
			t.Errorf("Resolve(%q): no error", empty)
		}
	}
}

// TestEnvUsesTheStandardChain resolves through the package-level Env with
// nothing but environment variables, as a function started by the local
// stack (AWS_ENDPOINT_URL) or by Lambda gets them.
func TestEnvUsesTheStandardChain(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", kumoServer.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	name := "/" + unique(t, "app/") + "/token-sha256"
	putParameter(t, name, "d2eadfb6", ssmtypes.ParameterTypeSecureString)
	t.Setenv("ALLOWED", "ssm:"+name)
	t.Setenv("PLAIN", "items-dev-items")
	ctx := context.Background()
	if got, err := secrets.Env(ctx, "ALLOWED"); err != nil || got != "d2eadfb6" {
		t.Errorf("Env(ALLOWED) = %q, %v; want the parameter's value", got, err)
	}
	if got, err := secrets.Env(ctx, "PLAIN"); err != nil || got != "items-dev-items" {
		t.Errorf("Env(PLAIN) = %q, %v", got, err)
	}
	if got, err := secrets.Env(ctx, "UNSET_VARIABLE"); err != nil || got != "" {
		t.Errorf("Env(UNSET_VARIABLE) = %q, %v; want empty", got, err)
	}
	t.Setenv("MISSING", "ssm:/no/such/parameter")
	if _, err := secrets.Env(ctx, "MISSING"); err == nil || !strings.HasPrefix(err.Error(), "MISSING: secret ssm:/no/such/parameter: ") {
		t.Errorf("Env(MISSING) error = %v; want it to name the variable and the reference", err)
	}
}
