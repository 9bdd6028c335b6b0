//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envSoak sets how long TestSoak runs (a Go duration); .ci/run sets the
// full minute, a developer's go test runs 5 s.
const envSoak = "ALTER_MCP_SOAK"

// TestSoak runs the server (serve --transport http on the embedded store)
// under load from 8 MCP clients for a bounded time, sampling its resident
// memory every 250 ms: no call fails, every call is audited and the chain
// verifies, and RSS stays flat (the last third of the run no more than 1.5×
// the first third after warm-up, plus 16 MiB for the garbage collector's
// swing).
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("a soak under load")
	}
	t.Parallel()
	d := 5 * time.Second
	if s := os.Getenv(envSoak); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("%s=%q: %v", envSoak, s, err)
		}
	}
	aws := newFakeSTS(t)
	env := sharedEnv(t, "sqlite://"+filepath.Join(t.TempDir(), "alter.db"), aws.URL)
	mustRun(t, env, "", "grant", "add", "--name", "sts", "--from-env")
	key := strings.TrimSpace(mustRun(t, env, "", "caller", "add", "agent", "--grants", "sts").stdout)
	srv := startReplica(t, env, "soak")
	pid := srv.cmd.Process.Pid

	stop := make(chan struct{})
	type result struct {
		ok   []string
		errs []error
	}
	done := make(chan result)
	go func() {
		ok, errs := load(t, key, "soak", []string{srv.url}, 8, 1<<30, stop)
		done <- result{ok, errs}
	}()
	var samples []int64 // KiB
	tick := time.NewTicker(250 * time.Millisecond)
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		samples = append(samples, rssKiB(t, pid))
	}
	tick.Stop()
	close(stop)
	r := <-done
	for _, err := range r.errs {
		t.Errorf("a call failed: %v", err)
	}
	if len(r.ok) == 0 {
		t.Fatal("no call succeeded")
	}
	warm := len(samples) / 5
	third := (len(samples) - warm) / 3
	first, last := slices.Max(samples[warm:warm+third]), slices.Max(samples[len(samples)-third:])
	t.Logf("%d calls in %v (%.0f/s); RSS %d MiB after warm-up, %d MiB at the end, %d MiB at most",
		len(r.ok), d, float64(len(r.ok))/d.Seconds(), first>>10, last>>10, slices.Max(samples)>>10)
	if last > first*3/2+16<<10 {
		t.Errorf("RSS grew from %d MiB to %d MiB under a steady load", first>>10, last>>10)
	}
	if got := aws.requests.Load(); got != int64(len(r.ok)) {
		t.Errorf("AWS saw %d requests for %d calls", got, len(r.ok))
	}
	verify(t, env)
}

// rssKiB reads the resident set size of process pid from /proc.
func rssKiB(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}
