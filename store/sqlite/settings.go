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
	putSetting    = sqlcol.Upsert("settings", sqlcol.SettingColumns, qmark)
	createSetting = sqlcol.Insert("settings", sqlcol.SettingColumns, qmark) + " ON CONFLICT (name) DO NOTHING"
)

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
	_, err := s.write.ExecContext(ctx, putSetting, name, sqlcol.Blob(value))
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, err)
	}
	return nil
}

// CreateSetting implements store.Store.
func (s *Store) CreateSetting(ctx context.Context, name string, value []byte) error {
	res, err := s.write.ExecContext(ctx, createSetting, name, sqlcol.Blob(value))
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
