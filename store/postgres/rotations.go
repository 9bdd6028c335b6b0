package postgres

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var putRotation = sqlcol.Upsert("rotations", sqlcol.RotationColumns, dollar)

// PutRotation implements store.Store.
func (s *Store) PutRotation(ctx context.Context, r *store.Rotation) error {
	args, err := sqlcol.RotationArgs(r)
	if err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, err)
	}
	_, err = s.pool.Exec(ctx, putRotation, args...)
	if foreignKey(err) {
		err = fmt.Errorf("no grant %s: %w", r.GrantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, s.explain(err))
	}
	return nil
}

// GetRotation implements store.Store.
func (s *Store) GetRotation(ctx context.Context, grantID string) (*store.Rotation, error) {
	var r store.Rotation
	err := s.pool.QueryRow(ctx, `SELECT `+sqlcol.RotationColumns+` FROM rotations WHERE grant_id = $1`, grantID).
		Scan(sqlcol.RotationDest(&r)...)
	if err != nil {
		return nil, fmt.Errorf("get rotation of grant %s: %w", grantID, s.explain(notFound(err)))
	}
	return &r, nil
}

// DeleteRotation implements store.Store.
func (s *Store) DeleteRotation(ctx context.Context, grantID string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM rotations WHERE grant_id = $1`, grantID); err != nil {
		return fmt.Errorf("delete rotation of grant %s: %w", grantID, s.explain(err))
	}
	return nil
}
