package packaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// state is what the last Build saw: enough to tell, from stats alone, that
// nothing it read has changed.
type state struct {
	Version int                    `json:"version"`
	Go      goID                   `json:"go"`
	Files   map[string]fstat       `json:"files"` // every file a build read, relative to the module root
	Dirs    map[string]int64       `json:"dirs"`  // their directories' mtimes: a file added there shows
	Builds  map[string]buildResult `json:"builds"`
}

// fstat is a file's stat and content hash. Racy files were modified so
// close to when they were recorded that a later edit within the same
// timestamp granularity could keep their stat: their content is always
// hashed again (git's "racily clean" rule).
type fstat struct {
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	Hash  string `json:"sha256"`
	Racy  bool   `json:"racy,omitempty"`
}

// goID identifies the Go toolchain that builds: the go command on PATH,
// the environment that changes what it builds, and the version it reported.
type goID struct {
	Bin       string `json:"bin"`
	Size      int64  `json:"size"`
	MTime     int64  `json:"mtime"`
	Env       string `json:"env"`
	GoVersion string `json:"goversion"`
}

func loadState(outDir string) *state {
	st := &state{}
	data, err := os.ReadFile(filepath.Join(outDir, stateName))
	if err != nil || json.Unmarshal(data, st) != nil || st.Version != stateVersion {
		return &state{}
	}
	return st
}

// goEnvKeys change what `go build` produces for the same source.
var goEnvKeys = []string{"GOFLAGS", "GOEXPERIMENT", "GOTOOLCHAIN", "GOARM64", "GOAMD64", "GOROOT", "GOPATH", "GOWORK"}

// goIdentity describes the go command. GOVERSION (which go.mod's toolchain
// line can switch) is asked of go only when the binary, the environment or
// go.mod changed since the last run: one process less on a warm run.
func goIdentity(ctx context.Context, root string, st *state) (goID, error) {
	bin, err := exec.LookPath("go")
	if err != nil {
		return goID{}, fmt.Errorf("the go command is not on PATH: install Go to build the handlers")
	}
	id := goID{Bin: bin}
	if fi, err := os.Stat(bin); err == nil {
		id.Size, id.MTime = fi.Size(), fi.ModTime().UnixNano()
	}
	var env []string
	for _, k := range goEnvKeys {
		env = append(env, k+"="+os.Getenv(k))
	}
	id.Env = strings.Join(env, " ")
	prev := st.Go
	prev.GoVersion = ""
	modUnchanged := st.fileUnchanged(root, "go.mod")
	if prev == id && modUnchanged && st.Go.GoVersion != "" {
		id.GoVersion = st.Go.GoVersion
		return id, nil
	}
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), pinnedEnv(root)...)
	out, err := cmd.Output()
	if err != nil {
		return goID{}, fmt.Errorf("go env GOVERSION: %w", err)
	}
	id.GoVersion = strings.TrimSpace(string(out))
	return id, nil
}

// unchanged reports whether every recorded file and directory still has
// its recorded stat (racy files: their recorded content).
func (st *state) unchanged(root string) bool {
	if len(st.Files) == 0 {
		return false
	}
	for rel := range st.Files {
		if !st.fileUnchanged(root, rel) {
			return false
		}
	}
	for rel, mtime := range st.Dirs {
		fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || fi.ModTime().UnixNano() != mtime {
			return false
		}
	}
	return true
}

func (st *state) fileUnchanged(root, rel string) bool {
	f, ok := st.Files[rel]
	if !ok {
		return false
	}
	path := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != f.Size || fi.ModTime().UnixNano() != f.MTime {
		return false
	}
	if f.Racy {
		data, err := os.ReadFile(path)
		return err == nil && hashBytes(data) == f.Hash
	}
	return true
}

// depFiles are the files (and their directories) the builds read.
type depFiles struct {
	files map[string]fstat
	dirs  map[string]int64
}

// racyWindow: a file modified this close to the moment it is recorded may
// change again without its stat showing it.
const racyWindow = 2 * time.Second

// record stats and hashes rel, reusing the previous hash when the stat is
// unchanged.
func (d *depFiles) record(root, rel string, prev *state, now time.Time) (string, error) {
	if f, ok := d.files[rel]; ok {
		return f.Hash, nil
	}
	path := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	f := fstat{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	if old, ok := prev.Files[rel]; ok && !old.Racy && old.Size == f.Size && old.MTime == f.MTime {
		f.Hash = old.Hash
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		f.Hash = hashBytes(data)
	}
	f.Racy = now.Sub(fi.ModTime()) < racyWindow
	d.files[rel] = f
	dir := filepath.ToSlash(filepath.Dir(rel))
	if _, ok := d.dirs[dir]; !ok {
		if di, err := os.Stat(filepath.Join(root, filepath.FromSlash(dir))); err == nil {
			d.dirs[dir] = di.ModTime().UnixNano()
		}
	}
	return f.Hash, nil
}

func hashBytes(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// inputHashes hashes, per build group, everything its build reads from the
// module: the source and embedded files of every in-module package it
// depends on, go.mod and go.sum (which pin every other dependency), the Go
// version, the target and the flags. One `go list` serves all groups.
func inputHashes(ctx context.Context, root string, groups map[string]*buildGroup, order []string, goVersion string, prev *state) (map[string]string, depFiles, error) {
	deps := depFiles{files: map[string]fstat{}, dirs: map[string]int64{}}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, deps, err
	}
	dirs := make([]string, len(order))
	for i, key := range order {
		dirs[i] = filepath.Join(absRoot, filepath.FromSlash(groups[key].source))
	}
	pkgs, err := HandlerDeps(ctx, absRoot, dirs, DepsOptions{GOOS: "linux"})
	if err != nil {
		return nil, deps, err
	}
	now := time.Now()
	common := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		h, err := deps.record(root, f, prev, now)
		if err != nil && f == "go.mod" {
			return nil, deps, err
		}
		fmt.Fprintf(common, "%s %s\n", f, h)
	}
	fmt.Fprintf(common, "%s %q\n", goVersion, buildFlags)
	hashes := map[string]string{}
	for i, key := range order {
		g := groups[key]
		h := sha256.New()
		h.Write(common.Sum(nil))
		fmt.Fprintf(h, "linux/%s\n", g.arch)
		for _, p := range pkgs[dirs[i]] {
			files := append(append([]string{}, p.GoFiles...), p.EmbedFiles...)
			sort.Strings(files)
			for _, f := range files {
				rel, err := filepath.Rel(absRoot, filepath.Join(p.Dir, f))
				if err != nil {
					return nil, deps, err
				}
				rel = filepath.ToSlash(rel)
				fh, err := deps.record(absRoot, rel, prev, now)
				if err != nil {
					return nil, deps, err
				}
				fmt.Fprintf(h, "%s %s\n", rel, fh)
			}
		}
		hashes[key] = hex.EncodeToString(h.Sum(nil))
	}
	return hashes, deps, nil
}
