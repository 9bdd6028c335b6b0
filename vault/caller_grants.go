package vault

// The callers' side of grants: who a transport's caller name stands for,
// and which grants a caller may use now.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

// ResolveCaller returns the vault caller that a transport's caller name
// stands for: the name itself when a caller is registered under it, and ""
// (the operator) for "" or a name no caller is registered under, such as
// the MCP client's name on stdio. A revoked caller gets ErrCallerRevoked.
//
// The transport must authenticate registered callers (an API key) and
// must not let a name it did not choose itself reach here: an unregistered
// name has the operator's rights.
func (v *Vault) ResolveCaller(ctx context.Context, name string) (string, error) {
	_, caller, err := v.resolveCaller(ctx, name)
	return caller, err
}

func (v *Vault) resolveCaller(ctx context.Context, name string) (*store.Caller, string, error) {
	if name == "" {
		return nil, "", nil
	}
	c, err := v.store.GetCaller(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", nil
	case err != nil:
		return nil, "", fmt.Errorf("read caller %q: %w", text.Clip(name, 100), err)
	case c.Revoked:
		return nil, "", fmt.Errorf("%w: caller %s was revoked; ask the operator for a new API key", ErrCallerRevoked, c.Name)
	}
	return c, c.Name, nil
}

// CallerGrants returns the grants caller may use now, oldest first: for a
// registered caller the grants it was given, and for the operator (see
// ResolveCaller) every grant. Revoked and expired grants are left out.
func (v *Vault) CallerGrants(ctx context.Context, caller string) ([]Grant, error) {
	c, _, err := v.resolveCaller(ctx, caller)
	if err != nil {
		return nil, err
	}
	var gs []*store.Grant
	if c == nil {
		if gs, err = v.store.ListGrants(ctx); err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
	} else {
		// Only the caller's own: what it costs does not grow with the
		// grants of others in the vault.
		for _, idOrName := range c.Grants {
			g, err := v.loadGrant(ctx, idOrName)
			switch {
			case errors.Is(err, ErrGrantNotFound):
				continue
			case err != nil:
				return nil, err
			}
			if !slices.ContainsFunc(gs, func(h *store.Grant) bool { return h.ID == g.ID }) {
				gs = append(gs, g)
			}
		}
		slices.SortFunc(gs, func(a, b *store.Grant) int { // oldest first, as ListGrants
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
	}
	now := v.now()
	out := make([]Grant, 0, len(gs))
	for _, g := range gs {
		if g.Revoked || !g.Expires.IsZero() && !now.Before(g.Expires) {
			continue
		}
		out = append(out, v.grantView(g))
	}
	return out, nil
}
