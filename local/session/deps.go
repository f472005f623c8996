package session

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/apibuilder/apibuilder/generator/packaging"
)

// depIndex knows which handlers a changed file concerns: for each handler
// directory, the in-module packages its build reads (`go list -deps`, the
// rule packaging's input hashes follow), and their Go and embedded files.
type depIndex struct {
	moduleRoot string
	pkgDirs    map[string][]string // package directory -> handler directories that import it (or are it)
	files      map[string][]string // embedded file -> handler directories
}

// buildDeps lists the in-module dependencies of the handler directories
// (absolute paths), for this machine, as the runner builds them. A package
// that does not compile is still listed, so a broken edit is rebuilt, and
// its error shown, when it is fixed.
func buildDeps(ctx context.Context, moduleRoot string, handlers []string) (*depIndex, error) {
	idx := &depIndex{moduleRoot: moduleRoot, pkgDirs: map[string][]string{}, files: map[string][]string{}}
	deps, err := packaging.HandlerDeps(ctx, moduleRoot, handlers, packaging.DepsOptions{Tolerant: true})
	if err != nil {
		return nil, err
	}
	for _, h := range handlers {
		for _, p := range deps[h] { // none for a directory that is not a package yet
			dir := filepath.Clean(p.Dir)
			idx.pkgDirs[dir] = appendOnce(idx.pkgDirs[dir], h)
			for _, f := range p.EmbedFiles {
				file := filepath.Join(dir, f)
				idx.files[file] = appendOnce(idx.files[file], h)
			}
		}
		// Its directory counts even before it holds a package.
		idx.pkgDirs[filepath.Clean(h)] = appendOnce(idx.pkgDirs[filepath.Clean(h)], h)
	}
	return idx, nil
}

// affected returns the handler directories whose build reads the changed
// file (absolute path), and whether the change concerns every handler
// (go.mod or go.sum of the module).
func (idx *depIndex) affected(file string) (handlers []string, all bool) {
	file = filepath.Clean(file)
	if dir, base := filepath.Split(file); filepath.Clean(dir) == filepath.Clean(idx.moduleRoot) && (base == "go.mod" || base == "go.sum" || base == "go.work") {
		return nil, true
	}
	if hs, ok := idx.files[file]; ok {
		return hs, false
	}
	if strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, "_test.go") {
		return idx.pkgDirs[filepath.Dir(file)], false
	}
	// A removed or renamed package directory.
	return idx.pkgDirs[file], false
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
