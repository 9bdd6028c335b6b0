package oauth_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/oauthtest"
	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/go-jose/go-jose/v4"
)

const resource = "http://127.0.0.1:8787/mcp"

// clock is a clock the test can move forward.
type clock struct{ skew atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *clock) advance(d time.Duration) { c.skew.Add(int64(d)) }

func newVerifier(t *testing.T, c oauth.Config) *oauth.Verifier {
	t.Helper()
	v, err := oauth.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims of a good token for resource.
func good(extra map[string]any) map[string]any {
	c := map[string]any{"aud": resource, "sub": "svc-reports", "client_id": "reports-agent", "scope": "openid alter-mcp"}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestVerify(t *testing.T) {
	idp := oauthtest.Start(t)
	var clk clock
	v := newVerifier(t, oauth.Config{Issuers: []string{idp.Issuer}, Resource: resource, Scopes: []string{"alter-mcp"},
		ClaimRules: []oauth.ClaimRule{{Claim: "realm_access.roles", Value: "aws", Caller: "by-role"}}, Now: clk.now})
	if err := v.Discover(t.Context()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()

	for _, kid := range []string{"rs", "es", "ed"} {
		tok, err := v.Verify(t.Context(), idp.Token(t, kid, good(nil)))
		if err != nil {
			t.Fatalf("%s: %v", kid, err)
		}
		if tok.Issuer != idp.Issuer || tok.Subject != "svc-reports" || tok.ClientID != "reports-agent" || tok.Caller != "" ||
			tok.Expiry.Before(time.Now().Add(50*time.Minute)) {
			t.Errorf("%s: %+v", kid, tok)
		}
	}

	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   string // in the description; "ok" for a token that passes
	}{
		{"aud among several", good(map[string]any{"aud": []string{"https://other", resource}}), "ok"},
		{"expired within the leeway", good(map[string]any{"exp": now - 10}), "ok"},
		{"scp array", good(map[string]any{"scope": nil, "scp": []string{"alter-mcp"}}), "ok"},
		{"scp string", good(map[string]any{"scope": nil, "scp": "read alter-mcp"}), "ok"},
		{"azp as the client", good(map[string]any{"client_id": nil, "azp": "kc-client"}), "ok"},
		{"expired", good(map[string]any{"exp": now - 120}), "expired"},
		{"not yet valid", good(map[string]any{"nbf": now + 120}), "not valid yet"},
		{"issued in the future", good(map[string]any{"iat": now + 600, "nbf": nil}), "issued in the future"},
		{"no expiry", good(map[string]any{"exp": nil}), "no expiry"},
		{"wrong audience", good(map[string]any{"aud": "https://other.example.com/mcp"}), "audience"},
		{"no audience", good(map[string]any{"aud": nil}), "audience"},
		{"wrong issuer", good(map[string]any{"iss": "https://evil.example.com"}), "issuer"},
		{"no subject and no client", good(map[string]any{"sub": nil, "client_id": nil}), "subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := v.Verify(t.Context(), idp.Token(t, "rs", tc.claims))
			if tc.want == "ok" {
				if err != nil {
					t.Error(err)
				}
				return
			}
			checkErr(t, tok, err, 401, tc.want)
		})
	}

	t.Run("subject from the client id", func(t *testing.T) {
		tok, err := v.Verify(t.Context(), idp.Token(t, "rs", good(map[string]any{"sub": nil})))
		if err != nil || tok.Subject != "reports-agent" {
			t.Errorf("%+v %v", tok, err)
		}
	})
	t.Run("claim rule", func(t *testing.T) {
		tok, err := v.Verify(t.Context(), idp.Token(t, "es", good(map[string]any{"realm_access": map[string]any{"roles": []string{"x", "aws"}}})))
		if err != nil || tok.Caller != "by-role" {
			t.Errorf("%+v %v", tok, err)
		}
	})
	t.Run("missing scope", func(t *testing.T) {
		tok, err := v.Verify(t.Context(), idp.Token(t, "rs", good(map[string]any{"scope": "openid"})))
		var e *oauth.Error
		if tok != nil || !errors.As(err, &e) || e.Status != 403 || e.Code != "insufficient_scope" {
			t.Errorf("%+v %v", tok, err)
		}
	})
	t.Run("unknown key id", func(t *testing.T) {
		tok, err := v.Verify(t.Context(), idp.Foreign(t, "ghost", good(nil)))
		checkErr(t, tok, err, 401, "signing key")
	})
	t.Run("bad signature", func(t *testing.T) {
		tok, err := v.Verify(t.Context(), idp.Foreign(t, "rs", good(nil)))
		checkErr(t, tok, err, 401, "signature")
	})
	t.Run("changed payload", func(t *testing.T) {
		parts := strings.Split(idp.Token(t, "rs", good(nil)), ".")
		parts[1] = payloadOf(t, idp.Token(t, "rs", good(map[string]any{"sub": "admin"})))
		tok, err := v.Verify(t.Context(), strings.Join(parts, "."))
		checkErr(t, tok, err, 401, "signature")
	})
	t.Run("alg none", func(t *testing.T) {
		none := b64(`{"alg":"none","typ":"JWT"}`) + "." + payloadOf(t, idp.Token(t, "rs", good(nil))) + "."
		tok, err := v.Verify(t.Context(), none)
		checkErr(t, tok, err, 401, `algorithm "none"`)
	})
	t.Run("HS256 with the public key", func(t *testing.T) {
		// The classic confusion: the RSA public key, as published, used as
		// an HMAC secret.
		jwks := fetchJWKS(t, idp.Issuer+"/jwks")
		var pub []byte
		for _, k := range jwks.Keys {
			if k.KeyID == "rs" {
				pub, _ = json.Marshal(k)
			}
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub}, (&jose.SignerOptions{}).WithHeader("kid", "rs"))
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := base64.RawURLEncoding.DecodeString(payloadOf(t, idp.Token(t, "rs", good(nil))))
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := jws.CompactSerialize()
		tok, err := v.Verify(t.Context(), raw)
		checkErr(t, tok, err, 401, `algorithm "HS256"`)
	})
	for _, bad := range []string{"", "alter_key_abc", "a.b", "a.b.c", "...", "e30.e30.e30", strings.Repeat("a", 20<<10)} {
		t.Run("malformed "+clipName(bad), func(t *testing.T) {
			tok, err := v.Verify(t.Context(), bad)
			checkErr(t, tok, err, 401, "")
		})
	}
	t.Run("rotation", func(t *testing.T) {
		idp.AddKey(t, "rs2", "RS256")
		tok := idp.Token(t, "rs2", good(nil))
		// The set was fetched moments ago: a key id it lacks is not fetched
		// again at once...
		if _, err := v.Verify(t.Context(), tok); err == nil {
			t.Error("a new key was fetched within the refetch interval")
		}
		// ...but once the interval has passed.
		clk.advance(11 * time.Second)
		if _, err := v.Verify(t.Context(), tok); err != nil {
			t.Errorf("after rotation: %v", err)
		}
	})
}

// TestRFC8414: an OAuth authorization server that is not an OpenID provider
// is discovered through /.well-known/oauth-authorization-server, with the
// issuer's path after it.
func TestRFC8414(t *testing.T) {
	idp := oauthtest.Start(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/oauth-authorization-server/tenant-a" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/tenant-a", "jwks_uri": idp.Issuer + "/jwks"})
	}))
	defer srv.Close()
	iss := srv.URL + "/tenant-a"
	v := newVerifier(t, oauth.Config{Issuers: []string{iss}, Resource: resource})
	tok, err := v.Verify(t.Context(), idp.Token(t, "rs", good(map[string]any{"iss": iss})))
	if err != nil || tok.Issuer != iss {
		t.Fatalf("%+v %v", tok, err)
	}
}

func TestUnreachableIssuer(t *testing.T) {
	idp := oauthtest.Start(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	v := newVerifier(t, oauth.Config{Issuers: []string{srv.URL}, Resource: resource})
	_, err := v.Verify(t.Context(), idp.Token(t, "rs", good(map[string]any{"iss": srv.URL})))
	if !errors.Is(err, oauth.ErrUnavailable) {
		t.Errorf("%v", err)
	}
}

func TestConfig(t *testing.T) {
	for _, iss := range []string{"http://idp.example.com", "ftp://idp", "https://idp/?x=1", "idp.example.com", "https://u:p@idp"} {
		if _, err := oauth.New(oauth.Config{Issuers: []string{iss}, Resource: resource}); err == nil {
			t.Errorf("issuer %q accepted", iss)
		}
	}
	for _, iss := range []string{"https://idp.example.com/realms/aws", "http://127.0.0.1:8080", "http://localhost:9000/x", "http://[::1]:1"} {
		if _, err := oauth.New(oauth.Config{Issuers: []string{iss}, Resource: resource}); err != nil {
			t.Errorf("issuer %q: %v", iss, err)
		}
	}
	if _, err := oauth.New(oauth.Config{Resource: resource}); err == nil {
		t.Error("no issuer accepted")
	}
	if _, err := oauth.New(oauth.Config{Issuers: []string{"https://idp"}, Resource: "/mcp"}); err == nil {
		t.Error("a relative resource accepted")
	}
	if _, err := oauth.DefaultResource("0.0.0.0:8787", false, "/mcp"); err == nil {
		t.Error("a default resource for 0.0.0.0")
	}
	if r, err := oauth.DefaultResource("127.0.0.1:8787", true, "/mcp"); err != nil || r != "https://127.0.0.1:8787/mcp" {
		t.Errorf("DefaultResource: %q %v", r, err)
	}
}

func TestMetadata(t *testing.T) {
	v := newVerifier(t, oauth.Config{Issuers: []string{"https://idp.example.com"}, Resource: "https://alter.example.com/mcp", Scopes: []string{"alter-mcp"}})
	if got := v.MetadataPaths(); len(got) != 2 || got[1] != "/.well-known/oauth-protected-resource/mcp" {
		t.Errorf("paths %q", got)
	}
	if got := v.MetadataURL(); got != "https://alter.example.com/.well-known/oauth-protected-resource/mcp" {
		t.Errorf("url %q", got)
	}
	if got := v.Challenge("invalid_token", `the "token" has expired`); got != `Bearer resource_metadata="https://alter.example.com/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="the 'token' has expired", scope="alter-mcp"` {
		t.Errorf("challenge %s", got)
	}
}

func TestParseClaimRule(t *testing.T) {
	r, err := oauth.ParseClaimRule("groups=arn:aws:group:readers:reports-agent")
	if err != nil || r != (oauth.ClaimRule{Claim: "groups", Value: "arn:aws:group:readers", Caller: "reports-agent"}) {
		t.Errorf("%+v %v", r, err)
	}
	for _, bad := range []string{"", "groups", "groups=x", "=x:y", "groups=:y", "groups=x:"} {
		if _, err := oauth.ParseClaimRule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func checkErr(t *testing.T, tok *oauth.Token, err error, status int, want string) {
	t.Helper()
	var e *oauth.Error
	if tok != nil || !errors.As(err, &e) || e.Status != status || !strings.Contains(e.Description, want) {
		t.Errorf("token %+v, error %v; want %d %q", tok, err, status, want)
	}
}

func payloadOf(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	return parts[1]
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func clipName(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func fetchJWKS(t *testing.T, u string) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set
}
