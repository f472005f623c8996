package apibuilder

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/tfdriver"
)

const deployManual = `NAME
    apibuilder deploy - deploy one environment to AWS

SYNOPSIS
    apibuilder deploy -env <env> [-config routes.yaml] [-auto-approve] [-parallelism N]

DESCRIPTION
    Generates envs/<env> and the function zips, then runs terraform init,
    plan and, after you confirm (or with -auto-approve), apply of that plan.
    Credentials and the account come from the standard AWS chain
    (environment, profile, SSO, instance or OIDC role); terraform must be on
    PATH (1.5 or later). The state is where envs/<env> keeps it: local, or
    the S3 backend routes.yaml names.

OPTIONS
`

func runDeploy(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apibuilder deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "routes.yaml", "routes file")
	env := fs.String("env", "", "environment to deploy (required)")
	yes := fs.Bool("auto-approve", false, "apply without asking")
	par := fs.Int("parallelism", 0, "terraform's -parallelism (default 10; 30 suits APIs of more than about 20 routes)")
	fs.Usage = func() {
		fmt.Fprint(stderr, deployManual)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *env == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "apibuilder deploy: name the environment with -env (see -h)")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := deployEnv(ctx, *cfg, *env, *yes, *par, stdin, stdout); err != nil {
		fmt.Fprintln(stderr, "apibuilder deploy:", err)
		return 1
	}
	return 0
}

func deployEnv(ctx context.Context, cfg, env string, yes bool, parallelism int, stdin io.Reader, out io.Writer) error {
	tf, err := terraformOnPath()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "==> generate envs/%s\n", env)
	res, err := generate.Run(ctx, generate.Options{Config: cfg, Envs: []string{env}, Log: out})
	if err != nil {
		return err
	}
	dir := filepath.Join(res.Root, "envs", env)
	ws, err := tfdriver.New(dir, tf, map[string]string{"CHECKPOINT_DISABLE": "1"}, out)
	if err != nil {
		return err
	}
	ws.Parallelism = parallelism
	fmt.Fprintf(out, "==> terraform init (%s)\n", dir)
	if err := ws.Init(ctx, nil); err != nil {
		return err
	}
	fmt.Fprintln(out, "==> terraform plan")
	tmp, err := os.MkdirTemp("", "apibuilder-deploy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	plan := filepath.Join(tmp, "plan.tfplan")
	_, changed, err := ws.PlanFile(ctx, plan)
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(out, "envs/%s is up to date: nothing to apply.\n", env)
		return nil
	}
	if !yes {
		fmt.Fprintf(out, "\nApply this plan to envs/%s? Only 'yes' applies: ", env)
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			return errors.New("not applied")
		}
	}
	fmt.Fprintln(out, "==> terraform apply")
	if err := ws.ApplyPlan(ctx, plan); err != nil {
		return err
	}
	o, err := ws.Outputs(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDeployed envs/%s: %s\n", env, o.InvokeURL)
	return nil
}

// terraformOnPath finds the terraform a deployment to AWS runs with: the
// user's own (it fetches the provider from the registry as usual).
func terraformOnPath() (string, error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("terraform is not on PATH: install terraform 1.5 or later (https://developer.hashicorp.com/terraform/install)")
	}
	return tf, nil
}
