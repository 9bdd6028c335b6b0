package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/tools"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// testVault opens a fresh vault with one grant and the callers alice and
// bob, and returns it with their API keys.
func testVault(t *testing.T) (*vault.Vault, map[string]string) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	v := testvault.Open(t, nil, func(o *vault.Options) { o.MasterKey = key })
	ctx := context.Background()
	testvault.Grant(t, v, "reader", policy.Policy{}, vault.StaticCredentials{
		AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "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",
	})
	keys := map[string]string{}
	for _, name := range []string{"alice", "bob", "carol"} {
		_, k, err := v.AddCaller(ctx, name, []string{"reader"})
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	return v, keys
}

// testLogger logs to the test, so that a failing test shows the server's
// side.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlogWriter struct{ t *testing.T }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// gate lets a test hold a tool call in flight and release it.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	outcome chan string // "finished" or "cancelled"
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 16), release: make(chan struct{}), outcome: make(chan string, 16)}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// newTestServer builds a Server with two test-only tools: whoami_test, which
// answers the Session it was given, and wait_test, which waits for g.
func newTestServer(t *testing.T, v *vault.Vault, g *gate, mod func(*Options)) *Server {
	t.Helper()
	o := Options{Vault: v, Logger: testLogger(t), Version: "test"}
	if mod != nil {
		mod(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.MCP().AddTool(mcp.NewTool("whoami_test",
		mcp.WithDescription("test only: the session the server gave this call"),
		mcp.WithString("caller", mcp.Description("an identity the agent claims; must be ignored")),
	), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		b, err := json.Marshal(tools.SessionFrom(ctx))
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultText(string(b)), nil
	})
	s.MCP().AddTool(mcp.NewTool("wait_test", mcp.WithDescription("test only: waits to be released")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if g == nil {
				return mcp.NewToolResultText("no gate"), nil
			}
			g.entered <- struct{}{}
			select {
			case <-g.release:
				g.outcome <- "finished"
				return mcp.NewToolResultText("finished"), nil
			case <-ctx.Done():
				g.outcome <- "cancelled"
				return nil, ctx.Err()
			}
		})
	return s
}

// serveHTTP runs s on a loopback port with transport tr until the test ends
// (or stop is called) and returns its base URL.
func serveHTTP(t testing.TB, s *Server, tr Transport) (base string, stop func() error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, tr) }()
	var once sync.Once
	var serr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serr = <-done:
			case <-time.After(20 * time.Second):
				serr = errors.New("Serve did not return")
			}
		})
		return serr
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + l.Addr().String(), stop
}

func bearer(key string) map[string]string {
	if key == "" {
		return nil
	}
	return map[string]string{"Authorization": "Bearer " + key}
}

// connect starts an MCP client of transport tr at base with the API key and
// protocol version (""': the client's default, 2026-07-28).
func connect(t *testing.T, tr Transport, base, key, version string) (*client.Client, *mcp.InitializeResult, error) {
	t.Helper()
	var tp transport.Interface
	var err error
	switch tr {
	case HTTP:
		tp, err = transport.NewStreamableHTTP(base+HTTPPath, transport.WithHTTPHeaders(bearer(key)))
	case SSE:
		tp, err = transport.NewSSE(base+SSEPath, transport.WithHeaders(bearer(key)))
	}
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	c := client.NewClient(tp, opts...)
	t.Cleanup(func() { c.Close() })
	// The SSE stream lives as long as Start's context.
	if err := c.Start(context.Background()); err != nil {
		return c, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Initialize(ctx, initRequest())
	return c, res, err
}

func initRequest() mcp.InitializeRequest {
	var req mcp.InitializeRequest
	req.Params.ClientInfo = mcp.Implementation{Name: "test-client", Version: "1.2.3"}
	return req
}

// whoami calls whoami_test, claiming to be mallory, and returns the Session
// the server gave the call.
func whoami(t *testing.T, c *client.Client) tools.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = "whoami_test"
	req.Params.Arguments = map[string]any{"caller": "mallory"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("whoami_test: %v", err)
	}
	if res.IsError || len(res.Content) != 1 {
		t.Fatalf("whoami_test: %+v", res)
	}
	var s tools.Session
	if err := json.Unmarshal([]byte(res.Content[0].(mcp.TextContent).Text), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// post sends one raw JSON-RPC POST to the streamable HTTP endpoint.
func post(t *testing.T, url string, header map[string]string, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTTPRequiresAPIKey(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	if err := v.RevokeCaller(context.Background(), "carol"); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []Transport{HTTP, SSE} {
		h, err := newTestServer(t, v, nil, nil).Handler(t.Context(), tr)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		path := HTTPPath
		if tr == SSE {
			path = SSEPath
		}
		for _, tc := range []struct {
			name, auth, wantInChallenge, wantInBody string
		}{
			{"no key", "", `Bearer realm="alter-mcp"`, "needs an API key"},
			{"not bearer", "Basic YWxpY2U6eA==", `Bearer realm="alter-mcp"`, "needs an API key"},
			{"malformed key", "Bearer nope", `error="invalid_token"`, "not an alter-mcp API key"},
			{"unknown key", "Bearer " + keys["alice"][:len(keys["alice"])-4] + "AAAA", `error="invalid_token"`, "no caller has this API key"},
			{"revoked caller", "Bearer " + keys["carol"], `error="invalid_token"`, "revoked"},
		} {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
			if tr == HTTP {
				req, _ = http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(initializeBody))
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", tr, tc.name, resp.StatusCode)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, tc.wantInChallenge) {
				t.Errorf("%s %s: WWW-Authenticate %q lacks %q", tr, tc.name, got, tc.wantInChallenge)
			}
			if !strings.Contains(body, tc.wantInBody) {
				t.Errorf("%s %s: body %q lacks %q", tr, tc.name, body, tc.wantInBody)
			}
			if strings.Contains(body, keys["carol"]) {
				t.Errorf("%s %s: the body shows the key", tr, tc.name)
			}
		}

		// The mcp-go client sees the refusal, and a good key is served.
		if _, _, err := connect(t, tr, ts.URL, "", ""); err == nil {
			t.Errorf("%s: a client without a key connected", tr)
		}
		if _, _, err := connect(t, tr, ts.URL, keys["carol"], ""); err == nil {
			t.Errorf("%s: a revoked caller connected", tr)
		}
		c, _, err := connect(t, tr, ts.URL, keys["alice"], "")
		if err != nil {
			t.Fatalf("%s: alice: %v", tr, err)
		}
		if got := whoami(t, c).Caller; got != "alice" {
			t.Errorf("%s: caller %q, want alice", tr, got)
		}
	}
}

func TestRevokedCallerIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, nil), HTTP)
	c, _, err := connect(t, HTTP, base, keys["bob"], "2025-06-18")
	if err != nil {
		t.Fatal(err)
	}
	whoami(t, c)
	if err := v.RevokeCaller(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = "whoami_test"
	_, err = c.CallTool(ctx, req)
	if _, ok := errors.AsType[*transport.AuthorizationRequiredError](err); !ok {
		t.Errorf("call after revocation: %v, want a 401 (authorization required)", err)
	}
}

// TestCallerComesFromTheTransport checks, over every transport and both
// protocol eras, that the caller is the API key's (or --caller on stdio),
// never what the arguments claim, and that the client's name and the
// session id reach the tool.
func TestCallerComesFromTheTransport(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	for _, tr := range []Transport{HTTP, SSE} {
		base, _ := serveHTTP(t, newTestServer(t, v, nil, nil), tr)
		for _, version := range []string{"", "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"} {
			for _, who := range []string{"alice", "bob"} {
				c, res, err := connect(t, tr, base, keys[who], version)
				if err != nil {
					t.Fatalf("%s %q %s: %v", tr, version, who, err)
				}
				want := version
				if want == "" {
					want = mcp.LATEST_PROTOCOL_VERSION
				}
				if tr == SSE && version == "" {
					// mcp-go's SSE transport speaks only the handshake era.
					want = res.ProtocolVersion
				}
				if res.ProtocolVersion != want || c.ProtocolVersion() != want {
					t.Errorf("%s %q: negotiated %q (client %q), want %q", tr, version, res.ProtocolVersion, c.ProtocolVersion(), want)
				}
				s := whoami(t, c)
				if s.Caller != who {
					t.Errorf("%s %q: caller %q, want %s (the arguments said mallory)", tr, version, s.Caller, who)
				}
				if s.Client != "test-client/1.2.3" {
					t.Errorf("%s %q: client %q, want test-client/1.2.3", tr, version, s.Client)
				}
				modern := res.ProtocolVersion == mcp.ProtocolVersion20260728
				if s.SessionID == "" && !modern {
					t.Errorf("%s %q: no session id", tr, version)
				}
			}
		}
	}
}

func TestSessionBelongsToItsCaller(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, nil), HTTP)
	resp := post(t, base+HTTPPath, bearer(keys["alice"]), initializeBody)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("initialize: %d, session %q: %s", resp.StatusCode, id, readBody(t, resp))
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	h := map[string]string{"Authorization": "Bearer " + keys["alice"], "Mcp-Session-Id": id, "Mcp-Protocol-Version": "2025-06-18"}
	if resp := post(t, base+HTTPPath, h, list); resp.StatusCode != http.StatusOK {
		t.Fatalf("alice in her session: %d %s", resp.StatusCode, readBody(t, resp))
	}
	h["Authorization"] = "Bearer " + keys["bob"]
	if resp := post(t, base+HTTPPath, h, list); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob in alice's session: %d, want 404", resp.StatusCode)
	}
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		req, _ := http.NewRequest(method, base+HTTPPath, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("bob %s on alice's session: %d, want 404", method, resp.StatusCode)
		}
	}
}

func TestRequestSizeLimit(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) { o.MaxRequestBytes = 1024 }), HTTP)
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 2048) + `"}}`
	if resp := post(t, base+HTTPPath, bearer(keys["alice"]), big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 KiB body with a 1 KiB limit: %d, want 413", resp.StatusCode)
	}
	// Without a Content-Length, the limit holds while reading.
	req, _ := http.NewRequest(http.MethodPost, base+HTTPPath, io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+keys["alice"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 2 KiB body: %d, want 413", resp.StatusCode)
	}
	if resp := post(t, base+HTTPPath, bearer(keys["alice"]), initializeBody); resp.StatusCode != http.StatusOK {
		t.Errorf("small body: %d", resp.StatusCode)
	}
}

func TestInsecureNoAuth(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) {
		o.InsecureNoAuth = true
		o.Caller = "bob"
	}), HTTP)
	c, _, err := connect(t, HTTP, base, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := whoami(t, c).Caller; got != "bob" {
		t.Errorf("unauthenticated caller %q, want bob (Options.Caller)", got)
	}
	// A key, when sent, still decides.
	c, _, err = connect(t, HTTP, base, keys["alice"], "")
	if err != nil {
		t.Fatal(err)
	}
	if got := whoami(t, c).Caller; got != "alice" {
		t.Errorf("caller with alice's key %q, want alice", got)
	}
	if resp := post(t, base+HTTPPath, map[string]string{"Authorization": "Bearer alter_key_bad"}, initializeBody); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a bad key under --insecure-no-auth: %d, want 401", resp.StatusCode)
	}
}

// TestStateless serves streamable HTTP without sessions: clients of both eras
// work, and no session id is handed out.
func TestStateless(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) { o.Stateless = true }), HTTP)
	for _, version := range []string{"", "2025-06-18"} {
		c, _, err := connect(t, HTTP, base, keys["bob"], version)
		if err != nil {
			t.Fatalf("%q: %v", version, err)
		}
		if s := whoami(t, c); s.Caller != "bob" || s.SessionID != "" {
			t.Errorf("%q: session %+v, want caller bob and no session id", version, s)
		}
	}
	if resp := post(t, base+HTTPPath, bearer(keys["bob"]), initializeBody); resp.Header.Get("Mcp-Session-Id") != "" {
		t.Errorf("a stateless server handed out session %q", resp.Header.Get("Mcp-Session-Id"))
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	v, _ := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, nil), HTTP)
	resp, err := http.Get(base + HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: %d without a key, want 200", HealthPath, resp.StatusCode)
	}
}
