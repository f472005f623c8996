//go:build !windows

package emulator

import (
	"os"
	"os/exec"
	"syscall"
)

// Supported reports whether the local stack can run on this system: it
// can on Linux and macOS.
func Supported() error { return nil }

// ownGroup starts the emulator in a process group of its own: moto_server
// is often a shim script, and Stop must take down the whole tree.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminateGroup asks the whole group to stop.
func terminateGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGTERM)
}

// killGroup kills the whole group.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}
