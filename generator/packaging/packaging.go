// Package packaging builds Go Lambda handlers into deterministic zips: the
// same source, dependencies and settings always give the same bytes, so an
// unchanged handler never shows a Terraform diff. A content hash of the
// inputs, stored beside each zip, lets an unchanged handler skip the build.
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
	"sort"
	"strings"
	"sync"
	"time"
)

// Function is one handler to package.
type Function struct {
	Name      string // route name; the zip is <OutDir>/<Name>.zip
	SourceDir string // Go main package, relative to Options.ModuleRoot
	Arch      string // arm64 (default) or x86_64
}

// Options configure a Build.
type Options struct {
	ModuleRoot string    // directory holding go.mod
	OutDir     string    // where zips go
	Jobs       int       // parallel builds; default NumCPU
	Log        io.Writer // one progress line per function
}

// Artifact is one packaged function.
type Artifact struct {
	Name    string
	ZipPath string
	SHA256  string // base64 of sha256(zip): Terraform's filebase64sha256
	Size    int64
	Cached  bool // true when the inputs were unchanged and the build was skipped
}

// buildFlags are part of every input hash: changing them rebuilds.
var buildFlags = []string{"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w -buildid="}

// zipTime is the fixed modification time of bootstrap in every zip.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Build packages every function; results are in input order.
func Build(ctx context.Context, fns []Function, opt Options) ([]Artifact, error) {
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.NumCPU()
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return nil, err
	}
	goVersion, err := goEnv(ctx, opt.ModuleRoot, "GOVERSION")
	if err != nil {
		return nil, err
	}
	hashes, err := inputHashes(ctx, opt.ModuleRoot, fns, goVersion)
	if err != nil {
		return nil, err
	}
	// Routes that share a handler and architecture share one build.
	groups := map[string][]int{}
	var order []string
	for i, fn := range fns {
		arch, _ := goarch(fn.Arch)
		key := filepath.Clean(fn.SourceDir) + "|" + arch
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	out := make([]Artifact, len(fns))
	errs := make([]error, len(fns))
	sem := make(chan struct{}, opt.Jobs)
	var wg sync.WaitGroup
	var logMu sync.Mutex
	report := func(fn Function, a Artifact, err error, sameAs string, took time.Duration) {
		logMu.Lock()
		defer logMu.Unlock()
		switch {
		case err != nil:
			fmt.Fprintf(opt.Log, "function %-20s FAILED\n", fn.Name)
		case a.Cached:
			fmt.Fprintf(opt.Log, "function %-20s cached  %7.1f KiB\n", fn.Name, float64(a.Size)/1024)
		case sameAs != "":
			fmt.Fprintf(opt.Log, "function %-20s shared  %7.1f KiB (same build as %s)\n", fn.Name, float64(a.Size)/1024, sameAs)
		default:
			fmt.Fprintf(opt.Log, "function %-20s built   %7.1f KiB in %s\n", fn.Name, float64(a.Size)/1024, took.Round(10*time.Millisecond))
		}
	}
	for _, key := range order {
		members := groups[key]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			first := members[0]
			start := time.Now()
			out[first], errs[first] = buildOne(ctx, fns[first], opt, hashes[first])
			report(fns[first], out[first], errs[first], "", time.Since(start))
			for _, i := range members[1:] {
				if errs[first] != nil {
					errs[i] = errs[first]
					continue
				}
				out[i], errs[i] = reuse(fns[i], opt, hashes[i], out[first])
				report(fns[i], out[i], errs[i], fns[first].Name, 0)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// Prune removes zips (and their input hashes) in outDir that belong to no
// function in keep: the builds of routes that were removed or renamed.
func Prune(outDir string, keep []Function) ([]string, error) {
	want := map[string]bool{}
	for _, fn := range keep {
		want[fn.Name+".zip"], want[fn.Name+".zip.inputs"] = true, true
	}
	entries, err := os.ReadDir(outDir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || want[name] || !(strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".zip.inputs")) {
			continue
		}
		if err := os.Remove(filepath.Join(outDir, name)); err != nil {
			return removed, err
		}
		removed = append(removed, name)
	}
	return removed, nil
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

func buildOne(ctx context.Context, fn Function, opt Options, inputs string) (Artifact, error) {
	a, stamp, hit := cached(fn, opt, inputs)
	if hit {
		return a, nil
	}
	arch, err := goarch(fn.Arch)
	if err != nil {
		return a, fmt.Errorf("function %s: %w", fn.Name, err)
	}
	tmp, err := os.MkdirTemp("", "apibuilder-build-")
	if err != nil {
		return a, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	args := append(append([]string{}, buildFlags...), "-o", bin, "./"+filepath.ToSlash(fn.SourceDir))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opt.ModuleRoot
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		return a, fmt.Errorf("function %s: go build ./%s failed:\n%s", fn.Name, fn.SourceDir, strings.TrimSpace(string(out)))
	}
	data, err := zipBootstrap(bin)
	if err != nil {
		return a, fmt.Errorf("function %s: zip: %w", fn.Name, err)
	}
	if err := writeAtomic(a.ZipPath, data); err != nil {
		return a, err
	}
	if err := writeAtomic(stamp, []byte(inputs)); err != nil {
		return a, err
	}
	return finish(a, data), nil
}

// reuse gives fn the zip already built for another route with the same
// handler and architecture (same inputs, so the same bytes).
func reuse(fn Function, opt Options, inputs string, built Artifact) (Artifact, error) {
	a, stamp, hit := cached(fn, opt, inputs)
	if hit {
		return a, nil
	}
	data, err := os.ReadFile(built.ZipPath)
	if err != nil {
		return a, err
	}
	if err := writeAtomic(a.ZipPath, data); err != nil {
		return a, err
	}
	if err := writeAtomic(stamp, []byte(inputs)); err != nil {
		return a, err
	}
	return finish(a, data), nil
}

// cached returns fn's zip when its recorded inputs equal inputs, and the
// path of that record.
func cached(fn Function, opt Options, inputs string) (Artifact, string, bool) {
	a := Artifact{Name: fn.Name, ZipPath: filepath.Join(opt.OutDir, fn.Name+".zip")}
	stamp := a.ZipPath + ".inputs"
	if old, err := os.ReadFile(stamp); err == nil && string(old) == inputs {
		if data, err := os.ReadFile(a.ZipPath); err == nil {
			a.Cached = true
			return finish(a, data), stamp, true
		}
	}
	return a, stamp, false
}

func finish(a Artifact, data []byte) Artifact {
	sum := sha256.Sum256(data)
	a.SHA256 = base64.StdEncoding.EncodeToString(sum[:])
	a.Size = int64(len(data))
	return a
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

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// inputHashes hashes, per function, everything its build reads from the
// module: the source files of every in-module package it depends on, go.mod
// and go.sum (which pin every other dependency), the Go version, the target
// and the flags. One `go list` serves all functions.
func inputHashes(ctx context.Context, root string, fns []Function, goVersion string) ([]string, error) {
	type pkg struct {
		ImportPath string
		Dir        string
		GoFiles    []string
		EmbedFiles []string
		Module     *struct{ Main bool }
		Deps       []string
	}
	args := []string{"list", "-json=ImportPath,Dir,GoFiles,EmbedFiles,Module,Deps", "-deps", "-tags", "lambda.norpc"}
	for _, fn := range fns {
		args = append(args, "./"+filepath.ToSlash(fn.SourceDir))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list the handlers: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	pkgs := map[string]pkg{}
	byDir := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		pkgs[p.ImportPath] = p
		byDir[p.Dir] = p
	}
	common := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		data, _ := os.ReadFile(filepath.Join(root, f))
		fmt.Fprintf(common, "%s %x\n", f, sha256.Sum256(data))
	}
	fmt.Fprintf(common, "%s %q\n", goVersion, buildFlags)
	hashes := make([]string, len(fns))
	for i, fn := range fns {
		dir, _ := filepath.Abs(filepath.Join(root, fn.SourceDir))
		main, ok := byDir[dir]
		if !ok {
			return nil, fmt.Errorf("function %s: %s is not a package of the module at %s", fn.Name, fn.SourceDir, root)
		}
		h := sha256.New()
		h.Write(common.Sum(nil))
		arch, err := goarch(fn.Arch)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", fn.Name, err)
		}
		fmt.Fprintf(h, "linux/%s\n", arch)
		local := []string{main.ImportPath}
		for _, d := range main.Deps {
			if p, ok := pkgs[d]; ok && p.Module != nil && p.Module.Main {
				local = append(local, d)
			}
		}
		sort.Strings(local)
		for _, ip := range local {
			p := pkgs[ip]
			files := append(append([]string{}, p.GoFiles...), p.EmbedFiles...)
			sort.Strings(files)
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(p.Dir, f))
				if err != nil {
					return nil, err
				}
				rel, _ := filepath.Rel(root, filepath.Join(p.Dir, f))
				fmt.Fprintf(h, "%s %x\n", filepath.ToSlash(rel), sha256.Sum256(data))
			}
		}
		hashes[i] = hex.EncodeToString(h.Sum(nil))
	}
	return hashes, nil
}

func goEnv(ctx context.Context, dir, key string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", key)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", key, err)
	}
	return strings.TrimSpace(string(out)), nil
}
