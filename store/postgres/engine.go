package postgres

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// How records map to columns, and the methods on grants, callers,
// approvals, rotations and settings, are shared with store/sqlite in
// store/internal/sqlcol; what is PostgreSQL's own is here.

func dollar(n int) string { return "$" + strconv.Itoa(n) }

// engine is the Store as sqlcol.Tables uses it (sqlcol.DB): every
// statement on the pool.
type engine struct{ s *Store }

func (e engine) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := e.s.pool.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (e engine) QueryRow(ctx context.Context, query string, args ...any) sqlcol.Row {
	return e.s.pool.QueryRow(ctx, query, args...)
}

func (e engine) WriteRow(ctx context.Context, query string, args ...any) sqlcol.Row {
	return e.s.pool.QueryRow(ctx, query, args...)
}

func (e engine) Query(ctx context.Context, query string, each func(sqlcol.Row) error, args ...any) error {
	rows, err := e.s.pool.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlcol.Each(rows, rows.Next, rows.Err, each)
}

// Constraint names a unique violation by its constraint ("grants_name_key");
// the offending value, which may be a key's hash, is left out.
func (engine) Constraint(err error) (string, bool, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return "", false, false
	}
	return pe.ConstraintName, pe.Code == "23505", pe.Code == "23503"
}

func (e engine) Explain(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return e.s.explain(err)
}

func (engine) Placeholder(n int) string { return dollar(n) }

// GrantsArg keeps a caller's grants as a text[].
func (engine) GrantsArg(grants []string) (any, error) { return grants, nil }

func (engine) GrantsDest(dst *[]string) any { return dst }
