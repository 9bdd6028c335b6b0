package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRawConn: the hand-written client reads answers framed by
// Content-Length and by chunks, hands back the headers it is asked for, and
// dials again when the server has closed the connection between requests.
func TestRawConn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Mcp-Session-Id", "sess-1")
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/chunked":
			for range 3 {
				io.WriteString(w, strings.Repeat("c", 3000)) // more than net/http buffers: chunked
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write(body)
		default:
			w.Write(body)
		}
	}))
	defer srv.Close()
	c := rawConn{addr: strings.TrimPrefix(srv.URL, "http://")}
	defer c.Close()
	head := func(path string) []byte { return []byte("POST " + path + " HTTP/1.1\r\nHost: x\r\n") }

	a, err := c.do(head("/echo"), []byte(`{"hello":1}`))
	if err != nil || a.status != 200 || string(a.body) != `{"hello":1}` || a.session != "sess-1" || a.contentType != "application/json" {
		t.Fatalf("echo: %+v, %v", a, err)
	}
	first := c.c
	a, err = c.do(head("/chunked"), []byte(`x`))
	if err != nil || len(a.body) != 9000 || strings.Trim(string(a.body), "c") != "" {
		t.Fatalf("chunked: %d bytes, %v", len(a.body), err)
	}
	if c.c != first {
		t.Error("the connection was not kept alive")
	}
	if a, err = c.do(head("/close"), []byte(`bye`)); err != nil || string(a.body) != "bye" || c.c != nil {
		t.Fatalf("Connection: close: %q, %v, conn kept: %v", a.body, err, c.c != nil)
	}
	if a, err = c.do(head("/echo"), []byte(`again`)); err != nil || string(a.body) != "again" {
		t.Fatalf("after the server closed: %q, %v", a.body, err)
	}
	srv.CloseClientConnections() // the server drops a kept-alive connection
	if a, err = c.do(head("/echo"), []byte(`redial`)); err != nil || string(a.body) != "redial" {
		t.Fatalf("after the server dropped the connection: %q, %v", a.body, err)
	}
}

// TestFakeFastPath: on one kept-alive connection, ListObjectsV2 is
// answered by the fast path (counted, with a request id), and a PUT that
// follows goes to net/http with its body whole, and a list after it too.
func TestFakeFastPath(t *testing.T) {
	f, err := startFakeS3(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := rawConn{addr: strings.TrimPrefix(f.URL, "http://")}
	defer c.Close()
	list := []byte("GET /bench-bucket?list-type=2 HTTP/1.1\r\nHost: x\r\n")
	a, err := c.do(list, nil)
	if err != nil || a.status != 200 || string(a.body) != listAnswer {
		t.Fatalf("list: %+v, %v", a, err)
	}
	if f.requests.Load() != 1 {
		t.Errorf("requests counted: %d, want 1", f.requests.Load())
	}
	a, err = c.do([]byte("PUT /bench-bucket/k HTTP/1.1\r\nHost: x\r\n"), []byte(strings.Repeat("p", 5000)))
	if err != nil || a.status != 200 || f.put.Load() != 5000 {
		t.Fatalf("put: %+v, %v; bytes the fake read: %d", a, err, f.put.Load())
	}
	if a, err = c.do(list, nil); err != nil || string(a.body) != listAnswer {
		t.Fatalf("list after the put: %+v, %v", a, err)
	}
	a, err = c.do([]byte("GET /bench-bucket/"+bigKey+" HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n"), nil)
	if err != nil || a.status != http.StatusPartialContent || string(a.body) != string(bigBlock[:10]) {
		t.Fatalf("range of the big object: %+v, %v", a, err)
	}
	if f.requests.Load() != 4 {
		t.Errorf("requests counted: %d, want 4", f.requests.Load())
	}
}

// TestPreparedCallCheck: a call passes only on its own id's result without
// a tool error; a JSON-RPC error and a tool error are named.
func TestPreparedCallCheck(t *testing.T) {
	c := prepareCall("s3_list", map[string]any{"bucket": "b"})
	if got := string(c.request(7, false)); got != `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{"bucket":"b"},"name":"s3_list"}}` {
		t.Errorf("request(7) = %s", got)
	}
	const meta = `"_meta":{"io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"alter-bench","version":"1"},"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`
	if got := string(c.request(7, true)); got != `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{`+meta+`,"arguments":{"bucket":"b"},"name":"s3_list"}}` {
		t.Errorf("request(7) in 2026-07-28 = %s", got)
	}
	for _, tc := range []struct {
		msg, wantErr string
	}{
		{`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"say \"isError\":true"}]}}`, ""},
		{`{"jsonrpc":"2.0","id":8,"result":{"content":[]}}`, "not in the shape expected"},
		{`{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"bad params"}}`, "JSON-RPC error: bad params"},
		{`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"AccessDenied"}],"isError":true}}`, "tool error: AccessDenied"},
		{`not json`, "answer"},
	} {
		err := c.check(7, []byte(tc.msg))
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("check(%s) = %v, want %q", tc.msg, err, tc.wantErr)
		}
	}
}
