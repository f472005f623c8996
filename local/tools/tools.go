// Package tools finds or installs, pinned and idempotent, every tool the
// local stack needs: terraform, the hashicorp/aws provider (as an offline
// filesystem mirror), moto and kumo. It writes the terraform CLI config that
// serves the provider offline. Users, tests and CI all run this same code.
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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/internal/fsutil"
)

// Pinned versions of everything installed from source.
const (
	TerraformFallbackVersion = "1.5.7"
	ProviderFallbackVersion  = "6.13.0"
	KumoVersion              = "v0.33.1"

	// providerSourceModule is the Go module holding the aws provider 6.13.0
	// source (it declares module github.com/hashicorp/terraform-provider-aws).
	providerSourceModule = "github.com/upbound/terraform-provider-aws@v0.0.0-20251204202605-7049bcc1808e"

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
}

// Options tune Ensure; the zero value is the normal behaviour.
type Options struct {
	CacheDir string    // default: $APIBUILDER_CACHE or <user cache dir>/apibuilder
	Log      io.Writer // progress; default io.Discard
	// RequireMoto makes a missing moto_server an error (the local stack needs it).
	RequireMoto bool
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
	tc := &Toolchain{}
	if err := ensureTerraform(ctx, opt, tc); err != nil {
		return nil, fmt.Errorf("terraform: %w", err)
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

func (opt Options) withDefaults() (Options, error) {
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

func (tc *Toolchain) record(opt Options, s Step) {
	tc.Steps = append(tc.Steps, s)
	fmt.Fprintf(opt.Log, "%-10s %-8s %s\n           %s\n", s.Tool, s.Version, s.How, s.Path)
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
			tc.record(opt, Step{"terraform", v, p, "found on PATH"})
			return nil
		}
		fmt.Fprintf(opt.Log, "terraform on PATH (%s) is unusable or older than 1.5 (%v); using the pinned build\n", p, verr)
	}
	dir := filepath.Join(opt.CacheDir, "bin", "terraform-v"+TerraformFallbackVersion)
	bin := filepath.Join(dir, "terraform")
	how := "cached go-install build"
	if _, err := os.Stat(bin); err != nil {
		how = "built with go install"
		if err := goInstall(ctx, opt, "github.com/hashicorp/terraform@v"+TerraformFallbackVersion, dir, nil, "about 2 min"); err != nil {
			return err
		}
	}
	tc.Terraform, tc.TerraformVersion = bin, TerraformFallbackVersion
	tc.record(opt, Step{"terraform", TerraformFallbackVersion, bin, how})
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

// ---- provider ----

func platform() string { return runtime.GOOS + "_" + runtime.GOARCH }

// mirrorVersions lists provider versions with a binary for this platform in a mirror.
func mirrorVersions(mirror string) []string {
	var out []string
	entries, _ := os.ReadDir(filepath.Join(mirror, providerAddress))
	for _, e := range entries {
		bins, _ := filepath.Glob(filepath.Join(mirror, providerAddress, e.Name(), platform(), "terraform-provider-aws_*"))
		if len(bins) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

func ensureProvider(ctx context.Context, opt Options, tc *Toolchain) error {
	if m := os.Getenv("APIBUILDER_PROVIDER_MIRROR"); m != "" {
		if vs := mirrorVersions(m); len(vs) > 0 {
			tc.ProviderMirror, tc.ProviderVersion = m, vs[len(vs)-1]
			tc.record(opt, Step{"aws", tc.ProviderVersion, m, "mirror from APIBUILDER_PROVIDER_MIRROR"})
			return nil
		}
		return fmt.Errorf("APIBUILDER_PROVIDER_MIRROR=%s holds no %s build for %s", m, providerAddress, platform())
	}
	// APIBUILDER_PROVIDER_FALLBACK=1 skips the image's mirror, so the 6.13.0
	// fallback is built (once) and used: how the modules are tested on 6.x.
	if vs := mirrorVersions(ImageProviderMirror); len(vs) > 0 && os.Getenv("APIBUILDER_PROVIDER_FALLBACK") != "1" {
		tc.ProviderMirror, tc.ProviderVersion = ImageProviderMirror, vs[len(vs)-1]
		tc.record(opt, Step{"aws", tc.ProviderVersion, ImageProviderMirror, "filesystem mirror shipped with the machine image"})
		return nil
	}
	mirror := filepath.Join(opt.CacheDir, "providers")
	how := "cached source build"
	if !slices.Contains(mirrorVersions(mirror), ProviderFallbackVersion) {
		how = "built from Go-module source"
		if err := buildProvider(ctx, opt, mirror); err != nil {
			return err
		}
	}
	tc.ProviderMirror, tc.ProviderVersion = mirror, ProviderFallbackVersion
	tc.record(opt, Step{"aws", ProviderFallbackVersion, mirror, how})
	return nil
}

// buildProvider builds the 6.13.0 provider from its Go-module source into the
// mirror layout. The module has replace directives, so go install cannot
// build it; we build inside a writable copy of the module instead.
func buildProvider(ctx context.Context, opt Options, mirror string) error {
	env := append(os.Environ(), "GONOSUMDB=github.com/upbound,github.com/aws", "GOFLAGS=-mod=mod")
	fmt.Fprintf(opt.Log, "aws provider: downloading %s source\n", providerSourceModule)
	dl := exec.CommandContext(ctx, "go", "mod", "download", "-json", providerSourceModule)
	dl.Env = env
	out, err := dl.Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %w", providerSourceModule, exitDetail(err))
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return fmt.Errorf("go mod download gave no source dir: %s", out)
	}
	work := filepath.Join(opt.CacheDir, "src", "terraform-provider-aws-"+ProviderFallbackVersion)
	_ = os.RemoveAll(work)
	if err := fsutil.CopyTree(mod.Dir, work, nil); err != nil {
		return err
	}
	target := filepath.Join(mirror, providerAddress, ProviderFallbackVersion, platform())
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(target, ".terraform-provider-aws.tmp")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", tmp, ".")
	build.Dir, build.Env = work, env
	build.Stdout, build.Stderr = opt.Log, opt.Log
	if err := withProgress(opt.Log, "aws provider 6.13.0: go build (about 20 min on 2 cores, ~10 GB RAM)", build.Run); err != nil {
		return fmt.Errorf("go build provider: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(target, "terraform-provider-aws_v"+ProviderFallbackVersion)); err != nil {
		return err
	}
	return os.RemoveAll(work)
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
	tc.record(opt, Step{"moto", "-", p, "found on PATH"})
	return nil
}

// ---- kumo ----

func ensureKumo(ctx context.Context, opt Options, tc *Toolchain) error {
	dir := filepath.Join(opt.CacheDir, "bin", "kumo-"+KumoVersion)
	bin := filepath.Join(dir, "kumo")
	how := "cached go-install build"
	if _, err := os.Stat(bin); err != nil {
		how = "built with go install"
		env := []string{"GONOSUMDB=github.com/aws"} // some aws sdk modules are missing from the checksum database here
		if err := goInstall(ctx, opt, "github.com/sivchari/kumo/cmd/kumo@"+KumoVersion, dir, env, "about 2 min"); err != nil {
			return err
		}
	}
	tc.Kumo = bin
	tc.record(opt, Step{"kumo", KumoVersion, bin, how})
	return nil
}

// goInstall installs pkg@version into dir atomically: it builds into a
// temporary GOBIN and renames, so an interrupted build never leaves a
// half-written binary that a later run would trust.
func goInstall(ctx context.Context, opt Options, pkg, dir string, env []string, eta string) error {
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "install", pkg)
	cmd.Env = append(append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0"), env...)
	cmd.Stdout, cmd.Stderr = opt.Log, opt.Log
	if err := withProgress(opt.Log, "go install "+pkg+" ("+eta+")", cmd.Run); err != nil {
		return fmt.Errorf("go install %s: %w", pkg, err)
	}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// withProgress runs fn, printing the elapsed time every 20 s so that a long
// build never looks hung.
func withProgress(log io.Writer, what string, fn func() error) error {
	start := time.Now()
	fmt.Fprintf(log, "%s ...\n", what)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(log, "  ... still running (%s)\n", time.Since(start).Round(time.Second))
			}
		}
	}()
	err := fn()
	close(done)
	fmt.Fprintf(log, "  done in %s\n", time.Since(start).Round(time.Second))
	return err
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
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	tc.CLIConfig = path
	tc.record(opt, Step{"cli-config", "-", path, "terraform CLI config (provider from the mirror)"})
	return nil
}

func exitDetail(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
