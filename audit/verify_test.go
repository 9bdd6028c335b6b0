package audit_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for tampering with the file

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

// tamperDB opens the store's file as an attacker with write access would:
// plain SQL, no audit key.
func tamperDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func execSQL(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// shiftUp makes room at row seq by moving every row from it one up
// (through negative seqs, so that no two rows share one on the way).
func shiftUp(from int) []string {
	return []string{
		fmt.Sprintf("UPDATE audit SET seq = -seq WHERE seq >= %d", from),
		fmt.Sprintf("UPDATE audit SET seq = -seq + 1 WHERE seq <= -%d", from),
	}
}

// swap exchanges the rows at seqs a and b.
func swap(a, b int) []string {
	return []string{
		fmt.Sprintf("UPDATE audit SET seq = -1 WHERE seq = %d", a),
		fmt.Sprintf("UPDATE audit SET seq = %d WHERE seq = %d", a, b),
		fmt.Sprintf("UPDATE audit SET seq = %d WHERE seq = -1", b),
	}
}

// TestTamper changes a log of 10 calls (20 records) in every way an
// attacker with the database but without the key could, and checks that
// Verify names the first record affected and what happened to it.
func TestTamper(t *testing.T) {
	t.Parallel()
	const copyRow = `INSERT INTO audit (seq, id, time, kind, entry_id, caller, grant_id, tool, decision, operation, data, prev_hash, hash)
		SELECT 8, id, time, kind, entry_id, caller, grant_id, tool, decision, operation, data, prev_hash, hash FROM audit WHERE seq = 3`
	for _, tc := range []struct {
		name   string
		sql    []string
		seq    int64  // where the problem is found
		kind   string // what Verify says happened
		detail string
	}{
		{"edit the data", []string{`UPDATE audit SET data = CAST(replace(CAST(data AS TEXT), '"caller":"c3"', '"caller":"c9"') AS BLOB) WHERE seq = 7`},
			7, audit.ProblemChanged, "hash does not match"},
		{"edit the data and its column", []string{
			`UPDATE audit SET caller = 'c9', data = CAST(replace(CAST(data AS TEXT), '"caller":"c3"', '"caller":"c9"') AS BLOB) WHERE seq = 7`},
			7, audit.ProblemChanged, "hash does not match"},
		{"edit an indexed column", []string{`UPDATE audit SET caller = 'someone else' WHERE seq = 7`},
			7, audit.ProblemChanged, `caller "someone else" (the record says "c3")`},
		{"edit the operation column", []string{`UPDATE audit SET operation = 'GetObject' WHERE seq = 12`},
			12, audit.ProblemChanged, "operation"},
		{"edit the time column", []string{`UPDATE audit SET time = time + 1 WHERE seq = 7`},
			7, audit.ProblemChanged, "time"},
		{"edit the hash", []string{`UPDATE audit SET hash = '` + strings.Repeat("0", 64) + `' WHERE seq = 7`},
			7, audit.ProblemChanged, "hash does not match"},
		{"edit the prev_hash column", []string{`UPDATE audit SET prev_hash = '' WHERE seq = 7`},
			7, audit.ProblemChanged, "prev_hash"},
		{"delete a record", []string{`DELETE FROM audit WHERE seq = 7`},
			8, audit.ProblemMissing, "the record at seq 7 is gone"},
		{"delete records and renumber", []string{`DELETE FROM audit WHERE seq IN (7, 8)`, `UPDATE audit SET seq = seq - 2 WHERE seq > 8`},
			7, audit.ProblemMissing, "seq 7 to 8 are gone"},
		{"delete the first record", []string{`DELETE FROM audit WHERE seq = 1`},
			2, audit.ProblemMissing, "the record at seq 1 is gone"},
		{"insert a forged record", append(shiftUp(8),
			`INSERT INTO audit VALUES (8, 'aud_forged.end', 0, 'end', 'aud_forged', 'c3', '', '', 'allow', '', CAST('{"seq":8}' AS BLOB), '', 'ffff')`),
			8, audit.ProblemInserted, "not written by the chain"},
		{"insert a copy of a record", append(shiftUp(8), copyRow),
			8, audit.ProblemInserted, "copy of the record at seq 3"},
		{"swap two records", swap(7, 8),
			7, audit.ProblemReordered, "seq 8, found where seq 7 belongs; seq 7 is at row 8"},
		{"move a record far", swap(5, 15),
			5, audit.ProblemReordered, "seq 15, found where seq 5 belongs"},
		{"renumber every row", []string{`UPDATE audit SET seq = seq + 100`},
			101, audit.ProblemChanged, "renumbered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, path := openStore(t)
			l := openLog(t, s, audit.Options{})
			for i := range 10 {
				call(t, l, &audit.Entry{Caller: fmt.Sprintf("c%d", i), Operation: "ListBuckets"})
			}
			before := records(t, s)
			mustVerify(t, l)
			l.Close()

			execSQL(t, tamperDB(t, path), tc.sql...)
			rep, err := openLog(t, s, audit.Options{}).Verify(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Problem
			if p == nil {
				t.Fatalf("Verify found nothing: %v", rep)
			}
			if p.Seq != tc.seq || p.Kind != tc.kind || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("problem %v\nwant seq %d, %s, %q", p, tc.seq, tc.kind, tc.detail)
			}
			// The problem names the entry of the record found there.
			found := findRow(t, s, p.Seq)
			if p.EntryID != found.EntryID || p.RecordID != found.ID || !strings.Contains(p.Error(), found.EntryID) {
				t.Errorf("problem names %s/%s, the row holds %s/%s", p.EntryID, p.RecordID, found.EntryID, found.ID)
			}
			if tc.kind != audit.ProblemInserted && rep.Records >= int64(len(before)) {
				t.Errorf("%d records verified before the problem", rep.Records)
			}
			if !strings.HasPrefix(rep.String(), "audit chain broken at seq ") {
				t.Errorf("report %q", rep)
			}
		})
	}
}

func findRow(t *testing.T, s store.Store, seq int64) store.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(t.Context(), store.AuditQuery{AfterSeq: seq - 1, Limit: 1})
	if err != nil || len(recs) == 0 || recs[0].Seq != seq {
		t.Fatalf("no row %d: %v", seq, err)
	}
	return recs[0]
}

// TestVerifyWithAnotherKey: a log checked with the wrong key fails at its
// first record, and says that the key may be why.
func TestVerifyWithAnotherKey(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	l := openLog(t, s, audit.Options{})
	call(t, l, &audit.Entry{})
	l.Close()
	other := openLog(t, s, audit.Options{Key: []byte(strings.Repeat("x", 32))})
	rep, err := other.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem == nil || rep.Problem.Seq != 1 || !strings.Contains(rep.Problem.Detail, "another audit key") {
		t.Errorf("report %v", rep)
	}
}

func TestVerifyEmpty(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	if rep := mustVerify(t, openLog(t, s, audit.Options{})); rep.String() != "ok: the audit log is empty" {
		t.Errorf("report %q", rep)
	}
}
