// Package modcopy writes the Terraform modules the tool carries into a
// project (.apibuilder/modules/<version>/), so the generated envs resolve
// their module sources on any machine, without this repository, at exactly
// the version of the generator that wrote them.
//
// Every copied file starts with the generated-file header, and a manifest
// records each file's hash as written: a copy edited by hand is told apart
// from a stale one (an older apibuilder's), and the generator never
// silently overwrites an edit.
package modcopy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apibuilder/apibuilder/generator/output"
)

// Root is where copies live, relative to the project root. The generator
// owns everything under it.
const Root = ".apibuilder/modules"

// ManifestName is the manifest's file name inside a version directory.
const ManifestName = "manifest.json"

// Manifest lists what was written, by slash path relative to the version
// directory, with the sha256 of each file's bytes.
type Manifest struct {
	Generated string            `json:"//"`
	Version   string            `json:"version"`
	Files     map[string]string `json:"files"`
}

// Dir is the directory of the modules of version, relative to the project root.
func Dir(version string) string { return Root + "/" + version }

// DevelVersion names the modules of a development build by their content,
// so two different development builds never share a directory.
func DevelVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return "devel-" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Files returns the copy of every .tf file of fsys (module directories at
// its root) under Dir(version), each with header prepended, plus the
// manifest, keyed by slash path relative to the project root.
func Files(fsys fs.FS, version, header string) (map[string][]byte, error) {
	dir := Dir(version)
	out := map[string][]byte{}
	man := Manifest{Generated: strings.TrimSpace(strings.TrimPrefix(header, "#")), Version: version, Files: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".tf" {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		note := fmt.Sprintf("# apibuilder %s, module %s: change it in apibuilder, not here (the next generate rewrites this copy).\n\n", version, path.Dir(p))
		data := append([]byte(header+note), src...)
		out[dir+"/"+p] = data
		man.Files[p] = sum(data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the modules: %w", err)
	}
	if len(man.Files) == 0 {
		return nil, fmt.Errorf("no module files to copy")
	}
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	out[dir+"/"+ManifestName] = append(data, '\n')
	return out, nil
}

// Edited lists the files of every copy under root/Root whose bytes differ
// from what its manifest says was written: edits made by hand, which the
// generator must not overwrite or remove unasked. A copy without a
// readable manifest is reported as a whole. Line endings do not count: a
// CRLF checkout of an unedited copy is unedited.
func Edited(root string) ([]string, error) {
	base := filepath.Join(root, filepath.FromSlash(Root))
	entries, err := os.ReadDir(base)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var edited []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		vdir := Root + "/" + e.Name()
		raw, err := os.ReadFile(filepath.Join(base, e.Name(), ManifestName))
		var man Manifest
		if err != nil || json.Unmarshal(raw, &man) != nil {
			edited = append(edited, vdir+"/"+ManifestName)
			continue
		}
		_ = filepath.WalkDir(filepath.Join(base, e.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == ManifestName {
				return nil
			}
			rel, _ := filepath.Rel(filepath.Join(base, e.Name()), p)
			rel = filepath.ToSlash(rel)
			data, err := os.ReadFile(p)
			if want, ok := man.Files[rel]; !ok || err != nil || sum(output.LF(data)) != want {
				edited = append(edited, vdir+"/"+rel)
			}
			return nil
		})
	}
	sort.Strings(edited)
	return edited, nil
}

// sum is a file's hash as the manifest records it.
func sum(data []byte) string {
	h := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(h[:])
}

// IsManifest reports whether rel (relative to the project root) is a
// copy's manifest.
func IsManifest(rel string) bool {
	return strings.HasPrefix(rel, Root+"/") && path.Base(rel) == ManifestName
}
