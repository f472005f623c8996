// Package savedplan ties a saved Terraform plan (deploy -out FILE) to the
// generated files it was made from, so that `deploy -plan FILE` applies
// exactly the plan a reviewer approved or refuses, saying which file
// changed. Terraform already refuses a plan whose state changed since
// (a stale plan) and carries the configuration inside the plan; what it
// does not check are the files the configuration reads at apply time
// (the function packages) and that the environment on disk is still the
// one that was planned. The record sits next to the plan (FILE.inputs.json)
// and travels with it as one artifact.
package savedplan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// version changes when the record's meaning does.
const version = 1

// Record is what a saved plan was made from.
type Record struct {
	Version int `json:"version"`
	// Env and Preview name what was planned (Preview "" for the env).
	Env     string `json:"env"`
	Preview string `json:"preview,omitempty"`
	// Dir is the environment's directory, a slash path relative to the
	// project root; terraform applies the plan there.
	Dir string `json:"dir"`
	// Region, Logs and AccountDir are what the checks before an apply
	// need (package guard), so an apply needs no generate.
	Region     string `json:"region,omitempty"`
	Logs       bool   `json:"logs,omitempty"`
	AccountDir string `json:"account_dir,omitempty"`
	// Files maps every input of the plan (slash paths relative to the
	// root) to the SHA-256 of its content.
	Files map[string]string `json:"files"`
}

// RecordPath is where the record of the plan at plan is kept.
func RecordPath(plan string) string { return plan + ".inputs.json" }

// PackagesDir is where generate writes the function packages and their
// manifest, relative to the project root.
const PackagesDir = "build/functions"

// Fingerprint hashes the inputs of a plan of the environment in dir
// (relative to root): its files (not Terraform's working files: .terraform/,
// state, the lock file, whose provider checksums the plan itself pins),
// and the function packages' manifest and every package it names.
func Fingerprint(root, dir string) (map[string]string, error) {
	files := map[string]string{}
	base := filepath.Join(root, filepath.FromSlash(dir))
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == ".terraform" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(name, "terraform.tfstate") || name == ".terraform.tfstate.lock.info" ||
			name == ".terraform.lock.hcl" || strings.HasSuffix(name, ".tfplan") || strings.HasSuffix(name, ".inputs.json") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return hashInto(files, root, filepath.ToSlash(rel))
	})
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", dir, err)
	}
	manifest := path.Join(PackagesDir, "manifest.json")
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(manifest)))
	if errors.Is(err, fs.ErrNotExist) {
		return files, nil
	}
	if err != nil {
		return nil, err
	}
	if err := hashInto(files, root, manifest); err != nil {
		return nil, err
	}
	var m struct {
		Artifacts map[string]struct {
			File string `json:"file"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", manifest, err)
	}
	for _, a := range m.Artifacts {
		// A package missing on disk is left out: Verify names it.
		if err := hashInto(files, root, path.Join(PackagesDir, path.Base(a.File))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return files, nil
}

func hashInto(files map[string]string, root, rel string) error {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	files[rel] = hex.EncodeToString(h.Sum(nil))
	return nil
}

// Save fingerprints r.Dir under root and writes the record next to plan.
func Save(plan, root string, r Record) error {
	files, err := Fingerprint(root, r.Dir)
	if err != nil {
		return err
	}
	r.Version, r.Files = version, files
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(RecordPath(plan), append(data, '\n'), 0o644)
}

// Load reads the record of the plan at plan.
func Load(plan string) (*Record, error) {
	data, err := os.ReadFile(RecordPath(plan))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no record of what it was planned from (%s): make saved plans with apibuilder deploy -out, and keep the two files together", plan, RecordPath(plan))
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil || r.Version != version || r.Dir == "" {
		return nil, fmt.Errorf("%s: not a record this apibuilder can read (version %d, want %d): plan again with this version", RecordPath(plan), r.Version, version)
	}
	return &r, nil
}

// Verify refuses when the files under root differ from those r was
// planned from, naming each one that changed, appeared or went missing.
func (r *Record) Verify(root string) error {
	now, err := Fingerprint(root, r.Dir)
	if err != nil {
		return err
	}
	var diffs []string
	for rel, sum := range r.Files {
		switch got, ok := now[rel]; {
		case !ok:
			diffs = append(diffs, rel+" (missing)")
		case got != sum:
			diffs = append(diffs, rel+" (changed)")
		}
	}
	for rel := range now {
		if _, ok := r.Files[rel]; !ok {
			diffs = append(diffs, rel+" (new)")
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	slices.Sort(diffs)
	return fmt.Errorf("the generated files differ from those the saved plan was made from: %s. The plan was reviewed for other files; apply only from the commit it was planned at (with the same build/functions), or plan again with deploy -out. Nothing was applied", strings.Join(diffs, ", "))
}
