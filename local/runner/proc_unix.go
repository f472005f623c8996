//go:build !windows

package runner

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts the handler in a process group of its own, so killGroup
// also stops whatever it started.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process's whole group at once.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}
