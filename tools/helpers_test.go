package tools

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Protocol versions the tests speak: the default of mcp-go's client (the
// stateless 2026-07-28 core) and two that use the initialize handshake.
const (
	legacy2025 = "2025-06-18"
	legacy2024 = "2024-11-05"
)

// env is a vault in a temporary home, routed by Getenv.
type env struct {
	v    *vault.Vault
	home string
	// results holds every tool result and resource the tests saw, as
	// JSON, for the leak test.
	mu      sync.Mutex
	results []string
}

// newEnv opens a vault whose environment is vars (AWS_ENDPOINT_URL, ...).
func newEnv(t *testing.T, vars map[string]string, mod func(*vault.Options)) *env {
	t.Helper()
	e := &env{home: filepath.Join(t.TempDir(), "home")}
	e.v = testvault.Open(t, vars, func(o *vault.Options) {
		o.Home = e.home
		if mod != nil {
			mod(o)
		}
	})
	return e
}

func (e *env) grant(t *testing.T, name string, p policy.Policy, c vault.StaticCredentials) vault.Grant {
	return testvault.Grant(t, e.v, name, p, c)
}

// server makes an MCP server offering the tools selected by o, whose every
// request is made by sess (as the server package would establish it).
func (e *env) server(t *testing.T, d Deps, o Options, sess Session) *server.MCPServer {
	t.Helper()
	if d.Vault == nil {
		d.Vault = e.v
	}
	s := server.NewMCPServer("alter-mcp-test", "0.0.0",
		// Every successful result of every test is held to its tool's
		// output schema.
		server.WithOutputSchemaValidation(),
		server.WithToolHandlerMiddleware(func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
			return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				// As the server does: one check of the store's version a call.
				return next(WithSession(vault.OneVersionCheck(ctx), sess), req)
			}
		}),
		server.WithResourceHandlerMiddleware(func(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
			return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
				return next(WithSession(ctx, sess), req)
			}
		}),
	)
	closer, err := Register(s, d, o)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() { closer.Close() })
	return s
}

// mcpClient is an in-process MCP client of one server.
type mcpClient struct {
	*client.Client
	e *env
}

// connect starts a client of s. With version "" it speaks mcp-go's default
// (2026-07-28); with an older one it does the initialize handshake.
func (e *env) connect(t *testing.T, s *server.MCPServer, version string, opts ...client.ClientOption) *mcpClient {
	t.Helper()
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	c, err := client.NewInProcessClientWithOptions(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "1.0"}
	init.Params.ProtocolVersion = version
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize (%q): %v", version, err)
	}
	want := version
	if want == "" {
		want = mcp.LATEST_PROTOCOL_VERSION
	}
	if got := c.ProtocolVersion(); got != want {
		t.Fatalf("protocol version %q, want %q", got, want)
	}
	return &mcpClient{Client: c, e: e}
}

// call calls a tool and returns its result and structured content. It
// checks that the text content is the same JSON as the structured content.
func (c *mcpClient) call(t *testing.T, name string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(t.Context(), req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	raw, _ := json.Marshal(res)
	c.e.record(string(raw))
	if len(res.Content) != 1 {
		t.Fatalf("%s: %d content items, want 1: %s", name, len(res.Content), raw)
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok {
		t.Fatalf("%s: content is %T", name, res.Content[0])
	}
	var fromText, structured map[string]any
	if err := json.Unmarshal([]byte(text.Text), &fromText); err != nil {
		t.Fatalf("%s: text is not JSON: %v: %s", name, err, text.Text)
	}
	if err := json.Unmarshal(res.RawStructuredContent, &structured); err != nil {
		t.Fatalf("%s: structured content: %v: %s", name, err, raw)
	}
	if !reflect.DeepEqual(fromText, structured) {
		t.Fatalf("%s: text and structured content differ:\n%s\n%s", name, text.Text, res.RawStructuredContent)
	}
	return res, structured
}

// ok calls a tool that must succeed.
func (c *mcpClient) ok(t *testing.T, name string, args map[string]any) map[string]any {
	t.Helper()
	res, m := c.call(t, name, args)
	if res.IsError {
		t.Fatalf("%s(%v) failed: %v", name, args, m)
	}
	return m
}

// fail calls a tool that must fail with the error code want.
func (c *mcpClient) fail(t *testing.T, name string, args map[string]any, want string) map[string]any {
	t.Helper()
	res, m := c.call(t, name, args)
	if !res.IsError {
		t.Fatalf("%s(%v) succeeded, want error %s: %v", name, args, want, m)
	}
	if m["error"] != want {
		t.Fatalf("%s(%v): error %v, want %s: %v", name, args, m["error"], want, m)
	}
	return m
}

func (e *env) record(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.results = append(e.results, s)
}

func (e *env) all() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.results, "\n")
}

// str reads a string member of a result.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// num reads a number member of a result.
func num(m map[string]any, k string) int64 {
	f, _ := m[k].(float64)
	return int64(f)
}

// call2 calls a tool that reports an AWS error answer and returns its
// structured content.
func (c *mcpClient) call2(t *testing.T, name string, args map[string]any) map[string]any {
	t.Helper()
	res, m := c.call(t, name, args)
	if !res.IsError {
		t.Fatalf("%s(%v) succeeded, want an AWS error: %v", name, args, m)
	}
	return m
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
