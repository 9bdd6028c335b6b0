package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestIdleSessionsEnd(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	const ttl = 300 * time.Millisecond
	mod := func(o *Options) { o.SessionIdleTTL = ttl }

	// Streamable HTTP: a session used within the TTL lives on; an idle one
	// is unknown afterwards, and the client must initialize again.
	base, _ := serveHTTP(t, newTestServer(t, v, nil, mod), HTTP)
	c, _, err := connect(t, HTTP, base, keys["alice"], "2025-06-18")
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		time.Sleep(ttl / 3)
		whoami(t, c)
	}
	time.Sleep(2 * ttl)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = "whoami_test"
	if _, err := c.CallTool(ctx, req); err == nil {
		t.Error("a call in a session idle past the TTL was served")
	}

	// SSE: an idle stream is closed.
	base, _ = serveHTTP(t, newTestServer(t, v, nil, mod), SSE)
	sreq, _ := http.NewRequest(http.MethodGet, base+SSEPath, nil)
	sreq.Header.Set("Authorization", "Bearer "+keys["alice"])
	resp, err := http.DefaultClient.Do(sreq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, resp.Body); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * ttl):
		t.Error("an idle SSE stream stayed open past the TTL")
	}
}

// TestGracefulShutdown stops the server while a call is in flight: the call
// finishes and its answer arrives, new calls are refused, and Serve returns.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	for _, tr := range []Transport{HTTP, SSE} {
		g := newGate()
		base, stop := serveHTTP(t, newTestServer(t, v, g, func(o *Options) { o.ShutdownTimeout = 10 * time.Second }), tr)
		c, _, err := connect(t, tr, base, keys["alice"], "")
		if err != nil {
			t.Fatal(err)
		}
		answer := make(chan error, 1)
		go func() {
			var req mcp.CallToolRequest
			req.Params.Name = "wait_test"
			res, err := c.CallTool(context.Background(), req)
			if err == nil && (res.IsError || res.Content[0].(mcp.TextContent).Text != "finished") {
				err = errors.New("unexpected result")
			}
			answer <- err
		}()
		<-g.entered
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		time.Sleep(300 * time.Millisecond) // shutdown has begun
		select {
		case err := <-stopped:
			t.Fatalf("%s: Serve returned with a call in flight: %v", tr, err)
		default:
		}
		g.open()
		if err := <-answer; err != nil {
			t.Errorf("%s: the call in flight at shutdown: %v", tr, err)
		}
		if got := <-g.outcome; got != "finished" {
			t.Errorf("%s: the call was %s", tr, got)
		}
		if err := <-stopped; err != nil {
			t.Errorf("%s: Serve: %v", tr, err)
		}
		if _, err := http.Get(base + HealthPath); err == nil {
			t.Errorf("%s: still accepting connections after shutdown", tr)
		}
	}
}

// TestShutdownDeadline cancels the calls still running at the deadline.
func TestShutdownDeadline(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	g := newGate()
	base, stop := serveHTTP(t, newTestServer(t, v, g, func(o *Options) { o.ShutdownTimeout = 300 * time.Millisecond }), HTTP)
	c, _, err := connect(t, HTTP, base, keys["alice"], "")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name = "wait_test"
		_, _ = c.CallTool(context.Background(), req)
	}()
	<-g.entered
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with a 300ms deadline", d)
	}
	if got := <-g.outcome; got != "cancelled" {
		t.Errorf("the call running past the deadline was %s, want cancelled", got)
	}
}
