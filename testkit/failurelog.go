package testkit

import (
	"io"
	"os"
	"testing"
)

// FailureLogTail is how much of a failure log a failed test prints.
const FailureLogTail = 20000

// FailureLog returns a log file, in t's temporary directory, whose last
// FailureLogTail bytes are printed only if t fails: emulator, terraform and
// function output is noisy when all is well. The file is safe for
// concurrent writers (an *os.File), and processes started with it as their
// output write to it directly.
func FailureLog(t testing.TB, name string) io.Writer {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), name+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = f.Close()
		if !t.Failed() {
			return
		}
		data, _ := os.ReadFile(f.Name())
		if len(data) > FailureLogTail {
			data = data[len(data)-FailureLogTail:]
		}
		t.Logf("---- %s log (last %d bytes) ----\n%s", name, len(data), data)
	})
	return f
}
