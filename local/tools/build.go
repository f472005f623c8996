package tools

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// ensureBuilt returns t's binary from the cache when it matches its sha256
// record, and otherwise builds it from mod (a missing, unrecorded, corrupted
// or changed binary is rebuilt, with a line saying why).
func ensureBuilt(ctx context.Context, opt Options, t GoTool, mod BuildModule, eta string) (bin, sum, how string, err error) {
	dir := filepath.Join(opt.CacheDir, "bin", t.Name+"-"+t.Version)
	bin = filepath.Join(dir, t.Name)
	c := checkCached(bin, bin+".sha256")
	if c.verified() {
		return bin, c.SHA256, "cached build, sha256 verified", nil
	}
	how = "built from its pinned build module, every module checked against go.sum"
	if c.Exists {
		fmt.Fprintf(opt.Log, "%s: the cached build %s %s: rebuilding\n", t.Name, bin, c.Reason)
		how = "rebuilt (the cached build " + c.Reason + "), every module checked against go.sum"
	}
	sum, err = buildGoTool(ctx, opt, t, mod, dir, eta)
	if err != nil {
		return "", "", "", err
	}
	return bin, sum, how, nil
}

// buildGoTool builds t from its build module into dir/<t.Name>, with
// -mod=readonly so every module is checked against the build module's
// go.sum, then go mod verify checks that the module cache still holds what
// go.sum names. Only then is the binary's sha256 recorded next to it and the
// directory moved into place, so an interrupted or failed build never leaves
// a binary a later run would use.
func buildGoTool(ctx context.Context, opt Options, t GoTool, mod BuildModule, dir, eta string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	src, err := os.MkdirTemp(opt.CacheDir, "build-"+t.Name+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	if err := mod.write(src); err != nil {
		return "", err
	}
	out, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(out) // gone after the rename below
	if err := os.Chmod(out, 0o755); err != nil { // MkdirTemp makes it private
		return "", err
	}
	bin := filepath.Join(out, t.Name)
	env := append(verifiedGoEnv(os.Environ()), "CGO_ENABLED=0")
	build := goCommand(ctx, src, env, "build", "-mod=readonly", "-trimpath", "-o", bin, t.Package)
	build.Stdout, build.Stderr = opt.Log, opt.Log
	what := fmt.Sprintf("%s %s: go build from its pinned build module (%s)", t.Name, t.Version, eta)
	if err := withProgress(opt.Log, what, build.Run); err != nil {
		return "", fmt.Errorf("go build %s@%s: %w", t.Package, t.Version, err)
	}
	if _, err := runGo(ctx, src, env, nil, "mod", "verify"); err != nil {
		return "", fmt.Errorf("%s: %w", t.Name, err)
	}
	sum, err := writeSidecar(bin, bin+".sha256")
	if err != nil {
		return "", err
	}
	return sum, replaceDir(out, dir)
}

// replaceDir moves src to dst, replacing what dst held.
func replaceDir(src, dst string) error {
	old := dst + ".old-" + strconv.Itoa(os.Getpid())
	if err := os.Rename(dst, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func goCommand(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}
