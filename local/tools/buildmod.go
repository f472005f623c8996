package tools

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Tools built from Go source (kumo, the terraform fallback) are built inside
// a build module of ours: a go.mod that requires the tool at its pinned
// version and a complete go.sum, generated once by a maintainer and embedded
// here. The build runs with -mod=readonly, so every module it downloads is
// checked against that go.sum and nothing is trusted because a proxy served
// it; the checksum database is not needed, which matters here because it
// lacks some aws-sdk modules kumo uses.
//
// Regenerate after changing a pinned version (needs the module proxy and
// the checksum database; it changes no file when nothing changed):
//
//go:generate go run ./internal/genbuildmod

//go:embed buildmod
var buildModules embed.FS

// GoTool is a tool built from Go source at a pinned version.
type GoTool struct {
	Name    string // the binary's name; the build module is buildmod/<Name>.mod and .sum
	Module  string // the module holding the tool
	Version string // its pinned version
	Package string // the main package built
	Why     string // why the local stack needs it, for the line announcing its build
}

var (
	kumoTool = GoTool{Name: "kumo", Module: "github.com/sivchari/kumo", Version: KumoVersion,
		Package: "github.com/sivchari/kumo/cmd/kumo",
		Why:     "the emulator of Lambda, DynamoDB, IAM, S3, CloudWatch Logs, Secrets Manager... that the local stack runs"}
	terraformTool = GoTool{Name: "terraform", Module: "github.com/hashicorp/terraform", Version: "v" + TerraformFallbackVersion,
		Package: "github.com/hashicorp/terraform",
		Why:     "no terraform 1.5 or newer on PATH; the local stack applies the generated Terraform"}
)

// GoTools lists the tools built from an embedded build module (what the
// build-module generator writes).
func GoTools() []GoTool { return []GoTool{kumoTool, terraformTool, actionlintTool} }

// BuildModule is the go.mod and go.sum a tool is built from.
type BuildModule struct{ GoMod, GoSum []byte }

// embeddedBuildModule returns the build module shipped for t.
func embeddedBuildModule(t GoTool) (BuildModule, error) {
	mod, err := buildModules.ReadFile("buildmod/" + t.Name + ".mod")
	if err != nil {
		return BuildModule{}, fmt.Errorf("no build module for %s (run go generate ./local/tools): %w", t.Name, err)
	}
	sum, err := buildModules.ReadFile("buildmod/" + t.Name + ".sum")
	if err != nil {
		return BuildModule{}, fmt.Errorf("no go.sum for %s (run go generate ./local/tools): %w", t.Name, err)
	}
	m := BuildModule{GoMod: mod, GoSum: sum}
	if err := m.Check(t); err != nil {
		return BuildModule{}, fmt.Errorf("embedded build module of %s: %w (run go generate ./local/tools)", t.Name, err)
	}
	return m, nil
}

// write puts go.mod and go.sum into dir.
func (m BuildModule) write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), m.GoMod, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), m.GoSum, 0o644)
}

// Check says whether m can build t with -mod=readonly: go.mod requires
// t.Module at t.Version and declares t.Package a tool, and go.sum holds the
// tool's two checksums and the go.mod checksum of every requirement (the
// module graph is loaded from those go.mod files).
func (m BuildModule) Check(t GoTool) error {
	reqs, tools := parseGoMod(m.GoMod)
	if v, ok := reqs[t.Module]; !ok || v != t.Version {
		return fmt.Errorf("go.mod requires %s %q, want %s", t.Module, v, t.Version)
	}
	if !slices.Contains(tools, t.Package) {
		return fmt.Errorf("go.mod lacks the line: tool %s", t.Package)
	}
	sums := parseGoSum(m.GoSum)
	if sums[t.Module+" "+t.Version] == "" {
		return fmt.Errorf("go.sum lacks the checksum of %s %s", t.Module, t.Version)
	}
	for path, v := range reqs {
		if sums[path+" "+v+"/go.mod"] == "" {
			return fmt.Errorf("go.sum lacks the go.mod checksum of %s %s", path, v)
		}
	}
	return nil
}

// parseGoMod returns the require lines (path → version) and the tool lines
// of a go.mod. It reads only what Check needs; go itself checks the rest.
func parseGoMod(data []byte) (reqs map[string]string, tools []string) {
	reqs = map[string]string{}
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block != "" && f[0] == ")":
			block = ""
		case len(f) == 2 && f[1] == "(":
			block = f[0]
		case block != "":
			f = append([]string{block}, f...)
		}
		switch {
		case len(f) == 3 && f[0] == "require":
			reqs[f[1]] = f[2]
		case len(f) == 2 && f[0] == "tool":
			tools = append(tools, f[1])
		}
	}
	return reqs, tools
}

// parseGoSum maps "path version" and "path version/go.mod" to their hash.
func parseGoSum(data []byte) map[string]string {
	sums := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	return sums
}

// sumLines are the two go.sum lines of one module.
func sumLines(path, version, sum, goModSum string) string {
	return fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", path, version, sum, path, version, goModSum)
}

// moduleDownload is what go mod download -json prints for one module.
type moduleDownload struct {
	Path, Version, Dir, Sum, GoModSum, Error string
}

// GenerateBuildModule makes t's build module from the network; a maintainer
// runs it (go generate) when a pinned version changes, never the installer.
// go.sum starts as the tool module's own go.sum (the tool's checksum, taken
// from the checksum database, covers that file) plus the tool's checksums;
// go mod tidy then adds what the build needs beyond that, each new entry
// verified against the checksum database, and drops what it does not need.
// It sets no GONOSUMDB: modules the database lacks must come from the tool's
// own go.sum.
func GenerateBuildModule(ctx context.Context, t GoTool, log io.Writer) (BuildModule, error) {
	work, err := os.MkdirTemp("", "apibuilder-buildmod-")
	if err != nil {
		return BuildModule{}, err
	}
	defer os.RemoveAll(work)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := runGo(ctx, work, env, nil, "mod", "download", "-json", t.Module+"@"+t.Version)
	var dl moduleDownload
	if jerr := json.Unmarshal(out, &dl); jerr != nil || dl.Error != "" || err != nil {
		return BuildModule{}, fmt.Errorf("go mod download %s@%s: %v %s", t.Module, t.Version, errors.Join(err, jerr), dl.Error)
	}
	sum := []byte(nil)
	if own, err := os.ReadFile(filepath.Join(dl.Dir, "go.sum")); err == nil {
		sum = append(bytes.TrimSpace(own), '\n')
	}
	sum = append(sum, sumLines(t.Module, t.Version, dl.Sum, dl.GoModSum)...)
	seed := BuildModule{GoMod: []byte(buildModGoMod(t)), GoSum: sum}
	if err := seed.write(work); err != nil {
		return BuildModule{}, err
	}
	if _, err := runGo(ctx, work, env, log, "mod", "tidy"); err != nil {
		return BuildModule{}, fmt.Errorf("go mod tidy for %s: %w", t.Name, err)
	}
	var m BuildModule
	if m.GoMod, err = os.ReadFile(filepath.Join(work, "go.mod")); err != nil {
		return BuildModule{}, err
	}
	if m.GoSum, err = os.ReadFile(filepath.Join(work, "go.sum")); err != nil {
		return BuildModule{}, err
	}
	if err := m.Check(t); err != nil {
		return BuildModule{}, fmt.Errorf("generated build module of %s: %w", t.Name, err)
	}
	return m, nil
}

// buildModGoMod is the go.mod a build module starts from.
func buildModGoMod(t GoTool) string {
	return fmt.Sprintf(`// The build module of %s (apibuilder's tool installer builds it with -mod=readonly).
// Generated by go generate ./local/tools; do not edit.
module apibuilder.local/toolbuild/%s

go 1.24

tool %s

require %s %s
`, t.Name, t.Name, t.Package, t.Module, t.Version)
}

// verifiedGoEnv is env for a go command that must check every module it
// downloads against go.sum: -mod=readonly (a missing or different checksum is
// an error, never an addition), no workspace, and none of the settings that
// turn checksum checks off or route around them.
func verifiedGoEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "GONOSUMDB", k == "GONOSUMCHECK", k == "GONOVERIFY", k == "GOINSECURE", k == "GOPRIVATE",
			k == "GOFLAGS", k == "GOWORK", k == "GOSUMDB" && v == "off":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GOFLAGS=-mod=readonly -buildvcs=false", "GOWORK=off")
}

// runGo runs the go command in dir and returns its stdout; stderr goes to
// log (when not nil) and into the error.
func runGo(ctx context.Context, dir string, env []string, log io.Writer, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := goCommand(ctx, dir, env, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if log != nil {
		cmd.Stderr = io.MultiWriter(&stderr, log)
	}
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
