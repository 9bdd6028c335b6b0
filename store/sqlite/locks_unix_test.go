//go:build unix

package sqlite

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

// TestStoreKeepsSQLitesLocks: while a Store is open, another process finds
// the WAL index's dead-man byte locked, as SQLite's connections lock it. A
// process drops every POSIX lock it holds on a file when it closes any
// descriptor of that file, so code of this package that opened and closed
// the -shm file (or the database) itself would silently drop SQLite's
// locks: another process would then reset the WAL index under this one's
// connections, which fault in their mapping (SQLITE_IOERR_IN_PAGE). That
// happened once (see the revert of 2b05718).
func TestStoreKeepsSQLitesLocks(t *testing.T) {
	if shm := os.Getenv("ALTER_MCP_TEST_GETLK"); shm != "" {
		reportLock(t, shm) // this is the other process
		return
	}
	path := filepath.Join(t.TempDir(), "alter.db")
	s := open(t, path)
	defer s.Close()
	ctx := t.Context()
	// What a call does: reads, a data version, an audit append.
	if _, err := s.Version(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAudit(ctx, chain(1, []byte("{}"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListAudit(ctx, store.AuditQuery{GrantID: "grt_x"}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreKeepsSQLitesLocks$")
	cmd.Env = append(os.Environ(), "ALTER_MCP_TEST_GETLK="+path+"-shm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "DMS locked") {
		t.Fatalf("another process finds the WAL index unlocked: %s", out)
	}
}

// reportLock prints whether byte 128 of the -shm file (SQLite's dead-man
// switch, UNIX_SHM_DMS) is locked by another process.
func reportLock(t *testing.T, shm string) {
	f, err := os.OpenFile(shm, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type == syscall.F_UNLCK {
		os.Stdout.WriteString("DMS unlocked\n")
	} else {
		os.Stdout.WriteString("DMS locked\n")
	}
}
