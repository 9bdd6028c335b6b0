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

var (
	insertCaller = sqlcol.Insert("callers", sqlcol.CallerColumns, qmark)
	updateCaller = sqlcol.Update("callers", sqlcol.CallerColumns, qmark)
)

// scanCaller reads a row of callers, whose grants column is a JSON array.
func scanCaller(row scanner) (*store.Caller, error) {
	var (
		c      store.Caller
		grants string
	)
	if err := row.Scan(sqlcol.CallerDest(&c, &grants)...); err != nil {
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

// callerArgs are c's columns as sqlcol.CallerArgs makes them, its grants a
// JSON array.
func callerArgs(c *store.Caller, version int64) ([]any, error) {
	grants := c.Grants
	if grants == nil {
		grants = []string{} // "[]", not "null"
	}
	j, err := json.Marshal(grants)
	if err != nil {
		return nil, err
	}
	return sqlcol.CallerArgs(c, version, string(j))
}

// CreateCaller implements store.Store.
func (s *Store) CreateCaller(ctx context.Context, c *store.Caller) error {
	args, err := callerArgs(c, 1)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, err)
	}
	_, err = s.write.ExecContext(ctx, insertCaller, args...)
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, mapUnique(err))
	}
	c.Version = 1
	return nil
}

// GetCaller implements store.Store.
func (s *Store) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := scanCaller(s.queryRow(ctx, s.read, `SELECT `+sqlcol.CallerColumns+` FROM callers WHERE name = ?`, name))
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
	c, err := scanCaller(s.queryRow(ctx, s.read, `SELECT `+sqlcol.CallerColumns+` FROM callers WHERE key_hash = ?`, hash))
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
	c, err := scanCaller(s.read.QueryRowContext(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers
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
	rows, err := s.read.QueryContext(ctx, `SELECT `+sqlcol.CallerColumns+` FROM callers ORDER BY name`)
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
	args, err := callerArgs(c, c.Version+1)
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, updateCaller, sqlcol.UpdateArgs(args, c.Version)...)
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
