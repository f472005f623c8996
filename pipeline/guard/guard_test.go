package guard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestInCI(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"CI": "true"}, true},
		{map[string]string{"GITHUB_ACTIONS": "true"}, true},
		{map[string]string{"CI": "1"}, true},
		{map[string]string{"CI": "false"}, false},
		{map[string]string{"CI": "0", "GITHUB_ACTIONS": ""}, false},
	} {
		if got := InCI(env(c.env)); got != c.want {
			t.Errorf("InCI(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const versionsNoBackend = "terraform {\n  required_version = \">= 1.5\"\n}\n"
const versionsS3 = "terraform {\n  required_version = \">= 1.5\"\n\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n"

func TestLocalState(t *testing.T) {
	local, remote, own := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, local, "versions.tf", versionsNoBackend)
	write(t, remote, "versions.tf", versionsS3)
	write(t, own, "versions.tf", versionsNoBackend)
	write(t, own, "backend.tf", "terraform {\n  cloud {\n    organization = \"o\"\n  }\n}\n")
	ci := env(map[string]string{"GITHUB_ACTIONS": "true"})

	err := LocalState(ci, local, "envs/dev", "dev")
	if err == nil {
		t.Fatal("CI with local state: want an error")
	}
	for _, want := range []string{"envs/dev", "apibuilder bootstrap -env dev", "backend:", "Nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if err := LocalState(env(nil), local, "envs/dev", "dev"); err != nil {
		t.Errorf("outside CI local state is the developer's choice: %v", err)
	}
	if err := LocalState(ci, remote, "envs/dev", "dev"); err != nil {
		t.Errorf("CI with an S3 backend: %v", err)
	}
	if err := LocalState(ci, own, "envs/dev", "dev"); err != nil {
		t.Errorf("CI with the team's own backend file: %v", err)
	}
}

type account struct {
	arn string
	err error
}

func (a account) GetAccount(context.Context, *apigateway.GetAccountInput, ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error) {
	if a.err != nil {
		return nil, a.err
	}
	return &apigateway.GetAccountOutput{CloudwatchRoleArn: aws.String(a.arn)}, nil
}

func TestAccountRole(t *testing.T) {
	ctx := context.Background()
	if err := AccountRole(ctx, account{arn: "arn:aws:iam::1:role/r"}, "prod", "us-east-1", ""); err != nil {
		t.Errorf("account with a role: %v", err)
	}
	err := AccountRole(ctx, account{}, "prod", "eu-west-1", "envs/_account")
	if err == nil {
		t.Fatal("account without a role: want an error")
	}
	for _, want := range []string{"envs/prod", "eu-west-1", "cloudwatchRoleArn", "apibuilder bootstrap -env prod", "terraform -chdir=envs/_account apply"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	err = AccountRole(ctx, account{}, "dev", "us-east-1", "")
	if err == nil || !strings.Contains(err.Error(), "api.cloudwatch_role: true") {
		t.Errorf("without envs/_account: %v, want it to say how to generate one", err)
	}
	err = AccountRole(ctx, account{err: errors.New("AccessDenied")}, "dev", "us-east-1", "")
	if err == nil || !strings.Contains(err.Error(), "apigateway:GET") {
		t.Errorf("GetAccount refused: %v, want the permission named", err)
	}
}
