package server

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// TestTracesOfAToolCall calls aws_request with a traceparent in _meta: the
// tool call's server span continues that trace, named and attributed as
// the MCP conventions say; the AWS call's client span is its child, as the
// aws-api conventions say; and the audit entry names the trace and span.
func TestTracesOfAToolCall(t *testing.T) {
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-request-id", "REQ-TRACE-1")
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<ListBucketResult><Name>reports</Name></ListBucketResult>`)
	}))
	defer aws.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	tr := NewTracing(tp)
	c, v := readerSession(t, aws.URL, tr, policy.Policy{}, func(o *Options) { o.Tracing = tr })
	var req mcp.CallToolRequest
	req.Params.Name = "aws_request"
	req.Params.Arguments = map[string]any{"grant_id": "reader", "url": "https://reports.s3.us-east-1.amazonaws.com/?list-type=2", "reason": "list"}
	req.Params.Meta = &mcp.Meta{AdditionalFields: map[string]any{"traceparent": "00-" + callerTrace + "-" + callerSpan + "-01"}}
	res, err := c.CallTool(t.Context(), req)
	if err != nil || res.IsError {
		t.Fatalf("aws_request: %v %+v", err, res)
	}

	server, client := waitSpans(t, exp, "tools/call aws_request", "S3.ListObjectsV2")
	if got := server.SpanContext.TraceID().String(); got != callerTrace {
		t.Errorf("the server span's trace is %s, not the caller's %s", got, callerTrace)
	}
	if got := server.Parent.SpanID().String(); got != callerSpan || !server.Parent.IsRemote() {
		t.Errorf("the server span's parent is %s (remote %v), want %s", got, server.Parent.IsRemote(), callerSpan)
	}
	if server.SpanKind != trace.SpanKindServer || client.SpanKind != trace.SpanKindClient {
		t.Errorf("kinds: server %v, client %v", server.SpanKind, client.SpanKind)
	}
	wantAttrs(t, server.Attributes, map[string]string{
		"mcp.method.name": "tools/call", "gen_ai.tool.name": "aws_request", "gen_ai.operation.name": "execute_tool",
	})
	if a := attrMap(server.Attributes)["mcp.session.id"]; a == "" {
		t.Error("the server span has no mcp.session.id")
	}
	if client.Parent.SpanID() != server.SpanContext.SpanID() || client.SpanContext.TraceID() != server.SpanContext.TraceID() {
		t.Errorf("the client span is not the server span's child: parent %s", client.Parent.SpanID())
	}
	wantAttrs(t, client.Attributes, map[string]string{
		"rpc.system": "aws-api", "rpc.service": "S3", "rpc.method": "ListObjectsV2",
		"aws.request_id": "REQ-TRACE-1", "cloud.region": "us-east-1", "http.response.status_code": "200",
	})
	if !client.EndTime.After(client.StartTime) && !client.EndTime.Equal(client.StartTime) {
		t.Errorf("client span ends %v before it starts %v", client.EndTime, client.StartTime)
	}

	entries, err := v.AuditLog().List(t.Context(), audit.Query{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %d entries, %v", len(entries), err)
	}
	e := entries[0]
	if e.TraceID != callerTrace || e.SpanID != server.SpanContext.SpanID().String() {
		t.Errorf("the audit entry names trace %q span %q; want %s %s", e.TraceID, e.SpanID, callerTrace, server.SpanContext.SpanID())
	}
	if got := attrMap(client.Attributes)["alter.audit.id"]; got != e.ID {
		t.Errorf("the client span names audit entry %q, not %q", got, e.ID)
	}
}

// TestTracingOffUnlessConfigured: no OTEL_* variable, no tracing; a
// protocol other than http/protobuf is refused with what to set.
func TestTracingOffUnlessConfigured(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"},
	} {
		tr, err := TracingFromEnv(t.Context(), func(k string) string { return env[k] }, "test")
		if tr != nil || err != nil {
			t.Errorf("%v: tracing %v, %v; want none", env, tr, err)
		}
	}
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
	if _, err := TracingFromEnv(t.Context(), func(k string) string { return env[k] }, "test"); err == nil || !strings.Contains(err.Error(), "http/protobuf") {
		t.Errorf("grpc: %v", err)
	}
}

// TestOTLPExport sends a tool call's span to an OTLP/HTTP receiver written
// here, configured by OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME,
// which decodes the protobuf request.
func TestOTLPExport(t *testing.T) {
	var mu sync.Mutex
	var got []*collectortrace.ExportTraceServiceRequest
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("receiver: %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if got := r.Header.Get("X-Api-Key"); got != "secret one" {
			t.Errorf("receiver: X-Api-Key %q", got)
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		var req collectortrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Errorf("receiver: %v", err)
		}
		mu.Lock()
		got = append(got, &req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		b, _ = proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Write(b)
	}))
	defer rx.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rx.URL)
	t.Setenv("OTEL_SERVICE_NAME", "alter-mcp-test")
	tr, err := TracingFromEnv(t.Context(), func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rx.URL + "/", "OTEL_EXPORTER_OTLP_HEADERS": "X-Api-Key=secret%20one",
			"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip"}[k]
	}, "1.2.3")
	if err != nil || tr == nil {
		t.Fatalf("tracing: %v %v", tr, err)
	}
	var req mcp.CallToolRequest
	req.Params.Name = "s3_list"
	req.Params.Meta = &mcp.Meta{AdditionalFields: map[string]any{"traceparent": "00-" + callerTrace + "-" + callerSpan + "-01"}}
	_, span := tr.startToolCall(t.Context(), req, "sess-1")
	endToolCall(span, mcp.NewToolResultError("denied"), nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var names, services []string
	for _, r := range got {
		for _, rs := range r.ResourceSpans {
			for _, a := range rs.Resource.Attributes {
				if a.Key == "service.name" {
					services = append(services, a.Value.GetStringValue())
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
					attrs := map[string]string{}
					for _, a := range s.Attributes {
						attrs[a.Key] = a.Value.GetStringValue()
					}
					if fmt.Sprintf("%x", s.TraceId) != callerTrace || fmt.Sprintf("%x", s.ParentSpanId) != callerSpan ||
						s.Kind != tracepb.Span_SPAN_KIND_SERVER || s.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR ||
						attrs["gen_ai.tool.name"] != "s3_list" || attrs["mcp.session.id"] != "sess-1" || attrs["error.type"] != "tool_error" ||
						s.EndTimeUnixNano < s.StartTimeUnixNano || s.StartTimeUnixNano == 0 || ss.Scope.GetName() != tracerName {
						t.Errorf("the receiver got %v", s)
					}
				}
			}
		}
	}
	if strings.Join(names, ",") != "tools/call s3_list" || strings.Join(services, ",") != "alter-mcp-test" {
		t.Errorf("the receiver got spans %q of services %q", names, services)
	}
}

// waitSpans waits for the spans named (the AWS call's is made once its end
// record is committed) and returns them in that order.
func waitSpans(t *testing.T, exp *tracetest.InMemoryExporter, names ...string) (tracetest.SpanStub, tracetest.SpanStub) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		found := map[string]tracetest.SpanStub{}
		for _, s := range exp.GetSpans() {
			found[s.Name] = s
		}
		if len(found) >= len(names) {
			a, okA := found[names[0]]
			b, okB := found[names[1]]
			if okA && okB {
				return a, b
			}
		}
		if time.Now().After(deadline) {
			var all []string
			for n := range found {
				all = append(all, n)
			}
			t.Fatalf("spans %q; want %q", all, names)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

func wantAttrs(t *testing.T, kvs []attribute.KeyValue, want map[string]string) {
	t.Helper()
	got := attrMap(kvs)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// TestOTLPAnyValue: every kind of attribute value encodes as the AnyValue
// the OTLP protobuf definition reads back, arrays of each kind included.
func TestOTLPAnyValue(t *testing.T) {
	for _, tc := range []struct {
		v    attribute.Value
		want *commonpb.AnyValue
	}{
		{attribute.StringValue("s3_list"), strValue("s3_list")},
		{attribute.BoolValue(true), &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}},
		{attribute.Int64Value(-7), intValue(-7)},
		{attribute.Float64Value(1.5), &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 1.5}}},
		{attribute.StringSliceValue([]string{"a", ""}), arrayValue(strValue("a"), strValue(""))},
		{attribute.BoolSliceValue([]bool{false, true}), arrayValue(
			&commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{}}, &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}})},
		{attribute.Int64SliceValue([]int64{1, -2}), arrayValue(intValue(1), intValue(-2))},
		{attribute.Float64SliceValue([]float64{0.25}), arrayValue(&commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 0.25}})},
		{attribute.StringSliceValue(nil), arrayValue()},
	} {
		var got commonpb.AnyValue
		if err := proto.Unmarshal(anyValue(tc.v), &got); err != nil || !proto.Equal(&got, tc.want) {
			t.Errorf("%s %v: decoded %v (%v), want %v", tc.v.Type(), tc.v.Emit(), &got, err, tc.want)
		}
	}
}

func strValue(s string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
}

func intValue(i int64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: i}}
}

func arrayValue(vs ...*commonpb.AnyValue) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vs}}}
}
