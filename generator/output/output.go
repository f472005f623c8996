// Package output is the one place that writes generated files. It writes a
// whole set atomically: every file goes to a temporary file first, and only
// when all are written are they renamed into place, so an error leaves the
// tree as it was. Files without the generated header belong to the user and
// are never replaced or removed.
package output

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Plan is what Apply will do.
type Plan struct {
	Write     []string // slash paths to create or replace
	Unchanged []string
	Remove    []string // stale generated files
}

// Changed reports whether the plan changes anything on disk.
func (p Plan) Changed() bool { return len(p.Write)+len(p.Remove) > 0 }

// Owned says where stale generated files are looked for: Dirs are
// directories the generator owns files in (their own files only), Trees
// directories it owns with everything below them. A generated file there
// that is no longer wanted is stale.
type Owned struct {
	Dirs, Trees []string
}

// Compute compares the wanted files (slash paths relative to root) with the
// disk. isGenerated recognises generated files by their header.
func Compute(root string, files map[string][]byte, owned Owned, isGenerated func([]byte) bool) (Plan, error) {
	var p Plan
	for _, rel := range sortedKeys(files) {
		if err := inside(rel); err != nil {
			return p, err
		}
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		switch {
		case err == nil && bytes.Equal(old, files[rel]):
			p.Unchanged = append(p.Unchanged, rel)
		case err == nil && !isGenerated(old):
			return p, fmt.Errorf("%s exists and was not written by apibuilder; move it away (the generator never overwrites your files)", rel)
		case err == nil || os.IsNotExist(err):
			p.Write = append(p.Write, rel)
		default:
			return p, err
		}
	}
	stale := func(rel string) {
		if files[rel] != nil {
			return
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err == nil && isGenerated(data) {
			p.Remove = append(p.Remove, rel)
		}
	}
	for _, dir := range owned.Dirs {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				stale(dir + "/" + e.Name())
			}
		}
	}
	for _, tree := range owned.Trees {
		base := filepath.Join(root, filepath.FromSlash(tree))
		_ = filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err == nil {
				stale(filepath.ToSlash(rel))
			}
			return nil
		})
	}
	sort.Strings(p.Remove)
	p.Remove = slices.Compact(p.Remove)
	return p, nil
}

// Apply carries out the plan: all temporary files first, then renames, then
// removals. On a write error every temporary file is removed and nothing
// else has changed.
func Apply(root string, files map[string][]byte, p Plan) error {
	temps := make(map[string]string, len(p.Write))
	cleanup := func() {
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	for _, rel := range p.Write {
		dst := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return err
		}
		f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
		if err != nil {
			cleanup()
			return err
		}
		temps[rel] = f.Name()
		_, werr := f.Write(files[rel])
		cerr := f.Close()
		if werr != nil || cerr != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", rel, errors.Join(werr, cerr))
		}
		if err := os.Chmod(f.Name(), 0o644); err != nil {
			cleanup()
			return err
		}
	}
	for _, rel := range p.Write {
		if err := os.Rename(temps[rel], filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			cleanup()
			return fmt.Errorf("replace %s: %w", rel, err)
		}
		delete(temps, rel)
	}
	for _, rel := range p.Remove {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove stale %s: %w", rel, err)
		}
		// A directory emptied by the removal (an old version's module copy)
		// goes too; one that still holds anything stays.
		for dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(rel))); dir != root && strings.HasPrefix(dir, root); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break
			}
		}
	}
	return nil
}

// inside refuses paths that would escape the output root.
func inside(rel string) error {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel)))
	if filepath.IsAbs(rel) || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("refusing to write %q: outside the project", rel)
	}
	return nil
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteFile writes one file on its own, atomically (a temporary file in the
// same directory, renamed into place): the packages, manifests and records
// written beside a generated tree. A reader sees the old file or the new
// one, never part of it.
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}
