// Package pipeline is `apibuilder deploy` as a library, the way a CI
// pipeline runs it: generate one environment (or a preview copy of it),
// refuse what would hurt before Terraform runs (package guard), then
// either plan and apply, plan into a saved plan with a reviewable
// summary (package plansummary; -out), apply exactly a saved plan
// (package savedplan; -plan), or deploy, destroy and sweep previews.
// The command, the generated workflow's steps and the end-to-end tests
// all call it, so the pipeline that is tested offline is the one CI runs.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/pipeline/guard"
	"github.com/apibuilder/apibuilder/pipeline/plansummary"
	"github.com/apibuilder/apibuilder/pipeline/savedplan"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// DefaultLockTimeout is how long a plan or apply waits for the state lock
// another run holds (a pull request's plan, say) before it gives up.
const DefaultLockTimeout = 5 * time.Minute

// Options configure Deploy.
type Options struct {
	Config string // routes file (default routes.yaml)
	Env    string // the environment (required)
	// Preview deploys the preview of Env so named (e.g. pr-12): a
	// namespaced copy with its own names, state and REST API
	// (generate.Options.Preview). With Destroy it tears the preview down.
	Preview string
	Destroy bool
	// Out plans only: the plan is saved to this file (with its record,
	// savedplan), and its summary is written to $GITHUB_STEP_SUMMARY when
	// set and to Summary when not "".
	Out, Summary string
	// Plan applies exactly the saved plan in this file, made by Out: no
	// generate, no new plan.
	Plan string
	// LockTimeout is how long plans and applies wait for the state lock
	// (0: DefaultLockTimeout; negative: do not wait).
	LockTimeout time.Duration
	Parallelism int // terraform's -parallelism (0: its default, 10)
	// Approve is asked, with the plan's changes, before anything is
	// applied; nil applies without asking.
	Approve func(changes []string) bool
	// Workspace drives the root module in dir (tfdriver.Workspace on the
	// account deployed to, e.g. target.Account.Workspace); required.
	Workspace func(dir string, log io.Writer) (*tfdriver.Workspace, error)
	// APIGateway reads the account's API Gateway settings: before an
	// environment whose stage logs is applied, its CloudWatch role is
	// checked. Required for applies of such environments.
	APIGateway guard.AccountAPI
	// S3 reads and writes the state bucket (with a backend): previews
	// are found by their state keys, and a destroyed preview's state is
	// removed. Without it a destroyed preview leaves its empty state.
	S3 StateBucket
	// Getenv reads the environment (default os.Getenv): CI, GITHUB_ACTIONS,
	// GITHUB_STEP_SUMMARY.
	Getenv func(string) string
	// Log gets progress lines and terraform's output (nil discards).
	Log io.Writer
	// NoBuild does not build the function packages (generate's NoBuild):
	// for callers that built them already.
	NoBuild bool
	// Sleep waits between retries of throttled API Gateway calls (default
	// time.Sleep; tests shorten it).
	Sleep func(time.Duration)
}

// Result is what Deploy did.
type Result struct {
	Dir string // the root module's directory
	// Generated is the generator's result (nil with Plan).
	Generated *generate.Result
	// Summary is the plan's (Out, and any plan that was applied).
	Summary plansummary.Summary
	// Applied: an apply (or destroy) ran; false when the plan was empty
	// or only saved.
	Applied bool
	// Outputs are the environment's outputs after an apply.
	Outputs *tfdriver.Outputs
}

// ErrNotApproved is Deploy's error when Approve said no.
var ErrNotApproved = tfdriver.ErrNotApproved

func (o *Options) defaults() error {
	if o.Config == "" {
		o.Config = "routes.yaml"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	switch {
	case o.Env == "":
		return errors.New("name the environment with -env")
	case o.Workspace == nil:
		return errors.New("pipeline: Options.Workspace is required")
	case o.Destroy && o.Preview == "":
		return errors.New("-destroy tears down a preview: name it with -preview (environments are destroyed with terraform destroy, on purpose by hand)")
	case o.Plan != "" && (o.Out != "" || o.Preview != "" || o.Destroy):
		return errors.New("-plan applies a saved plan as it is: it takes no -out, -preview or -destroy")
	case o.Out != "" && o.Destroy:
		return errors.New("-out saves a plan to apply; -destroy takes none")
	}
	return nil
}

// Deploy runs one deployment as Options say.
func Deploy(ctx context.Context, opt Options) (*Result, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if opt.Plan != "" {
		return applySaved(ctx, opt)
	}
	what := "envs/" + opt.Env
	if opt.Preview != "" {
		what = "preview " + opt.Preview + " of " + what
	}
	if opt.Out == "" && guard.InCI(opt.Getenv) {
		if err := localStateFirst(ctx, opt); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(opt.Log, "==> generate %s\n", what)
	gen, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Preview: opt.Preview, NoBuild: opt.NoBuild, Log: opt.Log})
	if err != nil {
		return nil, err
	}
	// What the account needs is said on every run that deploys, not only
	// when the generated files changed (then generate has said it).
	if len(gen.Written)+len(gen.Removed) == 0 {
		for _, n := range gen.Notes {
			fmt.Fprintf(opt.Log, "note: %s\n", n)
		}
	}
	st := gen.Stages[0]
	res := &Result{Dir: filepath.Join(gen.Root, filepath.FromSlash(st.Dir)), Generated: gen}
	if opt.Out == "" {
		if err := guard.LocalState(opt.Getenv, res.Dir, st.Dir, opt.Env); err != nil {
			return nil, err
		}
		if st.Logs && !opt.Destroy {
			if err := accountRole(ctx, opt, st.Region, gen.AccountDir); err != nil {
				return nil, err
			}
		}
	}
	ws, err := workspace(opt, res.Dir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(opt.Log, "==> terraform init (%s)\n", st.Dir)
	if err := ws.Init(ctx, nil); err != nil {
		return nil, err
	}
	switch {
	case opt.Destroy:
		fmt.Fprintf(opt.Log, "==> terraform destroy (%s)\n", what)
		if err := retryThrottled(ctx, opt, func() error { return ws.Destroy(ctx) }); err != nil {
			return nil, err
		}
		res.Applied = true
		return res, removeState(ctx, opt, gen, st)
	case opt.Out != "":
		return res, planOut(ctx, opt, ws, gen, st, res)
	}
	err = retryThrottled(ctx, opt, func() error { return planApply(ctx, opt, ws, res) })
	if err != nil || !res.Applied {
		return res, err
	}
	res.Outputs, err = ws.Outputs(ctx)
	return res, err
}

// localStateFirst refuses local state in CI before the functions are
// built: a check run of the generator (it writes and builds nothing) says
// whether routes.yaml names a backend, and where the env's directory is.
func localStateFirst(ctx context.Context, opt Options) error {
	gen, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Preview: opt.Preview, Check: true})
	if err != nil && !errors.Is(err, generate.ErrStale) {
		return err
	}
	if gen.Backend != nil {
		return nil
	}
	st := gen.Stages[0]
	return guard.LocalState(opt.Getenv, filepath.Join(gen.Root, filepath.FromSlash(st.Dir)), st.Dir, opt.Env)
}

func accountRole(ctx context.Context, opt Options, region, accountDir string) error {
	if opt.APIGateway == nil {
		return errors.New("pipeline: Options.APIGateway is required to check the account's CloudWatch role")
	}
	return guard.AccountRole(ctx, opt.APIGateway, opt.Env, region, accountDir)
}

func workspace(opt Options, dir string) (*tfdriver.Workspace, error) {
	ws, err := opt.Workspace(dir, opt.Log)
	if err != nil {
		return nil, err
	}
	ws.Parallelism = opt.Parallelism
	setLockTimeout(ws, opt.LockTimeout)
	return ws, nil
}

// planApply plans and, once approved, applies exactly that plan
// (tfdriver's PlanReviewApply), keeping the plan's summary.
func planApply(ctx context.Context, opt Options, ws *tfdriver.Workspace, res *Result) error {
	fmt.Fprintln(opt.Log, "==> terraform plan")
	plan, applied, err := ws.PlanReviewApply(ctx, func(plan *tfjson.Plan) bool {
		if opt.Approve != nil && !opt.Approve(changes(plansummary.New(plan))) {
			return false
		}
		fmt.Fprintln(opt.Log, "==> terraform apply")
		return true
	})
	if plan != nil {
		res.Summary = plansummary.New(plan)
	}
	res.Applied = applied
	return err
}

func changes(s plansummary.Summary) []string {
	out := make([]string, len(s.Changes))
	for i, c := range s.Changes {
		out[i] = c.Address + ": " + string(c.Action)
	}
	return out
}

// planOut saves the plan, its record and its summary.
func planOut(ctx context.Context, opt Options, ws *tfdriver.Workspace, gen *generate.Result, st generate.Stage, res *Result) error {
	out, err := filepath.Abs(opt.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(opt.Log, "==> terraform plan -out %s\n", opt.Out)
	plan, _, err := ws.PlanFile(ctx, out)
	if err != nil {
		return err
	}
	res.Summary = plansummary.New(plan)
	rec := savedplan.Record{Env: opt.Env, Preview: opt.Preview, Dir: st.Dir, Region: st.Region, Logs: st.Logs, AccountDir: gen.AccountDir}
	if err := savedplan.Save(out, gen.Root, rec); err != nil {
		return err
	}
	md := res.Summary.Markdown(st.Dir)
	fmt.Fprintf(opt.Log, "\n%s\n", md)
	return plansummary.Write(md, opt.Summary, opt.Getenv)
}

// applySaved applies exactly the saved plan opt.Plan, from the directory
// and files it was made from.
func applySaved(ctx context.Context, opt Options) (*Result, error) {
	plan, err := filepath.Abs(opt.Plan)
	if err != nil {
		return nil, err
	}
	rec, err := savedplan.Load(plan)
	if err != nil {
		return nil, err
	}
	if rec.Env != opt.Env {
		return nil, fmt.Errorf("%s is a plan of env %s, not %s", opt.Plan, rec.Env, opt.Env)
	}
	root, err := filepath.Abs(filepath.Dir(opt.Config))
	if err != nil {
		return nil, err
	}
	res := &Result{Dir: filepath.Join(root, filepath.FromSlash(rec.Dir))}
	if err := guard.LocalState(opt.Getenv, res.Dir, rec.Dir, opt.Env); err != nil {
		return nil, err
	}
	if err := rec.Verify(root); err != nil {
		return nil, err
	}
	if rec.Logs {
		if err := accountRole(ctx, opt, rec.Region, rec.AccountDir); err != nil {
			return nil, err
		}
	}
	ws, err := workspace(opt, res.Dir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(opt.Log, "==> terraform init (%s)\n", rec.Dir)
	if err := ws.Init(ctx, nil); err != nil {
		return nil, err
	}
	// Terraform refuses a plan made from another state (a stale plan).
	fmt.Fprintf(opt.Log, "==> terraform apply %s\n", opt.Plan)
	if err := ws.ApplyPlan(ctx, plan); err != nil {
		return nil, err
	}
	res.Applied = true
	res.Outputs, err = ws.Outputs(ctx)
	return res, err
}
