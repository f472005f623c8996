// Package bootstrap is `apibuilder bootstrap`: what an AWS account needs,
// once per account, region and environment, before a GitHub pipeline may
// plan and apply the project's environments with least privilege. Without
// it a pipeline keeps its state on the runner and applies with one
// all-powerful role (issue 24). It writes a reviewable Terraform root,
// envs/_bootstrap/<env> — the state bucket and its lock, the account's API
// Gateway CloudWatch role, GitHub's OIDC provider, and the environment's
// plan and apply roles — applies it with the caller's (administrator)
// credentials, moves its own state into the bucket it made, writes the
// backend into routes.yaml and returns what to set in GitHub. It is a
// library so that the CLI verb only parses flags and prints (flags.go), and
// tests drive it in-process against the local stack. docs/pipeline.md
// documents the roles and shows the policies of policies.go.
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/apibuilder/apibuilder/generator/output"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// Options are one run of bootstrap.
type Options struct {
	Dir        string // the project (holds routes.yaml); default "."
	Env        string // the environment, e.g. dev
	Repository string // OWNER/REPO on GitHub
	Lock       string // LockS3 (default) or LockDynamoDB
	// OIDCProviderARN and CloudWatchRoleARN adopt the account's existing
	// objects; without them Run looks for them (first run only).
	OIDCProviderARN   string
	CloudWatchRoleARN string

	Terraform string            // terraform binary; default: "terraform" on PATH
	TFEnv     map[string]string // added to terraform's environment ("" unsets)
	// BackendConfig adds -backend-config pairs when the state moves into
	// the bucket (an emulator's endpoint); the written backend stays AWS's.
	BackendConfig map[string]string
	// Clients call AWS to decide what to create or adopt; default: the
	// standard credential chain.
	Clients Clients
	Out     io.Writer // progress and terraform's output; default discarded
	// AutoApprove applies without asking. Otherwise Confirm is shown the
	// plan and decides; with neither, a run that would change anything
	// stops with the plan in its error.
	AutoApprove bool
	Confirm     func(plan string) (bool, error)
}

// Clients are the AWS APIs bootstrap reads before it applies.
type Clients interface {
	STS() *sts.Client
	IAM() *iam.Client
	S3() *s3.Client
	APIGateway() *apigateway.Client
	DynamoDB() *dynamodb.Client
}

// Result is what bootstrap made, and what to set in GitHub.
type Result struct {
	Root         string // the Terraform root, relative to the project
	Params       Params
	AccountID    string
	PlanRoleARN  string
	ApplyRoleARN string
	// PreviewRoleARN is set when this environment hosts the previews.
	PreviewRoleARN string
	// CloudWatchRoleARN and OIDCProviderARN are made or adopted.
	CloudWatchRoleARN string
	OIDCProviderARN   string
	BackendWritten    bool // routes.yaml got its backend: now
	GitHub            []Variable
}

// Variable is one GitHub Actions variable to set.
type Variable struct {
	Environment string // "" for a repository variable
	Name, Value string
}

// GitHub variable names the generated workflow reads (internal/scaffold's
// template). The plan role's ARN is a repository variable, since
// pull-request and drift jobs run in no GitHub environment (an environment
// would change the token's sub and the plan role would not trust it).
const (
	VarRegion      = "AWS_REGION"           // repository
	VarApplyRole   = "AWS_APPLY_ROLE_ARN"   // GitHub environment <env>
	VarPreviewRole = "AWS_PREVIEW_ROLE_ARN" // GitHub environment PreviewEnvironment
	// PreviewEnvironment is the GitHub environment previews deploy in.
	PreviewEnvironment = "preview"
)

// VarPlanRole is the repository variable of env's plan role.
func VarPlanRole(env string) string {
	return "AWS_PLAN_ROLE_ARN_" + strings.ToUpper(strings.ReplaceAll(env, "-", "_"))
}

// githubOIDCHost is the issuer of GitHub Actions' OIDC tokens.
const githubOIDCHost = "token.actions.githubusercontent.com"

// LockFloor is the oldest Terraform the S3 lock file works with.
var LockFloor = version.Must(version.NewVersion("1.10.0"))

var repoRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// Run bootstraps one environment. It refuses, before any change, a
// routes.yaml whose backend is not the one bootstrap would set.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Dir == "" {
		opt.Dir = "."
	}
	if opt.Lock == "" {
		opt.Lock = LockS3
	}
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	if !repoRe.MatchString(opt.Repository) {
		return nil, fmt.Errorf("-github %q: want OWNER/REPO, the GitHub repository whose workflows may assume the roles", opt.Repository)
	}
	if opt.Lock != LockS3 && opt.Lock != LockDynamoDB {
		return nil, fmt.Errorf("-lock %q: want s3 (Terraform >= 1.10) or dynamodb", opt.Lock)
	}
	routesPath := filepath.Join(opt.Dir, "routes.yaml")
	proj, err := readProject(routesPath, opt.Env)
	if err != nil {
		return nil, err
	}
	bin, err := terraformBinary(opt.Terraform)
	if err != nil {
		return nil, err
	}
	rootRel := Dir + "/" + opt.Env
	root := filepath.Join(opt.Dir, filepath.FromSlash(rootRel))
	tf, err := newTerraform(root, bin, opt.TFEnv, out)
	if err != nil {
		return nil, err
	}
	if opt.Lock == LockS3 {
		v, _, err := tf.Version(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("terraform version: %w", err)
		}
		if v.LessThan(LockFloor) {
			return nil, fmt.Errorf("terraform %s cannot use the S3 lock file (Terraform %s or later): upgrade, or run bootstrap with -lock dynamodb", v, LockFloor)
		}
	}

	cl := opt.Clients
	if cl == nil {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(proj.region))
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		cl = defaultClients{cfg}
	}
	who, err := cl.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("AWS credentials (sts get-caller-identity): %w; bootstrap needs administrator credentials of the account to deploy %s to", err, opt.Env)
	}
	account := aws.ToString(who.Account)

	p, err := params(ctx, cl, opt, proj, account, filepath.Join(root, "terraform.tfvars"), out)
	if err != nil {
		return nil, err
	}
	want := backendFor(p)
	if proj.backend != nil && *proj.backend != want {
		return nil, fmt.Errorf("%s:%d:%d: backend: already set to %s; bootstrap would set %s. Remove the backend: key to use the bootstrap's bucket, or keep yours and skip bootstrap for the state (its roles can read only the bucket it made)",
			routesPath, proj.backendLine, proj.backendCol, proj.backend, want)
	}

	files, err := Render(p)
	if err != nil {
		return nil, err
	}
	if err := writeFiles(opt.Dir, files); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "bootstrap: %s written; terraform init and apply (account %s, %s)\n", rootRel, account, p.Region)
	migrated := fileExists(filepath.Join(root, "backend.tf"))
	var initOpts []tfexec.InitOption
	if migrated {
		initOpts = backendOpts(opt.BackendConfig)
	}
	if err := tf.Init(ctx, initOpts...); err != nil {
		return nil, fmt.Errorf("terraform init (%s): %w", rootRel, err)
	}
	// terraform runs in root (-chdir): a relative path would be resolved
	// there, so the plan file's path is absolute (opt.Dir is "." when the
	// CLI runs in the project).
	planFile, err := filepath.Abs(filepath.Join(root, "bootstrap.tfplan"))
	if err != nil {
		return nil, err
	}
	defer os.Remove(planFile)
	changes, err := tf.Plan(ctx, tfexec.Out(planFile))
	if err != nil {
		return nil, fmt.Errorf("terraform plan (%s): %w", rootRel, err)
	}
	if changes && !opt.AutoApprove {
		text, err := tf.ShowPlanFileRaw(ctx, planFile)
		if err != nil {
			return nil, fmt.Errorf("terraform show (%s): %w", rootRel, err)
		}
		if opt.Confirm == nil {
			return nil, fmt.Errorf("bootstrap would change the account (plan below); review it, then run again with -auto-approve:\n%s", text)
		}
		ok, err := opt.Confirm(text)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("bootstrap: not applied (nothing changed in the account; %s and its terraform.tfvars are written)", rootRel)
		}
	}
	if changes {
		if err := tf.Apply(ctx, tfexec.DirOrPlan(planFile)); err != nil {
			return nil, fmt.Errorf("terraform apply (%s): %w", rootRel, err)
		}
	}
	outs, err := tf.Output(ctx)
	if err != nil {
		return nil, fmt.Errorf("terraform output (%s): %w", rootRel, err)
	}
	str := func(k string) string {
		v := string(outs[k].Value)
		return strings.Trim(v, `"`)
	}
	res := &Result{
		Root: rootRel, Params: p, AccountID: account,
		PlanRoleARN: str("plan_role_arn"), ApplyRoleARN: str("apply_role_arn"), PreviewRoleARN: str("preview_role_arn"),
		CloudWatchRoleARN: str("cloudwatch_role_arn"), OIDCProviderARN: str("oidc_provider_arn"),
	}

	// The bootstrap's own state moves into the bucket it made, next to the
	// environments' (but out of reach of their roles).
	if !migrated {
		if err := output.WriteFile(filepath.Join(root, "backend.tf"), BackendTF(p)); err != nil {
			return nil, err
		}
		if err := tf.Init(ctx, append(backendOpts(opt.BackendConfig), tfexec.ForceCopy(true))...); err != nil {
			return nil, fmt.Errorf("terraform init -migrate-state (%s): moving the bootstrap's state into s3://%s: %w; the state is still in %s/terraform.tfstate", rootRel, p.StateBucket, err, rootRel)
		}
		for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
			if err := os.Remove(filepath.Join(root, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		fmt.Fprintf(out, "bootstrap: its state moved to s3://%s/%s\n", p.StateBucket, stateKey(p.Project, p.Environment))
	}

	if proj.backend == nil {
		if err := writeBackend(routesPath, want); err != nil {
			return nil, err
		}
		res.BackendWritten = true
	}
	res.GitHub = []Variable{
		{Name: VarRegion, Value: p.Region},
		{Name: VarPlanRole(p.Environment), Value: res.PlanRoleARN},
		{Environment: p.Environment, Name: VarApplyRole, Value: res.ApplyRoleARN},
	}
	if res.PreviewRoleARN != "" {
		res.GitHub = append(res.GitHub, Variable{Environment: PreviewEnvironment, Name: VarPreviewRole, Value: res.PreviewRoleARN})
	}
	return res, nil
}

// Summary is what the CLI prints after a run: what was made and what to
// set in GitHub, as gh commands.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bootstrapped %s in account %s, %s (Terraform root %s, its state in s3://%s).\n",
		r.Params.Environment, r.AccountID, r.Params.Region, r.Root, r.Params.StateBucket)
	fmt.Fprintf(&b, "  plan role   %s (pull requests, main)\n  apply role  %s (GitHub environment %s)\n", r.PlanRoleARN, r.ApplyRoleARN, r.Params.Environment)
	if r.PreviewRoleARN != "" {
		fmt.Fprintf(&b, "  preview role %s (GitHub environment %s)\n", r.PreviewRoleARN, PreviewEnvironment)
	}
	fmt.Fprintf(&b, "  API Gateway CloudWatch role %s\n  GitHub OIDC provider %s\n", r.CloudWatchRoleARN, r.OIDCProviderARN)
	if r.BackendWritten {
		b.WriteString("routes.yaml: backend: written; run apibuilder generate so that envs/<env> use it.\n")
	}
	envs := fmt.Sprintf("%q", r.Params.Environment)
	if r.PreviewRoleARN != "" {
		envs += fmt.Sprintf(" and %q", PreviewEnvironment)
	}
	fmt.Fprintf(&b, "\nSet in GitHub (create the environment %s first: Settings > Environments):\n", envs)
	vars := append([]Variable(nil), r.GitHub...)
	sort.SliceStable(vars, func(i, j int) bool { return vars[i].Environment < vars[j].Environment })
	for _, v := range vars {
		if v.Environment == "" {
			fmt.Fprintf(&b, "  gh variable set %s --body %s\n", v.Name, v.Value)
		} else {
			fmt.Fprintf(&b, "  gh variable set %s --env %s --body %s\n", v.Name, v.Environment, v.Value)
		}
	}
	return b.String()
}

// backendFor is the backend: key bootstrap writes for p.
func backendFor(p Params) Backend {
	b := Backend{Bucket: p.StateBucket, Region: p.StateRegion}
	if p.Lock == LockDynamoDB {
		b.LockTable = p.LockTable
	} else {
		b.Lockfile = true
	}
	return b
}

// params decides what the root creates and what it adopts. The first run
// looks at the account; later runs keep the first run's decisions
// (terraform.tfvars), since by then the objects exist because of this root.
func params(ctx context.Context, cl Clients, opt Options, proj *project, account, tfvarsPath string, out io.Writer) (Params, error) {
	if prev, err := readTFVars(tfvarsPath); err != nil {
		return Params{}, err
	} else if prev != nil {
		if prev.Repository != opt.Repository || prev.Lock != opt.Lock || prev.Region != proj.region || prev.Project != proj.name {
			return Params{}, fmt.Errorf("%s: this environment was bootstrapped for %s (lock %s, %s, %s); now %s (lock %s, %s, %s). Change terraform.tfvars there if you mean it",
				tfvarsPath, prev.Repository, prev.Lock, prev.Project, prev.Region, opt.Repository, opt.Lock, proj.name, proj.region)
		}
		if prev.StateRegion == "" {
			prev.StateRegion = prev.Region
		}
		return *prev, nil
	}
	p := Params{
		Project: proj.name, Environment: opt.Env, Region: proj.region, Repository: opt.Repository, Lock: opt.Lock,
		StateBucket: stateBucketName(proj.name, account, proj.region), StateRegion: proj.region,
		Preview: opt.Env == proj.firstEnv,
	}
	if b := proj.backend; b != nil && b.Bucket == stateBucketName(proj.name, account, b.Region) {
		// Another environment's bootstrap made the bucket (and the lock
		// table), perhaps in another region: one backend serves them all.
		p.StateBucket, p.StateRegion = b.Bucket, b.Region
		if p.Lock == LockDynamoDB && b.LockTable != "" {
			p.LockTable = b.LockTable
		}
	} else {
		_, err := cl.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(p.StateBucket)})
		p.CreateStateBucket = err != nil
	}
	if p.Lock == LockDynamoDB && p.LockTable == "" {
		p.LockTable = lockTableName(proj.name)
		_, err := cl.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(p.LockTable)})
		p.CreateLockTable = err != nil
	}
	p.OIDCProviderARN = opt.OIDCProviderARN
	if p.OIDCProviderARN == "" {
		list, err := cl.IAM().ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil {
			return Params{}, fmt.Errorf("iam list-open-id-connect-providers: %w", err)
		}
		for _, pr := range list.OpenIDConnectProviderList {
			if arn := aws.ToString(pr.Arn); strings.HasSuffix(arn, ":oidc-provider/"+githubOIDCHost) {
				p.OIDCProviderARN = arn
				fmt.Fprintf(out, "bootstrap: the account has GitHub's OIDC provider; using it (%s)\n", arn)
			}
		}
	}
	p.CloudWatchRoleARN = opt.CloudWatchRoleARN
	if p.CloudWatchRoleARN == "" {
		acc, err := cl.APIGateway().GetAccount(ctx, &apigateway.GetAccountInput{})
		if err != nil {
			return Params{}, fmt.Errorf("apigateway get-account: %w", err)
		}
		if arn := aws.ToString(acc.CloudwatchRoleArn); arn != "" {
			p.CloudWatchRoleARN = arn
			fmt.Fprintf(out, "bootstrap: the account's API Gateway settings already name a CloudWatch role; keeping it (%s)\n", arn)
		}
	}
	return p, nil
}

func backendOpts(cfg map[string]string) []tfexec.InitOption {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var opts []tfexec.InitOption
	for _, k := range keys {
		opts = append(opts, tfexec.BackendConfig(k+"="+cfg[k]))
	}
	return opts
}

func terraformBinary(bin string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("bootstrap runs terraform: none on PATH (install Terraform >= 1.10, or >= 1.5 with -lock dynamodb)")
	}
	return p, nil
}

func newTerraform(dir, bin string, env map[string]string, out io.Writer) (*tfexec.Terraform, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return tfdriver.Terraform(dir, bin, env, out)
}

// writeFiles writes the root's files atomically, each only if it changed.
func writeFiles(dir string, files map[string][]byte) error {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, rel := range keys {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if old, err := os.ReadFile(p); err == nil && string(old) == string(files[rel]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := output.WriteFile(p, files[rel]); err != nil {
			return err
		}
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

type defaultClients struct{ cfg aws.Config }

func (c defaultClients) STS() *sts.Client               { return sts.NewFromConfig(c.cfg) }
func (c defaultClients) IAM() *iam.Client               { return iam.NewFromConfig(c.cfg) }
func (c defaultClients) S3() *s3.Client                 { return s3.NewFromConfig(c.cfg) }
func (c defaultClients) APIGateway() *apigateway.Client { return apigateway.NewFromConfig(c.cfg) }
func (c defaultClients) DynamoDB() *dynamodb.Client     { return dynamodb.NewFromConfig(c.cfg) }
