package tools

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests build a fake tool, example.com/faketool (a main package that
// imports example.com/fakedep), served by a file-system module proxy in a
// temporary directory: the same code path as kumo, without the network and
// in seconds.

var fakeTool = GoTool{Name: "faketool", Module: "example.com/faketool", Version: "v1.0.0", Package: "example.com/faketool/cmd/faketool"}

const fakeGreeting = "hello from fakedep v1.0.0"

// fakeProxy writes the two fake modules into a module proxy directory and
// returns it.
func fakeProxy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeProxyModule(t, root, "example.com/fakedep", "v1.0.0", map[string]string{
		"go.mod": "module example.com/fakedep\n\ngo 1.21\n",
		"dep.go": "package fakedep\n\nconst Greeting = \"" + fakeGreeting + "\"\n",
	})
	writeProxyModule(t, root, "example.com/faketool", "v1.0.0", map[string]string{
		"go.mod":               "module example.com/faketool\n\ngo 1.21\n\nrequire example.com/fakedep v1.0.0\n",
		"cmd/faketool/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/fakedep\"\n)\n\nfunc main() { fmt.Println(fakedep.Greeting) }\n",
	})
	return root
}

// writeProxyModule lays out one module version as GOPROXY=file:// serves it.
func writeProxyModule(t *testing.T, root, path, version string, files map[string]string) {
	t.Helper()
	dir := filepath.Join(root, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range files {
		w, err := zw.Create(path + "@" + version + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"list":            version + "\n",
		version + ".info": `{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`,
		version + ".mod":  files["go.mod"],
		version + ".zip":  zbuf.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goEnvForFakes points the go command at the fake proxy and a fresh module
// cache. GONOSUMDB lets the generator take the fakes (which no checksum
// database knows) from the proxy; builds drop it (verifiedGoEnv), so they
// can only succeed through go.sum.
func goEnvForFakes(t *testing.T, proxy string) (modCache string) {
	t.Helper()
	modCache = t.TempDir()
	// The module cache is read-only: make it removable (cleanups run last
	// registered first, so this runs before TempDir's removal).
	t.Cleanup(func() {
		filepath.WalkDir(modCache, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(proxy))
	t.Setenv("GOMODCACHE", modCache)
	t.Setenv("GONOSUMDB", "example.com")
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "-mod=mod") // what the old installer set; builds must override it
	return modCache
}

func runBinary(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", bin, err, out)
	}
	return strings.TrimSpace(string(out))
}

// The generated build module pins the tool and its dependency; a build
// records the binary's sha256 next to it; the cache is used only while the
// binary matches that record, and a tampered or unrecorded binary is
// rebuilt, with a line saying so.
func TestBuiltToolIsRecordedVerifiedAndRebuiltWhenTampered(t *testing.T) {
	goEnvForFakes(t, fakeProxy(t))
	ctx := context.Background()
	mod, err := GenerateBuildModule(ctx, fakeTool, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reqs, tools := parseGoMod(mod.GoMod); reqs["example.com/faketool"] != "v1.0.0" || reqs["example.com/fakedep"] != "v1.0.0" ||
		len(tools) != 1 || tools[0] != fakeTool.Package {
		t.Errorf("generated go.mod: requires %v, tools %v:\n%s", reqs, tools, mod.GoMod)
	}
	sums := parseGoSum(mod.GoSum)
	for _, key := range []string{"example.com/faketool v1.0.0", "example.com/faketool v1.0.0/go.mod", "example.com/fakedep v1.0.0", "example.com/fakedep v1.0.0/go.mod"} {
		if !strings.HasPrefix(sums[key], "h1:") {
			t.Errorf("generated go.sum has no h1 for %s:\n%s", key, mod.GoSum)
		}
	}

	var log bytes.Buffer
	opt := Options{CacheDir: t.TempDir(), Log: &log}
	bin, sum, how, err := ensureBuilt(ctx, opt, fakeTool, mod, "seconds")
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.HasPrefix(how, "built from its pinned build module") {
		t.Errorf("first build: how = %q", how)
	}
	if got := runBinary(t, bin); got != fakeGreeting {
		t.Errorf("built tool printed %q, want %q", got, fakeGreeting)
	}
	record, err := os.ReadFile(bin + ".sha256")
	if err != nil {
		t.Fatal(err)
	}
	if want := sum + "  faketool\n"; string(record) != want {
		t.Errorf("sidecar = %q, want %q (sha256sum format)", record, want)
	}
	if actual, _ := fileSHA256(bin); actual != sum {
		t.Errorf("recorded %s, binary has %s", sum, actual)
	}
	built, _ := os.Stat(bin)

	// Cached and intact: used as is.
	log.Reset()
	_, sum2, how, err := ensureBuilt(ctx, opt, fakeTool, mod, "seconds")
	if err != nil || how != "cached build, sha256 verified" || sum2 != sum {
		t.Fatalf("second run: how = %q, sum %s, err %v", how, sum2, err)
	}
	if again, _ := os.Stat(bin); !os.SameFile(built, again) {
		t.Error("an intact cached binary was rebuilt")
	}

	// Tampered: rebuilt, with a line saying so; -trimpath makes the rebuild
	// byte for byte the binary that was recorded.
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	log.Reset()
	_, sum3, how, err := ensureBuilt(ctx, opt, fakeTool, mod, "seconds")
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "fails its sha256 check") || !strings.Contains(log.String(), "rebuilding") || !strings.HasPrefix(how, "rebuilt (") {
		t.Errorf("tampered binary: how = %q, log:\n%s", how, log.String())
	}
	if sum3 != sum {
		t.Errorf("rebuild has sha256 %s, the first build %s", sum3, sum)
	}
	if got := runBinary(t, bin); got != fakeGreeting {
		t.Errorf("rebuilt tool printed %q", got)
	}

	// No record (an older installer's build): rebuilt too.
	if err := os.Remove(bin + ".sha256"); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if _, _, how, err = ensureBuilt(ctx, opt, fakeTool, mod, "seconds"); err != nil || !strings.Contains(log.String(), "has no sha256 record") {
		t.Errorf("unrecorded binary: how = %q, err %v, log:\n%s", how, err, log.String())
	}
	if _, err := os.Stat(bin + ".sha256"); err != nil {
		t.Errorf("rebuild left no record: %v", err)
	}
}

// A module whose content differs from go.sum, a go.sum that lacks a module,
// and a module cache changed after download all fail the build, and no
// binary is installed.
func TestBuildRefusesModulesThatDoNotMatchGoSum(t *testing.T) {
	proxy := fakeProxy(t)
	modCache := goEnvForFakes(t, proxy)
	ctx := context.Background()
	mod, err := GenerateBuildModule(ctx, fakeTool, nil)
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	bin := filepath.Join(cache, "bin", "faketool-v1.0.0", "faketool")
	build := func(m BuildModule) error {
		t.Helper()
		var log bytes.Buffer
		_, _, _, err := ensureBuilt(ctx, Options{CacheDir: cache, Log: &log}, fakeTool, m, "seconds")
		if err == nil {
			t.Errorf("build succeeded; log:\n%s", log.String())
		}
		if _, serr := os.Stat(bin); serr == nil {
			t.Errorf("a failed build installed %s", bin)
		}
		return err
	}

	t.Run("go.sum lacks a module", func(t *testing.T) {
		var kept []string
		for _, line := range strings.Split(string(mod.GoSum), "\n") {
			if !strings.HasPrefix(line, "example.com/fakedep v1.0.0 ") {
				kept = append(kept, line)
			}
		}
		err := build(BuildModule{GoMod: mod.GoMod, GoSum: []byte(strings.Join(kept, "\n"))})
		if err == nil || !strings.Contains(err.Error(), "missing go.sum entry") {
			t.Errorf("err = %v, want missing go.sum entry", err)
		}
	})

	t.Run("module cache changed after download", func(t *testing.T) {
		// A build with an intact go.sum fills the cache; then the extracted
		// source of fakedep is edited and the binary removed.
		var log bytes.Buffer
		opt := Options{CacheDir: cache, Log: &log}
		if _, _, _, err := ensureBuilt(ctx, opt, fakeTool, mod, "seconds"); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		os.RemoveAll(filepath.Dir(bin))
		depDir := filepath.Join(modCache, "example.com", "fakedep@v1.0.0")
		os.Chmod(depDir, 0o755)
		os.Chmod(filepath.Join(depDir, "dep.go"), 0o644)
		if err := os.WriteFile(filepath.Join(depDir, "dep.go"), []byte("package fakedep\n\nconst Greeting = \"evil\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := build(mod); err == nil || !strings.Contains(err.Error(), "dir has been modified") {
			t.Errorf("err = %v, want go mod verify's dir has been modified", err)
		}
	})

	t.Run("proxy serves different content", func(t *testing.T) {
		goEnvForFakes(t, proxy) // a fresh module cache: download again
		os.RemoveAll(filepath.Dir(bin))
		writeProxyModule(t, proxy, "example.com/fakedep", "v1.0.0", map[string]string{
			"go.mod": "module example.com/fakedep\n\ngo 1.21\n",
			"dep.go": "package fakedep\n\nconst Greeting = \"evil\"\n",
		})
		if err := build(mod); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Errorf("err = %v, want a checksum mismatch", err)
		}
	})
}

// The go command of a build checks every module against go.sum whatever
// the caller's environment turned off.
func TestVerifiedGoEnv(t *testing.T) {
	env := verifiedGoEnv([]string{"PATH=/bin", "GONOSUMDB=github.com/aws", "GONOSUMCHECK=1", "GONOVERIFY=1", "GOINSECURE=*",
		"GOPRIVATE=github.com/upbound", "GOFLAGS=-mod=mod", "GOWORK=/x/go.work", "GOSUMDB=off", "GOPROXY=https://proxy.golang.org"})
	want := []string{"PATH=/bin", "GOPROXY=https://proxy.golang.org", "GOFLAGS=-mod=readonly -buildvcs=false", "GOWORK=off"}
	if strings.Join(env, " ") != strings.Join(want, " ") {
		t.Errorf("verifiedGoEnv = %q, want %q", env, want)
	}
	// A checksum database of one's own stays.
	if env := verifiedGoEnv([]string{"GOSUMDB=sum.example.com"}); env[0] != "GOSUMDB=sum.example.com" {
		t.Errorf("GOSUMDB dropped: %q", env)
	}
}

// The build modules shipped for kumo and terraform pin the tool's version
// and carry the checksums a -mod=readonly build needs, and are written out
// unchanged.
func TestEmbeddedBuildModules(t *testing.T) {
	for _, tool := range GoTools() {
		mod, err := embeddedBuildModule(tool)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(mod.GoMod, []byte("\nreplace")) {
			t.Errorf("%s: the build module replaces modules: %s", tool.Name, mod.GoMod)
		}
		dir := t.TempDir()
		if err := mod.write(dir); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string][]byte{"go.mod": mod.GoMod, "go.sum": mod.GoSum} {
			if got, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(got, want) {
				t.Errorf("%s: written %s differs from the embedded one", tool.Name, name)
			}
		}
	}
	kumo, _ := embeddedBuildModule(kumoTool)
	// The two aws-sdk modules the checksum database here lacks come from
	// kumo's own go.sum.
	for _, key := range []string{"github.com/aws/aws-sdk-go-v2/service/amplify v1.38.16", "github.com/aws/aws-sdk-go-v2/service/appmesh v1.35.14"} {
		if parseGoSum(kumo.GoSum)[key] == "" {
			t.Errorf("kumo's go.sum lacks %s", key)
		}
	}

	// Check refuses a module that does not pin what it should.
	for name, m := range map[string]BuildModule{
		"other version": {GoMod: bytes.Replace(kumo.GoMod, []byte("kumo v0.33.1"), []byte("kumo v0.33.0"), 1), GoSum: kumo.GoSum},
		"no tool line":  {GoMod: bytes.Replace(kumo.GoMod, []byte("tool github.com"), []byte("// tool github.com"), 1), GoSum: kumo.GoSum},
		"no tool sum":   {GoMod: kumo.GoMod, GoSum: bytes.Replace(kumo.GoSum, []byte("github.com/sivchari/kumo v0.33.1 h1:"), []byte("x h1:"), 1)},
		"no go.mod sum": {GoMod: kumo.GoMod, GoSum: bytes.Replace(kumo.GoSum, []byte("github.com/spf13/cobra v1.10.2/go.mod"), []byte("x"), 1)},
	} {
		if err := m.Check(kumoTool); err == nil {
			t.Errorf("%s: Check passed", name)
		}
	}
}
