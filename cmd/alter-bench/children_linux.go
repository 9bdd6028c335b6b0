package main

import (
	"os/exec"
	"syscall"
)

// killedWithParent has the kernel kill cmd's process if alter-bench dies
// first, even by SIGKILL, so that no server it started outlives it.
func killedWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
