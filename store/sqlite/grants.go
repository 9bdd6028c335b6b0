package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

const grantColumns = `id, name, description, source, source_config, access_key_id, sealed, key_id,
	credentials_expire, policy, created_at, updated_at, revoked, expires, version`

func scanGrant(row scanner) (*store.Grant, error) {
	var g store.Grant
	err := row.Scan(&g.ID, &g.Name, &g.Description, &g.Source, &g.SourceConfig, &g.AccessKeyID,
		&g.Sealed, &g.KeyID, nullTime{&g.CredentialsExpire}, &g.Policy, nullTime{&g.CreatedAt},
		nullTime{&g.UpdatedAt}, &g.Revoked, nullTime{&g.Expires}, &g.Version)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// grantValues are g's columns after id, in grantColumns order, ending with version.
func grantValues(g *store.Grant, version int64) ([]any, error) {
	var e encoder
	v := []any{g.Name, g.Description, g.Source, blob(g.SourceConfig), g.AccessKeyID,
		blob(g.Sealed), g.KeyID, e.time("credentials expiry", g.CredentialsExpire), blob(g.Policy),
		e.time("created time", g.CreatedAt), e.time("updated time", g.UpdatedAt),
		boolean(g.Revoked), e.time("expiry", g.Expires), version}
	return v, e.err
}

// CreateGrant implements store.Store.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant) error {
	v, err := grantValues(g, 1)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO grants (`+grantColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{g.ID}, v...)...)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, mapUnique(err))
	}
	g.Version = 1
	return nil
}

// GetGrant implements store.Store.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	g, err := scanGrant(s.queryRow(ctx, s.read, `SELECT `+grantColumns+` FROM grants WHERE id = ?`, id))
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
	g, err := scanGrant(s.queryRow(ctx, s.read, `SELECT `+grantColumns+` FROM grants WHERE name = ?`, name))
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
	rows, err := s.read.QueryContext(ctx, `SELECT `+grantColumns+` FROM grants ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var gs []*store.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
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
	v, err := grantValues(g, g.Version+1)
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE grants SET name = ?, description = ?, source = ?,
			source_config = ?, access_key_id = ?, sealed = ?, key_id = ?, credentials_expire = ?,
			policy = ?, created_at = ?, updated_at = ?, revoked = ?, expires = ?, version = ?
			WHERE id = ? AND version = ?`, append(v, g.ID, g.Version)...)
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
