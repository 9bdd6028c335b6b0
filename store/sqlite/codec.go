package sqlite

import (
	"database/sql"
	"time"

	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// encoder turns record fields into column values, keeping the first error.
type encoder struct{ err error }

// time is t as unix nanoseconds, or NULL for the zero time. A time outside
// what an int64 of nanoseconds holds (before 1678 or after 2262) is an
// error: storing it would change it.
func (e *encoder) time(field string, t time.Time) any {
	n, null, err := sqlcol.Nanos(field, t)
	if err != nil && e.err == nil {
		e.err = err
	}
	if null {
		return nil
	}
	return n
}

// blob is b, or NULL when empty: nil and empty are the same to the store,
// and NULL keeps "no key" out of unique indexes.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// boolean is b as SQLite's 0 or 1.
func boolean(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// nullTime scans a time column.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(v any) error {
	var i sql.NullInt64
	if err := i.Scan(v); err != nil {
		return err
	}
	if !i.Valid {
		*n.t = time.Time{}
	} else {
		*n.t = time.Unix(0, i.Int64).UTC()
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
