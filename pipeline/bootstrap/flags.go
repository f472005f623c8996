package bootstrap

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"
)

// UsageLine is the verb's synopsis; Manual its description, for the
// command table's help (apibuilder bootstrap -h).
const (
	UsageLine = "-env ENV -github OWNER/REPO [-lock s3|dynamodb] [-oidc-provider ARN] [-cloudwatch-role ARN] [-auto-approve] [-dir DIR]"
	Manual    = `    Once per account, region and environment, with administrator
    credentials: writes envs/_bootstrap/ENV (plain Terraform, to review and
    commit) and applies it after showing the plan: the state bucket and its
    lock, GitHub's OIDC provider, the account's API Gateway CloudWatch role,
    ENV's plan role (pull requests and main; read-only) and apply role (the
    GitHub environment ENV only), and for the first environment the preview
    role (the GitHub environment preview). What the account already has (the
    OIDC provider, a CloudWatch role, another environment's bucket) is used,
    not replaced. Its own state then moves into the bucket; routes.yaml gets
    the backend (run apibuilder generate next); it prints the GitHub
    variables to set. docs/pipeline.md shows the roles' exact policies.
`
)

// Usage is the verb's whole help text.
const Usage = "usage: apibuilder bootstrap " + UsageLine + "\n\n" + Manual

// RegisterFlags binds the verb's flags on fs to the returned Options
// (Dir "." and the other defaults filled); call Check after parsing.
func RegisterFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.Env, "env", "", "the environment to bootstrap (required)")
	fs.StringVar(&o.Repository, "github", "", "OWNER/REPO: the GitHub repository whose workflows may assume the roles (required)")
	fs.StringVar(&o.Lock, "lock", LockS3, "the state lock: s3 (Terraform's S3 lock file, Terraform >= 1.10) or dynamodb (a lock table, Terraform >= 1.5)")
	fs.StringVar(&o.OIDCProviderARN, "oidc-provider", "", "use this existing GitHub OIDC provider (default: the account's, else a new one)")
	fs.StringVar(&o.CloudWatchRoleARN, "cloudwatch-role", "", "keep this API Gateway CloudWatch role (default: the one the account names, else a new one)")
	fs.StringVar(&o.Dir, "dir", ".", "the project directory (holds routes.yaml)")
	fs.BoolVar(&o.AutoApprove, "auto-approve", false, "apply without asking (default: show the plan and ask)")
	return o
}

// Check reports a command line without the required flags.
func (o *Options) Check() error {
	if o.Env == "" || o.Repository == "" {
		return fmt.Errorf("bootstrap: -env and -github are required (e.g. apibuilder bootstrap -env dev -github acme/items-api)")
	}
	return nil
}

// ParseFlags parses the verb's arguments into Options on a flag set of its
// own. flag.ErrHelp means -h was asked for.
func ParseFlags(args []string, stderr io.Writer) (Options, error) {
	fs := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, Usage, "\nflags:\n")
		fs.PrintDefaults()
	}
	o := RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return *o, err
	}
	if fs.NArg() > 0 {
		return *o, fmt.Errorf("bootstrap: unexpected argument %q (flags only; see apibuilder bootstrap -h)", fs.Arg(0))
	}
	return *o, o.Check()
}

// Prompt is an Options.Confirm for a terminal: it prints the plan and asks
// for "yes" on in, as terraform apply does.
func Prompt(in io.Reader, out io.Writer) func(plan string) (bool, error) {
	return func(plan string) (bool, error) {
		fmt.Fprint(out, plan, "\nbootstrap: apply this plan to the account? Only 'yes' will be accepted: ")
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && line == "" {
			return false, fmt.Errorf("bootstrap: no answer to the apply question (%v); run with -auto-approve to apply without asking", err)
		}
		return strings.TrimSpace(line) == "yes", nil
	}
}
