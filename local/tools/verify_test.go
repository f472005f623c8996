package tools

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// h1 is the go command's module hash, written out from its definition
// (sha256 of the sorted "<file sha256>  <prefix/name>" lines) so that the
// tests do not check dirhash against itself.
func h1(t *testing.T, dir, prefix string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		if prefix != "" {
			name = prefix + "/" + name
		}
		lines = append(lines, fmt.Sprintf("%x  %s\n", sha256.Sum256(data), name))
		return nil
	})
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	sum := sha256.Sum256([]byte(strings.Join(lines, "")))
	return "h1:" + base64.StdEncoding.EncodeToString(sum[:])
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replaceFile swaps a file for another of the same size, as a tamperer
// would: a new inode, the old content's length.
func replaceFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// The provider source is checked against the pinned checksums as go mod
// download reports them, and the copy that is built is hashed again.
func TestProviderSourceVerification(t *testing.T) {
	const path, version = "github.com/upbound/terraform-provider-aws", "v0.0.0-20251204202605-7049bcc1808e"
	tree := t.TempDir()
	writeFiles(t, tree, map[string]string{"go.mod": "module github.com/hashicorp/terraform-provider-aws\n", "main.go": "package main\n", "internal/x/x.go": "package x\n"})
	want := h1(t, tree, path+"@"+version)
	const goModSum = "h1:jLhVreuqc4jLWdeijeFQYJzEchgUW7P6Vllb65BuIXw="
	ok := moduleDownload{Path: path, Version: version, Dir: "/modcache/x", Sum: want, GoModSum: goModSum}

	if err := checkProviderSource(ok, tree, want, goModSum); err != nil {
		t.Fatalf("matching download and tree: %v", err)
	}
	for name, c := range map[string]struct {
		dl   moduleDownload
		want string
	}{
		"other sum":        {moduleDownload{Path: path, Version: version, Sum: "h1:AAAA", GoModSum: goModSum}, "pinned " + want},
		"other go.mod sum": {moduleDownload{Path: path, Version: version, Sum: want, GoModSum: "h1:BBBB"}, "pinned"},
		"download error":   {moduleDownload{Path: path, Version: version, Error: "verifying module: checksum mismatch"}, "checksum mismatch"},
	} {
		if err := checkProviderSource(c.dl, tree, want, goModSum); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
	// The copy differs from what was downloaded (the module cache was edited).
	writeFiles(t, tree, map[string]string{"internal/x/x.go": "package x // changed\n"})
	if err := checkProviderSource(ok, tree, want, goModSum); err == nil || !strings.Contains(err.Error(), "module cache was changed") {
		t.Errorf("changed tree: err = %v", err)
	}

	// The download module pins the real constants in its go.sum.
	m := providerSourceBuildModule()
	if reqs, _ := parseGoMod(m.GoMod); reqs[providerSourcePath] != providerSourceVersion {
		t.Errorf("download module requires %v", reqs)
	}
	sums := parseGoSum(m.GoSum)
	if sums[providerSourcePath+" "+providerSourceVersion] != providerSourceSum || sums[providerSourcePath+" "+providerSourceVersion+"/go.mod"] != providerSourceGoModSum {
		t.Errorf("download module go.sum:\n%s", m.GoSum)
	}
}

// The image's provider package is checked against the pinned h1 terraform
// records; a check is remembered only while its files are unchanged.
func TestImageMirrorChecked(t *testing.T) {
	mirror := t.TempDir()
	pkg := filepath.Join(mirror, providerAddress, "9.9.9", platform())
	writeFiles(t, pkg, map[string]string{"terraform-provider-aws_v9.9.9_x5": "#!/bin/true\nofficial\n", "LICENSE.txt": "MPL\n"})
	pins := map[string]string{"9.9.9/" + platform(): h1(t, pkg, "")}
	opt := Options{CacheDir: t.TempDir()}

	how, sum, err := checkImageMirror(opt, mirror, "9.9.9", pins)
	if err != nil || sum != pins["9.9.9/"+platform()] || !strings.Contains(how, "h1 of the official release verified") {
		t.Fatalf("intact package: how %q, sum %s, err %v", how, sum, err)
	}
	how, _, err = checkImageMirror(opt, mirror, "9.9.9", pins)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && !strings.Contains(how, "files unchanged since hashed") {
		t.Errorf("second check hashed again: %q", how)
	}

	// Replaced by a file of the same size: the remembered check no longer
	// applies, and the error says what to do.
	replaceFile(t, filepath.Join(pkg, "terraform-provider-aws_v9.9.9_x5"), "#!/bin/true\ntampered")
	_, _, err = checkImageMirror(opt, mirror, "9.9.9", pins)
	if err == nil || !strings.Contains(err.Error(), "corrupted or was replaced") || !strings.Contains(err.Error(), "APIBUILDER_PROVIDER_FALLBACK=1") {
		t.Errorf("tampered package: err = %v", err)
	}

	// A version with no pinned h1 is used and said to be unverified.
	how, sum, err = checkImageMirror(opt, mirror, "9.9.8", pins)
	if err != nil || sum != "" || !strings.Contains(how, "not verified") {
		t.Errorf("unpinned version: how %q, sum %q, err %v", how, sum, err)
	}
}

// The real pin is the h1 terraform records for the official 5.100.0
// linux_amd64 package; where this machine image ships it, it matches.
func TestOfficialProviderPin(t *testing.T) {
	pkg := filepath.Join(ImageProviderMirror, providerAddress, "5.100.0", "linux_amd64")
	if _, err := os.Stat(pkg); err != nil || testing.Short() {
		t.Skipf("no image provider package to hash here (%v), or -short (hashing reads 700 MB)", err)
	}
	if got, err := packageH1(pkg); err != nil || got != officialProviderH1["5.100.0/linux_amd64"] {
		t.Errorf("h1 of %s = %s (%v), pinned %s", pkg, got, err, officialProviderH1["5.100.0/linux_amd64"])
	}
}

// A cached fallback provider build is used only while it matches the record
// next to the mirror, which terraform never reads.
func TestFallbackProviderCacheVerified(t *testing.T) {
	t.Setenv("APIBUILDER_PROVIDER_MIRROR", "")
	t.Setenv("APIBUILDER_PROVIDER_FALLBACK", "1")
	cache := t.TempDir()
	mirror := filepath.Join(cache, "providers")
	bin, sidecar := fallbackProviderPaths(mirror)
	writeFiles(t, filepath.Dir(bin), map[string]string{filepath.Base(bin): "#!/bin/true\nbuilt\n"})
	sum, err := writeSidecar(bin, sidecar)
	if err != nil {
		t.Fatal(err)
	}
	record, _ := os.ReadFile(sidecar)
	if want := sum + "  " + providerAddress + "/" + ProviderFallbackVersion + "/" + platform() + "/terraform-provider-aws_v" + ProviderFallbackVersion + "\n"; string(record) != want {
		t.Errorf("record = %q, want %q", record, want)
	}
	if filepath.Dir(sidecar) != mirror {
		t.Errorf("record %s is not at the mirror's top level", sidecar)
	}

	opt, err := Options{CacheDir: cache}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	tc := &Toolchain{}
	if err := ensureProvider(t.Context(), opt, tc); err != nil {
		t.Fatal(err)
	}
	if s := tc.Steps[0]; s.How != "cached source build, sha256 verified" || s.Checksum != "sha256:"+sum || tc.ProviderMirror != mirror {
		t.Errorf("step = %+v", s)
	}

	// Tampered: the check fails (ensureProvider would now rebuild, which
	// takes 20 minutes, so the check itself is what is tested).
	replaceFile(t, bin, "#!/bin/true\nevil!\n")
	if c := checkCached(bin, sidecar); c.verified() || !strings.Contains(c.Reason, "fails its sha256 check") {
		t.Errorf("tampered provider: %+v", c)
	}
	os.Remove(sidecar)
	if c := checkCached(bin, sidecar); c.verified() || !strings.Contains(c.Reason, "has no sha256 record") {
		t.Errorf("unrecorded provider: %+v", c)
	}
	if c := checkCached(filepath.Join(mirror, "none"), sidecar); c.Exists || c.verified() {
		t.Errorf("missing provider: %+v", c)
	}
}
