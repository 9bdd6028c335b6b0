package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var (
	insertCaller = sqlcol.Insert("callers", sqlcol.CallerColumns, dollar)
	updateCaller = sqlcol.Update("callers", sqlcol.CallerColumns, dollar)
)

// scanCaller reads a row of callers, whose grants column is a text[].
func scanCaller(row pgx.Row) (*store.Caller, error) {
	var c store.Caller
	if err := row.Scan(sqlcol.CallerDest(&c, &c.Grants)...); err != nil {
		return nil, err
	}
	if len(c.Grants) == 0 {
		c.Grants = nil
	}
	return &c, nil
}

// callerArgs are c's columns as sqlcol.CallerArgs makes them, its grants a
// text[].
func callerArgs(c *store.Caller, version int64) ([]any, error) {
	grants := c.Grants
	if grants == nil {
		grants = []string{} // an empty array, not NULL
	}
	return sqlcol.CallerArgs(c, version, grants)
}

// CreateCaller implements store.Store.
func (s *Store) CreateCaller(ctx context.Context, c *store.Caller) error {
	args, err := callerArgs(c, 1)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, err)
	}
	_, err = s.pool.Exec(ctx, insertCaller, args...)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, s.explain(mapUnique(err)))
	}
	c.Version = 1
	return nil
}

// GetCaller implements store.Store.
func (s *Store) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers WHERE name = $1`, name))
	if err != nil {
		return nil, fmt.Errorf("get caller %q: %w", name, s.explain(notFound(err)))
	}
	return c, nil
}

// GetCallerByKeyHash implements store.Store. An empty hash matches no caller.
func (s *Store) GetCallerByKeyHash(ctx context.Context, hash []byte) (*store.Caller, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("get caller by key: empty key hash: %w", store.ErrNotFound)
	}
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers WHERE key_hash = $1`, hash))
	if err != nil {
		// Never the hash itself: it identifies a key.
		return nil, fmt.Errorf("get caller by key: %w", s.explain(notFound(err)))
	}
	return c, nil
}

// GetCallerByOAuthSubject implements store.Store. An empty subject matches no caller.
func (s *Store) GetCallerByOAuthSubject(ctx context.Context, issuer, subject string) (*store.Caller, error) {
	if subject == "" {
		return nil, fmt.Errorf("get caller by OAuth subject: empty subject: %w", store.ErrNotFound)
	}
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers
		WHERE oauth_subject = $1 AND oauth_issuer = $2`, subject, issuer))
	if err != nil {
		return nil, fmt.Errorf("get caller by OAuth subject: %w", s.explain(notFound(err)))
	}
	return c, nil
}

// ListCallers implements store.Store.
func (s *Store) ListCallers(ctx context.Context) ([]*store.Caller, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list callers: %w", s.explain(err))
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.Caller, error) { return scanCaller(r) })
	if err != nil {
		return nil, fmt.Errorf("list callers: %w", s.explain(err))
	}
	return cs, nil
}

// UpdateCaller implements store.Store.
func (s *Store) UpdateCaller(ctx context.Context, c *store.Caller) error {
	args, err := callerArgs(c, c.Version+1)
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	tag, err := s.pool.Exec(ctx, updateCaller, sqlcol.UpdateArgs(args, c.Version)...)
	if err == nil {
		err = s.versionCheck(ctx, tag, `SELECT version FROM callers WHERE name = $1`, c.Name, c.Version)
	}
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, s.explain(mapUnique(err)))
	}
	c.Version++
	return nil
}
