package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// How often an issuer's metadata and keys are fetched.
const (
	// rediscoverAfter: a failed discovery is tried again no sooner.
	rediscoverAfter = 10 * time.Second
	// refetchAfter: a token whose key id the cached set lacks fetches the
	// set again (the issuer rotated its keys) no more often than this, so
	// that forged tokens cannot make the server hammer the issuer.
	refetchAfter = 10 * time.Second
	// keysMaxAge: the set is fetched again at the first token after this,
	// so that a key the issuer withdrew stops working.
	keysMaxAge = time.Hour
	// maxDocumentBytes bounds a metadata document or key set.
	maxDocumentBytes = 1 << 20
)

// issuer is one trusted authorization server: its keys, found by
// discovery at first use.
type issuer struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	keys    *keySet
	tried   time.Time
	lastErr error
}

// keySet returns the issuer's key set, discovering it first if need be.
func (is *issuer) keySet(ctx context.Context) (*keySet, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.keys != nil {
		return is.keys, nil
	}
	if now := is.now(); is.lastErr != nil && now.Sub(is.tried) < rediscoverAfter {
		return nil, is.lastErr
	}
	is.tried = is.now()
	jwksURL, err := discover(ctx, is.client, is.url)
	if err != nil {
		is.lastErr = fmt.Errorf("%w: discovery of %s: %w", ErrUnavailable, is.url, err)
		return nil, is.lastErr
	}
	is.keys = &keySet{url: jwksURL, client: is.client, now: is.now}
	is.lastErr = nil
	return is.keys, nil
}

// discover finds an issuer's jwks_uri: from its OpenID Connect discovery
// document (go-oidc, which checks that it names the same issuer), else from
// its RFC 8414 authorization server metadata, for OAuth servers that are not
// OpenID providers.
func discover(ctx context.Context, client *http.Client, iss string) (string, error) {
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	p, oidcErr := oidc.NewProvider(oidc.ClientContext(ctx, client), iss)
	if oidcErr == nil {
		if err := p.Claims(&meta); err != nil {
			return "", err
		}
	} else {
		// RFC 8414 section 3: the well-known segment goes between the host
		// and the issuer's path.
		u, err := url.Parse(iss)
		if err != nil {
			return "", err
		}
		u.Path = "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.Path, "/")
		if err := getJSON(ctx, client, u.String(), &meta); err != nil {
			return "", fmt.Errorf("%w; %w", oidcErr, err)
		}
		if meta.Issuer != iss {
			return "", fmt.Errorf("the metadata at %s names the issuer %q, not %q", u, meta.Issuer, iss)
		}
	}
	if meta.JWKSURI == "" {
		return "", errors.New("its metadata names no jwks_uri")
	}
	if err := CheckIssuer(meta.JWKSURI); err != nil {
		return "", fmt.Errorf("its jwks_uri %q is neither https nor loopback http", meta.JWKSURI)
	}
	return meta.JWKSURI, nil
}

// getJSON GETs a JSON document of at most maxDocumentBytes.
func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(b) > maxDocumentBytes {
		return fmt.Errorf("GET %s: larger than %d bytes", u, maxDocumentBytes)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// keySet is an issuer's JSON Web Key Set, cached. go-oidc's RemoteKeySet
// fetches the set again for every token it cannot verify, so a stream of
// forged tokens would become a stream of requests to the identity
// provider; this one fetches again only for a key id it lacks, at most once
// per refetchAfter, and once the set is keysMaxAge old.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	fetchMu sync.Mutex // one fetch at a time
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetched time.Time
}

// verify checks jws's signature with the issuer's key of its key id (every
// key when it names none) and returns its payload.
func (k *keySet) verify(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	h := jws.Signatures[0].Protected
	keys, stale := k.candidates(h.KeyID, h.Algorithm)
	if len(keys) == 0 || stale {
		if err := k.refresh(ctx, len(keys) == 0); err != nil {
			if len(keys) == 0 {
				return nil, err
			}
			// A stale set still verifies while the issuer is unreachable.
		}
		keys, _ = k.candidates(h.KeyID, h.Algorithm)
	}
	if len(keys) == 0 {
		return nil, invalid("the token's signing key (kid) is not one its issuer publishes")
	}
	for i := range keys {
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, nil
		}
	}
	return nil, invalid("the token's signature does not verify")
}

// candidates are the cached keys that may have signed a token of kid and
// alg; stale reports that the set is due to be fetched again.
func (k *keySet) candidates(kid, alg string) (keys []jose.JSONWebKey, stale bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range k.keys {
		if (kid == "" || key.KeyID == kid) && (key.Use == "" || key.Use == "sig") &&
			(key.Algorithm == "" || key.Algorithm == alg) && key.IsPublic() {
			keys = append(keys, key)
		}
	}
	return keys, !k.fetched.IsZero() && k.now().Sub(k.fetched) > keysMaxAge
}

// refresh fetches the set, unless it was fetched less than refetchAfter
// ago (for a missing key) or another call just did.
func (k *keySet) refresh(ctx context.Context, missing bool) error {
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	k.mu.Lock()
	age := k.now().Sub(k.fetched)
	k.mu.Unlock()
	if !k.fetched.IsZero() && (age < refetchAfter || !missing && age <= keysMaxAge) {
		return nil
	}
	var set jose.JSONWebKeySet
	err := getJSON(ctx, k.client, k.url, &set)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fetched = k.now()
	if err != nil {
		return fmt.Errorf("%w: keys of the issuer: %w", ErrUnavailable, err)
	}
	k.keys = set.Keys
	return nil
}

func base64URLDecode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
