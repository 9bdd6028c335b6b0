package server

import (
	"context"

	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
)

// TestToolsListChanged: a session is offered s3_presign only while one of
// its caller's grants may presign; when that changes (a policy set, a grant
// revoked), the session is sent notifications/tools/list_changed and its
// next tools/list follows, marked private to the caller.
func TestToolsListChanged(t *testing.T) {
	t.Parallel()
	v := testvault.Open(t, nil, nil)
	g := testvault.Grant(t, v, "no-presign", policy.Policy{DenyPresign: true})
	_, key, err := v.AddCaller(t.Context(), "limited", []string{g.ID})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) { o.ListChangedInterval = 50 * time.Millisecond }), HTTP)
	// The client listens on a GET stream for what the server sends between
	// requests.
	tp, err := transport.NewStreamableHTTP(base+HTTPPath, transport.WithHTTPHeaders(bearer(key)), transport.WithContinuousListening())
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tp, client.WithProtocolVersion("2025-06-18"))
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(t.Context(), initRequest()); err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 10)
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == string(mcp.MethodNotificationToolsListChanged) {
			changed <- struct{}{}
		}
	})
	names := func() []string {
		res, err := c.ListTools(t.Context(), mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tl := range res.Tools {
			out = append(out, tl.Name)
		}
		return out
	}
	wait := func(what string) {
		t.Helper()
		select {
		case <-changed:
		case <-time.After(5 * time.Second):
			t.Fatalf("no tools/list_changed after %s", what)
		}
	}
	if n := names(); slices.Contains(n, "s3_presign") || !slices.Contains(n, "aws_request") {
		t.Fatalf("a caller whose only grant may not presign is offered %v", n)
	}

	if err := v.SetPolicy(t.Context(), g.ID, policy.Policy{}); err != nil {
		t.Fatal(err)
	}
	wait("the grant's policy allowed presigning")
	if n := names(); !slices.Contains(n, "s3_presign") {
		t.Errorf("after the policy changed: %v", n)
	}

	if err := v.RevokeGrant(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	wait("the grant was revoked")
	if n := names(); slices.Contains(n, "s3_presign") {
		t.Errorf("after the grant was revoked: %v", n)
	}

	// A 2026-07-28 tools/list says it is the caller's alone to cache.
	h := bearer(key)
	h["Mcp-Protocol-Version"], h["Mcp-Method"] = "2026-07-28", "tools/list"
	resp := post(t, base+HTTPPath, h, `{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}}}`)
	if out := readBody(t, resp); !strings.Contains(out, `"cacheScope":"private"`) || !strings.Contains(out, `"ttlMs":`) {
		t.Errorf("a 2026-07-28 tools/list without a private cache hint: %s", out)
	}

	// Nothing changed since: no more notifications.
	select {
	case <-changed:
		t.Error("a notification with nothing changed")
	case <-time.After(300 * time.Millisecond):
	}
}
