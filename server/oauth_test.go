package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/oauthtest"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/mark3labs/mcp-go/mcp"
)

// oauthServer is a server on a loopback port that accepts the tokens of idp
// for its own URL, requiring the scope alter-mcp, and whose logs go to log.
type oauthServer struct {
	base, resource string
	v              *vault.Vault
	apiKey         string
	log            *testutil.Buffer
}

func startOAuthServer(t *testing.T, idp *oauthtest.IdP, env map[string]string) *oauthServer {
	t.Helper()
	v := testvault.Open(t, env, nil)
	testvault.Grant(t, v, "reader", policy.Policy{})
	ctx := t.Context()
	if _, err := v.AddOAuthCaller(ctx, "okta-agent", []string{"reader"}, idp.Issuer, "svc-reports"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.AddCaller(ctx, "by-group", []string{"reader"}); err != nil {
		t.Fatal(err)
	}
	_, key, err := v.AddCaller(ctx, "keyed", []string{"reader"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	os := &oauthServer{base: "http://" + l.Addr().String(), v: v, apiKey: key, log: &testutil.Buffer{}}
	os.resource = os.base + HTTPPath
	ver, err := oauth.New(oauth.Config{Issuers: []string{idp.Issuer}, Resource: os.resource, Scopes: []string{"alter-mcp"},
		ClaimRules: []oauth.ClaimRule{{Claim: "groups", Value: "aws-readers", Caller: "by-group"}}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(io.MultiWriter(os.log, tlogWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newTestServer(t, v, nil, func(o *Options) { o.OAuth = ver; o.Logger = logger })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, HTTP) }()
	t.Cleanup(func() { cancel(); <-done })
	return os
}

func (os *oauthServer) claims(extra map[string]any) map[string]any {
	c := map[string]any{"aud": os.resource, "sub": "svc-reports", "client_id": "reports-client", "scope": "alter-mcp"}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestOAuthProtectedResourceMetadata(t *testing.T) {
	idp := oauthtest.Start(t)
	os := startOAuthServer(t, idp, nil)
	for _, p := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"} {
		resp, err := http.Get(os.base + p)
		if err != nil {
			t.Fatal(err)
		}
		var m oauth.Metadata
		err = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || m.Resource != os.resource || len(m.AuthorizationServers) != 1 ||
			m.AuthorizationServers[0] != idp.Issuer || len(m.ScopesSupported) != 1 || m.ScopesSupported[0] != "alter-mcp" {
			t.Errorf("%s: %d %+v %v", p, resp.StatusCode, m, err)
		}
	}

	resp := post(t, os.base+HTTPPath, nil, initBody)
	readBody(t, resp)
	want := `resource_metadata="` + os.base + `/.well-known/oauth-protected-resource/mcp"`
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.Contains(got, want) {
		t.Errorf("no credentials: %d %q", resp.StatusCode, got)
	}
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

func TestOAuthRefusals(t *testing.T) {
	idp := oauthtest.Start(t)
	os := startOAuthServer(t, idp, nil)
	now := time.Now().Unix()
	for _, tc := range []struct {
		name   string
		token  string
		status int
		want   string // in WWW-Authenticate (401, 403) or the body (403)
	}{
		{"expired", idp.Token(t, "rs", os.claims(map[string]any{"exp": now - 300})), 401, `error="invalid_token", error_description="the token has expired"`},
		{"not yet valid", idp.Token(t, "es", os.claims(map[string]any{"nbf": now + 300})), 401, "not valid yet"},
		{"wrong audience", idp.Token(t, "ed", os.claims(map[string]any{"aud": "http://127.0.0.1:1/mcp"})), 401, "audience"},
		{"wrong issuer", idp.Token(t, "rs", os.claims(map[string]any{"iss": "https://evil.example.com"})), 401, "issuer"},
		{"unknown key", idp.Foreign(t, "ghost", os.claims(nil)), 401, "signing key"},
		{"bad signature", idp.Foreign(t, "rs", os.claims(nil)), 401, "signature"},
		{"alg none", "eyJhbGciOiJub25lIn0." + strings.Split(idp.Token(t, "rs", os.claims(nil)), ".")[1] + ".", 401, `algorithm 'none'`},
		{"malformed", "not-a-token", 401, "not a JWT"},
		{"missing scope", idp.Token(t, "rs", os.claims(map[string]any{"scope": "openid"})), 403, `error="insufficient_scope"`},
		{"no caller", idp.Token(t, "rs", os.claims(map[string]any{"sub": "stranger"})), 403, "no caller is mapped to subject"},
		{"revoked API key form", "alter_key_" + strings.Repeat("A", 43), 401, "no caller has this API key"},
	} {
		resp := post(t, os.base+HTTPPath, bearer(tc.token), initBody)
		body := readBody(t, resp)
		challenge := resp.Header.Get("WWW-Authenticate")
		if resp.StatusCode != tc.status || !strings.Contains(challenge+body, tc.want) {
			t.Errorf("%s: %d, WWW-Authenticate %q, body %q; want %d with %q", tc.name, resp.StatusCode, challenge, body, tc.status, tc.want)
		}
		if resp.StatusCode == 401 && !strings.Contains(challenge, "resource_metadata=") {
			t.Errorf("%s: the challenge names no resource_metadata: %q", tc.name, challenge)
		}
	}
	// The server keeps serving: a good token and an API key still work.
	for _, cred := range []string{idp.Token(t, "rs", os.claims(nil)), os.apiKey} {
		c, _, err := connect(t, HTTP, os.base, cred, "")
		if err != nil {
			t.Fatalf("after the refusals: %v", err)
		}
		whoami(t, c)
	}
}

func TestOAuthCallers(t *testing.T) {
	idp := oauthtest.Start(t)
	os := startOAuthServer(t, idp, nil)
	for _, tc := range []struct {
		claims map[string]any
		caller string
		id     vault.OAuthIdentity
	}{
		{os.claims(nil), "okta-agent", vault.OAuthIdentity{Issuer: idp.Issuer, Subject: "svc-reports", ClientID: "reports-client"}},
		{os.claims(map[string]any{"sub": "someone", "groups": []string{"staff", "aws-readers"}}), "by-group",
			vault.OAuthIdentity{Issuer: idp.Issuer, Subject: "someone", ClientID: "reports-client"}},
	} {
		c, _, err := connect(t, HTTP, os.base, idp.Token(t, "rs", tc.claims), "")
		if err != nil {
			t.Fatal(err)
		}
		s := whoami(t, c)
		if s.Caller != tc.caller || s.Name != tc.caller || s.OAuth != tc.id {
			t.Errorf("session %+v, want caller %s and %+v", s, tc.caller, tc.id)
		}
	}
	// An API key's session has no token identity.
	c, _, err := connect(t, HTTP, os.base, os.apiKey, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := whoami(t, c); s.Caller != "keyed" || s.OAuth != (vault.OAuthIdentity{}) {
		t.Errorf("API key session %+v", s)
	}
}

// TestOAuthTokenNeverLeaks makes AWS calls as a token's caller, allowed and
// refused, and looks for the token (and its signature alone) in what AWS
// received, the tool results, the logs and the audit trail.
func TestOAuthTokenNeverLeaks(t *testing.T) {
	idp := oauthtest.Start(t)
	awsURL, atAWS := testutil.RecordingS3(t)
	os := startOAuthServer(t, idp, map[string]string{"AWS_ENDPOINT_URL": awsURL})
	token := idp.Token(t, "rs", os.claims(nil))
	c, _, err := connect(t, HTTP, os.base, token, "")
	if err != nil {
		t.Fatal(err)
	}
	var results strings.Builder
	for _, args := range []map[string]any{
		{"grant_id": "reader", "url": "https://reports.s3.us-east-1.amazonaws.com/?list-type=2", "reason": "list the reports"},
		{"grant_id": "reader", "url": "https://evil.example.com/", "reason": "exfiltrate"},
		{"grant_id": "missing", "url": "https://reports.s3.us-east-1.amazonaws.com/", "reason": "r"},
	} {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "aws_request", args
		res, err := c.CallTool(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		t.Logf("%s: %s", args["url"], b)
		results.Write(b)
	}
	entries, err := os.v.AuditLog().List(t.Context(), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	trail, _ := json.Marshal(entries)
	if !strings.Contains(string(trail), `"token_subject":"svc-reports"`) || !strings.Contains(string(trail), `"token_client_id":"reports-client"`) {
		t.Errorf("the audit does not name the token's subject and client: %s", trail)
	}
	sig := token[strings.LastIndexByte(token, '.')+1:]
	sent := atAWS.String()
	if sent == "" {
		t.Fatal("no call reached AWS")
	}
	for where, text := range map[string]string{"AWS": sent, "results": results.String(), "logs": os.log.String(), "audit": string(trail)} {
		if strings.Contains(text, token) || strings.Contains(text, sig) {
			t.Errorf("the token reached the %s", where)
		}
	}
}
