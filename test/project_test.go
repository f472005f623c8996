package test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apibuilder/apibuilder/internal/fsutil"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/tools"
)

// repoRoot is the apibuilder checkout this test module lives in.
func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// projectFiles are what a user's project holds: the routes file and what it
// points to. Tests copy them so that each test generates into its own tree.
var projectFiles = []string{"routes.yaml", "schemas", "functions", "modules", "go.mod", "go.sum"}

// copyProject copies the example project into a fresh temporary directory.
func copyProject(t *testing.T) string {
	t.Helper()
	src, dst := repoRoot(t), t.TempDir()
	for _, name := range projectFiles {
		skip := func(_ string, d os.DirEntry) bool { return d.Name() == ".terraform" }
		if err := fsutil.CopyTree(filepath.Join(src, name), filepath.Join(dst, name), skip); err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
	}
	return dst
}

// TestMain removes the generator binary that generate builds once per run.
func TestMain(m *testing.M) {
	code := m.Run()
	if generatorBin != "" {
		_ = os.RemoveAll(filepath.Dir(generatorBin))
	}
	os.Exit(code)
}

var (
	generatorOnce sync.Once
	generatorBin  string
	generatorErr  error
)

// generate builds the generator once per test binary and runs it on project.
func generate(t *testing.T, project string, args ...string) string {
	t.Helper()
	generatorOnce.Do(func() {
		dir, err := os.MkdirTemp("", "apibuilder-generator-")
		if err != nil {
			generatorErr = err
			return
		}
		generatorBin = filepath.Join(dir, "generator")
		cmd := exec.Command("go", "build", "-o", generatorBin, "./generator")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			generatorErr = &buildError{err: err, out: string(out)}
		}
	})
	if generatorErr != nil {
		t.Fatalf("build generator: %v", generatorErr)
	}
	cmd := exec.Command(generatorBin, append([]string{"-config", filepath.Join(project, "routes.yaml")}, args...)...)
	cmd.Dir = project
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("generator %v: %v\n%s", args, err, out)
	}
	return string(out)
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// toolchain finds or installs terraform, the provider mirror, moto and kumo
// (once per test binary: local/stack keeps them).
func toolchain(t *testing.T) *tools.Toolchain {
	t.Helper()
	tc, err := stack.Tools(context.Background(), os.Stderr)
	if err != nil {
		t.Fatalf("tools: %v", err)
	}
	return tc
}

// failureLog returns a log file that is printed only if the test fails:
// emulator and function output is noisy when all is well.
func failureLog(t *testing.T, name string) io.Writer {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), name+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = f.Close()
		if t.Failed() {
			data, _ := os.ReadFile(f.Name())
			const max = 20000
			if len(data) > max {
				data = data[len(data)-max:]
			}
			t.Logf("---- %s log (last %d bytes) ----\n%s", name, len(data), data)
		}
	})
	return &lockedWriter{w: f}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
