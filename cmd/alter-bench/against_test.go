package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestInterleaved: the turns go -bin, -against, -against, -bin, -bin, ...,
// and each binary's results come back in the order taken.
func TestInterleaved(t *testing.T) {
	a, b := &target{bin: "a"}, &target{bin: "b"}
	for _, c := range []struct {
		pairs  int
		order  string
		ra, rb []int
	}{
		{1, "ab", []int{1}, []int{2}},
		{2, "abba", []int{1, 4}, []int{2, 3}},
		{4, "abbaabba", []int{1, 4, 5, 8}, []int{2, 3, 6, 7}},
	} {
		var turns []string
		ra, rb, err := interleaved(a, b, c.pairs, func(t *target) (int, error) {
			turns = append(turns, t.bin)
			return len(turns), nil
		})
		if err != nil || strings.Join(turns, "") != c.order || !slices.Equal(ra, c.ra) || !slices.Equal(rb, c.rb) {
			t.Errorf("%d: turns %v, -bin %v, -against %v, %v; want %s, %v, %v", c.pairs, turns, ra, rb, err, c.order, c.ra, c.rb)
		}
	}
	_, _, err := interleaved(a, b, 2, func(t *target) (int, error) {
		if t == b {
			return 0, errors.New("refused")
		}
		return 0, nil
	})
	if err == nil || !strings.Contains(err.Error(), "b: refused") {
		t.Errorf("a failed turn: %v, want the binary and its error", err)
	}
}

// TestMerged: the turns of a throughput point, of equal length, make their
// mean rate, and the CPU a call weighted by the calls of each turn.
func TestMerged(t *testing.T) {
	got := merged([]load{
		{perSecond: 1000, server: 300 * time.Microsecond, self: 50 * time.Microsecond},
		{perSecond: 3000, server: 100 * time.Microsecond, self: 10 * time.Microsecond},
	})
	want := load{perSecond: 2000, server: 150 * time.Microsecond, self: 20 * time.Microsecond}
	if got != want {
		t.Errorf("merged = %+v, want %+v", got, want)
	}
	if got := merged(nil); got != (load{}) {
		t.Errorf("merged(nil) = %+v", got)
	}
	if got := pooled([]latencies{{3, 5}, {1, 4}, {2}}); len(got) != 5 || got.pct(0) != 1 || got.pct(100) != 5 {
		t.Errorf("pooled = %v, want 1 2 3 4 5", got)
	}
}

// TestAgainstRows runs the -against table end to end, small, with one
// build of alter-mcp as both binaries: every row has both figures.
func TestAgainstRows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs alter-mcp")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "alter-mcp")
	build := exec.Command("go", "build", "-o", bin, "github.com/alter-mcp/alter-mcp/cmd/alter-mcp")
	build.Env = append(build.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	fake, err := startFakeS3(1)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	s3List := prepareCall("s3_list", map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "reason": "test"})
	rows, err := against(bin, bin, dir, fake.URL, 2, 10, 600*time.Millisecond, []int{2}, []string{legacy, modern}, s3List, prepareCall("list_grants", nil))
	if err != nil {
		t.Fatal(err)
	}
	// stdio and two eras: p50 and p99 each; per era two tools: calls/s and
	// CPU each; cold start; version.
	if len(rows) != 6+8+2 {
		t.Errorf("%d rows, want 16", len(rows))
	}
	for _, r := range rows {
		if r.value == "" || r.reference == "" || !strings.HasSuffix(r.ratio, "×") || strings.HasPrefix(r.value, "0 ") || strings.HasPrefix(r.value, "0/") {
			t.Errorf("row %+v: a figure is missing", r)
		}
	}
	if fake.requests.Load() < 4*10 {
		t.Errorf("the fake served %d requests; the latency turns alone make 40", fake.requests.Load())
	}
}
