//go:build unix

package audit

import (
	"errors"
	"syscall"
)

// processRunning reports whether a process with this id runs on this
// machine (signal 0 checks without sending anything; EPERM means it runs
// as another user).
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
