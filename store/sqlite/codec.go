package sqlite

import (
	"database/sql"
	"fmt"
	"math"
	"time"
)

// The range of times a unix-nanosecond int64 holds.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// encoder turns record fields into column values, keeping the first error.
type encoder struct{ err error }

// time is t as unix nanoseconds, or NULL for the zero time. A time outside
// what an int64 of nanoseconds holds (before 1678 or after 2262) is an
// error: storing it would change it.
func (e *encoder) time(field string, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		if e.err == nil {
			e.err = fmt.Errorf("%s %s is outside the times the store keeps (%d to %d)",
				field, t.Format(time.RFC3339Nano), minTime.Year(), maxTime.Year())
		}
		return nil
	}
	return t.UnixNano()
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

// queryNanos is t as unix nanoseconds for a comparison, clamped to the
// range stored times can have.
func queryNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
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

// nullString scans a text column that is NULL for "" into s.
type nullString struct{ s *string }

// Scan implements sql.Scanner.
func (n nullString) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.s = ""
	case string:
		*n.s = v
	case []byte:
		*n.s = string(v)
	default:
		return fmt.Errorf("text column holds %T", src)
	}
	return nil
}

// nullIfEmpty stores "" as NULL, so that a unique index ignores it.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
