package sqlcol

import (
	"context"
	"fmt"

	"github.com/alter-mcp/alter-mcp/store"
)

// CreateGrant implements store.Store.
func (t *Tables) CreateGrant(ctx context.Context, g *store.Grant) error {
	args, err := GrantArgs(g, 1)
	if err == nil {
		_, err = t.db.Exec(ctx, t.sql.insertGrant, args...)
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("create grant %q: %w", g.Name, err)
	}
	g.Version = 1
	return nil
}

// GetGrant implements store.Store.
func (t *Tables) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	g, err := ScanGrant(t.db.QueryRow(ctx, t.sql.getGrant, id))
	if err != nil {
		return nil, fmt.Errorf("get grant %s: %w", id, t.explain(err))
	}
	return g, nil
}

// GetGrantByName implements store.Store.
func (t *Tables) GetGrantByName(ctx context.Context, name string) (*store.Grant, error) {
	g, err := ScanGrant(t.db.QueryRow(ctx, t.sql.getGrantByName, name))
	if err != nil {
		return nil, fmt.Errorf("get grant %q: %w", name, t.explain(err))
	}
	return g, nil
}

// ListGrants implements store.Store.
func (t *Tables) ListGrants(ctx context.Context) ([]*store.Grant, error) {
	gs, err := readRows(ctx, t, t.sql.listGrants, ScanGrant)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return gs, nil
}

// UpdateGrant implements store.Store.
func (t *Tables) UpdateGrant(ctx context.Context, g *store.Grant) error {
	args, err := GrantArgs(g, g.Version+1)
	if err == nil {
		var n int64
		n, err = t.db.Exec(ctx, t.sql.updateGrant, UpdateArgs(args, g.Version)...)
		if err == nil {
			err = t.versionCheck(ctx, n, t.sql.grantVersion, g.ID, g.Version)
		}
		err = t.explain(err)
	}
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, err)
	}
	g.Version++
	return nil
}
