package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// How records map to columns, and the methods on grants, callers,
// approvals, rotations and settings, are shared with store/postgres in
// store/internal/sqlcol; what is SQLite's own is here.

// qmark is SQLite's placeholder, the same for every argument.
func qmark(int) string { return "?" }

// scanner is a *sql.Row or *sql.Rows.
type scanner = sqlcol.Row

// engine is the Store as sqlcol.Tables uses it (sqlcol.DB): reads on the
// query-only pool, their statements prepared once a connection; writes on
// the one write connection.
type engine struct{ s *Store }

func (e engine) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := e.s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e engine) QueryRow(ctx context.Context, query string, args ...any) sqlcol.Row {
	return e.s.queryRow(ctx, e.s.read, query, args...)
}

func (e engine) WriteRow(ctx context.Context, query string, args ...any) sqlcol.Row {
	return e.s.write.QueryRowContext(ctx, query, args...)
}

func (e engine) Query(ctx context.Context, query string, each func(sqlcol.Row) error, args ...any) error {
	rows, err := e.s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlcol.Each(rows, rows.Next, rows.Err, each)
}

func (engine) Constraint(err error) (string, bool, bool) { return constraint(err) }

func (engine) Explain(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// Placeholder numbers SQLite's parameters ?1, ?2, ... as PostgreSQL does
// $1, $2, ...: the statement to move an approval names some twice.
func (engine) Placeholder(n int) string { return "?" + strconv.Itoa(n) }

// GrantsArg keeps a caller's grants as a JSON array.
func (engine) GrantsArg(grants []string) (any, error) {
	j, err := json.Marshal(grants)
	return string(j), err
}

func (engine) GrantsDest(dst *[]string) any { return jsonList{dst} }

// jsonList scans a JSON array of strings.
type jsonList struct{ p *[]string }

func (j jsonList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("grants column holds %T, want a JSON array", src)
	}
	if err := json.Unmarshal(b, j.p); err != nil {
		return fmt.Errorf("grants column: %w", err)
	}
	return nil
}
