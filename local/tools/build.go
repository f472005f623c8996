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
// or changed binary is rebuilt, with a line saying why), once per machine
// at a time (ensureInstalled). usually says how long a build takes.
func ensureBuilt(ctx context.Context, opt Options, t GoTool, mod BuildModule, usually string) (bin, sum, how string, err error) {
	dir := filepath.Join(opt.CacheDir, "bin", t.Name+"-"+t.Version)
	bin = filepath.Join(dir, t.Name)
	in := install{Name: t.Name + " " + t.Version, What: "building from source", Why: t.Why, Usually: usually, Path: bin}
	got, err := ensureInstalled(ctx, opt, in, func() cacheCheck { return checkCached(bin, bin+".sha256") },
		func(p *progress) (string, error) { return buildGoTool(ctx, p, opt, t, mod, dir) })
	if err != nil {
		return "", "", "", err
	}
	switch {
	case got.Cached && got.Waited:
		how = "built by another apibuilder process while this one waited, sha256 verified"
	case got.Cached:
		how = "cached build, sha256 verified"
	case got.Stale != "":
		how = "rebuilt (the cached build " + got.Stale + "), every module checked against go.sum"
	default:
		how = "built from its pinned build module, every module checked against go.sum"
	}
	return bin, got.SHA256, how, nil
}

// buildGoTool builds t from its build module into dir/<t.Name>, with
// -mod=readonly so every module is checked against the build module's
// go.sum, then go mod verify checks that the module cache still holds what
// go.sum names. Only then is the binary's sha256 recorded next to it and the
// directory moved into place, so an interrupted or failed build never leaves
// a binary a later run would use.
func buildGoTool(ctx context.Context, p *progress, opt Options, t GoTool, mod BuildModule, dir string) (string, error) {
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
	if err := runLogged(p, "go build of "+t.Package+" (downloads its modules, checks each against the pinned go.sum, compiles)", build); err != nil {
		return "", fmt.Errorf("go build %s@%s: %w", t.Package, t.Version, err)
	}
	p.Phase("go mod verify (the module cache still holds what go.sum names)")
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

// runLogged runs a long go command as the install's phase, its output in
// the install's log; an error carries the end of its output.
func runLogged(p *progress, phase string, cmd *exec.Cmd) error {
	var tail tailBuffer
	w := io.MultiWriter(p.log, &tail) // one writer: exec then writes from one goroutine at a time
	cmd.Stdout, cmd.Stderr = w, w
	p.Phase(phase)
	if err := cmd.Run(); err != nil {
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
