// Package guard holds the checks `apibuilder deploy` makes before it
// changes anything, because the failures they prevent happen late and
// leave damage: state kept on a CI runner dies with it, so the next run
// creates every resource again (fixed names fail with "already exists",
// API Gateway makes a second REST API); and a stage that logs is refused
// by API Gateway after every function, role and table has been created
// when the account names no CloudWatch role. Each check runs before any
// Terraform command and says exactly what to run instead.
package guard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// InCI reports whether the process runs in CI: CI or GITHUB_ACTIONS set
// (to anything but "false" or "0"). getenv is os.Getenv in production.
func InCI(getenv func(string) string) bool {
	for _, k := range []string{"CI", "GITHUB_ACTIONS"} {
		if v := strings.TrimSpace(getenv(k)); v != "" && v != "false" && v != "0" {
			return true
		}
	}
	return false
}

var backendRe = regexp.MustCompile(`(?m)^\s*(backend\s+"[A-Za-z0-9_]+"|cloud)\s*\{`)

// HasBackend reports whether the root module in dir names a state backend
// (a backend or cloud block in any of its .tf files, the generated
// versions.tf or one of the team's own).
func HasBackend(dir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if backendRe.Match(data) {
			return true, nil
		}
	}
	return false, nil
}

// LocalState refuses to apply, in CI, an environment whose state would
// stay on the runner: dir (e.g. envs/dev, shown as rel) names no backend.
// env is the environment's name, for the command to run.
func LocalState(getenv func(string) string, dir, rel, env string) error {
	if !InCI(getenv) {
		return nil
	}
	ok, err := HasBackend(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%s keeps its Terraform state on this machine (routes.yaml has no backend:), and this is CI (CI or GITHUB_ACTIONS is set): "+
		"the state would be lost with the runner, and the next run would create every resource again (a second REST API; fixed names fail with \"already exists\"). "+
		"Run `apibuilder bootstrap -env %s -github OWNER/REPO` once with admin credentials (it creates the state bucket and writes the backend: key into routes.yaml), "+
		"or add backend: { s3: { bucket: ..., region: ... } } to routes.yaml yourself, then generate and commit. Nothing was changed", rel, env)
}

// AccountAPI is the API Gateway call AccountRole makes.
type AccountAPI interface {
	GetAccount(ctx context.Context, in *apigateway.GetAccountInput, opts ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error)
}

// AccountRole checks, for an environment whose stage logs to CloudWatch,
// that the account's API Gateway settings name a CloudWatch role; without
// one API Gateway refuses the stage, after everything else was created.
// accountDir is the generated root module that sets the role (envs/_account),
// or "" when routes.yaml does not generate one.
func AccountRole(ctx context.Context, api AccountAPI, env, region, accountDir string) error {
	out, err := api.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil {
		return fmt.Errorf("envs/%s logs access: reading the account's API Gateway settings (apigateway:GET on arn:aws:apigateway:%s::/account, which the deploying role needs) to check its CloudWatch role: %w", env, region, err)
	}
	if out.CloudwatchRoleArn != nil && *out.CloudwatchRoleArn != "" {
		return nil
	}
	fix := fmt.Sprintf("run `apibuilder bootstrap -env %s` once with admin credentials (it sets the account's role)", env)
	if accountDir != "" {
		fix += fmt.Sprintf(", or apply %[1]s once: terraform -chdir=%[1]s init && terraform -chdir=%[1]s apply", accountDir)
	} else {
		fix += ", or set api.cloudwatch_role: true in routes.yaml, generate and apply envs/_account once (terraform -chdir=envs/_account init && terraform -chdir=envs/_account apply), or set api.access_logs: false"
	}
	return fmt.Errorf("the stage of envs/%s writes logs to CloudWatch, but API Gateway in this account and region (%s) has no CloudWatch role (aws apigateway get-account: cloudwatchRoleArn is empty), so API Gateway would refuse the stage after the functions were created: %s. Nothing was changed", env, region, fix)
}
