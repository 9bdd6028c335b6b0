package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestServeExportsTraces runs serve over stdio with OTEL_EXPORTER_OTLP_ENDPOINT
// naming a receiver written here: a tool call that carries a traceparent
// gives its server span and the AWS call's client span in that trace, they
// are exported by the time the program exits, and the audit entry names the
// trace.
func TestServeExportsTraces(t *testing.T) {
	t.Parallel()
	const traceID, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-request-id", "REQ-OTLP-1")
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<ListBucketResult><Name>reports</Name></ListBucketResult>`)
	}))
	defer aws.Close()
	var mu sync.Mutex
	spans := map[string]string{} // name → trace id
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Errorf("receiver: %v", err)
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans[s.Name] = fmt.Sprintf("%x", s.TraceId)
				}
			}
		}
		mu.Unlock()
	}))
	defer rx.Close()

	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "reader", "--from-env", "--read-only")
	env["AWS_ENDPOINT_URL"] = aws.URL
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rx.URL
	env["OTEL_BSP_SCHEDULE_DELAY"] = "60000" // only the flush at exit sends them
	p := startProgram(t, env, "serve")
	p.call("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"otel-test","version":"1"}}`)
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	res := p.call("tools/call", `{"name":"aws_request","arguments":{"grant_id":"reader","url":"https://reports.s3.us-east-1.amazonaws.com/?list-type=2","reason":"list"},`+
		`"_meta":{"traceparent":"00-`+traceID+`-`+parent+`-01"}}`)
	if res["isError"] == true {
		t.Fatalf("aws_request: %v", res)
	}
	p.stdin.Close()
	if code := p.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	mu.Lock()
	for _, name := range []string{"tools/call aws_request", "S3.ListObjectsV2"} {
		if spans[name] != traceID {
			t.Errorf("span %q in trace %q, want %s (got %v)", name, spans[name], traceID, spans)
		}
	}
	mu.Unlock()

	out := mustRun(t, env, "", "audit", "list", "--json").stdout
	var e struct {
		TraceID   string `json:"trace_id"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &e); err != nil || e.TraceID != traceID || e.RequestID != "REQ-OTLP-1" {
		t.Errorf("audit entry %s (%v): trace %q", out, err, e.TraceID)
	}
}
