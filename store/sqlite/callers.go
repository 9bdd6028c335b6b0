package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

const callerColumns = `name, key_hash, grants, created_at, updated_at, revoked, version, oauth_issuer, oauth_subject`

func scanCaller(row scanner) (*store.Caller, error) {
	var (
		c      store.Caller
		grants string
	)
	err := row.Scan(&c.Name, &c.KeyHash, &grants, nullTime{&c.CreatedAt}, nullTime{&c.UpdatedAt},
		&c.Revoked, &c.Version, &c.OAuthIssuer, sqlcol.NullString{S: &c.OAuthSubject})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(grants), &c.Grants); err != nil {
		return nil, fmt.Errorf("caller %q: grants column: %w", c.Name, err)
	}
	if len(c.Grants) == 0 {
		c.Grants = nil
	}
	return &c, nil
}

// callerValues are c's columns after name, in callerColumns order.
func callerValues(c *store.Caller, version int64) ([]any, error) {
	grants := c.Grants
	if grants == nil {
		grants = []string{} // "[]", not "null"
	}
	j, err := json.Marshal(grants)
	if err != nil {
		return nil, err
	}
	var e encoder
	v := []any{blob(c.KeyHash), string(j), e.time("created time", c.CreatedAt),
		e.time("updated time", c.UpdatedAt), boolean(c.Revoked), version, c.OAuthIssuer, sqlcol.NullIfEmpty(c.OAuthSubject)}
	return v, e.err
}

// CreateCaller implements store.Store.
func (s *Store) CreateCaller(ctx context.Context, c *store.Caller) error {
	v, err := callerValues(c, 1)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO callers (`+callerColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{c.Name}, v...)...)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, mapUnique(err))
	}
	c.Version = 1
	return nil
}

// GetCaller implements store.Store.
func (s *Store) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := scanCaller(s.queryRow(ctx, s.read, `SELECT `+callerColumns+` FROM callers WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get caller %q: %w", name, err)
	}
	return c, nil
}

// GetCallerByKeyHash implements store.Store. An empty hash matches no caller.
func (s *Store) GetCallerByKeyHash(ctx context.Context, hash []byte) (*store.Caller, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("get caller by key: empty key hash: %w", store.ErrNotFound)
	}
	c, err := scanCaller(s.queryRow(ctx, s.read, `SELECT `+callerColumns+` FROM callers WHERE key_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		// Never the hash itself: it identifies a key.
		return nil, fmt.Errorf("get caller by key: %w", err)
	}
	return c, nil
}

// GetCallerByOAuthSubject implements store.Store. An empty subject matches no caller.
func (s *Store) GetCallerByOAuthSubject(ctx context.Context, issuer, subject string) (*store.Caller, error) {
	if subject == "" {
		return nil, fmt.Errorf("get caller by OAuth subject: empty subject: %w", store.ErrNotFound)
	}
	c, err := scanCaller(s.read.QueryRowContext(ctx, `SELECT `+callerColumns+` FROM callers
		WHERE oauth_subject = ? AND oauth_issuer = ?`, subject, issuer))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get caller by OAuth subject: %w", err)
	}
	return c, nil
}

// ListCallers implements store.Store.
func (s *Store) ListCallers(ctx context.Context) ([]*store.Caller, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+callerColumns+` FROM callers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list callers: %w", err)
	}
	defer rows.Close()
	var cs []*store.Caller
	for rows.Next() {
		c, err := scanCaller(rows)
		if err != nil {
			return nil, fmt.Errorf("list callers: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list callers: %w", err)
	}
	return cs, nil
}

// UpdateCaller implements store.Store.
func (s *Store) UpdateCaller(ctx context.Context, c *store.Caller) error {
	v, err := callerValues(c, c.Version+1)
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE callers SET key_hash = ?, grants = ?, created_at = ?,
			updated_at = ?, revoked = ?, version = ?, oauth_issuer = ?, oauth_subject = ?
			WHERE name = ? AND version = ?`,
			append(v, c.Name, c.Version)...)
		if err != nil {
			return mapUnique(err)
		}
		return versionCheck(ctx, tx, res, `SELECT version FROM callers WHERE name = ?`, c.Name, c.Version)
	})
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	c.Version++
	return nil
}
