//go:build !windows

package test

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, so
// killProcessGroup also stops what it started (terraform's providers).
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
