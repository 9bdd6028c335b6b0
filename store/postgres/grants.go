package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var (
	insertGrant = sqlcol.Insert("grants", sqlcol.GrantColumns, dollar)
	updateGrant = sqlcol.Update("grants", sqlcol.GrantColumns, dollar)
)

// CreateGrant implements store.Store.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant) error {
	args, err := sqlcol.GrantArgs(g, 1)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, err)
	}
	_, err = s.pool.Exec(ctx, insertGrant, args...)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, s.explain(mapUnique(err)))
	}
	g.Version = 1
	return nil
}

// GetGrant implements store.Store.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	g, err := sqlcol.ScanGrant(s.pool.QueryRow(ctx, `SELECT `+sqlcol.GrantColumns+` FROM grants WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get grant %s: %w", id, s.explain(notFound(err)))
	}
	return g, nil
}

// GetGrantByName implements store.Store.
func (s *Store) GetGrantByName(ctx context.Context, name string) (*store.Grant, error) {
	g, err := sqlcol.ScanGrant(s.pool.QueryRow(ctx, `SELECT `+sqlcol.GrantColumns+` FROM grants WHERE name = $1`, name))
	if err != nil {
		return nil, fmt.Errorf("get grant %q: %w", name, s.explain(notFound(err)))
	}
	return g, nil
}

// ListGrants implements store.Store.
func (s *Store) ListGrants(ctx context.Context) ([]*store.Grant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlcol.GrantColumns+` FROM grants ORDER BY created_at NULLS FIRST, id`)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", s.explain(err))
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.Grant, error) { return sqlcol.ScanGrant(r) })
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", s.explain(err))
	}
	return gs, nil
}

// UpdateGrant implements store.Store.
func (s *Store) UpdateGrant(ctx context.Context, g *store.Grant) error {
	args, err := sqlcol.GrantArgs(g, g.Version+1)
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	tag, err := s.pool.Exec(ctx, updateGrant, sqlcol.UpdateArgs(args, g.Version)...)
	if err == nil {
		err = s.versionCheck(ctx, tag, `SELECT version FROM grants WHERE id = $1`, g.ID, g.Version)
	}
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, s.explain(mapUnique(err)))
	}
	g.Version++
	return nil
}

// versionCheck tells why an optimistic update changed no row: the record is
// gone (ErrNotFound) or its version moved on (ErrConflict).
func (s *Store) versionCheck(ctx context.Context, tag pgconn.CommandTag, query, key string, want int64) error {
	if tag.RowsAffected() == 1 {
		return nil
	}
	var have int64
	if err := s.pool.QueryRow(ctx, query, key).Scan(&have); err != nil {
		return notFound(err)
	}
	return fmt.Errorf("version %d is stale, the stored one is %d: %w", want, have, store.ErrConflict)
}
