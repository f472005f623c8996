// Package warmrun lets a generate whose inputs and outputs are exactly as
// the last up-to-date run left them skip loading, validating and rendering.
// At 1,000 routes those take most of a second; the stats of the files they
// read and wrote take milliseconds.
//
// A record is saved only by a run that found every output already up to
// date: the generation is then a fixed point of its inputs (the names
// identity reads back from the previous main.tf included), so replaying
// the record gives what a full run would. Anything that may differ — the
// executable, the options, an input's or output's stat, a file added to a
// generated directory — makes Load miss, and the caller runs in full.
package warmrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/output"
)

// version changes when the record's meaning does.
const version = 1

// racyWindow: a file modified this close to the moment it is recorded may
// change again within the filesystem's timestamp granularity without its
// stat showing it; such files are compared by content (git's "racily
// clean" rule).
const racyWindow = 2 * time.Second

// Record is what one up-to-date run read and wrote.
type Record struct {
	Version int    `json:"version"`
	Key     string `json:"key"`
	// Inputs are absolute paths; Outputs slash paths relative to Root.
	Root    string          `json:"root"`
	Inputs  map[string]Stat `json:"inputs"`
	Outputs map[string]Stat `json:"outputs"`
	// Dirs are generated directories (relative to Root) and the names of
	// the files a generator could own in them: one added there (a stale
	// generated file) is for a full run to remove.
	Dirs map[string][]string `json:"dirs"`
	// Payload is the caller's: what the run would have returned.
	Payload json.RawMessage `json:"payload"`
}

// Stat identifies a file's or directory's content by its stat; Hash is
// the content's for racy files.
type Stat struct {
	Dir   bool   `json:"dir,omitempty"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	Hash  string `json:"sha256,omitempty"`
}

// Key hashes the parts that decide a run besides its files, with the
// executable (a new build of the generator may render differently). ok is
// false when the executable cannot be identified: then nothing is cached.
func Key(parts ...string) (key string, ok bool) {
	exe, err := os.Executable()
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	for _, p := range append(parts, exe, strconv.FormatInt(fi.ModTime().UnixNano(), 10), strconv.FormatInt(fi.Size(), 10)) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Path is where the record of key lives under dir.
func Path(dir, key string) string {
	return filepath.Join(dir, key[:16]+".json")
}

// Load returns the record at path when it was saved under key and every
// input, output and generated directory is as it was then; otherwise nil.
func Load(path, key string) *Record {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var r Record
	if json.Unmarshal(data, &r) != nil || r.Version != version || r.Key != key || len(r.Outputs) == 0 {
		return nil
	}
	for p, s := range r.Inputs {
		if !s.same(p) {
			return nil
		}
	}
	for rel, s := range r.Outputs {
		if !s.same(filepath.Join(r.Root, filepath.FromSlash(rel))) {
			return nil
		}
	}
	for rel, names := range r.Dirs {
		if !slices.Equal(ownable(filepath.Join(r.Root, filepath.FromSlash(rel))), names) {
			return nil
		}
	}
	return &r
}

// Settle rewrites the record at path once every racy file has aged past
// the racy window, so later loads compare stats only instead of hashing
// those files again. A failure to write only keeps them hashed.
func (r *Record) Settle(path string, now time.Time) {
	settled := false
	for _, m := range []map[string]Stat{r.Inputs, r.Outputs} {
		for p, s := range m {
			if s.Hash != "" && now.Sub(time.Unix(0, s.MTime)) >= racyWindow {
				s.Hash = ""
				m[p] = s
				settled = true
			}
		}
	}
	if !settled {
		return
	}
	if data, err := json.Marshal(r); err == nil {
		_ = output.WriteFile(path, data)
	}
}

// Save records a run: inputs (absolute paths), outputs (relative to root),
// the generated directories, and the payload. now is when the run began
// reading: files modified after it are recorded racy.
func Save(path, key, root string, inputs, outputs, dirs []string, payload any, now time.Time) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	r := Record{Version: version, Key: key, Root: root, Inputs: map[string]Stat{}, Outputs: map[string]Stat{}, Dirs: map[string][]string{}, Payload: raw}
	for _, p := range inputs {
		s, ok := stat(p, now)
		if !ok {
			return nil // gone already: the next run runs in full
		}
		r.Inputs[p] = s
	}
	for _, rel := range outputs {
		s, ok := stat(filepath.Join(root, filepath.FromSlash(rel)), now)
		if !ok {
			return nil
		}
		r.Outputs[rel] = s
	}
	for _, rel := range dirs {
		r.Dirs[rel] = ownable(filepath.Join(root, filepath.FromSlash(rel)))
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	return output.WriteFile(path, data)
}

func stat(p string, now time.Time) (Stat, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return Stat{}, false
	}
	s := Stat{Dir: fi.IsDir(), MTime: fi.ModTime().UnixNano()}
	if s.Dir {
		return s, true
	}
	s.Size = fi.Size()
	if now.Sub(fi.ModTime()) < racyWindow {
		data, err := os.ReadFile(p)
		if err != nil {
			return Stat{}, false
		}
		s.Hash = hash(data)
	}
	return s, true
}

func (s Stat) same(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() != s.Dir || fi.ModTime().UnixNano() != s.MTime || !s.Dir && fi.Size() != s.Size {
		return false
	}
	if s.Hash != "" {
		data, err := os.ReadFile(p)
		return err == nil && hash(data) == s.Hash
	}
	return true
}

// ownable lists the names in dir a generator could own: Terraform, tfvars,
// JSON and lock files, and directories (a module copy's versions). What
// Terraform itself keeps there (.terraform, state, plans) is left out, so
// an apply does not make the next generate run in full.
func ownable(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, ".") && n != ".terraform.lock.hcl":
		case e.IsDir(), strings.HasSuffix(n, ".tf"), strings.HasSuffix(n, ".tfvars"), strings.HasSuffix(n, ".json"), strings.HasSuffix(n, ".hcl"):
			names = append(names, n)
		}
	}
	return names
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
