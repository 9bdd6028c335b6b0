package vault

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

// Caller is someone who may use grants. Its API key is shown once, by AddCaller.
type Caller struct {
	Name      string    `json:"name"`
	Grants    []string  `json:"grants"` // grant ids
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked,omitempty"`
	// OAuthIssuer and OAuthSubject: the access tokens it is known by
	// (AddOAuthCaller); OAuthIssuer "" is any issuer the server trusts.
	OAuthIssuer  string `json:"oauth_issuer,omitempty"`
	OAuthSubject string `json:"oauth_subject,omitempty"`
}

// APIKeyPrefix starts every caller API key; 32 random bytes in unpadded
// URL-safe base64 follow. A bearer credential without it is an OAuth
// access token, when the server accepts those.
const APIKeyPrefix = "alter_key_"

var apiKeyLen = len(APIKeyPrefix) + base64.RawURLEncoding.EncodedLen(32)

// AddCaller adds a caller that may use grants (ids or names; each must
// exist and not be revoked) and returns it with its API key. Only a hash of
// the key is stored: it cannot be shown again.
func (v *Vault) AddCaller(ctx context.Context, name string, grants []string) (Caller, string, error) {
	if err := checkName("caller", name); err != nil {
		return Caller{}, "", err
	}
	ids, err := v.resolveGrants(ctx, grants)
	if err != nil {
		return Caller{}, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Caller{}, "", fmt.Errorf("make an API key: %w", err)
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	clear(raw)
	hash := sha256.Sum256([]byte(key))
	now := v.now().UTC()
	c := &store.Caller{Name: name, KeyHash: hash[:], Grants: ids, CreatedAt: now, UpdatedAt: now}
	if err := v.store.CreateCaller(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Caller{}, "", fmt.Errorf("%w: a caller named %q already exists; pick another name, or revoke it and add it again", ErrInvalid, name)
		}
		return Caller{}, "", fmt.Errorf("store caller %q: %w", name, err)
	}
	v.log.Info("caller added", "caller", name, "grants", ids)
	return callerView(c), key, nil
}

// resolveGrants turns grant ids or names into the ids of usable grants,
// without duplicates.
func (v *Vault) resolveGrants(ctx context.Context, grants []string) ([]string, error) {
	ids := make([]string, 0, len(grants))
	for _, ref := range grants {
		g, err := v.loadGrant(ctx, strings.TrimSpace(ref))
		if err != nil {
			return nil, err
		}
		if g.Revoked {
			return nil, fmt.Errorf("%w: grant %s (%s) is revoked and cannot be given to a caller", ErrGrantRevoked, g.Name, g.ID)
		}
		if !slices.Contains(ids, g.ID) {
			ids = append(ids, g.ID)
		}
	}
	return ids, nil
}

// Callers lists every caller, revoked ones included, by name.
func (v *Vault) Callers(ctx context.Context) ([]Caller, error) {
	cs, err := v.store.ListCallers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list callers: %w", err)
	}
	out := make([]Caller, 0, len(cs))
	for _, c := range cs {
		out = append(out, callerView(c))
	}
	return out, nil
}

// RevokeCaller revokes a caller: its API key stops working and its calls
// are refused with ErrCallerRevoked. Revoking a revoked caller does nothing.
func (v *Vault) RevokeCaller(ctx context.Context, name string) error {
	for attempt := 0; ; attempt++ {
		c, err := v.loadCaller(ctx, name)
		if err != nil {
			return err
		}
		if c.Revoked {
			return nil
		}
		c.Revoked = true
		c.UpdatedAt = v.now().UTC()
		err = v.store.UpdateCaller(ctx, c)
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return fmt.Errorf("revoke caller %s: %w", name, err)
		}
		v.log.Info("caller revoked", "caller", name)
		return nil
	}
}

// Authenticate returns the caller an API key belongs to. The key is looked
// up by its SHA-256, so the time taken does not depend on how much of a
// guessed key is right; the stored hash is compared in constant time too.
func (v *Vault) Authenticate(ctx context.Context, apiKey string) (Caller, error) {
	hash := sha256.Sum256([]byte(apiKey))
	if len(apiKey) != apiKeyLen || !strings.HasPrefix(apiKey, APIKeyPrefix) {
		return Caller{}, fmt.Errorf("%w: that is not an alter-mcp API key (alter_key_…); ask the operator for one (`alter-mcp caller add`)", ErrCallerNotFound)
	}
	c, err := v.store.GetCallerByKeyHash(ctx, hash[:])
	if errors.Is(err, store.ErrNotFound) || err == nil && subtle.ConstantTimeCompare(c.KeyHash, hash[:]) != 1 {
		return Caller{}, fmt.Errorf("%w: no caller has this API key; ask the operator for one (`alter-mcp caller add`)", ErrCallerNotFound)
	}
	if err != nil {
		return Caller{}, fmt.Errorf("authenticate: %w", err)
	}
	if c.Revoked {
		return Caller{}, fmt.Errorf("%w: the API key of caller %s was revoked; ask the operator for a new one", ErrCallerRevoked, c.Name)
	}
	return callerView(c), nil
}

// checkCaller says whether caller may use grant g; "" is the operator, who
// may use every grant.
func (v *Vault) checkCaller(ctx context.Context, caller string, g *store.Grant) error {
	if caller == "" {
		return nil
	}
	c, err := v.loadCaller(ctx, caller)
	if err != nil {
		return err
	}
	if c.Revoked {
		return fmt.Errorf("%w: caller %s was revoked; ask the operator for a new API key", ErrCallerRevoked, c.Name)
	}
	if !slices.Contains(c.Grants, g.ID) && !slices.Contains(c.Grants, g.Name) {
		return fmt.Errorf("%w: caller %s may not use grant %s (%s); ask the operator to give it this grant, or use one of its own", ErrCallerNotAllowed, c.Name, g.Name, g.ID)
	}
	return nil
}

func (v *Vault) loadCaller(ctx context.Context, name string) (*store.Caller, error) {
	c, err := v.store.GetCaller(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %q: no caller has that name; list them with `alter-mcp caller list`", ErrCallerNotFound, text.Clip(name, 100))
	}
	if err != nil {
		return nil, fmt.Errorf("read caller %q: %w", text.Clip(name, 100), err)
	}
	return c, nil
}

func callerView(c *store.Caller) Caller {
	grants := c.Grants
	if grants == nil {
		grants = []string{}
	}
	return Caller{Name: c.Name, Grants: slices.Clone(grants), CreatedAt: c.CreatedAt, Revoked: c.Revoked,
		OAuthIssuer: c.OAuthIssuer, OAuthSubject: c.OAuthSubject}
}
