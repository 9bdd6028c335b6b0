package oauth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/go-jose/go-jose/v4"
)

// FuzzVerify: whatever arrives as a bearer token, Verify returns a token or
// an *oauth.Error, never panics, and never accepts an input that is not a
// token of the issuer's key.
func FuzzVerify(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
		case "/jwks":
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k", Algorithm: "ES256", Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	v, err := oauth.New(oauth.Config{Issuers: []string{srv.URL}, Resource: resource})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.e30.AAAA", "alter_key_x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := v.Verify(t.Context(), raw)
		if tok != nil || err == nil {
			t.Fatalf("accepted %q: %+v", raw, tok)
		}
		if _, ok := errors.AsType[*oauth.Error](err); !ok && !errors.Is(err, oauth.ErrUnavailable) {
			t.Fatalf("%q: an error of type %T: %v", raw, err, err)
		}
	})
}
