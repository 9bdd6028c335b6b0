package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	_, err := s.write.ExecContext(ctx, `INSERT INTO rotations (grant_id, step,
		old_access_key_id, new_access_key_id, sealed, key_id, started_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (grant_id) DO UPDATE SET step = excluded.step,
		old_access_key_id = excluded.old_access_key_id, new_access_key_id = excluded.new_access_key_id,
		sealed = excluded.sealed, key_id = excluded.key_id, started_at = excluded.started_at,
		updated_at = excluded.updated_at`, r.GrantID, r.Step, r.OldAccessKeyID, r.NewAccessKeyID,
		blob(r.Sealed), r.KeyID, started, updated)
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
	err := s.read.QueryRowContext(ctx, `SELECT grant_id, step, old_access_key_id, new_access_key_id,
		sealed, key_id, started_at, updated_at FROM rotations WHERE grant_id = ?`, grantID).
		Scan(&r.GrantID, &r.Step, &r.OldAccessKeyID, &r.NewAccessKeyID, &r.Sealed, &r.KeyID,
			nullTime{&r.StartedAt}, nullTime{&r.UpdatedAt})
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

// GetSetting implements store.Store.
func (s *Store) GetSetting(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.queryRow(ctx, s.read, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get setting %q: %w", name, err)
	}
	return v, nil
}

// PutSetting implements store.Store.
func (s *Store) PutSetting(ctx context.Context, name string, value []byte) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, blob(value))
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, err)
	}
	return nil
}

// CreateSetting implements store.Store.
func (s *Store) CreateSetting(ctx context.Context, name string, value []byte) error {
	res, err := s.write.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO NOTHING`, name, blob(value))
	if err != nil {
		return fmt.Errorf("create setting %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create setting %q: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("create setting %q: already set: %w", name, store.ErrConflict)
	}
	return nil
}
