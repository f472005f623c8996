package tools

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
	defer os.RemoveAll(out)                      // gone after the rename below
	if err := os.Chmod(out, 0o755); err != nil { // MkdirTemp makes it private
		return "", err
	}
	bin := filepath.Join(out, t.Name)
	env := append(verifiedGoEnv(os.Environ()), "CGO_ENABLED=0")
	build := goCommand(ctx, src, env, "build", "-mod=readonly", "-trimpath", "-o", bin, t.Package)
	what := fmt.Sprintf("%s %s: go build from its pinned build module (%s)", t.Name, t.Version, eta)
	if err := runLogged(opt.Log, what, build); err != nil {
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

// runLogged runs a long go command with its output in log and progress
// lines; an error carries the end of its output.
func runLogged(log io.Writer, what string, cmd *exec.Cmd) error {
	var tail tailBuffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(log, &tail), io.MultiWriter(log, &tail)
	if err := withProgress(log, what, cmd.Run); err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(tail)))
	}
	return nil
}

// tailBuffer keeps the last 2 KB written to it.
type tailBuffer []byte

func (b *tailBuffer) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	if len(*b) > 2048 {
		*b = append((*b)[:0], (*b)[len(*b)-2048:]...)
	}
	return len(p), nil
}

func goCommand(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}
