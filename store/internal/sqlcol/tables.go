package sqlcol

import (
	"context"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

// DB is what Tables needs of an engine: how it runs a statement and what
// its errors mean. Each store implements it on an unexported type, so that
// its exported Store offers no raw SQL.
type DB interface {
	// Exec runs a statement that writes and returns how many rows it
	// changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query that reads one row.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// WriteRow runs a statement that writes and returns one row
	// (RETURNING).
	WriteRow(ctx context.Context, query string, args ...any) Row
	// Query runs a query and calls each for every row, in order, until it
	// fails.
	Query(ctx context.Context, query string, each func(Row) error, args ...any) error
	// Constraint reports whether err violates a unique constraint, and
	// then the column(s) it names ("grants.name"), or a foreign key.
	Constraint(err error) (column string, unique, foreignKey bool)
	// Explain is err as the store returns it: no row is store.ErrNotFound,
	// and an error that means the database is out of reach says what to
	// check. Other errors are returned as they are.
	Explain(err error) error
	// Placeholder is the n-th argument of a statement (from 1), in a form
	// that may name one argument twice ("?1", "$1").
	Placeholder(n int) string
	// GrantsArg is a caller's grants as the engine keeps them, and
	// GrantsDest the scan target that reads them back into dst.
	GrantsArg(grants []string) (any, error)
	GrantsDest(dst *[]string) any
}

// Tables implements the methods of store.Store on grants, callers,
// approvals, rotations and settings once for both SQL stores, which embed
// it: the statements are written with the engine's placeholders, and what
// each engine does its own way is in its DB.
type Tables struct {
	db  DB
	sql statements
}

// statements are the fixed statements of Tables, written once for an
// engine.
type statements struct {
	insertGrant, updateGrant, getGrant, getGrantByName, listGrants, grantVersion string

	insertCaller, updateCaller, getCaller, getCallerByKey, getCallerBySubject, listCallers, callerVersion string

	approvals Approvals

	putRotation, getRotation, deleteRotation string

	getSetting, putSetting, createSetting string
}

// NewTables returns the Tables of db.
func NewTables(db DB) Tables {
	ph := db.Placeholder
	return Tables{db: db, sql: statements{
		insertGrant:    Insert("grants", GrantColumns, ph),
		updateGrant:    Update("grants", GrantColumns, ph),
		getGrant:       "SELECT " + GrantColumns + " FROM grants WHERE id = " + ph(1),
		getGrantByName: "SELECT " + GrantColumns + " FROM grants WHERE name = " + ph(1),
		// NULLS FIRST is SQLite's order already, and PostgreSQL's needs
		// saying; SQLite still reads it from grants_created.
		listGrants:   "SELECT " + GrantColumns + " FROM grants ORDER BY created_at NULLS FIRST, id",
		grantVersion: "SELECT version FROM grants WHERE id = " + ph(1),

		insertCaller:       Insert("callers", CallerColumns, ph),
		updateCaller:       Update("callers", CallerColumns, ph),
		getCaller:          "SELECT " + CallerColumns + " FROM callers WHERE name = " + ph(1),
		getCallerByKey:     "SELECT " + CallerColumns + " FROM callers WHERE key_hash = " + ph(1),
		getCallerBySubject: "SELECT " + CallerColumns + " FROM callers WHERE oauth_subject = " + ph(1) + " AND oauth_issuer = " + ph(2),
		listCallers:        "SELECT " + CallerColumns + " FROM callers ORDER BY name",
		callerVersion:      "SELECT version FROM callers WHERE name = " + ph(1),

		approvals: ApprovalStatements(ph),

		putRotation:    Upsert("rotations", RotationColumns, ph),
		getRotation:    "SELECT " + RotationColumns + " FROM rotations WHERE grant_id = " + ph(1),
		deleteRotation: "DELETE FROM rotations WHERE grant_id = " + ph(1),

		getSetting:    "SELECT value FROM settings WHERE name = " + ph(1),
		putSetting:    Upsert("settings", SettingColumns, ph),
		createSetting: Insert("settings", SettingColumns, ph) + " ON CONFLICT (name) DO NOTHING",
	}}
}

// explain is err as the store returns it (DB.Explain), a unique violation
// store.ErrConflict naming the column, so that a person can tell which
// value is taken (never the value: it may be a key's hash).
func (t *Tables) explain(err error) error {
	if column, unique, _ := t.db.Constraint(err); unique {
		return fmt.Errorf("%s already taken: %w", column, store.ErrConflict)
	}
	return t.db.Explain(err)
}

// versionCheck tells why an optimistic update changed no row: the record
// is gone (ErrNotFound) or its version moved on (ErrConflict). query reads
// the version of the row whose key is key.
func (t *Tables) versionCheck(ctx context.Context, changed int64, query, key string, want int64) error {
	if changed == 1 {
		return nil
	}
	var have int64
	if err := t.db.QueryRow(ctx, query, key).Scan(&have); err != nil {
		return t.explain(err)
	}
	return fmt.Errorf("version %d is stale, the stored one is %d: %w", want, have, store.ErrConflict)
}

// readRows reads the rows of query with scan.
func readRows[T any](ctx context.Context, t *Tables, query string, scan func(Row) (T, error), args ...any) ([]T, error) {
	var out []T
	err := t.db.Query(ctx, query, func(r Row) error {
		v, err := scan(r)
		if err == nil {
			out = append(out, v)
		}
		return err
	}, args...)
	if err != nil {
		return nil, t.explain(err)
	}
	return out, nil
}

// notFound reports whether err (as explain returns it) means no row.
func notFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Each calls each for every row of rows (advanced by next) until it fails,
// and then returns what err says ended the rows: the loop of DB.Query for
// both engines' row types.
func Each(rows Row, next func() bool, err func() error, each func(Row) error) error {
	for next() {
		if e := each(rows); e != nil {
			return e
		}
	}
	return err()
}
