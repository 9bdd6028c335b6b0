package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
)

// BenchmarkHTTPToolCall is a 2026-07-28 tools/call over streamable HTTP,
// with an API key, from 64 concurrent clients: s3_list against a fast
// local S3 (one durable begin record per call), and list_grants, which
// makes no AWS call. It is the server's side of alter-bench's calls per
// second, in one process, so that a profile shows where a call's time goes
// (the /serial ones: one client calling in a loop):
//
//	go test -run '^$' -bench HTTPToolCall -cpuprofile cpu.out ./server/
func BenchmarkHTTPToolCall(b *testing.B) {
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-bucket-region", "us-east-1")
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bench</Name><KeyCount>1</KeyCount>`+
			`<Contents><Key>a.txt</Key><Size>1</Size><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`)
	}))
	b.Cleanup(aws.Close)
	v := testvault.Open(b, map[string]string{"AWS_ENDPOINT_URL": aws.URL}, nil)
	testvault.Grant(b, v, "reader", policy.Policy{ReadOnly: true})
	_, key, err := v.AddCaller(b.Context(), "agent", []string{"reader"})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler), Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, HTTP) }()
	b.Cleanup(func() { cancel(); <-done })
	url := "http://" + l.Addr().String() + HTTPPath
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}

	for _, tc := range []struct{ name, tool, args string }{
		{"s3_list", "s3_list", `{"grant_id":"reader","bucket":"bench"}`},
		{"list_grants", "list_grants", `{}`},
	} {
		body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tc.tool + `","arguments":` + tc.args + `,` +
			`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},` +
			`"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}}}`)
		call := func(b *testing.B) bool {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
			req.Header.Set("Mcp-Method", "tools/call")
			req.Header.Set("Mcp-Name", tc.tool)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return false
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || strings.Contains(string(out), `"isError":true`) {
				b.Errorf("%s: %d %s", tc.tool, resp.StatusCode, out)
				return false
			}
			return true
		}
		b.Run(tc.name, func(b *testing.B) {
			b.SetParallelism(32) // 64 clients on 2 cores
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() && call(b) {
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
		// One client calling in a loop: ns/op is a call's latency as an
		// agent sees it (alter-bench's latency rows, without stdio).
		b.Run(tc.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() && call(b) {
			}
		})
	}
}
