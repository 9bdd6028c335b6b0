package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/storetest"
)

// open opens the store at path and fails t on an error; the caller closes it.
func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openTemp opens a fresh store that t closes.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alter.db")
	s := open(t, path)
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "alter.db"))
	})
}

// TestConformanceShared runs the shared suite on two Stores opened on one
// file, as two processes would.
func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "alter.db")
		return open(t, path), open(t, path)
	})
}

// chain returns a build function chaining n records to the head, each
// Hash = SHA-256(previous hash, data).
func chain(n int, data []byte) func(store.AuditHead) ([]store.AuditRecord, error) {
	return func(head store.AuditHead) ([]store.AuditRecord, error) {
		recs := make([]store.AuditRecord, n)
		prev := head.Hash
		for i := range recs {
			seq := head.Seq + 1 + int64(i)
			d := fmt.Appendf(nil, "%d %s", seq, data)
			h := sha256.Sum256(append([]byte(prev), d...))
			recs[i] = store.AuditRecord{
				ID: fmt.Sprintf("aud_%d", seq), Time: time.Now(), Kind: "begin",
				EntryID: fmt.Sprintf("ent_%d", seq), Caller: "claude", GrantID: "grt_1",
				Tool: "aws_request", Decision: "allow", Operation: "s3:GetObject",
				Data: d, PrevHash: prev, Hash: hex.EncodeToString(h[:]),
			}
			prev = recs[i].Hash
		}
		return recs, nil
	}
}

// verifyChain fails t unless recs are Seq 1, 2, ... each chained to the last.
func verifyChain(t *testing.T, recs []store.AuditRecord) {
	t.Helper()
	prev := ""
	for i, r := range recs {
		h := sha256.Sum256(append([]byte(r.PrevHash), r.Data...))
		if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != hex.EncodeToString(h[:]) {
			t.Fatalf("record %d (Seq %d) breaks the chain", i, r.Seq)
		}
		prev = r.Hash
	}
}

func TestDurable(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "alter.db")
	s := open(t, path)
	g := &store.Grant{ID: "grt_1", Name: "prod", Sealed: []byte{0, 1, 2, 255}, CreatedAt: time.Unix(1, 5)}
	c := &store.Caller{Name: "claude", KeyHash: []byte("hash"), Grants: []string{"grt_1"}}
	for _, err := range []error{
		s.CreateGrant(ctx, g),
		s.CreateCaller(ctx, c),
		s.PutSetting(ctx, "k", []byte("v")),
		s.PutRotation(ctx, &store.Rotation{GrantID: "grt_1", Step: "s"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	recs, err := s.AppendAudit(ctx, chain(3, []byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	if got, err := s.GetGrant(ctx, "grt_1"); err != nil || got.Name != "prod" || !bytes.Equal(got.Sealed, g.Sealed) || !got.CreatedAt.Equal(g.CreatedAt) {
		t.Errorf("grant after reopen: %+v, %v", got, err)
	}
	if got, err := s.GetCallerByKeyHash(ctx, []byte("hash")); err != nil || got.Name != "claude" {
		t.Errorf("caller after reopen: %+v, %v", got, err)
	}
	if v, err := s.GetSetting(ctx, "k"); err != nil || string(v) != "v" {
		t.Errorf("setting after reopen: %q, %v", v, err)
	}
	if r, err := s.GetRotation(ctx, "grt_1"); err != nil || r.Step != "s" {
		t.Errorf("rotation after reopen: %+v, %v", r, err)
	}
	all, err := s.ListAudit(ctx, store.AuditQuery{})
	if err != nil || len(all) != 3 || all[2].Hash != recs[2].Hash {
		t.Fatalf("audit after reopen: %d records, %v", len(all), err)
	}
	more, err := s.AppendAudit(ctx, chain(1, []byte("y")))
	if err != nil || more[0].Seq != 4 {
		t.Fatalf("append after reopen: %+v, %v", more, err)
	}
	all, _ = s.ListAudit(ctx, store.AuditQuery{})
	verifyChain(t, all)
}

func TestFileMode(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.AppendAudit(t.Context(), chain(1, nil)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), m)
		}
	}
}

func TestOpenMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := Open(t.Context(), filepath.Join(dir, "alter.db"))
	if err == nil {
		t.Fatal("Open in a missing folder succeeded")
	}
	t.Log(err)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the folder: %v", err)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alter.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not sqlite "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open of a text file succeeded")
	} else if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	} else {
		t.Log(err)
	}
}

// TestOddPath opens a file whose name has URI characters in it: SQLite
// must find it where it is, not where a URI parser would put it.
func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c=d#e%20f&mode=ro")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "alter?.db")
	s := open(t, path)
	defer s.Close()
	if err := s.PutSetting(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range must1(os.ReadDir(dir)) {
		names = append(names, d.Name())
	}
	if want := "[alter?.db alter?.db-shm alter?.db-wal]"; fmt.Sprint(names) != want {
		t.Errorf("folder holds %v, want %s", names, want)
	}
	if parent := must1(os.ReadDir(filepath.Dir(dir))); len(parent) != 1 {
		t.Errorf("files made outside the store's folder: %v", parent)
	}
}

func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestParseDSN(t *testing.T) {
	for _, c := range []struct{ dsn, path string }{
		{"sqlite:///home/me/.local/share/alter-mcp/alter.db", "/home/me/.local/share/alter-mcp/alter.db"},
		{"sqlite://alter.db", "alter.db"},
		{"sqlite://data/alter.db", "data/alter.db"},
		{"sqlite:alter.db", "alter.db"},
		{"sqlite:/abs/alter.db", "/abs/alter.db"},
		{"file:alter.db", "alter.db"},
		{"file:///abs/alter.db", "/abs/alter.db"},
		{"sqlite:///with space/a?b.db", "/with space/a?b.db"},
	} {
		got, err := ParseDSN(c.dsn)
		if err != nil || got != c.path {
			t.Errorf("ParseDSN(%q) = %q, %v; want %q", c.dsn, got, err, c.path)
		}
	}
	for _, dsn := range []string{"", "sqlite://", "sqlite:", "file:", "postgres://db/alter", "/abs/alter.db"} {
		if got, err := ParseDSN(dsn); err == nil {
			t.Errorf("ParseDSN(%q) = %q, want an error", dsn, got)
		}
	}
}

func TestMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "alter.db")
	versions := func(s *Store) string {
		t.Helper()
		rows, err := s.read.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var v, at int64
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%d@%d ", v, at)
		}
		return b.String()
	}

	s := open(t, path)
	first := versions(s)
	if n := strings.Count(first, "@"); n != schemaVersion {
		t.Fatalf("fresh store has %d migrations (%s), want %d", n, first, schemaVersion)
	}
	s.Close()

	s = open(t, path)
	if again := versions(s); again != first {
		t.Errorf("reopening changed schema_migrations: %s, was %s", again, first)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, schemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err := Open(ctx, path)
	want := fmt.Sprintf("store was written by a newer alter-mcp (schema %d, this build knows %d)", schemaVersion+1, schemaVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open of a newer store: %v, want %q", err, want)
	}
}

// TestMigrateConcurrently opens one new file from several goroutines at
// once, as processes starting together would: each migration runs once.
func TestMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alter.db")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(t.Context(), path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestPragmas(t *testing.T) {
	s, _ := openTemp(t)
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", fmt.Sprint(busyTimeout.Milliseconds())},
		{"foreign_keys", "1"},
	} {
		for name, db := range map[string]*sql.DB{"write": s.write, "read": s.read} {
			var v string
			err := db.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&v)
			if err != nil || !strings.EqualFold(v, c.want) {
				t.Errorf("%s connection: PRAGMA %s = %q, %v; want %q", name, c.pragma, v, err, c.want)
			}
		}
	}
	var v string
	if err := s.read.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&v); err != nil || v != "1" {
		t.Errorf("read connection: PRAGMA query_only = %q, %v; want 1", v, err)
	}
}

// TestTimeOutOfRange checks that a time an int64 of nanoseconds cannot hold
// is refused, not changed.
func TestTimeOutOfRange(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	for _, tm := range []time.Time{
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
	} {
		err := s.CreateGrant(ctx, &store.Grant{ID: "grt_1", Name: "n", Expires: tm})
		if err == nil || !strings.Contains(err.Error(), "outside the times") {
			t.Errorf("CreateGrant with Expires %s: %v, want an out-of-range error", tm, err)
		}
		_, err = s.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
			return []store.AuditRecord{{ID: "a", Time: time.Now()}, {ID: "b", Time: tm}}, nil
		})
		if err == nil {
			t.Errorf("AppendAudit with Time %s succeeded", tm)
		}
	}
	if recs, _ := s.ListAudit(ctx, store.AuditQuery{}); len(recs) != 0 {
		t.Errorf("a refused batch stored %d records", len(recs))
	}
}

func TestConflictNamesColumn(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	if err := s.CreateGrant(ctx, &store.Grant{ID: "grt_1", Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	err := s.CreateGrant(ctx, &store.Grant{ID: "grt_2", Name: "prod"})
	if want := `create grant "prod": grants.name already taken: conflict`; !errors.Is(err, store.ErrConflict) || err.Error() != want {
		t.Errorf("duplicate name: %v, want %s", err, want)
	}
}

// TestEndedContext: the audit append and the data version read run their
// statements without the context's cancellation (uncancelled), so they
// check it first: a call whose context has ended writes and reads nothing.
func TestEndedContext(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.AppendAudit(ctx, chain(1, []byte("{}"))); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendAudit with an ended context: %v, want context.Canceled", err)
	}
	if _, err := s.Version(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Version with an ended context: %v, want context.Canceled", err)
	}
	if recs, err := s.AppendAudit(t.Context(), chain(1, []byte("{}"))); err != nil || recs[0].Seq != 1 {
		t.Errorf("the first record appended after: %v, %v; want seq 1 (nothing was written before)", recs, err)
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	data := bytes.Repeat([]byte(`{"k":"v"}`), 60) // about the size of a real entry
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, _ := openTemp(b)
			build := chain(batch, data)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.AppendAudit(ctx, build); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// TestCheck: doctor's line names SQLite, the schema and WAL mode.
func TestCheck(t *testing.T) {
	s, _ := openTemp(t)
	info, err := s.Check(t.Context())
	if err != nil || !strings.HasPrefix(info, "SQLite 3.") || !strings.Contains(info, fmt.Sprintf("schema %d,", schemaVersion)) || !strings.Contains(info, "journal wal") {
		t.Errorf("Check = %q, %v", info, err)
	}
}
