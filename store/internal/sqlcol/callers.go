package sqlcol

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

// scanCaller reads a row of callers (CallerColumns).
func (t *Tables) scanCaller(row Row) (*store.Caller, error) {
	var c store.Caller
	if err := row.Scan(CallerDest(&c, t.db.GrantsDest(&c.Grants))...); err != nil {
		return nil, err
	}
	if len(c.Grants) == 0 {
		c.Grants = nil
	}
	return &c, nil
}

// callerArgs are c's columns as Insert takes them, with version as its
// version.
func (t *Tables) callerArgs(c *store.Caller, version int64) ([]any, error) {
	grants := c.Grants
	if grants == nil {
		grants = []string{} // an empty list, not NULL
	}
	g, err := t.db.GrantsArg(grants)
	if err != nil {
		return nil, err
	}
	return CallerArgs(c, version, g)
}

// CreateCaller implements store.Store.
func (t *Tables) CreateCaller(ctx context.Context, c *store.Caller) error {
	args, err := t.callerArgs(c, 1)
	if err == nil {
		_, err = t.db.Exec(ctx, t.sql.insertCaller, args...)
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("create caller %q: %w", c.Name, err)
	}
	c.Version = 1
	return nil
}

// GetCaller implements store.Store.
func (t *Tables) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := t.scanCaller(t.db.QueryRow(ctx, t.sql.getCaller, name))
	if err != nil {
		return nil, fmt.Errorf("get caller %q: %w", name, t.explain(err))
	}
	return c, nil
}

// GetCallerByKeyHash implements store.Store. An empty hash matches no
// caller.
func (t *Tables) GetCallerByKeyHash(ctx context.Context, hash []byte) (*store.Caller, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("get caller by key: empty key hash: %w", store.ErrNotFound)
	}
	c, err := t.scanCaller(t.db.QueryRow(ctx, t.sql.getCallerByKey, hash))
	if err != nil {
		// Never the hash itself: it identifies a key.
		return nil, fmt.Errorf("get caller by key: %w", t.explain(err))
	}
	return c, nil
}

// GetCallerByOAuthSubject implements store.Store. An empty subject matches
// no caller.
func (t *Tables) GetCallerByOAuthSubject(ctx context.Context, issuer, subject string) (*store.Caller, error) {
	if subject == "" {
		return nil, fmt.Errorf("get caller by OAuth subject: empty subject: %w", store.ErrNotFound)
	}
	c, err := t.scanCaller(t.db.QueryRow(ctx, t.sql.getCallerBySubject, subject, issuer))
	if err != nil {
		return nil, fmt.Errorf("get caller by OAuth subject: %w", t.explain(err))
	}
	return c, nil
}

// ListCallers implements store.Store.
func (t *Tables) ListCallers(ctx context.Context) ([]*store.Caller, error) {
	cs, err := readRows(ctx, t, t.sql.listCallers, t.scanCaller)
	if err != nil {
		return nil, fmt.Errorf("list callers: %w", err)
	}
	return cs, nil
}

// UpdateCaller implements store.Store.
func (t *Tables) UpdateCaller(ctx context.Context, c *store.Caller) error {
	args, err := t.callerArgs(c, c.Version+1)
	if err == nil {
		var n int64
		n, err = t.db.Exec(ctx, t.sql.updateCaller, UpdateArgs(args, c.Version)...)
		if err == nil {
			err = t.versionCheck(ctx, n, t.sql.callerVersion, c.Name, c.Version)
		}
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("update caller %q: %w", c.Name, err)
	}
	c.Version++
	return nil
}
