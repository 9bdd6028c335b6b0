package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

// TestVersionSeesEveryCommit: two stores on one file, as two processes.
// A change to a grant through either is in the other's next Version at
// once; an audit append (which moves no data version) and nothing at all
// leave it where it was, and nothing at all costs no query.
func TestVersionSeesEveryCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alter.db")
	a, b := open(t, path), open(t, path)
	t.Cleanup(func() { a.Close(); b.Close() })
	if a.wal == nil || b.wal == nil {
		t.Fatal("the WAL index was not mapped")
	}
	ctx := t.Context()
	version := func(s *Store) int64 {
		t.Helper()
		v, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	g := &store.Grant{ID: "grt_v", Name: "v"}
	if err := b.CreateGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		writer, reader := b, a
		if i%3 == 0 {
			writer, reader = a, b
		}
		before := version(reader)
		g.Description = fmt.Sprint("change ", i)
		if err := writer.UpdateGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
		if after := version(reader); after <= before {
			t.Fatalf("change %d: the other store's version is %d, was %d before it", i, after, before)
		}
		if i%10 == 0 {
			if _, err := writer.AppendAudit(ctx, chain(1, []byte("{}"))); err != nil {
				t.Fatal(err)
			}
		}
		queries := reader.versionQueries.Load()
		v := version(reader)
		if again := version(reader); again != v || reader.versionQueries.Load() > queries+1 {
			t.Fatalf("change %d: nothing committed, yet %d then %d, in %d queries", i, v, again, reader.versionQueries.Load()-queries)
		}
	}
}

// TestVersionWithoutWALIndex: with no header to compare, every Version
// queries.
func TestVersionWithoutWALIndex(t *testing.T) {
	s, _ := openTemp(t)
	s.wal = nil
	for range 3 {
		if _, err := s.Version(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.versionQueries.Load(); n != 3 {
		t.Errorf("%d queries for 3 versions without the WAL index", n)
	}
}

// TestWALIndexCutShort: a -shm file cut short under the mapping (SQLite
// does that only to a database no connection uses) makes read report
// doubt, not crash the process.
func TestWALIndexCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(path+"-shm", make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	w := openWALIndex(path)
	if w == nil {
		t.Skip("no mapping on this system")
	}
	defer w.close()
	var h walIndexHeader
	if !w.read(&h) {
		t.Fatal("a whole header of zeros read as being written")
	}
	if err := os.Truncate(path+"-shm", 0); err != nil {
		t.Fatal(err)
	}
	if w.read(&h) {
		t.Error("a header cut off the file read as whole")
	}
	if err := os.WriteFile(path+"-shm", make([]byte, 10), 0o600); err != nil {
		t.Fatal(err)
	}
	if openWALIndex(path) != nil {
		t.Error("a file shorter than the header was mapped")
	}
}
