// Command release builds apibuilder's release: the command cross-compiled
// for every platform people run it on, with the version, commit and date
// stamped in, plus what installers and users need to trust and install it
// (SHA256SUMS, the module list of each binary, a Homebrew formula and a
// Scoop manifest made from the checksums, release notes from CHANGELOG.md).
// It is a Go program, not a shell script, so it runs the same on Linux,
// macOS and Windows. With -cross it only checks that every platform builds
// and vets: the fast CI step.
//
//	go run ./devtools/cmd/release -version v0.9.0 [-out dist]
//	go run ./devtools/cmd/release -cross
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/packaging"
)

// Platform is one release target.
type Platform struct{ OS, Arch string }

// Platforms are the release's targets: Linux, macOS and Windows on amd64
// and arm64.
var Platforms = []Platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

const (
	pkg         = "./cmd/apibuilder"
	versionPkg  = "github.com/apibuilder/apibuilder/internal/version"
	homepage    = "https://github.com/apibuilder/apibuilder"
	description = "Describe an API once in routes.yaml; get API Gateway, one Lambda per route, as Terraform"
)

var semver = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

func main() {
	version := flag.String("version", "", "the release version, e.g. v0.9.0 (required unless -cross)")
	out := flag.String("out", "dist", "the directory the release is written into")
	baseURL := flag.String("url", "", "where the binaries are downloaded from (default: "+homepage+"/releases/download/<version>)")
	changelog := flag.String("changelog", "CHANGELOG.md", "the changelog the release notes come from")
	cross := flag.Bool("cross", false, "only check that every platform builds (go build) and vets (go vet per GOOS, also in test/)")
	flag.Parse()
	var err error
	if *cross {
		err = crossCheck()
	} else {
		err = release(*version, *out, *baseURL, *changelog)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// crossCheck builds the command for every platform, as the release does
// (so it shares the release's build cache), and vets both modules with
// each GOOS, so a platform break (a Unix-only syscall) never lands.
func crossCheck() error {
	tmp, err := os.MkdirTemp("", "apibuilder-cross-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, p := range Platforms {
		start := time.Now()
		if err := run("", goEnv(p), "go", "build", "-trimpath", "-buildvcs=false", "-o", filepath.Join(tmp, binaryName("", p)), pkg); err != nil {
			return fmt.Errorf("%s/%s: %w", p.OS, p.Arch, err)
		}
		fmt.Printf("build %s/%s ok (%s)\n", p.OS, p.Arch, time.Since(start).Round(time.Millisecond))
	}
	// Linux is vetted by make lint. The other systems are vetted with the
	// release builds' flags and environment, so vet compiles nothing the
	// builds above did not (the same build cache entries).
	seen := map[string]bool{"linux": true}
	for _, p := range Platforms {
		if seen[p.OS] {
			continue
		}
		seen[p.OS] = true
		for _, dir := range []string{".", "test"} {
			start := time.Now()
			if err := run(dir, goEnv(p), "go", "vet", "-trimpath", "-buildvcs=false", "./..."); err != nil {
				return fmt.Errorf("GOOS=%s go vet in %s: %w", p.OS, dir, err)
			}
			fmt.Printf("vet GOOS=%s %s ok (%s)\n", p.OS, dir, time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

func release(version, out, baseURL, changelog string) error {
	if !semver.MatchString(version) {
		return fmt.Errorf("-version %q: give a semantic version with a leading v, e.g. v0.9.0", version)
	}
	if baseURL == "" {
		baseURL = homepage + "/releases/download/" + version
	}
	log, err := os.ReadFile(changelog)
	if err != nil {
		return fmt.Errorf("%w (the release notes come from it)", err)
	}
	notes, section, err := ReleaseNotes(string(log), version)
	if err != nil {
		return fmt.Errorf("%s: %w", changelog, err)
	}
	if section != strings.TrimPrefix(version, "v") {
		fmt.Fprintf(os.Stderr, "release: %s has no section for %s: the notes are its %s section (rename it to [%s] before tagging)\n",
			changelog, version, section, strings.TrimPrefix(version, "v"))
	}
	commit, date := stamp()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// The commit and date are stamped, not read from the checkout by the go
	// command (-buildvcs=false): untracked files then change nothing.
	ldflags := fmt.Sprintf("-s -w -X %s.release=%s -X %s.commit=%s -X %s.date=%s", versionPkg, version, versionPkg, commit, versionPkg, date)
	var sums []Sum
	for _, p := range Platforms {
		name := binaryName(version, p)
		bin := filepath.Join(out, name)
		start := time.Now()
		if err := run("", goEnv(p), "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", bin, pkg); err != nil {
			return fmt.Errorf("%s/%s: %w", p.OS, p.Arch, err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		sums = append(sums, Sum{Name: name, SHA256: hex.EncodeToString(h[:]), Platform: p})
		mods, err := exec.Command("go", "version", "-m", bin).Output()
		if err != nil {
			return fmt.Errorf("go version -m %s: %w", bin, err)
		}
		// The path of the binary on this machine is no part of the release.
		mods = bytes.Replace(mods, []byte(bin+":"), []byte(name+":"), 1)
		if err := os.WriteFile(bin+".modules.txt", mods, 0o644); err != nil {
			return err
		}
		fmt.Printf("built %s (%s, %.1f MB)\n", name, time.Since(start).Round(time.Millisecond), float64(len(data))/(1<<20))
	}
	formula, err := HomebrewFormula(version, baseURL, sums)
	if err != nil {
		return err
	}
	manifest, err := ScoopManifest(version, baseURL, sums)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"SHA256SUMS":       SHA256SUMS(sums),
		"apibuilder.rb":    formula,
		"apibuilder.json":  manifest,
		"RELEASE_NOTES.md": []byte("# apibuilder " + version + "\n\n" + notes),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("release %s (commit %s, %s) in %s: %d binaries, SHA256SUMS, apibuilder.rb (Homebrew), apibuilder.json (Scoop), RELEASE_NOTES.md\n",
		version, commit, date, out, len(sums))
	return nil
}

// stamp is the commit the release is built from and its commit time (so
// building the same commit twice gives the same binaries), or "unknown"
// outside a git checkout.
func stamp() (commit, date string) {
	commit, date = "unknown", "unknown"
	if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			commit += "+dirty"
		}
	}
	if out, err := exec.Command("git", "log", "-1", "--format=%ct").Output(); err == nil {
		var sec int64
		if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &sec); err == nil {
			date = time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
	}
	return commit, date
}

// goEnv is a release build's environment: the target, no cgo, the
// baseline CPU levels (binaries that run on every amd64 and arm64 machine,
// whatever the maintainer's own GOAMD64), and the Go toolchain
// apibuilder's go.mod pins (its go line), whatever Go runs this.
func goEnv(p Platform) []string {
	env := []string{"GOOS=" + p.OS, "GOARCH=" + p.Arch, "CGO_ENABLED=0", "GOAMD64=v1", "GOARM64=v8.0"}
	if tc := packaging.Toolchain("."); tc != "" {
		env = append(env, "GOTOOLCHAIN="+tc)
	}
	return env
}

// binaryName is a release file's name: apibuilder_0.9.0_linux_amd64,
// apibuilder_0.9.0_windows_arm64.exe.
func binaryName(version string, p Platform) string {
	name := "apibuilder"
	if version != "" {
		name += "_" + strings.TrimPrefix(version, "v")
	}
	name += "_" + p.OS + "_" + p.Arch
	if p.OS == "windows" {
		name += ".exe"
	}
	return name
}

func run(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// Sum is one binary's checksum.
type Sum struct {
	Name     string
	SHA256   string // hex
	Platform Platform
}

// SHA256SUMS is the checksum file in sha256sum's format, which
// `sha256sum -c` and `shasum -a 256 -c` check.
func SHA256SUMS(sums []Sum) []byte {
	var b bytes.Buffer
	for _, s := range sums {
		fmt.Fprintf(&b, "%s  %s\n", s.SHA256, s.Name)
	}
	return b.Bytes()
}

func find(sums []Sum, os, arch string) (Sum, error) {
	for _, s := range sums {
		if s.Platform.OS == os && s.Platform.Arch == arch {
			return s, nil
		}
	}
	return Sum{}, fmt.Errorf("no %s/%s binary", os, arch)
}

// HomebrewFormula is a formula installing the macOS or Linux binary of
// this machine's architecture.
func HomebrewFormula(version, baseURL string, sums []Sum) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Code generated by devtools/cmd/release for apibuilder %s. DO NOT EDIT.\n", version)
	fmt.Fprintf(&b, "class Apibuilder < Formula\n  desc %q\n  homepage %q\n  version %q\n", description, homepage, strings.TrimPrefix(version, "v"))
	for _, goos := range []string{"darwin", "linux"} {
		block := map[string]string{"darwin": "on_macos", "linux": "on_linux"}[goos]
		fmt.Fprintf(&b, "\n  %s do\n", block)
		for _, arch := range []string{"arm64", "amd64"} {
			s, err := find(sums, goos, arch)
			if err != nil {
				return nil, err
			}
			cond := map[string]string{"arm64": "on_arm", "amd64": "on_intel"}[arch]
			fmt.Fprintf(&b, "    %s do\n      url %q\n      sha256 %q\n\n      def install\n        bin.install %q => \"apibuilder\"\n      end\n    end\n",
				cond, baseURL+"/"+s.Name, s.SHA256, s.Name)
		}
		fmt.Fprintf(&b, "  end\n")
	}
	fmt.Fprintf(&b, "\n  test do\n    assert_match %q, shell_output(\"#{bin}/apibuilder version\")\n  end\nend\n", version)
	return b.Bytes(), nil
}

// ScoopManifest is a Scoop app manifest for the Windows binaries.
func ScoopManifest(version, baseURL string, sums []Sum) ([]byte, error) {
	arch := map[string]any{}
	for scoop, goarch := range map[string]string{"64bit": "amd64", "arm64": "arm64"} {
		s, err := find(sums, "windows", goarch)
		if err != nil {
			return nil, err
		}
		arch[scoop] = map[string]any{"url": baseURL + "/" + s.Name, "hash": s.SHA256, "bin": [][]string{{s.Name, "apibuilder"}}}
	}
	m := map[string]any{
		"version":      strings.TrimPrefix(version, "v"),
		"description":  description,
		"homepage":     homepage,
		"architecture": arch,
		"notes":        "The local stack (apibuilder local up) runs in WSL2, not on Windows itself; init, generate, deploy and test -aws run here.",
	}
	data, err := json.MarshalIndent(m, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ReleaseNotes is the body of CHANGELOG.md's section for version (a
// "## [0.9.0] - 2026-12-07" heading, with or without the v), or of its
// Unreleased section when it has none yet; section says which it took.
func ReleaseNotes(changelog, version string) (notes, section string, err error) {
	want := strings.TrimPrefix(version, "v")
	sections := map[string]string{}
	var cur string
	var body strings.Builder
	flush := func() {
		if cur != "" {
			sections[cur] = strings.TrimSpace(body.String()) + "\n"
		}
		body.Reset()
	}
	for _, line := range strings.Split(strings.ReplaceAll(changelog, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "## "); ok {
			flush()
			name := strings.TrimSpace(rest)
			if i := strings.Index(name, " - "); i >= 0 {
				name = name[:i]
			}
			cur = strings.TrimPrefix(strings.Trim(name, "[]"), "v")
			continue
		}
		if strings.HasPrefix(line, "[") && strings.Contains(line, "]: ") {
			continue // link reference definitions at the end
		}
		if cur != "" {
			body.WriteString(line + "\n")
		}
	}
	flush()
	for _, s := range []string{want, "Unreleased"} {
		if n, ok := sections[s]; ok && strings.TrimSpace(n) != "" {
			return n, s, nil
		}
	}
	return "", "", errors.New("no section for " + version + " and no Unreleased section: write the release's changes first")
}
