package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the spans.
const tracerName = "github.com/alter-mcp/alter-mcp/server"

// Tracing makes OpenTelemetry spans: a server span for each tool call
// (named and attributed as the MCP semantic conventions say, continuing the
// trace of the request's _meta traceparent) and a client span for each AWS
// call it made (as the aws-api RPC conventions say). The client spans are
// made from the audit trail: Tracing is an audit.Sink, and each call's end
// record, which holds the trace and span of its tool call, gives its span,
// with the call's real start and duration.
//
// The zero Tracing is not usable; make one with NewTracing or
// TracingFromEnv. A nil *Tracing traces nothing.
type Tracing struct {
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	shutdown func(context.Context) error
}

// NewTracing traces with tp (an SDK TracerProvider, or a test's).
func NewTracing(tp trace.TracerProvider) *Tracing {
	return &Tracing{
		tracer:   tp.Tracer(tracerName),
		prop:     propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown: func(context.Context) error { return nil },
	}
}

// TracingFromEnv returns the tracing the standard OTEL_* variables
// configure, exporting with OTLP over HTTP in protobuf (otlp.go), or nil when they
// configure none: traces are off unless OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (or OTEL_TRACES_EXPORTER is
// otlp), and OTEL_SDK_DISABLED is not true and OTEL_TRACES_EXPORTER not
// none. The exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS,
// _TIMEOUT, _COMPRESSION, _CERTIFICATE and _PROTOCOL (http/protobuf only);
// the SDK reads the sampler (OTEL_TRACES_SAMPLER), the batching
// (OTEL_BSP_*) and the resource (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES). Shutdown flushes.
func TracingFromEnv(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	if !tracingConfigured(getenv) {
		return nil, nil
	}
	exp, err := newOTLPExporter(getenv)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", Name), attribute.String("service.version", version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	t := NewTracing(tp)
	t.shutdown = tp.Shutdown
	return t, nil
}

func tracingConfigured(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false
	case "otlp":
		return true
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Shutdown exports the spans still buffered and stops. Call it after the
// vault is closed, so that the last calls' spans are made first.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// startToolCall starts the server span of a tool call, as a child of the
// trace the request's _meta carries (traceparent, tracestate), if any.
func (t *Tracing) startToolCall(ctx context.Context, req mcp.CallToolRequest, session string) (context.Context, trace.Span) {
	if req.Params.Meta != nil && len(req.Params.Meta.AdditionalFields) > 0 {
		carrier := propagation.MapCarrier{}
		for _, k := range []string{"traceparent", "tracestate", "baggage"} {
			if v, ok := req.Params.Meta.AdditionalFields[k].(string); ok {
				carrier[k] = v
			}
		}
		ctx = t.prop.Extract(ctx, carrier)
	}
	attrs := []attribute.KeyValue{
		attribute.String("mcp.method.name", string(mcp.MethodToolsCall)),
		attribute.String("gen_ai.tool.name", req.Params.Name),
		attribute.String("gen_ai.operation.name", "execute_tool"),
	}
	if session != "" {
		attrs = append(attrs, attribute.String("mcp.session.id", session))
	}
	return t.tracer.Start(ctx, string(mcp.MethodToolsCall)+" "+req.Params.Name,
		trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
}

// endToolCall ends the span of a tool call with its result.
func endToolCall(span trace.Span, res *mcp.CallToolResult, err error) {
	switch {
	case err != nil:
		span.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
		span.SetStatus(codes.Error, err.Error())
	case res == nil || res.IsError:
		span.SetAttributes(attribute.String("error.type", "tool_error"))
		span.SetStatus(codes.Error, "the tool answered with an error")
	}
	span.End()
}

// Append makes the client span of an AWS call from its end record
// (audit.Sink): a call that was sent, by a tool call whose span was
// recorded (the entry names it).
func (t *Tracing) Append(_ context.Context, e audit.Entry) error {
	if e.Kind == audit.KindBegin || e.Attempts == 0 || e.TraceID == "" || e.SpanID == "" {
		return nil
	}
	tid, err := trace.TraceIDFromHex(e.TraceID)
	if err != nil {
		return nil
	}
	sid, err := trace.SpanIDFromHex(e.SpanID)
	if err != nil {
		return nil
	}
	parent := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true,
	}))
	service := e.Service
	if s, ok := catalog.Service(e.Service); ok && s.ID != "" {
		service = s.ID // "S3", "Bedrock Runtime": the SDKs' service id
	}
	attrs := []attribute.KeyValue{
		attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", service),
		attribute.String("rpc.method", e.Operation),
		attribute.String("alter.audit.id", e.ID),
	}
	if e.Region != "" {
		attrs = append(attrs, attribute.String("cloud.region", e.Region))
	}
	if e.RequestID != "" {
		attrs = append(attrs, attribute.String("aws.request_id", e.RequestID))
	}
	if e.Status != 0 {
		attrs = append(attrs, attribute.Int("http.response.status_code", e.Status))
	}
	if e.Method != "" {
		attrs = append(attrs, attribute.String("http.request.method", e.Method))
	}
	if e.GrantName != "" {
		attrs = append(attrs, attribute.String("alter.grant", e.GrantName))
	}
	end := e.Time.Add(time.Duration(e.DurationMS) * time.Millisecond)
	_, span := t.tracer.Start(parent, cmp.Or(service, "AWS")+"."+cmp.Or(e.Operation, "Unknown"),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(e.Time), trace.WithAttributes(attrs...))
	switch {
	case e.ErrorCode != "":
		span.SetAttributes(attribute.String("error.type", e.ErrorCode))
		span.SetStatus(codes.Error, e.ErrorCode)
	case e.Status >= 400:
		span.SetAttributes(attribute.String("error.type", fmt.Sprint(e.Status)))
		span.SetStatus(codes.Error, "")
	case e.Outcome == audit.OutcomeNetworkError || e.Outcome == audit.OutcomeError || e.Outcome == audit.OutcomeInterrupted:
		span.SetAttributes(attribute.String("error.type", e.Outcome))
		span.SetStatus(codes.Error, e.Outcome)
	}
	span.End(trace.WithTimestamp(end))
	return nil
}
