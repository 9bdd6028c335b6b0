// Package sqlcol holds what the SQL stores (store/sqlite, store/postgres)
// share: how record fields become column values and back, the one query of
// the audit trail, written once with each engine's placeholders, and
// Tables, the methods on grants, callers, approvals, rotations and settings,
// written once over DB, what each engine does its own way.
package sqlcol

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Times are stored as int64 unix nanoseconds, NULL for the zero time; this
// is the range such a column holds.
var (
	MinTime = time.Unix(0, math.MinInt64).UTC()
	MaxTime = time.Unix(0, math.MaxInt64).UTC()
)

// Nanos is t as unix nanoseconds; null for the zero time. A time outside
// what an int64 of nanoseconds holds (before 1678 or after 2262) is an
// error naming field: storing it would change it.
func Nanos(field string, t time.Time) (n int64, null bool, err error) {
	if t.IsZero() {
		return 0, true, nil
	}
	if t.Before(MinTime) || t.After(MaxTime) {
		return 0, true, fmt.Errorf("%s %s is outside the times the store keeps (%d to %d)",
			field, t.Format(time.RFC3339Nano), MinTime.Year(), MaxTime.Year())
	}
	return t.UnixNano(), false, nil
}

// QueryNanos is t as unix nanoseconds for a comparison, clamped to the
// range stored times can have.
func QueryNanos(t time.Time) int64 {
	switch {
	case t.Before(MinTime):
		return math.MinInt64
	case t.After(MaxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// NullTime scans a time column (int64 unix nanoseconds, NULL for the zero
// time) into T, in UTC.
type NullTime struct{ T *time.Time }

// Scan implements sql.Scanner (pgx calls it too).
func (n NullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.T = time.Time{}
	case int64:
		*n.T = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("time column holds %T, want an integer", src)
	}
	return nil
}

// NullString scans a text column that is NULL for "" into S.
type NullString struct{ S *string }

// Scan implements sql.Scanner.
func (n NullString) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.S = ""
	case string:
		*n.S = v
	case []byte:
		*n.S = string(v)
	default:
		return fmt.Errorf("text column holds %T", src)
	}
	return nil
}

// NullIfEmpty stores "" as NULL, so that a unique index ignores it.
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AuditSelect is the query of the audit records q selects (AuditColumns),
// with the n-th argument written placeholder(n) (from 1: "?" for SQLite,
// "$n" for PostgreSQL), and its arguments.
func AuditSelect(q store.AuditQuery, placeholder func(n int) string) (string, []any) {
	where, args := AuditWhere(q, "", placeholder, nil)
	var b strings.Builder
	b.WriteString("SELECT " + AuditColumns + " FROM audit")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	return AuditOrder(b.String(), q, placeholder, args, "seq")
}

// AuditWhere appends to args the arguments of q's conditions, and returns
// the conditions, to be joined by AND: each on a column of the audit table
// named with prefix ("" or an alias and a dot), its argument written
// placeholder(n) where n counts args from 1.
func AuditWhere(q store.AuditQuery, prefix string, placeholder func(n int) string, args []any) ([]string, []any) {
	var where []string
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, prefix+cond+placeholder(len(args)))
	}
	if q.AfterSeq != 0 {
		add("seq > ", q.AfterSeq)
	}
	if !q.Since.IsZero() {
		add("time >= ", QueryNanos(q.Since))
	}
	if !q.Until.IsZero() {
		add("time < ", QueryNanos(q.Until))
	}
	for _, f := range [...]struct{ col, val string }{
		{"entry_id", q.EntryID}, {"kind", q.Kind}, {"caller", q.Caller}, {"grant_id", q.GrantID},
		{"tool", q.Tool}, {"decision", q.Decision}, {"operation", q.Operation},
	} {
		if f.val != "" {
			add(f.col+" = ", f.val)
		}
	}
	return where, args
}

// AuditOrder ends query with q's order, by the columns cols (seq, or what
// orders as seq does), newest first when q.Newest, and its limit, appending
// the limit's argument to args.
func AuditOrder(query string, q store.AuditQuery, placeholder func(n int) string, args []any, cols ...string) (string, []any) {
	for i, c := range cols {
		if i == 0 {
			query += " ORDER BY " + c
		} else {
			query += ", " + c
		}
		if q.Newest {
			query += " DESC"
		}
	}
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += " LIMIT " + placeholder(len(args))
	}
	return query, args
}
