//go:build unix

package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/store"
)

// crashEnv names the store file TestCrashChild writes to; unset, that test
// does nothing.
const crashEnv = "ALTER_MCP_TEST_CRASH_STORE"

// TestCrash kills a process that is writing to the store with SIGKILL, at
// a random moment, twice, and checks after each kill that the file is
// intact and holds everything the process was told was committed, in one
// unbroken chain.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "alter.db")
	var (
		seqs   []int64
		grants []string
	)
	for round := range 2 {
		s, g := runAndKill(t, path, 10+rand.IntN(30))
		seqs, grants = append(seqs, s...), append(grants, g...)
		if len(s) == 0 {
			t.Fatalf("round %d: the child reported no commits", round)
		}

		st := open(t, path)
		ctx := t.Context()
		var ok string
		if err := st.write.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, ok, err)
		}
		recs, err := st.ListAudit(ctx, store.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		verifyChain(t, recs)
		for _, seq := range seqs {
			if seq > int64(len(recs)) {
				t.Fatalf("round %d: seq %d was reported committed, the log ends at %d", round, seq, len(recs))
			}
		}
		for _, id := range grants {
			if _, err := st.GetGrant(ctx, id); err != nil {
				t.Fatalf("round %d: grant %s was reported committed: %v", round, id, err)
			}
		}
		t.Logf("round %d: killed after %d reported seqs; the log holds %d records", round, len(s), len(recs))
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// runAndKill runs TestCrashChild on path, SIGKILLs it once it has reported
// n commits, and returns every seq and grant id it reported.
func runAndKill(t *testing.T, path string, n int) (seqs []int64, grants []string) {
	t.Helper()
	testutil.KillChild(t, "TestCrashChild", []string{crashEnv + "=" + path}, 20*time.Second, func(line string) bool {
		switch k, v, _ := strings.Cut(line, " "); k {
		case "seq":
			seq, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("child wrote %q", line)
			}
			seqs = append(seqs, seq)
		case "grant":
			grants = append(grants, v)
		}
		return len(seqs) >= n
	})
	return seqs, grants
}

// TestCrashChild is the process TestCrash kills: it creates grants and
// appends batches of audit records as fast as it can, printing each one
// once its method has returned, until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrash")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		id := fmt.Sprintf("grt_%d_%d", os.Getpid(), i)
		if err := s.CreateGrant(ctx, &store.Grant{ID: id, Name: id, Sealed: []byte(id)}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "grant %s\n", id)
		recs, err := s.AppendAudit(ctx, chain(1+i%4, []byte(id)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "seq %d\n", recs[len(recs)-1].Seq)
		w.Flush() // unbuffered from here: the parent may kill at any moment
	}
}
