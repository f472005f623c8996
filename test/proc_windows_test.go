//go:build windows

package test

import "os/exec"

// The end-to-end tests run on Linux and macOS (the local stack does not
// run on Windows); these let `GOOS=windows go vet` check the module.
func ownProcessGroup(*exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
