package test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestRelease runs `make release VERSION=v0.9.0` into a temporary dist and
// checks what a user downloads: six binaries, SHA256SUMS matching them, the
// module list of each, a Homebrew formula and a Scoop manifest made from
// the checksums, the release notes; then the Linux binary itself: its
// version is v0.9.0 and its init writes the modules under v0.9.0.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: cross-compiles apibuilder six times (minutes on 2 cores)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed: the release target cannot run")
	}
	const version = "v0.9.0"
	dist := t.TempDir()
	cmd := exec.Command("make", "release", "VERSION="+version, "DIST="+dist)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
	t.Logf("make release:\n%s", out)

	names := map[string]string{} // binary -> "os/arch"
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, arch := range []string{"amd64", "arm64"} {
			name := "apibuilder_0.9.0_" + goos + "_" + arch
			if goos == "windows" {
				name += ".exe"
			}
			names[name] = goos + "/" + arch
		}
	}

	// SHA256SUMS: one line per binary, each matching the file.
	sums := map[string]string{}
	raw, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not `<sha256>  <file>`", line)
		}
		sums[name] = sum
	}
	if len(sums) != 6 {
		t.Errorf("SHA256SUMS lists %d files, want the 6 binaries:\n%s", len(sums), raw)
	}
	for name, platform := range names {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Errorf("%s (%s): %v", name, platform, err)
			continue
		}
		h := sha256.Sum256(data)
		if got := hex.EncodeToString(h[:]); sums[name] != got {
			t.Errorf("%s: SHA256SUMS says %q, the file's sha256 is %s", name, sums[name], got)
		}
		mods, err := os.ReadFile(filepath.Join(dist, name+".modules.txt"))
		goos, arch, _ := strings.Cut(platform, "/")
		if err != nil || !strings.Contains(string(mods), "path\tgithub.com/apibuilder/apibuilder/cmd/apibuilder") ||
			!strings.Contains(string(mods), "GOOS="+goos) || !strings.Contains(string(mods), "GOARCH="+arch) ||
			!strings.Contains(string(mods), "dep\tgopkg.in/yaml.v3") || strings.Contains(string(mods), dist) {
			t.Errorf("%s.modules.txt is not its `go version -m` (err %v):\n%s", name, err, mods)
		}
	}

	// The formula and the manifest carry the checksums of the binaries they install.
	rb, err := os.ReadFile(filepath.Join(dist, "apibuilder.rb"))
	if err != nil {
		t.Fatal(err)
	}
	for name, platform := range names {
		if strings.HasPrefix(platform, "windows/") {
			continue
		}
		if !strings.Contains(string(rb), "/"+version+"/"+name+`"`) || !strings.Contains(string(rb), `sha256 "`+sums[name]+`"`) {
			t.Errorf("apibuilder.rb lacks the url or sha256 of %s:\n%s", name, rb)
		}
	}
	var scoop struct {
		Version      string
		Architecture map[string]struct{ URL, Hash string }
	}
	js, err := os.ReadFile(filepath.Join(dist, "apibuilder.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &scoop); err != nil {
		t.Fatalf("apibuilder.json: %v", err)
	}
	for key, name := range map[string]string{"64bit": "apibuilder_0.9.0_windows_amd64.exe", "arm64": "apibuilder_0.9.0_windows_arm64.exe"} {
		a := scoop.Architecture[key]
		if scoop.Version != "0.9.0" || a.Hash != sums[name] || !strings.HasSuffix(a.URL, "/"+version+"/"+name) {
			t.Errorf("apibuilder.json %s: version %q url %q hash %q; want 0.9.0, .../%s, %s", key, scoop.Version, a.URL, a.Hash, name, sums[name])
		}
	}
	notes, err := os.ReadFile(filepath.Join(dist, "RELEASE_NOTES.md"))
	if err != nil || !strings.HasPrefix(string(notes), "# apibuilder "+version) || !strings.Contains(string(notes), "lambdakit/cors") {
		t.Errorf("RELEASE_NOTES.md is not CHANGELOG.md's section (err %v):\n%s", err, notes)
	}

	// The binary of this machine: stamped version, modules written under it.
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the stamped binary is checked on linux/amd64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(dist, "apibuilder_0.9.0_linux_amd64")
	v, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(v), "apibuilder "+version+" (commit ") || !strings.Contains(string(v), "linux/amd64)") {
		t.Errorf("%s version: %v\n%s; want it to print %s, its commit, Go version and platform", bin, err, v, version)
	}
	proj := filepath.Join(t.TempDir(), "shop")
	initOut, err := exec.Command(bin, "init", proj).CombinedOutput()
	if err != nil {
		t.Fatalf("%s init: %v\n%s", bin, err, initOut)
	}
	mods, err := os.ReadDir(filepath.Join(proj, ".apibuilder", "modules"))
	if err != nil || len(mods) != 1 || mods[0].Name() != version {
		t.Errorf("init wrote modules %v (err %v), want only .apibuilder/modules/%s/:\n%s", mods, err, version, initOut)
	}
	if _, err := os.Stat(filepath.Join(proj, ".apibuilder", "modules", version, "lambda_route", "main.tf")); err != nil {
		t.Errorf("init: %v", err)
	}
	main, _ := os.ReadFile(filepath.Join(proj, "envs", "dev", "main.tf"))
	if !strings.Contains(string(main), "../../.apibuilder/modules/"+version+"/") {
		t.Errorf("envs/dev/main.tf does not call the modules of %s:\n%s", version, main)
	}
}
