package server

// OAuth 2.1 on the HTTP transports: a request whose bearer credential is
// not an API key carries an access token, which Options.OAuth verifies and
// the vault maps to a caller. The token goes no further than this file: the
// session keeps its issuer, subject and client id, for the audit.

import (
	"context"
	"errors"
	"net/http"

	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/alter-mcp/alter-mcp/vault"
)

// tokenKey carries the vault.OAuthIdentity of a request an access token
// authenticated.
type tokenKey struct{}

// authenticateToken establishes the caller of a request from its access
// token: 401 for a token that does not verify, 403 for one without a
// required scope or whose subject is no caller's, 503 when the issuer
// cannot be reached.
func (s *Server) authenticateToken(w http.ResponseWriter, r *http.Request, raw string, next http.Handler) {
	ctx := r.Context()
	tok, err := s.o.OAuth.Verify(ctx, raw)
	if e, ok := errors.AsType[*oauth.Error](err); ok {
		if e.Status == http.StatusForbidden {
			s.forbidden(w, r, s.o.OAuth.Challenge(e.Code, e.Description), e.Description)
			return
		}
		s.unauthorized(w, r, e.Code, e.Description)
		return
	}
	if err != nil {
		s.log.Error("could not verify an access token", "error", err)
		http.Error(w, "alter-mcp could not reach the authorization server to verify the token; try again later", http.StatusServiceUnavailable)
		return
	}
	id := vault.OAuthIdentity{Issuer: tok.Issuer, Subject: tok.Subject, ClientID: tok.ClientID}
	c, err := s.o.Vault.CallerForToken(ctx, id, tok.Caller)
	switch {
	case errors.Is(err, vault.ErrCallerNotFound) || errors.Is(err, vault.ErrCallerRevoked):
		s.forbidden(w, r, "", err.Error())
		return
	case err != nil:
		s.log.Error("could not find the caller of an access token", "error", err)
		http.Error(w, "alter-mcp could not check the token's caller; the server log has the details", http.StatusServiceUnavailable)
		return
	}
	ctx = context.WithValue(withCaller(ctx, c.Name), authenticatedKey{}, true)
	ctx = context.WithValue(ctx, tokenKey{}, id)
	next.ServeHTTP(w, r.WithContext(ctx))
}

// forbidden refuses an authenticated request with 403, and the challenge
// when there is one (insufficient_scope).
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, challenge, msg string) {
	s.log.Warn("request refused: forbidden", "remote", r.RemoteAddr, "reason", msg)
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	http.Error(w, "alter-mcp: "+msg, http.StatusForbidden)
}

// credentialsNeeded says what a request without credentials lacks.
func (s *Server) credentialsNeeded() string {
	if s.o.OAuth != nil {
		return "alter-mcp needs an access token from " + s.o.OAuth.Metadata().AuthorizationServers[0] +
			" (its metadata is at " + s.o.OAuth.MetadataURL() + ") or an API key, as \"Authorization: Bearer ...\""
	}
	return "alter-mcp needs an API key: send the header \"Authorization: Bearer alter_key_...\"; the operator makes one with `alter-mcp caller add NAME --grants ID`"
}
