// Package stacktest starts a private local stack (moto + kumo behind their
// proxies) for one test, as net/http/httptest starts a server: the stack is
// closed when the test ends, and its log is printed only if the test failed.
package stacktest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/local/stack"
)

// logTail is how much of the stack's log a failed test prints.
const logTail = 20000

// Start starts a stack that is closed when t ends (closing it earlier is
// fine). Without opt.Logs, the emulators' and proxies' output goes to a
// file whose last part is printed if t fails.
func Start(t testing.TB, opt stack.Options) *stack.Stack {
	t.Helper()
	if opt.Logs == nil {
		f, err := os.Create(filepath.Join(t.TempDir(), "stack.log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = f.Close()
			if !t.Failed() {
				return
			}
			data, _ := os.ReadFile(f.Name())
			if len(data) > logTail {
				data = data[len(data)-logTail:]
			}
			t.Logf("---- local stack log (last %d bytes) ----\n%s", len(data), data)
		})
		opt.Logs = f
	}
	s, err := stack.Up(context.Background(), opt)
	if err != nil {
		t.Fatalf("local stack: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}
