package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// DeployOptions configure Deploy.
type DeployOptions struct {
	Config string // routes file (default routes.yaml)
	Env    string // the environment to deploy (required)
	// Terraform is the terraform binary (default: the one on PATH).
	Terraform string
	// Parallelism is terraform's -parallelism (0: its default, 10).
	Parallelism int
	// Approve is asked, with the plan's changes, before anything is
	// applied; nil applies without asking.
	Approve func(changes []string) bool
	// Out gets progress lines and terraform's output (nil discards).
	Out io.Writer
}

// Deployed is what Deploy did.
type Deployed struct {
	Dir     string            // the environment's directory
	Applied bool              // false: the plan was empty
	Outputs *tfdriver.Outputs // after an apply
}

// Deploy deploys one environment where it says it lives (its backend, the
// account of the standard AWS credential chain): generate envs/<env> and
// the function zips, terraform init, plan, and, once Approve says yes,
// apply exactly the plan that was reviewed. Not approving is
// tfdriver.ErrNotApproved.
func Deploy(ctx context.Context, opt DeployOptions) (*Deployed, error) {
	if opt.Config == "" {
		opt.Config = "routes.yaml"
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.Env == "" {
		return nil, errors.New("no environment to deploy: name one (apibuilder deploy -env <env>)")
	}
	if opt.Terraform == "" {
		tf, err := TerraformOnPath()
		if err != nil {
			return nil, err
		}
		opt.Terraform = tf
	}
	fmt.Fprintf(opt.Out, "==> generate envs/%s\n", opt.Env)
	res, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Log: opt.Out})
	if err != nil {
		return nil, err
	}
	d := &Deployed{Dir: filepath.Join(res.Root, "envs", opt.Env)}
	ws, err := tfdriver.New(d.Dir, opt.Terraform, map[string]string{"CHECKPOINT_DISABLE": "1"}, opt.Out)
	if err != nil {
		return nil, err
	}
	ws.Parallelism = opt.Parallelism
	fmt.Fprintf(opt.Out, "==> terraform init (%s)\n", d.Dir)
	if err := ws.Init(ctx, nil); err != nil {
		return nil, err
	}
	fmt.Fprintln(opt.Out, "==> terraform plan")
	approve := func(changes []string) bool {
		if opt.Approve != nil && !opt.Approve(changes) {
			return false
		}
		fmt.Fprintln(opt.Out, "==> terraform apply")
		return true
	}
	if d.Applied, err = ws.PlanReviewApply(ctx, approve); err != nil || !d.Applied {
		return d, err
	}
	d.Outputs, err = ws.Outputs(ctx)
	return d, err
}
