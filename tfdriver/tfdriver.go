// Package tfdriver drives Terraform through terraform-exec for one generated
// environment directory: init (providers from the offline mirror), apply,
// plan (decoded as JSON, or saved and applied as inspected), typed outputs
// and destroy, on the local stack and on AWS alike. `local up`,
// `apibuilder test`, `apibuilder deploy`, bench and every test that
// applies Terraform use it, so they all run Terraform the same way. Its
// applies redeploy the API when they removed part of it after the stage's
// deployment was made, as one plain apply cannot (redeploy.go).
package tfdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Workspace is one Terraform root module (e.g. envs/dev).
type Workspace struct {
	Dir       string
	Vars      map[string]string // -var assignments for every plan, apply and destroy
	NoRefresh bool              // plan and apply without refreshing state from the cloud
	// Parallelism caps concurrent operations in plan, apply and destroy
	// (0: Terraform's default, 10).
	Parallelism int
	// LockTimeout is how long every plan, apply and destroy waits for a
	// state lock another run holds (0: Terraform's default, fail at once).
	LockTimeout time.Duration
	// ProviderVersion is the hashicorp/aws version the provider mirror
	// offers (the toolchain's); when the directory's lock file pins another,
	// Init upgrades the lock to it (terraform init -upgrade), since the
	// locked one cannot be installed offline. Empty: the lock is kept.
	ProviderVersion string
	tf              *tfexec.Terraform
	log             io.Writer // terraform's output; nil: discarded
}

// New prepares a workspace. env is added on top of the process environment
// (e.g. the toolchain's TF_CLI_CONFIG_FILE and the local stack's endpoints).
// Output of terraform streams to log.
func New(dir, terraformBin string, env map[string]string, log io.Writer) (*Workspace, error) {
	w := &Workspace{Dir: dir, Vars: map[string]string{}, log: log}
	tf, err := Terraform(dir, terraformBin, env, w.stdout())
	if err != nil {
		return nil, err
	}
	w.tf = tf
	return w, nil
}

// Terraform is terraform-exec's handle on dir with env on top of the
// process environment (an empty value unsets a variable) and terraform's
// output streamed to out: for callers that need commands a Workspace does
// not offer (bootstrap's state migration).
func Terraform(dir, terraformBin string, env map[string]string, out io.Writer) (*tfexec.Terraform, error) {
	tf, err := tfexec.NewTerraform(dir, terraformBin)
	if err != nil {
		return nil, fmt.Errorf("terraform in %s: %w", dir, err)
	}
	full := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			full[k] = v
		}
	}
	for k, v := range env {
		if v == "" {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	if err := tf.SetEnv(tfexec.CleanEnv(full)); err != nil {
		return nil, err
	}
	tf.SetStdout(out)
	tf.SetStderr(out)
	return tf, nil
}

func (w *Workspace) stdout() io.Writer {
	if w.log == nil {
		return io.Discard
	}
	return w.log
}

// Init runs terraform init; backendConfig adds -backend-config key=value
// pairs (e.g. an emulator endpoint) without changing the committed backend.
func (w *Workspace) Init(ctx context.Context, backendConfig map[string]string) error {
	opts := []tfexec.InitOption{tfexec.Upgrade(w.lockedElsewhere())}
	for _, k := range sortedKeys(backendConfig) {
		opts = append(opts, tfexec.BackendConfig(k+"="+backendConfig[k]))
	}
	if err := w.tf.Init(ctx, opts...); err != nil {
		return fmt.Errorf("terraform init (%s): %w", w.Dir, err)
	}
	return nil
}

// GetModules runs terraform get: it installs the module calls added since
// init (much faster than init, which also checks the providers).
func (w *Workspace) GetModules(ctx context.Context) error {
	if err := w.tf.Get(ctx); err != nil {
		return fmt.Errorf("terraform get (%s): %w", w.Dir, err)
	}
	return nil
}

// Validate runs terraform init without a backend, then terraform validate,
// and returns the error diagnostics (empty when the configuration is valid).
func (w *Workspace) Validate(ctx context.Context) ([]string, error) {
	if err := w.tf.Init(ctx, tfexec.Backend(false)); err != nil {
		return nil, fmt.Errorf("terraform init (%s): %w", w.Dir, err)
	}
	out, err := w.tf.Validate(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform validate (%s): %w", w.Dir, err)
	}
	var problems []string
	for _, d := range out.Diagnostics {
		if d.Severity == tfjson.DiagnosticSeverityError {
			problems = append(problems, d.Summary+": "+d.Detail)
		}
	}
	return problems, nil
}

// lockedElsewhere reports whether the directory's lock file pins
// hashicorp/aws to a version other than ProviderVersion.
func (w *Workspace) lockedElsewhere() bool {
	if w.ProviderVersion == "" {
		return false
	}
	lock, err := os.ReadFile(filepath.Join(w.Dir, ".terraform.lock.hcl"))
	if err != nil {
		return false
	}
	_, block, ok := strings.Cut(string(lock), `provider "registry.terraform.io/hashicorp/aws" {`)
	if !ok {
		return false
	}
	block, _, _ = strings.Cut(block, "}")
	return !strings.Contains(block, `version     = "`+w.ProviderVersion+`"`)
}

func (w *Workspace) vars() []string {
	out := make([]string, 0, len(w.Vars))
	for _, k := range sortedKeys(w.Vars) {
		out = append(out, k+"="+w.Vars[k])
	}
	return out
}

// Apply runs terraform apply, after upgrading an env deployed before
// body mode (bodymode.go).
func (w *Workspace) Apply(ctx context.Context) error {
	if _, err := w.UpgradeToBodyMode(ctx); err != nil {
		return err
	}
	opts := []tfexec.ApplyOption{tfexec.Refresh(!w.NoRefresh), w.lockTimeout()}
	for _, v := range w.vars() {
		opts = append(opts, tfexec.Var(v))
	}
	if w.Parallelism > 0 {
		opts = append(opts, tfexec.Parallelism(w.Parallelism))
	}
	return w.applyJSON(ctx, "", opts...)
}

// Plan runs terraform plan and reports whether anything would change.
func (w *Workspace) Plan(ctx context.Context) (bool, error) {
	opts := []tfexec.PlanOption{tfexec.Refresh(!w.NoRefresh), w.lockTimeout()}
	for _, v := range w.vars() {
		opts = append(opts, tfexec.Var(v))
	}
	if w.Parallelism > 0 {
		opts = append(opts, tfexec.Parallelism(w.Parallelism))
	}
	changed, err := w.tf.Plan(ctx, opts...)
	if err != nil {
		return false, fmt.Errorf("terraform plan (%s): %w", w.Dir, err)
	}
	return changed, nil
}

// PlanJSON plans and returns the plan decoded from terraform show -json,
// with the prior state: what tests assert security properties on.
func (w *Workspace) PlanJSON(ctx context.Context) (*tfjson.Plan, bool, error) {
	f, err := os.CreateTemp("", "apibuilder-*.tfplan")
	if err != nil {
		return nil, false, err
	}
	_ = f.Close()
	defer os.Remove(f.Name())
	return w.PlanFile(ctx, f.Name())
}

// PlanFile writes a plan file to path and returns it decoded as PlanJSON
// does; ApplyPlan(path) then applies exactly the plan that was inspected.
func (w *Workspace) PlanFile(ctx context.Context, path string) (*tfjson.Plan, bool, error) {
	opts := []tfexec.PlanOption{tfexec.Out(path), tfexec.Refresh(!w.NoRefresh), w.lockTimeout()}
	for _, v := range w.vars() {
		opts = append(opts, tfexec.Var(v))
	}
	if w.Parallelism > 0 {
		opts = append(opts, tfexec.Parallelism(w.Parallelism))
	}
	changed, err := w.tf.Plan(ctx, opts...)
	if err != nil {
		return nil, false, fmt.Errorf("terraform plan (%s): %w", w.Dir, err)
	}
	plan, err := w.tf.ShowPlanFile(ctx, path)
	if err != nil {
		return nil, false, fmt.Errorf("terraform show (%s): %w", w.Dir, err)
	}
	return plan, changed, nil
}

// ApplyPlan applies the plan file at path, written by PlanFile (a saved
// plan carries its variables). It refuses a plan made against the state
// of an env deployed before body mode: applied in Terraform's order, it
// would delete the methods the document's import brings (bodymode.go).
func (w *Workspace) ApplyPlan(ctx context.Context, path string) error {
	raw, err := w.tf.StatePull(ctx)
	if err != nil {
		return fmt.Errorf("terraform state pull (%s): %w", w.Dir, err)
	}
	if _, old, err := withoutPerResourceAPI([]byte(raw)); err != nil {
		return err
	} else if len(old) > 0 {
		return fmt.Errorf("%s was deployed before body mode (%d per-resource API Gateway resources in its state, e.g. %s): a saved plan would upgrade it in Terraform's order, which deletes the methods the API's document brings. Upgrade it once with apibuilder deploy without -plan (it moves them out of the state first, then plans and applies), or follow docs/upgrading.md#to-body-mode; then plan again", w.Dir, len(old), old[0])
	}
	opts := []tfexec.ApplyOption{tfexec.DirOrPlan(path), w.lockTimeout()}
	if w.Parallelism > 0 {
		opts = append(opts, tfexec.Parallelism(w.Parallelism))
	}
	return w.applyJSON(ctx, " "+path, opts...)
}

// Destroy runs terraform destroy.
func (w *Workspace) Destroy(ctx context.Context) error {
	opts := []tfexec.DestroyOption{w.lockTimeout()}
	for _, v := range w.vars() {
		opts = append(opts, tfexec.Var(v))
	}
	if w.Parallelism > 0 {
		opts = append(opts, tfexec.Parallelism(w.Parallelism))
	}
	if err := w.tf.Destroy(ctx, opts...); err != nil {
		return fmt.Errorf("terraform destroy (%s): %w", w.Dir, err)
	}
	return nil
}

// ResourceCount is the number of resources in the state (data sources excluded).
func (w *Workspace) ResourceCount(ctx context.Context) (int, error) {
	st, err := w.tf.Show(ctx)
	if err != nil {
		return 0, fmt.Errorf("terraform show (%s): %w", w.Dir, err)
	}
	if st.Values == nil {
		return 0, nil
	}
	var count func(m *tfjson.StateModule) int
	count = func(m *tfjson.StateModule) int {
		n := 0
		for _, r := range m.Resources {
			if r.Mode == tfjson.ManagedResourceMode {
				n++
			}
		}
		for _, c := range m.ChildModules {
			n += count(c)
		}
		return n
	}
	return count(st.Values.RootModule), nil
}

// Outputs are the values a generated environment exports.
type Outputs struct {
	RestAPIID     string            `json:"rest_api_id"`
	StageName     string            `json:"stage_name"`
	InvokeURL     string            `json:"invoke_url"`
	DeploymentID  string            `json:"deployment_id"`
	FunctionNames map[string]string `json:"function_names"`
	// FunctionSources maps every function (routes and Lambda authorizers)
	// to its handler directory, relative to the project root.
	FunctionSources map[string]string `json:"function_sources"`
	TableNames      map[string]string `json:"table_names"`
	APIKeyValues    map[string]string `json:"api_key_values"`
}

// Outputs reads terraform output, sensitive values included.
func (w *Workspace) Outputs(ctx context.Context) (*Outputs, error) {
	raw, err := w.tf.Output(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform output (%s): %w", w.Dir, err)
	}
	obj := map[string]json.RawMessage{}
	for k, v := range raw {
		obj[k] = v.Value
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	out := &Outputs{}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("decode outputs of %s: %w", w.Dir, err)
	}
	return out, nil
}

// lockTimeout is the -lock-timeout of a plan, apply or destroy.
func (w *Workspace) lockTimeout() *tfexec.LockTimeoutOption {
	return tfexec.LockTimeout(w.LockTimeout.String())
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
