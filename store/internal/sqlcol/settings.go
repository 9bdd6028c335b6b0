package sqlcol

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

// PutRotation implements store.Store.
func (t *Tables) PutRotation(ctx context.Context, r *store.Rotation) error {
	args, err := RotationArgs(r)
	if err == nil {
		_, err = t.db.Exec(ctx, t.sql.putRotation, args...)
		if _, _, fk := t.db.Constraint(err); fk {
			err = fmt.Errorf("no grant %s: %w", r.GrantID, store.ErrNotFound)
		}
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, err)
	}
	return nil
}

// GetRotation implements store.Store.
func (t *Tables) GetRotation(ctx context.Context, grantID string) (*store.Rotation, error) {
	var r store.Rotation
	if err := t.db.QueryRow(ctx, t.sql.getRotation, grantID).Scan(RotationDest(&r)...); err != nil {
		return nil, fmt.Errorf("get rotation of grant %s: %w", grantID, t.explain(err))
	}
	return &r, nil
}

// DeleteRotation implements store.Store.
func (t *Tables) DeleteRotation(ctx context.Context, grantID string) error {
	if _, err := t.db.Exec(ctx, t.sql.deleteRotation, grantID); err != nil {
		return fmt.Errorf("delete rotation of grant %s: %w", grantID, t.explain(err))
	}
	return nil
}

// GetSetting implements store.Store.
func (t *Tables) GetSetting(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	if err := t.db.QueryRow(ctx, t.sql.getSetting, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("get setting %q: %w", name, t.explain(err))
	}
	return v, nil
}

// PutSetting implements store.Store.
func (t *Tables) PutSetting(ctx context.Context, name string, value []byte) error {
	if _, err := t.db.Exec(ctx, t.sql.putSetting, name, Blob(value)); err != nil {
		return fmt.Errorf("put setting %q: %w", name, t.explain(err))
	}
	return nil
}

// CreateSetting implements store.Store.
func (t *Tables) CreateSetting(ctx context.Context, name string, value []byte) error {
	n, err := t.db.Exec(ctx, t.sql.createSetting, name, Blob(value))
	if err != nil {
		return fmt.Errorf("create setting %q: %w", name, t.explain(err))
	}
	if n == 0 {
		return fmt.Errorf("create setting %q: already set: %w", name, store.ErrConflict)
	}
	return nil
}
