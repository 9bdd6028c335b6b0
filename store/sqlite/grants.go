package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var (
	insertGrant = sqlcol.Insert("grants", sqlcol.GrantColumns, qmark)
	updateGrant = sqlcol.Update("grants", sqlcol.GrantColumns, qmark)
)

// CreateGrant implements store.Store.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant) error {
	args, err := sqlcol.GrantArgs(g, 1)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, err)
	}
	_, err = s.write.ExecContext(ctx, insertGrant, args...)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, mapUnique(err))
	}
	g.Version = 1
	return nil
}

// GetGrant implements store.Store.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	g, err := sqlcol.ScanGrant(s.queryRow(ctx, s.read, `SELECT `+sqlcol.GrantColumns+` FROM grants WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get grant %s: %w", id, err)
	}
	return g, nil
}

// GetGrantByName implements store.Store.
func (s *Store) GetGrantByName(ctx context.Context, name string) (*store.Grant, error) {
	g, err := sqlcol.ScanGrant(s.queryRow(ctx, s.read, `SELECT `+sqlcol.GrantColumns+` FROM grants WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get grant %q: %w", name, err)
	}
	return g, nil
}

// ListGrants implements store.Store.
func (s *Store) ListGrants(ctx context.Context) ([]*store.Grant, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sqlcol.GrantColumns+` FROM grants ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var gs []*store.Grant
	for rows.Next() {
		g, err := sqlcol.ScanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return gs, nil
}

// UpdateGrant implements store.Store.
func (s *Store) UpdateGrant(ctx context.Context, g *store.Grant) error {
	args, err := sqlcol.GrantArgs(g, g.Version+1)
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, updateGrant, sqlcol.UpdateArgs(args, g.Version)...)
		if err != nil {
			return mapUnique(err)
		}
		return versionCheck(ctx, tx, res, `SELECT version FROM grants WHERE id = ?`, g.ID, g.Version)
	})
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	g.Version++
	return nil
}

// versionCheck tells why an optimistic update changed no row: the record is
// gone (ErrNotFound) or its version moved on (ErrConflict).
func versionCheck(ctx context.Context, tx *sql.Tx, res sql.Result, query, key string, want int64) error {
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return err
	}
	var have int64
	err = tx.QueryRowContext(ctx, query, key).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("version %d is stale, the stored one is %d: %w", want, have, store.ErrConflict)
}
