package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/internal/text"
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
	url, key := benchServer(b, listingS3(b).URL)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}

	for _, tc := range []struct{ name, tool, args string }{
		{"s3_list", "s3_list", `{"grant_id":"reader","bucket":"bench"}`},
		{"list_grants", "list_grants", `{}`},
	} {
		body := toolCall(tc.tool, tc.args)
		call := func(b *testing.B) bool { return postCall(b, client, url, key, tc.tool, body) }
		b.Run(tc.name, func(b *testing.B) {
			b.SetParallelism(32) // 64 clients on 2 cores
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() && call(b) {
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
		// One client calling in a loop: ns/op is a call's mean latency as
		// an agent sees it (alter-bench's latency rows, without stdio), and
		// p50-µs and p99-µs its percentiles.
		b.Run(tc.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if !call(b) {
					break
				}
				took = append(took, time.Since(start))
			}
			if len(took) > 0 {
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}

// BenchmarkHTTPToolCallLegacy is BenchmarkHTTPToolCall's list_grants at 64
// clients in a session opened by initialize (2025-06-18), which mcp-go
// serves itself: the fast path takes 2026-07-28 calls only.
func BenchmarkHTTPToolCallLegacy(b *testing.B) {
	url, key := benchServer(b, listingS3(b).URL)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	body := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_grants","arguments":{}}}`)
	b.SetParallelism(32)
	b.ReportAllocs()
	post := func(body []byte, session string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if session != "" {
			req.Header.Set("Mcp-Session-Id", session)
			req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		}
		return client.Do(req)
	}
	b.RunParallel(func(pb *testing.PB) {
		resp, err := post([]byte(initializeBody), "")
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		session := resp.Header.Get("Mcp-Session-Id")
		for pb.Next() {
			resp, err := post(body, session)
			if err != nil {
				b.Error(err)
				return
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Contains(out, []byte(`"grants"`)) {
				b.Errorf("list_grants: %d %s", resp.StatusCode, text.Clip(string(out), 2000))
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}

// listingS3 is a fast S3 whose every answer is a listing of one object.
func listingS3(t testing.TB) *httptest.Server {
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-bucket-region", "us-east-1")
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bench</Name><KeyCount>1</KeyCount>`+
			`<Contents><Key>a.txt</Key><Size>1</Size><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`)
	}))
	t.Cleanup(aws.Close)
	return aws
}

// BenchmarkHTTPToolCallMiB is one client moving 1 MiB a call over
// streamable HTTP: s3_put with the piece inline, and s3_get of a 1 MiB
// page. It is the server's side of alter-bench's streaming row; B/op is
// what a piece costs in garbage:
//
//	go test -run '^$' -bench HTTPToolCallMiB -memprofile mem.out ./server/
func BenchmarkHTTPToolCallMiB(b *testing.B) {
	piece := strings.Repeat("abcdefghijklmnopqrstuvwxyz012345", 1<<20/32)
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-bucket-region", "us-east-1")
		if r.Method == http.MethodPut {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("ETag", `"e"`)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Range", "bytes 0-1048575/1048576")
		w.WriteHeader(http.StatusPartialContent)
		io.WriteString(w, piece)
	}))
	b.Cleanup(aws.Close)
	url, key := benchServer(b, aws.URL)
	client := &http.Client{}
	for _, tc := range []struct{ name, tool, args string }{
		{"s3_put", "s3_put", `{"grant_id":"writer","bucket":"bench","key":"up.txt","content":"` + piece + `"}`},
		{"s3_get", "s3_get", `{"grant_id":"writer","bucket":"bench","key":"down.txt","max_bytes":1048576}`},
	} {
		body := toolCall(tc.tool, tc.args)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(1 << 20)
			for b.Loop() && postCall(b, client, url, key, tc.tool, body) {
			}
		})
	}
}

// benchServer serves MCP over streamable HTTP on loopback, over a vault
// whose AWS is endpoint, with a read-only grant "reader", a grant "writer",
// 30 grants of others, and a caller allowed the first two; it returns the
// MCP URL and the caller's key.
func benchServer(b *testing.B, endpoint string) (url, key string) {
	v := testvault.Open(b, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	testvault.Grant(b, v, "reader", policy.Policy{ReadOnly: true})
	testvault.Grant(b, v, "writer", policy.Policy{})
	// Others' grants, as a shared server has: a call must not pay for them.
	for i := range 30 {
		testvault.Grant(b, v, fmt.Sprintf("team-%02d", i), policy.Policy{ReadOnly: true, AllowServices: []string{"s3", "dynamodb"}})
	}
	_, key, err := v.AddCaller(b.Context(), "agent", []string{"reader", "writer"})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler), Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	base, _ := serveHTTP(b, s, HTTP)
	return base + HTTPPath, key
}

// toolCall is a 2026-07-28 tools/call message.
func toolCall(tool, args string) []byte {
	return []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `,` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},` +
		`"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}}}`)
}

// callRequest is a 2026-07-28 tools/call of tool over streamable HTTP,
// with body, as a client sends it with the caller's key.
func callRequest(url, key, tool string, body io.Reader) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", tool)
	return req
}

// postCall posts one tools/call and reports whether it succeeded.
func postCall(b *testing.B, client *http.Client, url, key, tool string, body []byte) bool {
	resp, err := client.Do(callRequest(url, key, tool, bytes.NewReader(body)))
	if err != nil {
		b.Error(err)
		return false
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"isError":true`)) {
		b.Errorf("%s: %d %s", tool, resp.StatusCode, text.Clip(string(out), 2000))
		return false
	}
	return true
}
