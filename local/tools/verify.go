package tools

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// Every binary the installer builds gets a sidecar file recording its
// sha256, written after the build succeeded and before the binary is moved
// into the cache; each use of the cache checks the binary against it. The
// sidecar uses sha256sum's format and names the binary relative to the
// sidecar's directory, so `sha256sum -c` there checks it too.

// fileSHA256 is the hex sha256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeSidecar records bin's sha256 in sidecar, atomically, and returns it.
func writeSidecar(bin, sidecar string) (string, error) {
	sum, err := fileSHA256(bin)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(filepath.Dir(sidecar), bin)
	if err != nil {
		return "", err
	}
	return sum, writeFileAtomic(sidecar, []byte(sum+"  "+filepath.ToSlash(rel)+"\n"))
}

// cacheCheck is the state of one cached binary.
type cacheCheck struct {
	Exists bool   // the binary is there
	SHA256 string // its sha256, when it exists and could be read
	Reason string // why it cannot be used; empty when it matches its record
}

func (c cacheCheck) verified() bool { return c.Exists && c.Reason == "" }

// checkCached checks bin against the sha256 recorded in sidecar.
func checkCached(bin, sidecar string) cacheCheck {
	sum, err := fileSHA256(bin)
	if errors.Is(err, fs.ErrNotExist) {
		return cacheCheck{Reason: "not built yet"}
	}
	if err != nil {
		return cacheCheck{Exists: true, Reason: "cannot be read (" + err.Error() + ")"}
	}
	c := cacheCheck{Exists: true, SHA256: sum}
	data, err := os.ReadFile(sidecar)
	if err != nil {
		c.Reason = "has no sha256 record " + filepath.Base(sidecar) + " (made by an older installer, or its build was interrupted)"
		return c
	}
	recorded, _, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	if recorded != sum {
		c.Reason = fmt.Sprintf("fails its sha256 check (recorded %s, the file has %s): it is corrupted or was changed", short(recorded), short(sum))
	}
	return c
}

// short abbreviates a hash for a progress line.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees a half-written file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// ---- provider packages: the hash terraform records ----

// officialProviderH1 holds the h1 checksum terraform records in
// .terraform.lock.hcl for official hashicorp/aws packages, by
// "<version>/<os>_<arch>". 5.100.0/linux_amd64: measured on this machine
// image's /opt/tf-plugins (2026-11-27) and equal to the h1 in public lock
// files for that release.
var officialProviderH1 = map[string]string{
	"5.100.0/linux_amd64": "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
}

// packageH1 is the h1 checksum terraform computes for an unpacked provider
// package directory (and records in the lock file).
func packageH1(dir string) (string, error) {
	return dirhash.HashDir(dir, "", dirhash.Hash1)
}

// checkProviderPackage checks an unpacked provider package against its
// pinned h1. Hashing the official 5.100.0 package reads 700 MB (0.6 s here),
// so a successful check is remembered in the cache, keyed by each file's
// inode, size, modification and change times: a later write, rename or
// chmod changes the change time, which no user can set, and forces a new
// hash. Where the change time is not known (not Linux), it hashes each time.
func checkProviderPackage(cacheDir, pkgDir, want string) (cached bool, err error) {
	fp, fpOK := dirFingerprint(pkgDir)
	stampPath := filepath.Join(cacheDir, "verified", "provider-"+short(sha256Hex(pkgDir))+".json")
	type stamp struct{ Dir, H1, Fingerprint string }
	if fpOK {
		var s stamp
		if data, err := os.ReadFile(stampPath); err == nil && json.Unmarshal(data, &s) == nil &&
			s.Dir == pkgDir && s.H1 == want && s.Fingerprint == fp {
			return true, nil
		}
	}
	got, err := packageH1(pkgDir)
	if err != nil {
		return false, err
	}
	if got != want {
		return false, fmt.Errorf("the package in %s has h1 %s, the official release has %s: it is corrupted or was replaced", pkgDir, got, want)
	}
	if fpOK {
		if err := os.MkdirAll(filepath.Dir(stampPath), 0o755); err == nil {
			data, _ := json.Marshal(stamp{Dir: pkgDir, H1: got, Fingerprint: fp})
			_ = writeFileAtomic(stampPath, data) // only saves time next run
		}
	}
	return false, nil
}

// dirFingerprint describes the files of dir by name and fileFingerprint;
// false when a file's fingerprint is unknown on this system.
func dirFingerprint(dir string) (string, bool) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		fp, ok := fileFingerprint(info)
		if !ok {
			return errors.ErrUnsupported
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %s\n", rel, fp)
		return nil
	})
	return b.String(), err == nil
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// ---- provider source: the module we build ----

// checkProviderSource checks a download of the provider's source module
// against the pinned checksums, then hashes tree (the copy we build from)
// the way go hashes a module, so what is built is exactly what was pinned
// (the module cache could have been changed since the download).
func checkProviderSource(dl moduleDownload, tree, wantSum, wantGoModSum string) error {
	if dl.Error != "" {
		return fmt.Errorf("go mod download %s@%s: %s", dl.Path, dl.Version, dl.Error)
	}
	if dl.Sum != wantSum || dl.GoModSum != wantGoModSum {
		return fmt.Errorf("%s@%s downloaded with checksums %s and %s (go.mod), pinned %s and %s",
			dl.Path, dl.Version, dl.Sum, dl.GoModSum, wantSum, wantGoModSum)
	}
	got, err := dirhash.HashDir(tree, dl.Path+"@"+dl.Version, dirhash.Hash1)
	if err != nil {
		return err
	}
	if got != wantSum {
		return fmt.Errorf("the source copied from %s has checksum %s, pinned %s: the module cache was changed since the download (go clean -modcache, then retry)", dl.Dir, got, wantSum)
	}
	return nil
}
