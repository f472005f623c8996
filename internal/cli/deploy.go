package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apibuilder/apibuilder/pipeline"
	"github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/tfdriver"
)

var deployCommand = &command{
	name:    "deploy",
	summary: "generate, then terraform init, plan and apply one environment (or a preview, or a saved plan)",
	usage:   "-env <env> [-config routes.yaml] [-auto-approve] [-out FILE [-summary FILE] | -plan FILE | -preview NAME [-destroy] | -sweep-previews AGE] [-lock-timeout D] [-parallelism N]",
	manual: `    Generates envs/<env> and the function zips, then runs terraform init,
    plan and, after you confirm (or with -auto-approve), apply of that plan.
    Credentials and the account come from the standard AWS chain
    (environment, profile, SSO, instance or OIDC role); terraform must be on
    PATH (1.5 or later). The state is where envs/<env> keeps it: local, or
    the S3 backend routes.yaml names.

    In CI (CI or GITHUB_ACTIONS set) an environment without a backend is
    refused before anything runs: run apibuilder bootstrap, or add
    backend: to routes.yaml. Before an environment whose stage logs is
    applied, the account's API Gateway CloudWatch role is checked. The
    account's notes are printed on every run.

    -out FILE plans only: the plan is saved to FILE (with FILE.inputs.json,
    what it was made from; keep the two together) and its summary written
    to $GITHUB_STEP_SUMMARY when set and to -summary FILE. -plan FILE then
    applies exactly that plan, refusing when a generated file or function
    package differs from those it was made from (Terraform refuses a plan
    whose state changed since).

    -preview NAME deploys a copy of the environment namespaced NAME (e.g.
    pr-12): every AWS name carries it, its state has its own key (or its
    own directory, build/preview/NAME, without a backend), it is its own
    REST API. -destroy tears it down with its state. -sweep-previews AGE
    (7d, 36h) destroys every preview last deployed longer ago than AGE.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		cfg := fs.String("config", "routes.yaml", "routes file")
		env := fs.String("env", "", "environment to deploy (required)")
		yes := fs.Bool("auto-approve", false, "apply without asking")
		par := fs.Int("parallelism", 0, "terraform's -parallelism (default 10; 30 suits APIs of more than about 20 routes)")
		out := fs.String("out", "", "plan only: save the plan to `FILE` and write its summary")
		summary := fs.String("summary", "", "with -out: also write the plan's markdown summary to `FILE`")
		plan := fs.String("plan", "", "apply exactly the saved plan in `FILE` (made with -out)")
		preview := fs.String("preview", "", "deploy the preview `NAME` of the environment (e.g. pr-12)")
		destroy := fs.Bool("destroy", false, "with -preview: destroy the preview")
		sweep := fs.String("sweep-previews", "", "destroy the previews last deployed longer ago than `AGE` (7d, 36h)")
		lock := fs.Duration("lock-timeout", pipeline.DefaultLockTimeout, "how long plans and applies wait for the state lock")
		return func(ctx context.Context, std *stdio, args []string) int {
			if *env == "" || len(args) > 0 {
				fmt.Fprintln(std.errOut, "apibuilder deploy: name the environment with -env (see -h)")
				return 2
			}
			what := "envs/" + *env
			if *preview != "" {
				what = "preview " + *preview + " of " + what
			}
			approve := func([]string) bool {
				fmt.Fprintf(std.out, "\nApply this plan to %s? Only 'yes' applies: ", what)
				answer, _ := bufio.NewReader(std.in).ReadString('\n')
				return strings.TrimSpace(answer) == "yes"
			}
			if *yes {
				approve = nil
			}
			acct := &lazyAccount{}
			opt := pipeline.Options{
				Config: *cfg, Env: *env, Preview: *preview, Destroy: *destroy, Out: *out, Summary: *summary, Plan: *plan,
				LockTimeout: *lock, Parallelism: *par, Approve: approve, Log: std.out,
				Workspace: acct.workspace, APIGateway: acct, S3: acct,
			}
			if *lock <= 0 {
				opt.LockTimeout = -1 // do not wait
			}
			if *sweep != "" {
				age, err := pipeline.ParseAge(*sweep)
				if err != nil {
					fmt.Fprintf(std.errOut, "apibuilder deploy: -sweep-previews: %v\n", err)
					return 2
				}
				swept, err := pipeline.Sweep(ctx, opt, age, time.Now())
				for _, p := range swept {
					fmt.Fprintf(std.out, "Destroyed preview %s (last deployed %s)\n", p.Name, p.Updated.UTC().Format(time.RFC3339))
				}
				if err != nil {
					return fail(std, "deploy", err, "")
				}
				return 0
			}
			if *destroy && *preview != "" && !*yes {
				// Destroying asks as applying does.
				fmt.Fprintf(std.out, "Destroy %s and its state? Only 'yes' destroys: ", what)
				answer, _ := bufio.NewReader(std.in).ReadString('\n')
				if strings.TrimSpace(answer) != "yes" {
					fmt.Fprintln(std.errOut, "apibuilder deploy: not destroyed")
					return 1
				}
			}
			d, err := pipeline.Deploy(ctx, opt)
			switch {
			case errors.Is(err, pipeline.ErrNotApproved):
				fmt.Fprintln(std.errOut, "apibuilder deploy: not applied")
				return 1
			case err != nil:
				return fail(std, "deploy", err, "nothing was deployed")
			case *destroy:
				fmt.Fprintf(std.out, "\nDestroyed %s.\n", what)
			case *out != "":
				fmt.Fprintf(std.out, "Saved the plan of %s to %s (apply it with apibuilder deploy -env %s -plan %s).\n", what, *out, *env, *out)
			case !d.Applied:
				fmt.Fprintf(std.out, "%s is up to date: nothing to apply.\n", what)
			default:
				fmt.Fprintf(std.out, "\nDeployed %s: %s\n", what, d.Outputs.InvokeURL)
			}
			return 0
		}
	},
}

// lazyAccount reaches AWS only when the deployment gets that far, so the
// checks that come first (local state in CI) need no credentials.
type lazyAccount struct {
	once sync.Once
	acct *target.Account
	err  error
}

// get is the account of the standard credential chain. The caller's
// AWS_ENDPOINT_URL* reach Terraform as they reach the SDK clients (the
// AWS CLI and SDKs honour them; the pipeline test runs deploy against the
// local stack with them).
func (l *lazyAccount) get(ctx context.Context) (*target.Account, error) {
	l.once.Do(func() { l.acct, l.err = target.AWSAccount(ctx, target.AWSOptions{KeepEndpoints: true}) })
	return l.acct, l.err
}

func (l *lazyAccount) workspace(dir string, log io.Writer) (*tfdriver.Workspace, error) {
	a, err := l.get(context.Background())
	if err != nil {
		return nil, err
	}
	return a.Workspace(dir, log)
}

func (l *lazyAccount) GetAccount(ctx context.Context, in *apigateway.GetAccountInput, opts ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error) {
	a, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.APIGateway().GetAccount(ctx, in, opts...)
}

func (l *lazyAccount) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	a, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.S3().ListObjectsV2(ctx, in, opts...)
}

func (l *lazyAccount) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	a, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return a.S3().DeleteObject(ctx, in, opts...)
}
