package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

func platform() string { return runtime.GOOS + "_" + runtime.GOARCH }

// mirrorVersions lists provider versions with a binary for this platform in a mirror.
func mirrorVersions(mirror string) []string {
	var out []string
	entries, _ := os.ReadDir(filepath.Join(mirror, providerAddress))
	for _, e := range entries {
		bins, _ := filepath.Glob(filepath.Join(mirror, providerAddress, e.Name(), platform(), "terraform-provider-aws_*"))
		if len(bins) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

func ensureProvider(ctx context.Context, opt Options, tc *Toolchain) error {
	if m := os.Getenv("APIBUILDER_PROVIDER_MIRROR"); m != "" {
		if vs := mirrorVersions(m); len(vs) > 0 {
			tc.ProviderMirror, tc.ProviderVersion = m, vs[len(vs)-1]
			tc.record(opt, Step{Tool: "aws", Version: tc.ProviderVersion, Path: m, How: "mirror from APIBUILDER_PROVIDER_MIRROR"})
			return nil
		}
		return fmt.Errorf("APIBUILDER_PROVIDER_MIRROR=%s holds no %s build for %s", m, providerAddress, platform())
	}
	// APIBUILDER_PROVIDER_FALLBACK=1 skips the image's mirror, so the 6.13.0
	// fallback is built (once) and used: how the modules are tested on 6.x.
	if vs := mirrorVersions(ImageProviderMirror); len(vs) > 0 && os.Getenv("APIBUILDER_PROVIDER_FALLBACK") != "1" {
		v := vs[len(vs)-1]
		how, h1, err := checkImageMirror(opt, ImageProviderMirror, v, officialProviderH1)
		if err != nil {
			return err
		}
		tc.ProviderMirror, tc.ProviderVersion = ImageProviderMirror, v
		tc.record(opt, Step{Tool: "aws", Version: v, Path: ImageProviderMirror, How: how, Checksum: h1})
		return nil
	}
	mirror := filepath.Join(opt.CacheDir, "providers")
	bin, sidecar := fallbackProviderPaths(mirror)
	in := install{Name: "aws provider " + ProviderFallbackVersion, What: "building from its Go-module source",
		Why:     "this machine has no hashicorp/aws mirror to use (or APIBUILDER_PROVIDER_FALLBACK=1), and terraform must find the provider offline",
		Usually: "~20 min on 2 cores, ~10 GB RAM", Path: bin}
	got, err := ensureInstalled(ctx, opt, in, func() cacheCheck { return checkCached(bin, sidecar) },
		func(p *progress) (string, error) { return buildProvider(ctx, p, opt, mirror) })
	if err != nil {
		return err
	}
	how := "built from its Go-module source (pinned h1), every module checked against its go.sum"
	switch {
	case got.Cached && got.Waited:
		how = "built by another apibuilder process while this one waited, sha256 verified"
	case got.Cached:
		how = "cached source build, sha256 verified"
	case got.Stale != "":
		how = "rebuilt (the cached build " + got.Stale + ")"
	}
	tc.ProviderMirror, tc.ProviderVersion = mirror, ProviderFallbackVersion
	tc.record(opt, Step{Tool: "aws", Version: ProviderFallbackVersion, Path: mirror, How: how, Checksum: "sha256:" + got.SHA256})
	return nil
}

// fallbackProviderPaths are the fallback provider's binary in the mirror
// and its sha256 record. The record sits at the mirror's top level, where
// terraform looks for nothing, so the package directory holds only what
// terraform hashes into the lock file.
func fallbackProviderPaths(mirror string) (bin, sidecar string) {
	bin = filepath.Join(mirror, providerAddress, ProviderFallbackVersion, platform(), "terraform-provider-aws_v"+ProviderFallbackVersion)
	sidecar = filepath.Join(mirror, "terraform-provider-aws_v"+ProviderFallbackVersion+"_"+platform()+".sha256")
	return bin, sidecar
}

// checkImageMirror checks the image's provider package against the h1 that
// terraform records for the official release, when one is pinned for that
// version and platform. The image's provider is not ours to rebuild, so a
// mismatch is an error that says what to do.
func checkImageMirror(opt Options, mirror, version string, pins map[string]string) (how, h1 string, err error) {
	key := version + "/" + platform()
	want, ok := pins[key]
	if !ok {
		return "filesystem mirror shipped with the machine image (no h1 pinned for " + key + ": not verified)", "", nil
	}
	pkgDir := filepath.Join(mirror, providerAddress, version, platform())
	cached, err := checkProviderPackage(opt.CacheDir, pkgDir, want)
	if err != nil {
		return "", "", fmt.Errorf("%w; restore the image's provider, or set APIBUILDER_PROVIDER_FALLBACK=1 to build %s from source, or APIBUILDER_PROVIDER_MIRROR=<dir> to use a mirror of your own", err, ProviderFallbackVersion)
	}
	how = "filesystem mirror shipped with the machine image, h1 of the official release verified"
	if cached {
		how += " (files unchanged since hashed)"
	}
	return how, want, nil
}

// providerSourceBuildModule is a module whose go.sum holds the pinned
// checksums of the provider's source module, so that go mod download
// checks the download against them without the checksum database.
func providerSourceBuildModule() BuildModule {
	return BuildModule{
		GoMod: []byte(fmt.Sprintf("// Downloads the aws provider %s source, checked against go.sum.\nmodule apibuilder.local/toolbuild/aws-provider-source\n\ngo 1.24\n\nrequire %s %s\n",
			ProviderFallbackVersion, providerSourcePath, providerSourceVersion)),
		GoSum: []byte(sumLines(providerSourcePath, providerSourceVersion, providerSourceSum, providerSourceGoModSum)),
	}
}

// buildProvider builds the 6.13.0 provider from its Go-module source into
// the mirror layout and returns its sha256. The module has replace
// directives, so go install cannot build it; we build inside a writable
// copy of the module instead, whose go.sum (covered by the pinned checksum)
// checks every module the build downloads.
func buildProvider(ctx context.Context, p *progress, opt Options, mirror string) (string, error) {
	env := verifiedGoEnv(os.Environ())
	dlDir, err := os.MkdirTemp(opt.CacheDir, "build-aws-provider-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dlDir)
	if err := providerSourceBuildModule().write(dlDir); err != nil {
		return "", err
	}
	p.Phase(fmt.Sprintf("go mod download of the source %s@%s, checked against its pinned checksum", providerSourcePath, providerSourceVersion))
	out, err := runGo(ctx, dlDir, env, nil, "mod", "download", "-json", providerSourcePath+"@"+providerSourceVersion)
	var dl moduleDownload
	if jerr := json.Unmarshal(out, &dl); jerr != nil || (err != nil && dl.Error == "") {
		return "", fmt.Errorf("go mod download %s: %v %v", providerSourcePath, err, jerr)
	}
	work := filepath.Join(opt.CacheDir, "src", "terraform-provider-aws-"+ProviderFallbackVersion)
	_ = os.RemoveAll(work)
	p.Phase("copying the source into the cache and hashing it as go does")
	if dl.Error == "" {
		if err := os.CopyFS(work, os.DirFS(dl.Dir)); err != nil {
			return "", err
		}
	}
	if err := checkProviderSource(dl, work, providerSourceSum, providerSourceGoModSum); err != nil {
		return "", err
	}
	tmp := work + ".bin.tmp"
	defer os.Remove(tmp)
	build := goCommand(ctx, work, env, "build", "-mod=readonly", "-trimpath", "-o", tmp, ".")
	if err := runLogged(p, "go build (downloads its modules, checks each against the source's go.sum, compiles)", build); err != nil {
		return "", fmt.Errorf("go build provider: %w", err)
	}
	p.Phase("go mod verify (the module cache still holds what go.sum names)")
	if _, err := runGo(ctx, work, env, nil, "mod", "verify"); err != nil {
		return "", fmt.Errorf("aws provider: %w", err)
	}
	bin, sidecar := fallbackProviderPaths(mirror)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	if err := os.Remove(sidecar); err != nil && !os.IsNotExist(err) {
		return "", err
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	sum, err := writeSidecar(bin, sidecar)
	if err != nil {
		return "", err
	}
	return sum, os.RemoveAll(work)
}
