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

// TestMalformedStdio sends what is not JSON-RPC over stdio, and messages
// over MaxRequestBytes: each gets an error response (to its id when the
// start of a big one shows it), and the server goes on answering the
// requests that follow.
func TestMalformedStdio(t *testing.T) {
	stdioMu.Lock()
	defer stdioMu.Unlock()
	v, _ := testVault(t)
	s := newTestServer(t, v, nil, func(o *Options) { o.MaxRequestBytes = 1 << 20 })
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
		`{"jsonrpc":"2.0","method":"ping","params":{"pad":"` + strings.Repeat("x", 4<<20) + `"},"id":8}`,
	} {
		send(bad)
		r := next("message " + string(rune('a'+i)))
		isToolError := strings.Contains(string(r.Result), `"isError":true`)
		if r.Error == nil && !isToolError {
			t.Errorf("%.60q: %+v; want an error", bad, r)
		}
		if i == 5 && (string(r.ID) != "7" || !strings.Contains(r.Error.Message, messageTooLarge)) {
			t.Errorf("4 MiB message with id 7: %s %+v; want an error to id 7 naming %s", r.ID, r.Error, messageTooLarge)
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

// TestLineLimit: stdio messages up to the limit pass through byte for byte,
// the last one without a newline too; longer ones are replaced whole, with
// their id when their start shows one.
func TestLineLimit(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // past the reader's buffer
	tooLarge := func(id string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"` + messageTooLarge + `"}` + "\n"
	}
	for _, tc := range []struct{ name, in, want string }{
		{"small", "{\"id\":1}\n{}\n", "{\"id\":1}\n{}\n"},
		{"at the limit", strings.Repeat("a", 16) + "\n", strings.Repeat("a", 16) + "\n"},
		{"last without a newline", "{}\nabc", "{}\nabc"},
		{"over the limit, numeric id", `{"id":42,"p":"` + long + "\"}\n{}\n", tooLarge("42") + "{}\n"},
		{"over the limit, string id", `{"jsonrpc":"2.0","id":"a\"b","p":"` + long + "\"}\n", tooLarge(`"a\"b"`)},
		{"over the limit, no id", `{"p":"` + long + "\"}\n{}\n", "alter-mcp: message larger than max-request-bytes\n{}\n"},
		{"over the limit at the end", "{}\n" + long, "{}\nalter-mcp: message larger than max-request-bytes\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := int64(16)
			if strings.Contains(tc.name, "over") {
				limit = 100 << 10
			}
			drops := 0
			got, err := io.ReadAll(newLineLimit(strings.NewReader(tc.in), limit, func() { drops++ }))
			if err != nil || string(got) != tc.want {
				t.Errorf("got %.200q, %v; want %.200q", got, err, tc.want)
			}
			if want := strings.Count(tc.want, "larger than"); drops != max(want, strings.Count(tc.want, messageTooLarge)) {
				t.Errorf("%d drops reported", drops)
			}
		})
	}
}

// TestReadRequestBody: a body is read whole whatever its Content-Length says (a
// length shorter or longer than the body only sizes the buffer), in one
// allocation when the length is right, and a length alone never makes
// the server hold more than presizeMax.
func TestReadRequestBody(t *testing.T) {
	body := strings.Repeat("x", 300_000)
	for _, declared := range []int64{-1, 0, 10, int64(len(body)), int64(len(body)) + 5, 100 << 20} {
		got, err := readRequestBody(strings.NewReader(body), declared)
		if err != nil || string(got) != body {
			t.Errorf("declared %d: %d bytes, %v; want the body's %d", declared, len(got), err, len(body))
		}
		if cap(got) > max(len(body)*2, presizeMax+1) {
			t.Errorf("declared %d: a buffer of %d bytes for a body of %d", declared, cap(got), len(body))
		}
	}
	var src strings.Reader
	if allocs := testing.AllocsPerRun(20, func() {
		src.Reset(body)
		readRequestBody(&src, int64(len(body)))
	}); allocs > 1 {
		t.Errorf("%.0f allocations reading a body of its declared length; want 1", allocs)
	}
	// Over the bound: MaxBytesReader's error comes through.
	if _, err := readRequestBody(http.MaxBytesReader(nil, io.NopCloser(strings.NewReader(body)), 1000), int64(len(body))); err == nil {
		t.Error("a body over the bound was read")
	}
}
