// Package packaging builds Go Lambda handlers into deterministic zips: the
// same source, dependencies and settings always give the same bytes, so an
// unchanged handler never shows a Terraform diff.
//
// Artifacts are addressed by content: one zip per distinct build (handler
// package + architecture + inputs), named <sha256>.zip, shared by every
// function built from it, so 1,000 routes on one handler cost one build,
// one file and one upload, and renaming a route changes nothing.
// manifest.json maps each function to its artifact; Terraform reads it.
//
// A warm run decides "nothing changed" from file stats alone: state.json
// records the size and modification time of every file the last builds
// read (and of their directories, so an added file shows), plus the go
// command's identity. Only when a stat differs does it run `go list` and
// hash contents again, and only for files whose stat changed.
package packaging

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
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
	"strings"
	"sync"
	"time"

	"github.com/apibuilder/apibuilder/generator/output"
)

// Function is one function to package.
type Function struct {
	Name      string // function name (routes.yaml's); the manifest's key
	SourceDir string // Go main package, relative to Options.ModuleRoot
	Arch      string // arm64 (default) or x86_64
}

// Options configure a Build.
type Options struct {
	ModuleRoot string // directory holding go.mod
	OutDir     string // where artifacts, the manifest and the state go
	Jobs       int    // parallel builds; default NumCPU
	// Log gets one line per build actually run and a summary line;
	// Verbose adds one line per function. Progress draws a live progress
	// line (for a terminal).
	Log      io.Writer
	Verbose  bool
	Progress bool
}

// Artifact is one function's package.
type Artifact struct {
	Name    string // the function
	Key     string // hex sha256 of the zip: the artifact's name, shared by identical builds
	ZipPath string // <OutDir>/<Key>.zip
	SHA256  string // base64 of sha256(zip): Terraform's source_code_hash
	Size    int64
	Cached  bool // up to date: nothing was built for it this run
}

// Summary tells what a Build did.
type Summary struct {
	Built, UpToDate int   // functions
	Builds          int   // go builds run
	Artifacts       int   // distinct zips in use
	Bytes           int64 // their total size
	Listed          bool  // whether `go list` ran (false: decided from stats)
}

// Files in OutDir.
const (
	ManifestName = "manifest.json"
	stateName    = "state.json"
	stateVersion = 2
)

// buildFlags are part of every input hash: changing them rebuilds.
var buildFlags = []string{"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid="}

// zipTime is the fixed modification time of bootstrap in every zip.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Manifest maps functions to artifacts; Terraform reads it.
type Manifest struct {
	Generated string                   `json:"//"`
	Functions map[string]string        `json:"functions"` // function -> artifact key
	Artifacts map[string]ManifestEntry `json:"artifacts"` // key -> artifact
}

// ManifestEntry is one artifact in the manifest.
type ManifestEntry struct {
	File   string `json:"file"`   // file name in OutDir
	SHA256 string `json:"sha256"` // base64, Terraform's source_code_hash
	Size   int64  `json:"size"`
}

// Build packages every function; results are in input order. It also
// writes the manifest and removes artifacts no function uses any more.
func Build(ctx context.Context, fns []Function, opt Options) ([]Artifact, Summary, error) {
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	var sum Summary
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return nil, sum, err
	}
	groups, order, err := group(fns)
	if err != nil {
		return nil, sum, err
	}
	st := loadState(opt.OutDir)
	goID, err := goIdentity(ctx, opt.ModuleRoot, st)
	if err != nil {
		return nil, sum, err
	}

	// Warm path: every input's stat is as recorded and every artifact is there.
	inputs := map[string]string{} // group key -> inputs hash
	fresh := st.Go == goID && st.unchanged(opt.ModuleRoot)
	for _, key := range order {
		b, ok := st.Builds[key]
		if !fresh || !ok || !exists(filepath.Join(opt.OutDir, b.Artifact+".zip"), b.Size) {
			fresh = false
			break
		}
		inputs[key] = b.Inputs
	}
	next := &state{Version: stateVersion, Go: goID, Files: st.Files, Dirs: st.Dirs, Builds: map[string]buildResult{}}
	if !fresh {
		sum.Listed = true
		var deps depFiles
		inputs, deps, err = inputHashes(ctx, opt.ModuleRoot, groups, order, goID.GoVersion, st)
		if err != nil {
			return nil, sum, err
		}
		next.Files, next.Dirs = deps.files, deps.dirs
	}

	// Build what changed, one build per group, in parallel.
	results := map[string]buildResult{}
	errs := map[string]error{}
	var mu sync.Mutex
	var todo []string
	for _, key := range order {
		if b, ok := st.Builds[key]; ok && b.Inputs == inputs[key] && exists(filepath.Join(opt.OutDir, b.Artifact+".zip"), b.Size) {
			results[key] = b
		} else {
			todo = append(todo, key)
		}
	}
	progress := newProgress(opt, len(todo))
	sem := make(chan struct{}, opt.Jobs)
	var wg sync.WaitGroup
	for _, key := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			g := groups[key]
			start := time.Now()
			b, err := buildOne(ctx, g, opt)
			b.Inputs = inputs[key]
			mu.Lock()
			defer mu.Unlock()
			results[key], errs[key] = b, err
			progress.done(g, b, err, time.Since(start))
		}()
	}
	wg.Wait()
	progress.finish()
	var all []error
	for _, key := range todo {
		if errs[key] != nil {
			all = append(all, errs[key])
		}
	}
	if len(all) > 0 {
		return nil, sum, errors.Join(all...)
	}
	sum.Builds = len(todo)

	// Every function gets its group's artifact.
	out := make([]Artifact, len(fns))
	man := Manifest{Generated: "Code generated by apibuilder. DO NOT EDIT.", Functions: map[string]string{}, Artifacts: map[string]ManifestEntry{}}
	rebuilt := map[string]bool{}
	for _, key := range todo {
		rebuilt[key] = true
	}
	for _, key := range order {
		b := results[key]
		next.Builds[key] = b
		man.Artifacts[b.Artifact] = ManifestEntry{File: b.Artifact + ".zip", SHA256: b.SHA256, Size: b.Size}
		for _, i := range groups[key].members {
			out[i] = Artifact{Name: fns[i].Name, Key: b.Artifact, ZipPath: filepath.Join(opt.OutDir, b.Artifact+".zip"), SHA256: b.SHA256, Size: b.Size, Cached: !rebuilt[key]}
			man.Functions[fns[i].Name] = b.Artifact
			if rebuilt[key] {
				sum.Built++
			} else {
				sum.UpToDate++
			}
			if opt.Verbose {
				fmt.Fprintf(opt.Log, "  function %-24s %s.zip  (%s, %s)\n", fns[i].Name, b.Artifact[:12], groups[key].source, groups[key].arch)
			}
		}
	}
	for _, e := range man.Artifacts {
		sum.Artifacts++
		sum.Bytes += e.Size
	}
	if err := writeJSONIfChanged(filepath.Join(opt.OutDir, ManifestName), man); err != nil {
		return nil, sum, err
	}
	if err := writeJSONIfChanged(filepath.Join(opt.OutDir, stateName), next); err != nil {
		return nil, sum, err
	}
	removed, err := prune(opt.OutDir, man)
	if err != nil {
		return nil, sum, err
	}
	if opt.Verbose {
		for _, f := range removed {
			fmt.Fprintf(opt.Log, "  removed %s (no function uses it)\n", f)
		}
	}
	fmt.Fprintf(opt.Log, "functions: %d built, %d up to date (%d %s, %s)\n", sum.Built, sum.UpToDate, sum.Artifacts, plural(sum.Artifacts, "artifact"), size(sum.Bytes))
	return out, sum, nil
}

// group is the functions built the same way: one handler package, one
// architecture.
type buildGroup struct {
	key, source, arch string
	members           []int // indexes into the functions
}

func group(fns []Function) (map[string]*buildGroup, []string, error) {
	groups := map[string]*buildGroup{}
	var order []string
	for i, fn := range fns {
		arch, err := goarch(fn.Arch)
		if err != nil {
			return nil, nil, fmt.Errorf("function %s: %w", fn.Name, err)
		}
		src := filepath.ToSlash(filepath.Clean(fn.SourceDir))
		key := src + "|" + arch
		g, ok := groups[key]
		if !ok {
			g = &buildGroup{key: key, source: src, arch: arch}
			groups[key] = g
			order = append(order, key)
		}
		g.members = append(g.members, i)
	}
	return groups, order, nil
}

func goarch(arch string) (string, error) {
	switch arch {
	case "", "arm64":
		return "arm64", nil
	case "x86_64":
		return "amd64", nil
	}
	return "", fmt.Errorf("architecture %q: use arm64 or x86_64", arch)
}

// build is one group's result, as the state records it.
type buildResult struct {
	Inputs   string `json:"inputs"`   // hash of everything the build read
	Artifact string `json:"artifact"` // hex sha256 of the zip
	SHA256   string `json:"sha256"`   // base64 of the same
	Size     int64  `json:"size"`
}

func buildOne(ctx context.Context, g *buildGroup, opt Options) (buildResult, error) {
	tmp, err := os.MkdirTemp("", "apibuilder-build-")
	if err != nil {
		return buildResult{}, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	args := append(slices.Clone(buildFlags), "-o", bin, "./"+g.source)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opt.ModuleRoot
	cmd.Env = append(append(os.Environ(), "GOOS=linux", "GOARCH="+g.arch), pinnedEnv(opt.ModuleRoot)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return buildResult{}, &BuildError{Source: g.source, Output: strings.TrimSpace(string(out))}
	}
	data, err := zipBootstrap(bin)
	if err != nil {
		return buildResult{}, fmt.Errorf("handler %s: zip: %w", g.source, err)
	}
	sum := sha256.Sum256(data)
	b := buildResult{Artifact: hex.EncodeToString(sum[:]), SHA256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(data))}
	path := filepath.Join(opt.OutDir, b.Artifact+".zip")
	if !exists(path, b.Size) {
		if err := output.WriteFile(path, data); err != nil {
			return buildResult{}, err
		}
	}
	return b, nil
}

// BuildError is a handler that go build refused.
type BuildError struct {
	Source string // the handler's directory, a slash path relative to the module root
	Output string // what go build printed
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("handler %s: go build ./%s failed:\n%s", e.Source, e.Source, e.Output)
}

// zipBootstrap zips the binary as "bootstrap" with a fixed time and mode.
func zipBootstrap(bin string) ([]byte, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// prune removes what no function uses: artifacts missing from the
// manifest, and the per-function zips of older apibuilder versions.
func prune(outDir string, man Manifest) ([]string, error) {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == ManifestName || name == stateName {
			continue
		}
		key, isZip := strings.CutSuffix(name, ".zip")
		_, inUse := man.Artifacts[key]
		if (isZip && !inUse) || strings.HasSuffix(name, ".zip.inputs") {
			if err := os.Remove(filepath.Join(outDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}

func exists(path string, size int64) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Size() == size
}

// writeJSONIfChanged writes v as indented JSON unless the file already
// holds exactly that, so a warm run writes nothing.
func writeJSONIfChanged(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return output.WriteFile(path, data)
}

// ReadManifest reads the manifest a Build wrote into outDir.
func ReadManifest(outDir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(outDir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(outDir, ManifestName), err)
	}
	return &m, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
}
