package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/tfdriver"
)

var deployCommand = &command{
	name:    "deploy",
	summary: "generate, then terraform init, plan and apply one environment",
	usage:   "-env <env> [-config routes.yaml] [-auto-approve] [-parallelism N]",
	manual: `    Generates envs/<env> and the function zips, then runs terraform init,
    plan and, after you confirm (or with -auto-approve), apply of that plan.
    Credentials and the account come from the standard AWS chain
    (environment, profile, SSO, instance or OIDC role); terraform must be on
    PATH (1.5 or later). The state is where envs/<env> keeps it: local, or
    the S3 backend routes.yaml names.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		cfg := fs.String("config", "routes.yaml", "routes file")
		env := fs.String("env", "", "environment to deploy (required)")
		yes := fs.Bool("auto-approve", false, "apply without asking")
		par := fs.Int("parallelism", 0, "terraform's -parallelism (default 10; 30 suits APIs of more than about 20 routes)")
		return func(ctx context.Context, std *stdio, args []string) int {
			if *env == "" || len(args) > 0 {
				fmt.Fprintln(std.errOut, "apibuilder deploy: name the environment with -env (see -h)")
				return 2
			}
			approve := func([]string) bool {
				fmt.Fprintf(std.out, "\nApply this plan to envs/%s? Only 'yes' applies: ", *env)
				answer, _ := bufio.NewReader(std.in).ReadString('\n')
				return strings.TrimSpace(answer) == "yes"
			}
			if *yes {
				approve = nil
			}
			d, err := target.Deploy(ctx, target.DeployOptions{Config: *cfg, Env: *env, Parallelism: *par, Approve: approve, Out: std.out})
			switch {
			case errors.Is(err, tfdriver.ErrNotApproved):
				fmt.Fprintln(std.errOut, "apibuilder deploy: not applied")
				return 1
			case err != nil:
				return fail(std, "deploy", err, "nothing was deployed")
			case !d.Applied:
				fmt.Fprintf(std.out, "envs/%s is up to date: nothing to apply.\n", *env)
			default:
				fmt.Fprintf(std.out, "\nDeployed envs/%s: %s\n", *env, d.Outputs.InvokeURL)
			}
			return 0
		}
	},
}
