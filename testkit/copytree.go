// Package testkit holds what tests (and the benchmarks) share: a file-tree
// copy, golden-file comparison and a buffer safe for concurrent writers, so
// no test package writes its own.
package testkit

import (
	"os"
	"path/filepath"
)

// CopyTree copies the regular files and directories under src to dst.
// skip, if not nil, leaves out entries (and, for directories, everything
// below them) for which it returns true.
func CopyTree(src, dst string, skip func(rel string, d os.DirEntry) bool) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel != "." && skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
