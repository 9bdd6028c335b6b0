// Package sqlite is the embedded store: one SQLite file in WAL mode, opened
// with the pure-Go modernc.org/sqlite driver. Importing it registers the
// sqlite:// and file: schemes with store.Open. It suits one process, or a few
// processes on one machine sharing the file; replicas on many machines share
// store/postgres instead.
//
// Every write is durable when its method returns (synchronous=FULL), and the
// audit chain is serialized by SQLite's single-writer lock, so appends from
// several processes on the same file still form one chain.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// checkpointPages is how many pages the WAL holds before the commit that
// crosses it copies them into the database file (wal_autocheckpoint; SQLite's
// default is 1000). That commit also syncs the file, so it waits: with 1000,
// a call in about a hundred waited 1 to 2 ms more for its audit record, the
// p99 of every call. A checkpoint of 300 pages costs that commit less, and
// a page written again and again (an index's last leaf) is copied once a
// checkpoint either way. Measured in process, one client calling s3_list
// (8 interleaved rounds of 4,000 calls): p99 2.8 → 2.3 ms, p50 the same.
const checkpointPages = 300

// busyTimeout is how long a write waits for another process's write to
// finish before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is a store.Store kept in one SQLite file. It is safe for concurrent
// use, also by other processes that open the same file.
type Store struct {
	// Tables answers for grants, callers, approvals, rotations and
	// settings, as store/postgres does, through engine.
	sqlcol.Tables
	// write has exactly one connection: writes in this process queue for it
	// in database/sql (honouring their contexts) instead of polling SQLite's
	// busy handler, and every write transaction begins IMMEDIATE, taking the
	// file's write lock up front so that it never fails halfway on upgrade.
	write *sql.DB
	// read is a pool of query-only connections; in WAL mode readers see the
	// last commit and never block the writer or each other.
	read *sql.DB
	// facetDue is the record that completes audit_facet's next block, as
	// this process last saw it (audit.go).
	facetDue atomic.Int64
	// facets holds indexFacets's statements once prepared (audit.go).
	facets atomic.Pointer[facetStmts]
	// readStmts and writeStmts hold the statements of the hot path (a
	// call's grant, caller and audit records), prepared once per connection
	// and kept, by query text: preparing costs as much as running them.
	readStmts, writeStmts sync.Map
}

// stmt returns the prepared statement of query on db (s.read or s.write),
// preparing it on first use. database/sql prepares it once on each
// connection that runs it and keeps it there.
func (s *Store) stmt(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	m := &s.readStmts
	if db == s.write {
		m = &s.writeStmts
	}
	if st, ok := m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow runs a prepared query expected to return one row on db.
func (s *Store) queryRow(ctx context.Context, db *sql.DB, query string, args ...any) scanner {
	st, err := s.stmt(ctx, db, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var (
	_ store.Store   = (*Store)(nil)
	_ store.Checker = (*Store)(nil)
)

// The driver of store.Open: sqlite:///abs/path, sqlite://rel/path,
// sqlite:path, file:path.
func init() {
	store.Register("sqlite", openURL)
	store.Register("file", openURL)
}

func openURL(ctx context.Context, dsn string) (store.Store, error) {
	path, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return Open(ctx, path)
}

// Open opens the store in the SQLite file at path, creating the file with
// mode 0600 if it does not exist (its folder must), and brings its schema
// up to date. It fails if the file was written by a newer alter-mcp.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if err := createFile(path); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{}
	s.Tables = sqlcol.NewTables(engine{s})
	s.write, err = sql.Open("sqlite", dsn(abs, fmt.Sprintf("_txlock=immediate&_pragma=wal_autocheckpoint(%d)", checkpointPages)))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	if err := migrateRetrying(ctx, s.write); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.read, err = sql.Open("sqlite", dsn(abs, "_pragma=query_only(1)"))
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
	return s, nil
}

// createFile creates path with mode 0600 unless it exists, so that SQLite
// (which would create it 0644) never has to; SQLite gives the -wal and -shm
// files it makes next to it the same mode.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err // Open's error names the path already
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// dsn is the driver's name for the file at the absolute path abs. The
// pragmas go in the DSN so that every connection the pools open gets them.
// mode=rw keeps SQLite from creating the file itself.
func dsn(abs, extra string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, OmitHost: true}
	q := fmt.Sprintf("mode=rw&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)"+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&%s",
		busyTimeout.Milliseconds(), extra)
	return u.String() + "?" + q
}

// ParseDSN returns the file path in a store DSN: sqlite://path (relative or
// absolute, so sqlite:///abs is absolute), sqlite:path, file:path or
// file:///abs. Everything after the prefix is the path, taken literally.
func ParseDSN(dsn string) (string, error) {
	var path string
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		path = dsn[len("sqlite://"):]
	case strings.HasPrefix(dsn, "sqlite:"):
		path = dsn[len("sqlite:"):]
	case strings.HasPrefix(dsn, "file://"):
		path = dsn[len("file://"):]
	case strings.HasPrefix(dsn, "file:"):
		path = dsn[len("file:"):]
	default:
		return "", fmt.Errorf("store DSN %q: not sqlite://path or file:path", dsn)
	}
	if path == "" {
		return "", fmt.Errorf("store DSN %q: no file path", dsn)
	}
	return path, nil
}

// Close closes the store's connections. SQLite checkpoints the WAL into the
// main file when the last connection to it closes.
func (s *Store) Close() error {
	for _, m := range []*sync.Map{&s.readStmts, &s.writeStmts} {
		m.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// uncancelled is ctx without its cancellation, for the statements of a
// call's path that take microseconds: the audit append and the data
// version read. The driver watches a context that can end with a goroutine
// of its own for every statement, which costs more than such a statement
// (about five a call). What bounds them instead: busyTimeout, the most a
// statement waits for another process's lock, and the short transactions of
// this process that share the one write connection. (A disk that hangs in
// fsync is not interrupted by a context either.)
func uncancelled(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// inTx runs f in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit; also runs if f panics
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// constraint reports whether err violates a unique or a foreign key
// constraint, and the columns SQLite names ("grants.name").
func constraint(err error) (msg string, unique, foreignKey bool) {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return "", false, false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		unique = true
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		foreignKey = true
	default:
		return "", false, false
	}
	// "constraint failed: UNIQUE constraint failed: grants.name (2067)"
	msg = e.Error()
	if i := strings.LastIndex(msg, "constraint failed: "); i >= 0 {
		msg = msg[i+len("constraint failed: "):]
	}
	if i := strings.Index(msg, " ("); i >= 0 {
		msg = msg[:i]
	}
	return msg, unique, foreignKey
}

// migrateRetrying runs migrate, again after a short random pause when it
// meets SQLITE_BUSY, for up to busyTimeout. Processes that open one new file
// at the same time contend for it while one switches it to WAL mode, and
// SQLite answers some of those contentions with SQLITE_BUSY at once rather
// than through the busy handler (to avoid a deadlock).
func migrateRetrying(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := migrate(ctx, db)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(5+rand.IntN(45)) * time.Millisecond):
		}
	}
}

// busy reports whether err is SQLITE_BUSY (or one of its extended codes).
func busy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
