//go:build windows

package runner

import (
	"os"
	"os/exec"
)

// ownGroup does nothing on Windows: the local stack does not run there
// (emulator.Supported says why); this file only lets the command build.
func ownGroup(*exec.Cmd) {}

// killGroup kills the process itself: Windows has no process groups to
// signal.
func killGroup(p *os.Process) {
	_ = p.Kill()
}
