// Package stacktest starts a private local stack (moto + kumo behind their
// proxies) for one test, as net/http/httptest starts a server: the stack is
// closed when the test ends, and its log is printed only if the test failed.
//
// A stack needs the local stack's tools (terraform, the provider mirror,
// moto, kumo built from source), which the first run installs for minutes.
// go test -short must never install or build a tool, so under -short Start
// skips the test, saying why; in-process emulators (kumo.NewServer) and
// tests that need no stack keep running.
package stacktest

import (
	"context"
	"testing"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/testkit"
)

// SkipReason is what a test that needs the installed stack says when it is
// skipped under -short.
const SkipReason = "needs the local stack's tools (terraform, moto, kumo); run without -short"

// SkipIfShort skips t under -short: for a test that needs the local stack's
// tools without going through Start, or that should skip before expensive
// setup that comes ahead of Start.
func SkipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a local stack: " + SkipReason)
	}
}

// Start starts a stack that is closed when t ends (closing it earlier is
// fine). Without opt.Logs, the emulators' and proxies' output goes to a
// file whose last part is printed if t fails. Under -short it skips t
// (SkipIfShort): starting a stack may install the tools.
func Start(t testing.TB, opt stack.Options) *stack.Stack {
	t.Helper()
	SkipIfShort(t)
	if opt.Logs == nil {
		opt.Logs = testkit.FailureLog(t, "local stack")
	}
	s, err := stack.Up(context.Background(), opt)
	if err != nil {
		t.Fatalf("local stack: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}
