package sqlite

import (
	"bytes"
	"os"
	"testing"
)

// TestWALStaysSmall: the commit that crosses checkpointPages copies the
// WAL into the database file, and SQLite then writes the WAL again from its
// start, so the file never holds much more than checkpointPages pages
// (with SQLite's default of 1000 it grows to about 4 MB here).
func TestWALStaysSmall(t *testing.T) {
	s, path := openTemp(t)
	build := chain(2, bytes.Repeat([]byte(`{"k":"v"}`), 60))
	for range 1500 {
		if _, err := s.AppendAudit(t.Context(), build); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096 + 24 // a WAL frame
	if limit := int64(checkpointPages+64) * page; fi.Size() > limit {
		t.Errorf("the WAL is %d bytes after 1,500 appends, want at most %d (%d pages and one commit)", fi.Size(), limit, checkpointPages)
	}
}
