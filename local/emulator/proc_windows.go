//go:build windows

package emulator

import (
	"errors"
	"os"
	"os/exec"
)

// ErrWindows is why the local stack stops at once on Windows.
var ErrWindows = errors.New("the local stack (local up, test without -aws) does not run on Windows: " +
	"it runs moto (Python) and kumo as child processes, and each handler as a Linux process of its own; " +
	"run it in WSL2 (install Go and moto there, then `apibuilder local up` inside WSL2). " +
	"init, generate, deploy and test -aws work on Windows")

// Supported reports whether the local stack can run on this system: not
// on Windows (ErrWindows says what to do instead).
func Supported() error { return ErrWindows }

// ownGroup does nothing on Windows (the stack stops before it starts a
// process); these functions only let the command build.
func ownGroup(*exec.Cmd) {}

func terminateGroup(p *os.Process) { _ = p.Kill() }

func killGroup(p *os.Process) { _ = p.Kill() }
