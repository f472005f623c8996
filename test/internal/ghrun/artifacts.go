package ghrun

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Artifacts is actions/upload-artifact and actions/download-artifact on a
// directory: one subdirectory per artifact. Use one per workflow run, as
// GitHub's artifacts belong to a run.
type Artifacts struct{ Dir string }

// Upload is actions/upload-artifact: name, path (lines, files or
// directories, globs), if-no-files-found, include-hidden-files,
// retention-days. Paths are stored relative to their least common
// ancestor, as GitHub does.
func (a *Artifacts) Upload(_ context.Context, s *StepContext) error {
	name := s.With["name"]
	if name == "" {
		return fmt.Errorf("upload-artifact: no name")
	}
	hidden := s.With["include-hidden-files"] == "true"
	var files []string
	for _, p := range strings.Split(s.With["path"], "\n") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		matches, err := filepath.Glob(filepath.Join(s.Workspace, p))
		if err != nil {
			return err
		}
		for _, m := range matches {
			err := filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(s.Workspace, path)
				if !hidden && strings.Contains("/"+filepath.ToSlash(rel), "/.") {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.IsDir() {
					files = append(files, path)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	if len(files) == 0 {
		switch s.With["if-no-files-found"] {
		case "error":
			return fmt.Errorf("upload-artifact %s: %w by %q", name, ErrNoFiles, s.With["path"])
		case "ignore":
		default:
			fmt.Fprintf(s.Log, "::warning::upload-artifact %s: no files found\n", name)
		}
		return nil
	}
	root := filepath.Dir(files[0])
	for _, f := range files {
		for !strings.HasPrefix(f, root+string(filepath.Separator)) {
			root = filepath.Dir(root)
		}
	}
	dest := filepath.Join(a.Dir, name)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("upload-artifact: an artifact named %s exists in this run", name)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		if err := copyFile(f, filepath.Join(dest, rel)); err != nil {
			return err
		}
	}
	fmt.Fprintf(s.Log, "uploaded artifact %s: %d files\n", name, len(files))
	return nil
}

// Download is actions/download-artifact: name, or pattern with
// merge-multiple; path (default the workspace).
func (a *Artifacts) Download(_ context.Context, s *StepContext) error {
	dest := filepath.Join(s.Workspace, s.With["path"])
	var names []string
	switch {
	case s.With["name"] != "":
		names = []string{s.With["name"]}
	case s.With["pattern"] != "":
		entries, _ := os.ReadDir(a.Dir)
		for _, e := range entries {
			if ok, _ := filepath.Match(s.With["pattern"], e.Name()); ok {
				names = append(names, e.Name())
			}
		}
		if len(names) == 0 {
			return fmt.Errorf("download-artifact: no artifact matches %q", s.With["pattern"])
		}
	default:
		return fmt.Errorf("download-artifact: all artifacts of a run are not supported; give name or pattern")
	}
	merge := s.With["merge-multiple"] == "true" || s.With["name"] != ""
	for _, n := range names {
		src := filepath.Join(a.Dir, n)
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("download-artifact: no artifact %s in this run", n)
		}
		to := dest
		if !merge {
			to = filepath.Join(dest, n)
		}
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			return copyFile(path, filepath.Join(to, rel))
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(s.Log, "downloaded %s into %s\n", strings.Join(names, ", "), dest)
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, info.Mode().Perm())
}
