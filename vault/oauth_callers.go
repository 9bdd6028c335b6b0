package vault

// Callers known by OAuth access tokens instead of API keys: the server
// verifies a token (package oauth) and asks here which caller its issuer
// and subject stand for. The vault never sees the token itself.

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

// OAuthIdentity names a verified OAuth access token, never holding it: its
// issuer (iss), subject (sub, or the client id when the token has none) and
// client id (client_id, azp or appid). The audit records it with the caller.
type OAuthIdentity struct {
	Issuer   string `json:"issuer,omitempty"`
	Subject  string `json:"subject,omitempty"`
	ClientID string `json:"client_id,omitempty"`
}

// maxOAuthSubjectBytes bounds a subject: identity providers use ids of a
// few dozen bytes (UUIDs, Okta's 0oa…, Entra's object ids).
const maxOAuthSubjectBytes = 255

// AddOAuthCaller adds a caller that may use grants (ids or names, as
// AddCaller) and is known by OAuth access tokens whose sub is subject, from
// issuer, or from any issuer the server trusts when issuer is "". It has no
// API key. For a client-credentials token the subject is the client id at
// most identity providers (Okta, Auth0); Keycloak's is the service account's
// user id and Entra's the service principal's object id.
func (v *Vault) AddOAuthCaller(ctx context.Context, name string, grants []string, issuer, subject string) (Caller, error) {
	if err := checkName("caller", name); err != nil {
		return Caller{}, err
	}
	if err := checkOAuthSubject(issuer, subject); err != nil {
		return Caller{}, err
	}
	ids, err := v.resolveGrants(ctx, grants)
	if err != nil {
		return Caller{}, err
	}
	now := v.now().UTC()
	c := &store.Caller{Name: name, OAuthIssuer: issuer, OAuthSubject: subject, Grants: ids, CreatedAt: now, UpdatedAt: now}
	if err := v.store.CreateCaller(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Caller{}, fmt.Errorf("%w: a caller named %q, or one with OAuth subject %q of issuer %q, already exists; list them with `alter-mcp caller list`", ErrInvalid, name, subject, issuer)
		}
		return Caller{}, fmt.Errorf("store caller %q: %w", name, err)
	}
	v.log.Info("caller added", "caller", name, "grants", ids, "oauth_issuer", issuer, "oauth_subject", subject)
	return callerView(c), nil
}

func checkOAuthSubject(issuer, subject string) error {
	if subject == "" {
		return fmt.Errorf("%w: an OAuth caller needs the subject (sub) of its tokens", ErrInvalid)
	}
	if len(subject) > maxOAuthSubjectBytes {
		return fmt.Errorf("%w: OAuth subject %q is longer than %d bytes", ErrInvalid, text.Clip(subject, 80), maxOAuthSubjectBytes)
	}
	if issuer == "" {
		return nil
	}
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: OAuth issuer %q is not an issuer URL (https://host/path, exactly as the tokens' iss)", ErrInvalid, text.Clip(issuer, 200))
	}
	return nil
}

// CallerForToken returns the caller a verified access token stands for:
// the caller mapped to its issuer and subject, else the one mapped to its
// subject from any issuer, else (when rule is not "") the caller a claim
// rule named. ErrCallerNotFound when there is none, ErrCallerRevoked when
// it was revoked.
func (v *Vault) CallerForToken(ctx context.Context, id OAuthIdentity, rule string) (Caller, error) {
	c, err := v.store.GetCallerByOAuthSubject(ctx, id.Issuer, id.Subject)
	if errors.Is(err, store.ErrNotFound) {
		c, err = v.store.GetCallerByOAuthSubject(ctx, "", id.Subject)
	}
	if errors.Is(err, store.ErrNotFound) && rule != "" {
		c, err = v.store.GetCaller(ctx, rule)
		if errors.Is(err, store.ErrNotFound) {
			return Caller{}, fmt.Errorf("%w: the claim rule's caller %q does not exist; the operator adds it with `alter-mcp caller add`", ErrCallerNotFound, text.Clip(rule, 100))
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return Caller{}, fmt.Errorf("%w: no caller is mapped to subject %q of %s; the operator maps one with `alter-mcp caller add NAME --grants ID --oauth-subject SUB`",
			ErrCallerNotFound, text.Clip(id.Subject, 100), text.Clip(id.Issuer, 200))
	}
	if err != nil {
		return Caller{}, fmt.Errorf("find the caller of a token: %w", err)
	}
	if c.Revoked {
		return Caller{}, fmt.Errorf("%w: caller %s was revoked; ask the operator", ErrCallerRevoked, c.Name)
	}
	return callerView(c), nil
}
