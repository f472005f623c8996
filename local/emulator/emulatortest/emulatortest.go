// Package emulatortest starts a private local stack (moto + kumo) for a
// test, as net/http/httptest starts a server: tools found or installed once,
// the stack stopped when the test ends.
package emulatortest

import (
	"context"
	"testing"

	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/tools"
)

// Start finds or installs the tools and starts a stack that is stopped
// when t ends (stopping it earlier is fine).
func Start(t testing.TB) (*emulator.Stack, *tools.Toolchain) {
	t.Helper()
	ctx := context.Background()
	tc, err := tools.Ensure(ctx, tools.Options{RequireMoto: true})
	if err != nil {
		t.Fatalf("tools: %v", err)
	}
	stack, err := emulator.Start(ctx, tc.Kumo, tc.Moto, nil)
	if err != nil {
		t.Fatalf("start emulators: %v", err)
	}
	t.Cleanup(stack.Stop)
	return stack, tc
}
