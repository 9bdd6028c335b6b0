//go:build unix

package testutil

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// KillChild runs the test named child of the current test binary in a
// process of its own, with env added to this process's environment, and
// reads its stdout line by line with onLine. When onLine returns true the
// child is killed with SIGKILL at once; the lines it wrote before dying are
// still read. The child is killed anyway after timeout. KillChild fails t
// unless it was the SIGKILL that ended the child: a crash test whose child
// ends on its own proves nothing. It returns the child's process id.
//
// The child test must do nothing unless its environment says so (it runs
// with the rest of the package's tests too).
func KillChild(t *testing.T, child string, env []string, timeout time.Duration, onLine func(line string) (kill bool)) (pid int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(timeout, func() { cmd.Process.Kill() })
	defer timer.Stop()
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if onLine(sc.Text()) && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !killed || !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("%s ended on its own, not by the kill: %v (%v)", child, err, cmd.ProcessState)
	}
	return cmd.Process.Pid
}
