package postgres

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

var (
	putSetting    = sqlcol.Upsert("settings", sqlcol.SettingColumns, dollar)
	createSetting = sqlcol.Insert("settings", sqlcol.SettingColumns, dollar) + " ON CONFLICT (name) DO NOTHING"
)

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
	_, err := s.pool.Exec(ctx, putSetting, name, sqlcol.Blob(value))
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, s.explain(err))
	}
	return nil
}

// CreateSetting implements store.Store.
func (s *Store) CreateSetting(ctx context.Context, name string, value []byte) error {
	tag, err := s.pool.Exec(ctx, createSetting, name, sqlcol.Blob(value))
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
