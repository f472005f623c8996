package target

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestAWSAccountIsTheCredentialChainsAndNeverAnEmulators: static
// credentials in the environment make the account; an emulator endpoint
// left in the caller's environment is unset for its terraform runs.
func TestAWSAccountIsTheCredentialChainsAndNeverAnEmulators(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
	a, err := AWSAccount(context.Background(), AWSOptions{Terraform: "/opt/terraform", TFEnv: map[string]string{"TF_CLI_CONFIG_FILE": "/x"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Local() || a.Region != "us-east-1" || a.Terraform != "/opt/terraform" || a.Patience != 2*time.Minute {
		t.Errorf("account = %+v", a)
	}
	for _, k := range endpointVars {
		if v, ok := a.TFEnv[k]; !ok || v != "" {
			t.Errorf("TFEnv[%s] = %q, %v; want it unset (\"\")", k, v, ok)
		}
	}
	if a.TFEnv["TF_CLI_CONFIG_FILE"] != "/x" {
		t.Errorf("TFEnv lost the caller's variables: %v", a.TFEnv)
	}
	creds, err := a.AWS.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" {
		t.Errorf("credentials = %+v, %v", creds, err)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if _, err := AWSAccount(context.Background(), AWSOptions{Terraform: "/opt/terraform"}); err == nil {
		t.Errorf("no credentials: want an error")
	}
}
