package test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gen "github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/tools"
	"github.com/apibuilder/apibuilder/testkit"
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
var projectFiles = []string{"routes.yaml", "schemas", "functions", "lambdakit", "modules", "go.mod", "go.sum"}

// copyProject copies the example project into a fresh temporary directory.
func copyProject(t *testing.T) string {
	t.Helper()
	src, dst := repoRoot(t), t.TempDir()
	for _, name := range projectFiles {
		skip := func(_ string, d os.DirEntry) bool { return d.Name() == ".terraform" }
		if err := testkit.CopyTree(filepath.Join(src, name), filepath.Join(dst, name), skip); err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
	}
	return dst
}

// generate runs the generator in-process on project, as `go run
// ./generator -config <project>/routes.yaml` would; "-no-build" skips
// building the functions.
func generate(t *testing.T, project string, args ...string) string {
	t.Helper()
	opt := gen.Options{Config: filepath.Join(project, "routes.yaml")}
	for _, a := range args {
		switch a {
		case "-no-build":
			opt.NoBuild = true
		default:
			t.Fatalf("generate: unknown argument %q", a)
		}
	}
	var log strings.Builder
	opt.Log = &log
	if _, err := gen.Run(context.Background(), opt); err != nil {
		t.Fatalf("generate %v: %v\n%s", args, err, log.String())
	}
	return log.String()
}

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
func failureLog(t *testing.T, name string) io.Writer { return testkit.FailureLog(t, name) }

// runStage runs one stage of a long end-to-end test, with the convention of
// terratest's test_structure.RunTestStage: SKIP_<name> set to anything
// skips it, so a contributor working on one stage can skip the others
// (SKIP_memory=1 SKIP_move=1 go test -run TestLifecycle). The setup a
// stage needs (copy, generate, apply on a fresh stack) always runs: the
// local stack lives only as long as the test. It reports whether the
// stage ran, for the stages that build on it.
func runStage(t *testing.T, name string, fn func()) bool {
	t.Helper()
	if os.Getenv("SKIP_"+name) != "" {
		t.Logf("stage %s: skipped (SKIP_%s is set)", name, name)
		return false
	}
	t.Logf("stage %s", name)
	fn()
	return true
}

// runStageAfter runs stage name only if the stages it builds on ran.
func runStageAfter(t *testing.T, name string, needs map[string]bool, fn func()) bool {
	t.Helper()
	for need, ran := range needs {
		if !ran {
			t.Logf("stage %s: skipped (it builds on stage %s, which was skipped)", name, need)
			return false
		}
	}
	return runStage(t, name, fn)
}
