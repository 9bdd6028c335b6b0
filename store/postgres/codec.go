package postgres

import (
	"fmt"
	"time"

	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// Times are bigint unix nanoseconds, NULL for the zero time: timestamptz
// keeps microseconds only, and the store returns times exactly as given.

// encoder turns record fields into column values, keeping the first error.
type encoder struct{ err error }

// time is t as unix nanoseconds, or NULL (nil) for the zero time. A time
// outside what an int64 of nanoseconds holds (before 1678 or after 2262) is
// an error: storing it would change it.
func (e *encoder) time(field string, t time.Time) *int64 {
	n, null, err := sqlcol.Nanos(field, t)
	if err != nil && e.err == nil {
		e.err = err
	}
	if null {
		return nil
	}
	return &n
}

// blob is b, or NULL when empty: nil and empty are the same to the store,
// and NULL keeps "no key" out of unique indexes.
func blob(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullTime scans a time column (bigint nanoseconds or NULL) into t.
type nullTime struct{ t *time.Time }

// Scan implements sql.Scanner, which pgx calls with the column's value.
func (n nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.t = time.Time{}
	case int64:
		*n.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("time column holds %T, want bigint", src)
	}
	return nil
}
