package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

const callerColumns = `name, key_hash, grants, created_at, updated_at, revoked, version, oauth_issuer, oauth_subject`

func scanCaller(row pgx.Row) (*store.Caller, error) {
	var c store.Caller
	err := row.Scan(&c.Name, &c.KeyHash, &c.Grants, nullTime{&c.CreatedAt}, nullTime{&c.UpdatedAt},
		&c.Revoked, &c.Version, &c.OAuthIssuer, sqlcol.NullString{S: &c.OAuthSubject})
	if err != nil {
		return nil, err
	}
	if len(c.Grants) == 0 {
		c.Grants = nil
	}
	return &c, nil
}

// callerValues are c's columns after name, in callerColumns order.
func callerValues(c *store.Caller, version int64) ([]any, error) {
	grants := c.Grants
	if grants == nil {
		grants = []string{} // an empty array, not NULL
	}
	var e encoder
	v := []any{blob(c.KeyHash), grants, e.time("created time", c.CreatedAt),
		e.time("updated time", c.UpdatedAt), c.Revoked, version, c.OAuthIssuer, sqlcol.NullIfEmpty(c.OAuthSubject)}
	return v, e.err
}

// CreateCaller implements store.Store.
func (s *Store) CreateCaller(ctx context.Context, c *store.Caller) error {
	v, err := callerValues(c, 1)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO callers (`+callerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, append([]any{c.Name}, v...)...)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, s.explain(mapUnique(err)))
	}
	c.Version = 1
	return nil
}

// GetCaller implements store.Store.
func (s *Store) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+callerColumns+` FROM callers WHERE name = $1`, name))
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
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+callerColumns+` FROM callers WHERE key_hash = $1`, hash))
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
	c, err := scanCaller(s.pool.QueryRow(ctx, `SELECT `+callerColumns+` FROM callers
		WHERE oauth_subject = $1 AND oauth_issuer = $2`, subject, issuer))
	if err != nil {
		return nil, fmt.Errorf("get caller by OAuth subject: %w", s.explain(notFound(err)))
	}
	return c, nil
}

// ListCallers implements store.Store.
func (s *Store) ListCallers(ctx context.Context) ([]*store.Caller, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+callerColumns+` FROM callers ORDER BY name`)
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
	v, err := callerValues(c, c.Version+1)
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE callers SET key_hash = $1, grants = $2, created_at = $3,
		updated_at = $4, revoked = $5, version = $6, oauth_issuer = $7, oauth_subject = $8
		WHERE name = $9 AND version = $10`,
		append(v, c.Name, c.Version)...)
	if err == nil {
		err = s.versionCheck(ctx, tag, `SELECT version FROM callers WHERE name = $1`, c.Name, c.Version)
	}
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, s.explain(mapUnique(err)))
	}
	c.Version++
	return nil
}
