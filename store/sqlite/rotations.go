package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var putRotation = sqlcol.Upsert("rotations", sqlcol.RotationColumns, qmark)

// PutRotation implements store.Store.
func (s *Store) PutRotation(ctx context.Context, r *store.Rotation) error {
	args, err := sqlcol.RotationArgs(r)
	if err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, err)
	}
	_, err = s.write.ExecContext(ctx, putRotation, args...)
	if _, _, fk := constraint(err); fk {
		err = fmt.Errorf("no grant %s: %w", r.GrantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, err)
	}
	return nil
}

// GetRotation implements store.Store.
func (s *Store) GetRotation(ctx context.Context, grantID string) (*store.Rotation, error) {
	var r store.Rotation
	err := s.read.QueryRowContext(ctx, `SELECT `+sqlcol.RotationColumns+` FROM rotations WHERE grant_id = ?`, grantID).
		Scan(sqlcol.RotationDest(&r)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get rotation of grant %s: %w", grantID, err)
	}
	return &r, nil
}

// DeleteRotation implements store.Store.
func (s *Store) DeleteRotation(ctx context.Context, grantID string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM rotations WHERE grant_id = ?`, grantID); err != nil {
		return fmt.Errorf("delete rotation of grant %s: %w", grantID, err)
	}
	return nil
}
