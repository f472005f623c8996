// Package tools finds or installs, pinned and idempotent, every tool the
// local stack needs: terraform, the hashicorp/aws provider (as an offline
// filesystem mirror), moto and kumo. It writes the terraform CLI config that
// serves the provider offline. Users, tests and CI all run this same code.
//
// What it builds it verifies: every Go module a build downloads is checked
// against a go.sum we ship (or, for the provider, the source module's own
// go.sum, the module itself pinned by its checksum), and every binary it
// builds has its sha256 recorded and checked each time the cache is used.
//
// An install takes minutes on a fresh machine, so it says what it installs,
// why and how long it usually takes, reports while it runs, and holds a
// lock per tool in the cache: concurrent first runs build each tool once
// (install.go).
package tools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Pinned versions of everything installed from source.
const (
	TerraformFallbackVersion = "1.5.7"
	ProviderFallbackVersion  = "6.13.0"
	KumoVersion              = "v0.33.1"

	// providerSourcePath and providerSourceVersion name the Go module holding
	// the aws provider 6.13.0 source (it declares module
	// github.com/hashicorp/terraform-provider-aws). The checksum database
	// here lacks it, so its checksums are pinned: measured with go mod
	// download on 2026-11-27; the source's own go.sum then covers every
	// module the build downloads.
	providerSourcePath     = "github.com/upbound/terraform-provider-aws"
	providerSourceVersion  = "v0.0.0-20251204202605-7049bcc1808e"
	providerSourceSum      = "h1:8vCgYjBCQ7Mn391mft3hRk8eAomY48L7PS6Trdg9QwI="
	providerSourceGoModSum = "h1:jLhVreuqc4jLWdeijeFQYJzEchgUW7P6Vllb65BuIXw="

	// ImageProviderMirror is where this machine image ships the official provider.
	ImageProviderMirror = "/opt/tf-plugins"

	providerAddress = "registry.terraform.io/hashicorp/aws"
)

// Toolchain is the resolved set of tools, with the path taken for each.
type Toolchain struct {
	Terraform        string // path of the terraform binary
	TerraformVersion string
	ProviderMirror   string // filesystem mirror directory holding hashicorp/aws
	ProviderVersion  string
	Moto             string // moto_server path; empty when missing (MotoError says why)
	Kumo             string // kumo binary path
	CLIConfig        string // terraform CLI config file serving the provider offline

	Steps []Step // what was found or installed, in order
}

// Step records how one tool was obtained.
type Step struct {
	Tool, Version, Path, How string
	// Checksum is what the tool was verified against: the sha256 of a binary
	// we built, or the h1 terraform records for a provider package; empty
	// for what we found and do not pin.
	Checksum string
}

// Options tune Ensure; the zero value is the normal behaviour.
type Options struct {
	CacheDir string // default: $APIBUILDER_CACHE or <user cache dir>/apibuilder
	// Log receives what was found or installed, and the progress of
	// installs. Nil discards what was found, but an install (minutes on a
	// fresh machine) still says what it does and how far it is, on
	// os.Stderr: a first run never sits silent.
	Log io.Writer
	// RequireMoto makes a missing moto_server an error (the local stack needs it).
	RequireMoto bool

	installs io.Writer // where installs report: Log, or os.Stderr when Log is nil
}

// CacheDir is the per-user cache shared by clean clones and CI on one machine.
func CacheDir() (string, error) {
	if d := os.Getenv("APIBUILDER_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set APIBUILDER_CACHE): %w", err)
	}
	return filepath.Join(base, "apibuilder"), nil
}

// Ensure finds or installs every tool and writes the CLI config.
func Ensure(ctx context.Context, opt Options) (*Toolchain, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	tc, err := terraformAlone(ctx, opt)
	if err != nil {
		return nil, err
	}
	if err := ensureProvider(ctx, opt, tc); err != nil {
		return nil, fmt.Errorf("hashicorp/aws provider: %w", err)
	}
	if err := ensureMoto(opt, tc); err != nil {
		return nil, err
	}
	if err := ensureKumo(ctx, opt, tc); err != nil {
		return nil, fmt.Errorf("kumo: %w", err)
	}
	if err := writeCLIConfig(opt, tc); err != nil {
		return nil, fmt.Errorf("terraform CLI config: %w", err)
	}
	return tc, nil
}

// Terraform finds terraform alone (on PATH, else the pinned fallback
// build), for what needs no emulator and no provider: formatting, the
// lint of make check.
func Terraform(ctx context.Context, opt Options) (*Toolchain, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	return terraformAlone(ctx, opt)
}

// terraformAlone is the first step of Ensure and all of Terraform.
func terraformAlone(ctx context.Context, opt Options) (*Toolchain, error) {
	tc := &Toolchain{}
	if err := ensureTerraform(ctx, opt, tc); err != nil {
		return nil, fmt.Errorf("terraform: %w", err)
	}
	return tc, nil
}

func (opt Options) withDefaults() (Options, error) {
	if opt.installs == nil {
		opt.installs = opt.installLog()
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.CacheDir == "" {
		d, err := CacheDir()
		if err != nil {
			return opt, err
		}
		opt.CacheDir = d
	}
	if err := os.MkdirAll(opt.CacheDir, 0o755); err != nil {
		return opt, fmt.Errorf("create cache dir: %w", err)
	}
	return opt, nil
}

// installLog is where installs report (see Options.Log).
func (opt Options) installLog() io.Writer {
	if opt.installs != nil {
		return opt.installs
	}
	if opt.Log != nil {
		return opt.Log
	}
	return os.Stderr
}

func (tc *Toolchain) record(opt Options, s Step) {
	tc.Steps = append(tc.Steps, s)
	fmt.Fprintf(opt.Log, "%-10s %-8s %s\n           %s\n", s.Tool, s.Version, s.How, s.Path)
	if s.Checksum != "" {
		fmt.Fprintf(opt.Log, "           %s\n", s.Checksum)
	}
}

// Env returns the variables terraform needs to use this toolchain offline.
func (tc *Toolchain) Env() map[string]string {
	return map[string]string{
		"TF_CLI_CONFIG_FILE": tc.CLIConfig,
		"CHECKPOINT_DISABLE": "1",
	}
}

// ---- terraform ----

func ensureTerraform(ctx context.Context, opt Options, tc *Toolchain) error {
	if p, err := exec.LookPath("terraform"); err == nil {
		v, verr := terraformVersion(ctx, p)
		if verr == nil && versionAtLeast(v, "1.5.0") {
			tc.Terraform, tc.TerraformVersion = p, v
			tc.record(opt, Step{Tool: "terraform", Version: v, Path: p, How: "found on PATH"})
			return nil
		}
		fmt.Fprintf(opt.Log, "terraform on PATH (%s) is unusable or older than 1.5 (%v); using the pinned build\n", p, verr)
	}
	mod, err := embeddedBuildModule(terraformTool)
	if err != nil {
		return err
	}
	bin, sum, how, err := ensureBuilt(ctx, opt, terraformTool, mod, "~2 min on 2 cores")
	if err != nil {
		return err
	}
	tc.Terraform, tc.TerraformVersion = bin, TerraformFallbackVersion
	tc.record(opt, Step{Tool: "terraform", Version: TerraformFallbackVersion, Path: bin, How: how, Checksum: "sha256:" + sum})
	return nil
}

func terraformVersion(ctx context.Context, bin string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", err
	}
	return v.TerraformVersion, nil
}

// versionAtLeast compares dotted numeric versions ("1.11.4" >= "1.5.0").
func versionAtLeast(have, want string) bool {
	h, w := strings.Split(have, "."), strings.Split(want, ".")
	for i := 0; i < len(w); i++ {
		var hv int
		if i < len(h) {
			hv, _ = strconv.Atoi(strings.SplitN(h[i], "-", 2)[0])
		}
		wv, _ := strconv.Atoi(w[i])
		if hv != wv {
			return hv > wv
		}
	}
	return true
}

// ---- moto ----

func ensureMoto(opt Options, tc *Toolchain) error {
	p, err := exec.LookPath("moto_server")
	if err != nil {
		msg := "moto_server not found on PATH: the local stack uses moto for the API Gateway control plane " +
			"and it has no offline fallback; install the Python package moto[server] (>= 5.0) so that moto_server is on PATH"
		if opt.RequireMoto {
			return errors.New(msg)
		}
		fmt.Fprintln(opt.Log, "moto       missing  "+msg)
		return nil
	}
	tc.Moto = p
	tc.record(opt, Step{Tool: "moto", Version: "-", Path: p, How: "found on PATH"})
	return nil
}

// ---- kumo ----

func ensureKumo(ctx context.Context, opt Options, tc *Toolchain) error {
	mod, err := embeddedBuildModule(kumoTool)
	if err != nil {
		return err
	}
	bin, sum, how, err := ensureBuilt(ctx, opt, kumoTool, mod, "~2-4 min on 2 cores")
	if err != nil {
		return err
	}
	tc.Kumo = bin
	tc.record(opt, Step{Tool: "kumo", Version: KumoVersion, Path: bin, How: how, Checksum: "sha256:" + sum})
	return nil
}

// ---- CLI config ----

// writeCLIConfig writes a CLI config that installs hashicorp/aws only from
// the mirror and everything else as usual. Its name carries a hash of its
// content, so concurrent runs never rewrite a file another is reading.
func writeCLIConfig(opt Options, tc *Toolchain) error {
	body := fmt.Sprintf(`# Written by apibuilder's tool installer: serve hashicorp/aws offline.
provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, tc.ProviderMirror, providerAddress, providerAddress)
	sum := sha256.Sum256([]byte(body))
	path := filepath.Join(opt.CacheDir, "terraformrc-"+hex.EncodeToString(sum[:6]))
	if data, err := os.ReadFile(path); err != nil || string(data) != body {
		if err := writeFileAtomic(path, []byte(body)); err != nil {
			return err
		}
	}
	tc.CLIConfig = path
	tc.record(opt, Step{Tool: "cli-config", Version: "-", Path: path, How: "terraform CLI config (provider from the mirror)"})
	return nil
}

func exitDetail(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
