//go:build !unix

package audit

// processRunning cannot tell on this system, so it says yes: another
// process's calls are taken for dead only after the grace period.
func processRunning(int) bool { return true }
