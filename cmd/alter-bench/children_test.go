package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoppedCleansUp: alter-bench stopped by SIGTERM while its servers run
// leaves no server running and no folder behind; killed by SIGKILL, no
// server running.
func TestStoppedCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs alter-bench and alter-mcp")
	}
	dir := t.TempDir()
	bins := map[string]string{"alter-mcp": "github.com/alter-mcp/alter-mcp/cmd/alter-mcp", "alter-bench": "github.com/alter-mcp/alter-mcp/cmd/alter-bench"}
	for name, pkg := range bins {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
		build.Env = append(build.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v: %s", pkg, err, out)
		}
	}
	server := filepath.Join(dir, "alter-mcp")
	t.Cleanup(func() { serversOf(t, server, true) }) // what a failure leaves
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			work := t.TempDir()
			cmd := exec.Command(filepath.Join(dir, "alter-bench"), "-bin", server, "-n", "100000", "-stream=false")
			cmd.Env = append(os.Environ(), "TMPDIR="+work)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			sc := bufio.NewScanner(stderr)
			for sc.Scan() && !strings.Contains(sc.Text(), "alter-bench: stdio") {
			}
			go func() {
				for sc.Scan() {
				}
			}()
			time.Sleep(300 * time.Millisecond) // its HTTP server up, its stdio server starting or measured
			if n := serversOf(t, server, false); n == 0 {
				t.Fatal("no alter-mcp running before the signal: the test measures nothing")
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			deadline := time.Now().Add(5 * time.Second)
			for serversOf(t, server, false) > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := serversOf(t, server, false); n > 0 {
				t.Errorf("%d alter-mcp processes outlived alter-bench", n)
			}
			if sig == syscall.SIGKILL {
				return // nothing could remove the folder
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Errorf("alter-bench after %v: %v, want exit status 1", sig, err)
			}
			if left, _ := os.ReadDir(work); len(left) > 0 {
				t.Errorf("alter-bench left %v in its temporary folder", left)
			}
		})
	}
}

// serversOf counts the live processes running bin (Linux /proc), and kills
// them if kill.
func serversOf(t *testing.T, bin string, kill bool) int {
	t.Helper()
	procs, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to find processes in")
	}
	n := 0
	for _, p := range procs {
		exe, err := os.Readlink(filepath.Join("/proc", p.Name(), "exe"))
		if err != nil || exe != bin {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", p.Name(), "stat"))
		if err == nil && !strings.Contains(string(stat), ") Z ") { // a zombie has exited
			n++
			if pid, err := strconv.Atoi(p.Name()); kill && err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	return n
}
