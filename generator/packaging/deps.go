package packaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ModulePackage is a package of the handlers' Go module.
type ModulePackage struct {
	ImportPath string
	Dir        string   // absolute
	GoFiles    []string // file names in Dir
	EmbedFiles []string // paths relative to Dir
}

// DepsOptions say what to list for.
type DepsOptions struct {
	// GOOS is the target ("" for this machine): build constraints pick
	// other files for another system.
	GOOS string
	// Tolerant lists packages that do not compile (go list -e) and leaves
	// out a handler directory that is not a package (yet), where the
	// strict form fails: a watcher must still see a broken edit.
	Tolerant bool
}

// HandlerDeps lists, for each handler directory (absolute, as given), the
// packages of the module at moduleRoot that its build reads — its own and
// every in-module package it imports — sorted by import path. One
// `go list -deps` serves all handlers. Packaging hashes these packages'
// files to know when a build is up to date, and the local watch loop
// rebuilds a handler when one of them changes: one rule for both.
func HandlerDeps(ctx context.Context, moduleRoot string, handlers []string, opt DepsOptions) (map[string][]ModulePackage, error) {
	out := map[string][]ModulePackage{}
	if len(handlers) == 0 {
		return out, nil
	}
	absRoot, err := filepath.Abs(moduleRoot)
	if err != nil {
		return nil, err
	}
	args := []string{"list", "-deps", "-json=ImportPath,Dir,GoFiles,EmbedFiles,Module,Deps", "-tags", "lambda.norpc"}
	if opt.Tolerant {
		args = append(args, "-e")
	}
	for _, h := range handlers {
		rel, err := filepath.Rel(absRoot, h)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("handler %s is outside the Go module at %s", h, moduleRoot)
		}
		args = append(args, "./"+filepath.ToSlash(rel))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = absRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if opt.GOOS != "" {
		cmd.Env = append(cmd.Env, "GOOS="+opt.GOOS)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list the handlers: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	type pkg struct {
		ModulePackage
		Module *struct{ Main bool }
		Deps   []string
	}
	pkgs := map[string]pkg{}
	byDir := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		pkgs[p.ImportPath] = p
		if p.Dir != "" {
			byDir[filepath.Clean(p.Dir)] = p
		}
	}
	for _, h := range handlers {
		main, ok := byDir[filepath.Clean(h)]
		if !ok {
			if opt.Tolerant {
				continue
			}
			return nil, fmt.Errorf("handler %s is not a package of the module at %s", h, moduleRoot)
		}
		local := []ModulePackage{main.ModulePackage}
		for _, d := range main.Deps {
			if p, ok := pkgs[d]; ok && p.Module != nil && p.Module.Main && p.Dir != "" {
				local = append(local, p.ModulePackage)
			}
		}
		sort.Slice(local, func(i, j int) bool { return local[i].ImportPath < local[j].ImportPath })
		out[h] = local
	}
	return out, nil
}

// ModuleRoot finds the Go module (go.mod) at or above dir that holds the
// handlers: what packaging builds in and lists dependencies of.
func ModuleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: handlers must be in a Go module; run \"go mod init <module path>\" there", dir)
		}
	}
}
