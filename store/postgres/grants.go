package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/alter-mcp/alter-mcp/store"
)

const grantColumns = `id, name, description, source, source_config, access_key_id, sealed, key_id,
	credentials_expire, policy, created_at, updated_at, revoked, expires, version`

func scanGrant(row pgx.Row) (*store.Grant, error) {
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
		g.Revoked, e.time("expiry", g.Expires), version}
	return v, e.err
}

// CreateGrant implements store.Store.
func (s *Store) CreateGrant(ctx context.Context, g *store.Grant) error {
	v, err := grantValues(g, 1)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO grants (`+grantColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, append([]any{g.ID}, v...)...)
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, s.explain(mapUnique(err)))
	}
	g.Version = 1
	return nil
}

// GetGrant implements store.Store.
func (s *Store) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	g, err := scanGrant(s.pool.QueryRow(ctx, `SELECT `+grantColumns+` FROM grants WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("get grant %s: %w", id, s.explain(notFound(err)))
	}
	return g, nil
}

// GetGrantByName implements store.Store.
func (s *Store) GetGrantByName(ctx context.Context, name string) (*store.Grant, error) {
	g, err := scanGrant(s.pool.QueryRow(ctx, `SELECT `+grantColumns+` FROM grants WHERE name = $1`, name))
	if err != nil {
		return nil, fmt.Errorf("get grant %q: %w", name, s.explain(notFound(err)))
	}
	return g, nil
}

// ListGrants implements store.Store.
func (s *Store) ListGrants(ctx context.Context) ([]*store.Grant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+grantColumns+` FROM grants ORDER BY created_at NULLS FIRST, id`)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", s.explain(err))
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.Grant, error) { return scanGrant(r) })
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", s.explain(err))
	}
	return gs, nil
}

// UpdateGrant implements store.Store.
func (s *Store) UpdateGrant(ctx context.Context, g *store.Grant) error {
	v, err := grantValues(g, g.Version+1)
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE grants SET name = $1, description = $2, source = $3,
		source_config = $4, access_key_id = $5, sealed = $6, key_id = $7, credentials_expire = $8,
		policy = $9, created_at = $10, updated_at = $11, revoked = $12, expires = $13, version = $14
		WHERE id = $15 AND version = $16`, append(v, g.ID, g.Version)...)
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
