// Package oauth makes alter-mcp's HTTP transport an OAuth 2.1 resource
// server, as the MCP authorization specification asks: it verifies JWT
// access tokens of the authorization servers the operator trusts and
// describes this server to clients (RFC 9728 Protected Resource Metadata).
//
// Discovery (OpenID Connect, else RFC 8414) is github.com/coreos/go-oidc's
// and signatures are github.com/go-jose/go-jose's: RS256, ES256 and EdDSA
// only, never "none" and never a symmetric algorithm. This package decides
// which keys to trust (cache.go), what a token must claim (iss, aud, exp,
// nbf, scopes) and what a client is told when it fails.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// DefaultLeeway is how far exp and nbf may be off the server's clock.
const DefaultLeeway = 30 * time.Second

// maxTokenBytes bounds an access token; identity providers' tokens are a
// few KiB at most.
const maxTokenBytes = 16 << 10

// Algorithms are the signature algorithms accepted: asymmetric only, so that
// a key published for verifying can never be used to sign.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// Config is what the operator trusts (serve --oauth-*).
type Config struct {
	// Issuers are the authorization servers whose tokens are accepted, by
	// issuer identifier, exactly as their tokens' iss. https, or http on a
	// loopback host.
	Issuers []string
	// Resource is this server's canonical URI (RFC 8707), such as
	// https://alter.example.com/mcp: named in the metadata, and the
	// audience tokens must carry unless Audience is set.
	Resource string
	// Audience is the aud tokens must carry; "" means Resource.
	Audience string
	// Scopes must all be granted to a token (scope or scp).
	Scopes []string
	// ClaimRules map a claim's value to a caller, for tokens whose subject
	// is mapped to none; the first that matches wins.
	ClaimRules []ClaimRule
	// Leeway is how far exp and nbf may be off; 0 means DefaultLeeway.
	Leeway time.Duration
	// HTTPClient fetches discovery documents and key sets; nil means a
	// client with a 10-second timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verifier verifies access tokens. It is safe for concurrent use.
type Verifier struct {
	c       Config
	issuers map[string]*issuer
}

// New checks c and returns its Verifier. Discovery happens at the first
// token of each issuer (Discover does it now), so that the server starts
// while an identity provider is down, and refuses tokens until it is back.
func New(c Config) (*Verifier, error) {
	if len(c.Issuers) == 0 {
		return nil, errors.New("oauth: no issuer: name at least one authorization server (--oauth-issuer)")
	}
	if err := checkResource(c.Resource); err != nil {
		return nil, err
	}
	if c.Audience == "" {
		c.Audience = c.Resource
	}
	if c.Leeway <= 0 {
		c.Leeway = DefaultLeeway
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\"\\") {
			return nil, fmt.Errorf("oauth: scope %q: a scope is one word, without quotes", s)
		}
	}
	v := &Verifier{c: c, issuers: map[string]*issuer{}}
	for _, iss := range c.Issuers {
		if err := CheckIssuer(iss); err != nil {
			return nil, err
		}
		v.issuers[iss] = &issuer{url: iss, client: c.HTTPClient, now: c.Now}
	}
	return v, nil
}

// CheckIssuer refuses an issuer URL that is not https, or http on a
// loopback host (an identity provider run for tests or development).
func CheckIssuer(iss string) error {
	u, err := url.Parse(iss)
	switch {
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("oauth: issuer %q is not an issuer URL (https://host/path, exactly as its tokens' iss)", iss)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("oauth: issuer %q is plain http: only https is trusted, or http on a loopback address", iss)
	}
	return fmt.Errorf("oauth: issuer %q is not an http(s) URL", iss)
}

func checkResource(r string) error {
	u, err := url.Parse(r)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("oauth: resource %q is not this server's URL (https://host/mcp)", r)
	}
	return nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// Discover fetches every issuer's metadata and keys now, and returns the
// first failure; tokens of an issuer that failed are tried again later.
func (v *Verifier) Discover(ctx context.Context) error {
	var errs []error
	for _, iss := range v.c.Issuers {
		if _, err := v.issuers[iss].keySet(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Token is what a verified access token says about who sent it.
type Token struct {
	Issuer string
	// Subject is sub, or the client id when the token has no sub.
	Subject  string
	ClientID string // client_id (RFC 9068), azp (OpenID Connect, Keycloak) or appid (Entra v1)
	Scopes   []string
	Expiry   time.Time
	// Caller is the caller the first matching claim rule names; "" when
	// none matches.
	Caller string
}

// Error is why a token is refused, for the WWW-Authenticate challenge: its
// Code is invalid_token (401) or insufficient_scope (403), and Description
// is short and names no part of the token but its claims' names.
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func invalid(format string, a ...any) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Description: fmt.Sprintf(format, a...)}
}

// ErrUnavailable wraps a failure to reach an issuer (discovery or keys): the
// token could not be judged, which is not the client's fault.
var ErrUnavailable = errors.New("oauth: the authorization server could not be reached")

// claims are the access token claims read here (RFC 9068 and the forms
// identity providers use).
type claims struct {
	jwt.Claims
	Scope    string          `json:"scope"`
	Scp      json.RawMessage `json:"scp"` // Entra: a string; Okta: an array
	ClientID string          `json:"client_id"`
	Azp      string          `json:"azp"`
	AppID    string          `json:"appid"`
}

// Verify verifies an access token: its form and algorithm, its signature by
// a key of a trusted issuer, iss, aud, exp and nbf (with Leeway), and the
// required scopes. It returns *Error for a token that fails, and an error
// wrapping ErrUnavailable when the issuer could not be reached.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Token, error) {
	if len(raw) > maxTokenBytes {
		return nil, invalid("the token is longer than %d bytes", maxTokenBytes)
	}
	if strings.Count(raw, ".") != 2 {
		return nil, invalid("the token is not a JWT")
	}
	jws, err := jose.ParseSignedCompact(raw, Algorithms)
	if err != nil {
		if alg, ok := headerAlg(raw); ok && !slices.Contains(Algorithms, jose.SignatureAlgorithm(alg)) {
			return nil, invalid("the token's algorithm %q is not accepted (RS256, ES256 or EdDSA)", clip(alg))
		}
		return nil, invalid("the token is not a well-formed JWT")
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("the token must have one signature")
	}
	// The issuer picks the keys; it is checked again once the signature is.
	var unverified struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil {
		return nil, invalid("the token's claims are not a JSON object")
	}
	is, ok := v.issuers[unverified.Issuer]
	if !ok {
		return nil, invalid("the token's issuer (iss) is not trusted here")
	}
	keys, err := is.keySet(ctx)
	if err != nil {
		return nil, err
	}
	payload, err := keys.verify(ctx, jws)
	if err != nil {
		return nil, err
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, invalid("the token's claims are malformed")
	}
	if c.Expiry == nil {
		return nil, invalid("the token has no expiry (exp)")
	}
	err = c.ValidateWithLeeway(jwt.Expected{Issuer: is.url, AnyAudience: jwt.Audience{v.c.Audience}, Time: v.c.Now()}, v.c.Leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return nil, invalid("the token has expired")
	case errors.Is(err, jwt.ErrNotValidYet):
		return nil, invalid("the token is not valid yet (nbf)")
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, invalid("the token was issued in the future (iat)")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, invalid("the token is not for this server: its audience (aud) must be %s", v.c.Audience)
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, invalid("the token's issuer (iss) is not trusted here")
	case err != nil:
		return nil, invalid("the token's claims are not valid")
	}
	t := &Token{
		Issuer:   c.Issuer,
		Subject:  c.Subject,
		ClientID: firstOf(c.ClientID, c.Azp, c.AppID),
		Scopes:   scopes(c.Scope, c.Scp),
		Expiry:   c.Expiry.Time(),
	}
	if t.Subject == "" {
		t.Subject = t.ClientID
	}
	if t.Subject == "" {
		return nil, invalid("the token names no subject (sub) and no client (client_id)")
	}
	if missing := v.missingScopes(t.Scopes); len(missing) > 0 {
		return nil, &Error{Status: http.StatusForbidden, Code: "insufficient_scope",
			Description: "the token lacks the scope " + strings.Join(missing, " ")}
	}
	t.Caller = v.ruleCaller(payload)
	return t, nil
}

func (v *Verifier) missingScopes(have []string) []string {
	var missing []string
	for _, s := range v.c.Scopes {
		if !slices.Contains(have, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// scopes reads scope (a space-separated string, RFC 9068) and scp (a string
// or an array of strings).
func scopes(scope string, scp json.RawMessage) []string {
	out := strings.Fields(scope)
	var list []string
	var one string
	if json.Unmarshal(scp, &list) == nil {
		out = append(out, list...)
	} else if json.Unmarshal(scp, &one) == nil {
		out = append(out, strings.Fields(one)...)
	}
	return out
}

// headerAlg reads the alg of a compact JWS's header, to say why it was
// refused.
func headerAlg(raw string) (string, bool) {
	h, _, _ := strings.Cut(raw, ".")
	var header struct {
		Alg string `json:"alg"`
	}
	b, err := base64URLDecode(h)
	if err != nil || json.Unmarshal(b, &header) != nil {
		return "", false
	}
	return header.Alg, true
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// clip shortens what a token says before it is repeated in an error.
func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// Resource is this server's canonical URI.
func (v *Verifier) Resource() string { return v.c.Resource }

// DefaultResource is the canonical URI of a server listening on addr at
// path: scheme://addr/path, or an error for an unspecified address
// (0.0.0.0, ::), where the URI clients use cannot be guessed.
func DefaultResource(addr string, tls bool, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("oauth: listen address %q: %w", addr, err)
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		return "", fmt.Errorf("oauth: the server listens on %s, so its public URL is not known: name it with --oauth-resource (https://alter.example.com%s)", addr, path)
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + path, nil
}
