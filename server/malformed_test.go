package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMalformedStdio sends what is not JSON-RPC over stdio, and a message of
// several MiB: each broken one gets an error response, the big one is read
// whole and answered (stdio has no size bound yet: its client is the
// operator's own process), and the server goes on answering the requests
// that follow.
func TestMalformedStdio(t *testing.T) {
	stdioMu.Lock()
	defer stdioMu.Unlock()
	v, _ := testVault(t)
	s := newTestServer(t, v, nil, nil)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.ServeStdio(ctx, inR, outW)
		outW.Close()
	}()
	defer func() {
		cancel()
		inW.Close()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("ServeStdio did not return")
		}
	}()
	lines := make(chan string, 16)
	go func() {
		br := bufio.NewReader(outR)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- line
		}
	}()
	type response struct {
		ID    json.RawMessage `json:"id"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	send := func(msg string) {
		t.Helper()
		if _, err := io.WriteString(inW, msg+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	next := func(what string) response {
		t.Helper()
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("%s: the server closed stdout", what)
			}
			var r response
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s: the server wrote %q, not JSON-RPC", what, line)
			}
			return r
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no answer", what)
		}
		return response{}
	}
	ping := func(id string) {
		t.Helper()
		send(`{"jsonrpc":"2.0","id":` + id + `,"method":"ping"}`)
		if r := next("ping " + id); string(r.ID) != id || r.Error != nil {
			t.Fatalf("ping %s: %+v; want its result: the server stopped serving", id, r)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	if r := next("initialize"); r.Error != nil {
		t.Fatalf("initialize: %+v", r.Error)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	ping("2")
	for i, bad := range []string{
		`{not json`,
		`{"jsonrpc":"2.0","id":3,"method":`,
		`{"jsonrpc":"2.0","id":4,"method":"no/such/method"}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":"not an object"}`,
		`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":7,"method":"ping","params":{"pad":"` + strings.Repeat("x", 4<<20) + `"}}`,
	} {
		send(bad)
		r := next("message " + string(rune('a'+i)))
		isToolError := strings.Contains(string(r.Result), `"isError":true`)
		if r.Error == nil && !isToolError && i < 5 {
			t.Errorf("%.60q: %+v; want an error", bad, r)
		}
		ping(strconv.Itoa(100 + i))
	}
}

// TestMalformedHTTP posts what is not JSON-RPC, and a body over the limit,
// to streamable HTTP: each is refused with a 4xx or a JSON-RPC error, and
// the server goes on answering.
func TestMalformedHTTP(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) { o.MaxRequestBytes = 64 << 10; o.Stateless = true }), HTTP)
	auth := bearer(keys["alice"])
	for _, bad := range []string{
		`{not json`,
		`[]`,
		`{"jsonrpc":"2.0","id":2,"method":`,
		`{"jsonrpc":"2.0","id":3,"method":"no/such/method"}`,
		`{"jsonrpc":"2.0","id":4,"method":"ping","params":{"pad":"` + strings.Repeat("x", 128<<10) + `"}}`,
	} {
		resp := post(t, base+HTTPPath, auth, bad)
		body := readBody(t, resp)
		if resp.StatusCode < 400 && !strings.Contains(body, `"error"`) {
			t.Errorf("%.40q: %d %q; want an error", bad, resp.StatusCode, body)
		}
		if resp := post(t, base+HTTPPath, auth, initializeBody); resp.StatusCode != http.StatusOK {
			t.Fatalf("initialize after %.40q: %d; the server stopped serving", bad, resp.StatusCode)
		} else {
			resp.Body.Close()
		}
	}
}
