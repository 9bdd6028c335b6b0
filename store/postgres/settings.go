package postgres

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

// PutRotation implements store.Store.
func (s *Store) PutRotation(ctx context.Context, r *store.Rotation) error {
	var e encoder
	started, updated := e.time("start time", r.StartedAt), e.time("updated time", r.UpdatedAt)
	if e.err != nil {
		return fmt.Errorf("put rotation of grant %s: %w", r.GrantID, e.err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO rotations (grant_id, step,
		old_access_key_id, new_access_key_id, sealed, key_id, started_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (grant_id) DO UPDATE SET step = excluded.step,
		old_access_key_id = excluded.old_access_key_id, new_access_key_id = excluded.new_access_key_id,
		sealed = excluded.sealed, key_id = excluded.key_id, started_at = excluded.started_at,
		updated_at = excluded.updated_at`, r.GrantID, r.Step, r.OldAccessKeyID, r.NewAccessKeyID,
		blob(r.Sealed), r.KeyID, started, updated)
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
	err := s.pool.QueryRow(ctx, `SELECT grant_id, step, old_access_key_id, new_access_key_id,
		sealed, key_id, started_at, updated_at FROM rotations WHERE grant_id = $1`, grantID).
		Scan(&r.GrantID, &r.Step, &r.OldAccessKeyID, &r.NewAccessKeyID, &r.Sealed, &r.KeyID,
			nullTime{&r.StartedAt}, nullTime{&r.UpdatedAt})
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

// GetSetting implements store.Store.
func (s *Store) GetSetting(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	if err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("get setting %q: %w", name, s.explain(notFound(err)))
	}
	return v, nil
}

// PutSetting implements store.Store.
func (s *Store) PutSetting(ctx context.Context, name string, value []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, blob(value))
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, s.explain(err))
	}
	return nil
}

// CreateSetting implements store.Store.
func (s *Store) CreateSetting(ctx context.Context, name string, value []byte) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO NOTHING`, name, blob(value))
	if err != nil {
		return fmt.Errorf("create setting %q: %w", name, s.explain(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("create setting %q: already set: %w", name, store.ErrConflict)
	}
	return nil
}

// Version implements store.Versioned: the count of changes to grants and
// callers, one row read by primary key.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT version FROM data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the data version: %w", s.explain(err))
	}
	return v, nil
}
