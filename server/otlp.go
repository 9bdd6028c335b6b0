package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// otlpExporter sends spans to an OTLP/HTTP receiver in protobuf
// (http/protobuf, the protocol's default). It is written here, on the
// wire format of wire.go, rather than taken from the OpenTelemetry
// exporters, which link gRPC and its generated code into every run of the program (and its
// package initialization) for a transport alter-mcp does not use.
//
// The messages and field numbers are those of
// opentelemetry/proto/collector/trace/v1/trace_service.proto and
// opentelemetry/proto/trace/v1/trace.proto (TestOTLPExport decodes what it
// sends with the generated Go types).
type otlpExporter struct {
	endpoint string
	header   http.Header
	gzip     bool
	client   *http.Client
}

// newOTLPExporter reads the exporter's configuration from the standard
// variables, the signal-specific ones (OTEL_EXPORTER_OTLP_TRACES_*) first.
func newOTLPExporter(getenv func(string) string) (*otlpExporter, error) {
	get := func(name string) string {
		return cmpTrim(getenv("OTEL_EXPORTER_OTLP_TRACES_"+name), getenv("OTEL_EXPORTER_OTLP_"+name))
	}
	e := &otlpExporter{header: http.Header{}}
	switch p := get("PROTOCOL"); p {
	case "", "http/protobuf":
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: alter-mcp exports traces with OTLP over HTTP in protobuf only; set http/protobuf (an OpenTelemetry Collector takes it on port 4318)", p)
	}
	switch ep := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")); {
	case ep != "":
		e.endpoint = ep // used as it is
	case strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != "":
		e.endpoint = strings.TrimRight(strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")), "/") + "/v1/traces"
	default:
		e.endpoint = "http://localhost:4318/v1/traces"
	}
	if u, err := url.Parse(e.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTLP endpoint %q: write an http:// or https:// URL", e.endpoint)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
		for _, kv := range strings.Split(getenv(name), ",") {
			if strings.TrimSpace(kv) == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			key, err1 := url.QueryUnescape(strings.TrimSpace(k))
			val, err2 := url.QueryUnescape(strings.TrimSpace(v))
			if !ok || key == "" || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s: write key=value pairs separated by commas", name)
			}
			e.header.Set(key, val)
		}
	}
	switch c := get("COMPRESSION"); c {
	case "", "none":
	case "gzip":
		e.gzip = true
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_COMPRESSION=%s: write gzip or none", c)
	}
	timeout := 10 * time.Second
	if t := get("TIMEOUT"); t != "" {
		ms, err := strconv.Atoi(t)
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_TIMEOUT=%s: write milliseconds", t)
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if ca := get("CERTIFICATE"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE %s: no PEM certificate in it", ca)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	e.client = &http.Client{Transport: tr, Timeout: timeout}
	return e, nil
}

func cmpTrim(a, b string) string {
	if a = strings.TrimSpace(a); a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

// ExportSpans sends spans in one request (sdktrace.SpanExporter).
func (e *otlpExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	body := encodeSpans(spans)
	var r io.Reader = bytes.NewReader(body)
	if e.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body)
		_ = zw.Close()
		r = &b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, r)
	if err != nil {
		return err
	}
	for k, v := range e.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if e.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("export %d spans: %w", len(spans), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("export %d spans to %s: %s", len(spans), e.endpoint, resp.Status)
	}
	return nil
}

// Shutdown: nothing is kept between exports.
func (e *otlpExporter) Shutdown(context.Context) error {
	e.client.CloseIdleConnections()
	return nil
}

// encodeSpans encodes an ExportTraceServiceRequest: one ResourceSpans per
// resource, one ScopeSpans per instrumentation scope.
func encodeSpans(spans []sdktrace.ReadOnlySpan) []byte {
	type group struct {
		scope instrumentation.Scope
		spans []byte
	}
	var out []byte
	var order []string
	byRes := map[string][]*group{}
	resOf := map[string][]attribute.KeyValue{}
	for _, s := range spans {
		rk := ""
		if r := s.Resource(); r != nil {
			rk = r.Encoded(attribute.DefaultEncoder())
			resOf[rk] = r.Attributes()
		}
		if _, ok := byRes[rk]; !ok {
			order = append(order, rk)
			byRes[rk] = nil
		}
		var g *group
		for _, x := range byRes[rk] {
			if x.scope == s.InstrumentationScope() {
				g = x
			}
		}
		if g == nil {
			g = &group{scope: s.InstrumentationScope()}
			byRes[rk] = append(byRes[rk], g)
		}
		g.spans = appendTag(g.spans, 2, wireBytes) // ScopeSpans.spans
		g.spans = appendLengthPrefixed(g.spans, encodeSpan(s))
	}
	for _, rk := range order {
		var rs []byte
		var res []byte
		for _, kv := range resOf[rk] {
			res = appendKeyValue(res, 1, kv) // Resource.attributes
		}
		rs = appendMessage(rs, 1, res) // ResourceSpans.resource
		for _, g := range byRes[rk] {
			var scope []byte
			scope = appendString(scope, 1, g.scope.Name)
			scope = appendString(scope, 2, g.scope.Version)
			var ss []byte
			ss = appendMessage(ss, 1, scope) // ScopeSpans.scope
			ss = append(ss, g.spans...)
			ss = appendString(ss, 3, g.scope.SchemaURL)
			rs = appendMessage(rs, 2, ss) // ResourceSpans.scope_spans
		}
		out = appendMessage(out, 1, rs) // ExportTraceServiceRequest.resource_spans
	}
	return out
}

// encodeSpan encodes a Span.
func encodeSpan(s sdktrace.ReadOnlySpan) []byte {
	var b []byte
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendBytesField(b, 1, tid[:])
	b = appendBytesField(b, 2, sid[:])
	b = appendString(b, 3, sc.TraceState().String())
	if p := s.Parent(); p.SpanID().IsValid() {
		psid := p.SpanID()
		b = appendBytesField(b, 4, psid[:])
	}
	b = appendString(b, 5, s.Name())
	b = appendTag(b, 6, wireVarint)
	b = appendVarint(b, uint64(s.SpanKind())) // trace.SpanKind and the OTLP enum share their numbers
	b = appendFixed64(b, 7, unixNano(s.StartTime()))
	b = appendFixed64(b, 8, unixNano(s.EndTime()))
	for _, kv := range s.Attributes() {
		b = appendKeyValue(b, 9, kv)
	}
	if n := s.DroppedAttributes(); n > 0 {
		b = appendTag(b, 10, wireVarint)
		b = appendVarint(b, uint64(n))
	}
	for _, ev := range s.Events() {
		var m []byte
		m = appendFixed64(m, 1, unixNano(ev.Time))
		m = appendString(m, 2, ev.Name)
		for _, kv := range ev.Attributes {
			m = appendKeyValue(m, 3, kv)
		}
		b = appendMessage(b, 11, m)
	}
	for _, l := range s.Links() {
		var m []byte
		ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
		m = appendBytesField(m, 1, ltid[:])
		m = appendBytesField(m, 2, lsid[:])
		m = appendString(m, 3, l.SpanContext.TraceState().String())
		for _, kv := range l.Attributes {
			m = appendKeyValue(m, 4, kv)
		}
		b = appendMessage(b, 13, m)
	}
	var st []byte
	switch status := s.Status(); status.Code {
	case codes.Error:
		st = appendString(st, 2, status.Description)
		st = appendTag(st, 3, wireVarint)
		st = appendVarint(st, 2) // STATUS_CODE_ERROR
	case codes.Ok:
		st = appendTag(st, 3, wireVarint)
		st = appendVarint(st, 1) // STATUS_CODE_OK
	}
	b = appendMessage(b, 15, st)
	flags := uint32(sc.TraceFlags()) | 0x100 // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
	if s.Parent().IsRemote() {
		flags |= 0x200 // SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
	}
	b = appendTag(b, 16, wireFixed32)
	b = appendFixed32(b, flags)
	return b
}

// appendKeyValue appends a KeyValue (key 1, AnyValue 2) as field num.
func appendKeyValue(b []byte, num wireNumber, kv attribute.KeyValue) []byte {
	var m []byte
	m = appendString(m, 1, string(kv.Key))
	m = appendMessage(m, 2, anyValue(kv.Value))
	return appendMessage(b, num, m)
}

// anyValue encodes an AnyValue: string 1, bool 2, int 3, double 4, array 5.
func anyValue(v attribute.Value) []byte {
	var m []byte
	switch v.Type() {
	case attribute.BOOL:
		m = appendTag(m, 2, wireVarint)
		m = appendVarint(m, boolVarint(v.AsBool()))
	case attribute.INT64:
		m = appendTag(m, 3, wireVarint)
		m = appendVarint(m, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		m = appendTag(m, 4, wireFixed64)
		m = appendFixed64Value(m, math.Float64bits(v.AsFloat64()))
	case attribute.STRINGSLICE, attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE:
		var arr []byte
		for _, x := range sliceValues(v) {
			arr = appendMessage(arr, 1, anyValue(x)) // ArrayValue.values
		}
		m = appendMessage(m, 5, arr)
	default:
		m = appendTag(m, 1, wireBytes)
		m = appendLengthPrefixed(m, v.Emit())
	}
	return m
}

func sliceValues(v attribute.Value) []attribute.Value {
	switch v.Type() {
	case attribute.STRINGSLICE:
		return valuesOf(v.AsStringSlice(), attribute.StringValue)
	case attribute.BOOLSLICE:
		return valuesOf(v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return valuesOf(v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return valuesOf(v.AsFloat64Slice(), attribute.Float64Value)
	}
	return nil
}

// valuesOf is xs made attribute values by value.
func valuesOf[T any](xs []T, value func(T) attribute.Value) []attribute.Value {
	out := make([]attribute.Value, len(xs))
	for i, x := range xs {
		out[i] = value(x)
	}
	return out
}

func appendMessage(b []byte, num wireNumber, m []byte) []byte {
	b = appendTag(b, num, wireBytes)
	return appendLengthPrefixed(b, m)
}

func appendBytesField(b []byte, num wireNumber, v []byte) []byte {
	return appendMessage(b, num, v)
}

// appendString appends a string field, omitted when empty (proto3).
func appendString(b []byte, num wireNumber, s string) []byte {
	if s == "" {
		return b
	}
	b = appendTag(b, num, wireBytes)
	return appendLengthPrefixed(b, s)
}

func appendFixed64(b []byte, num wireNumber, v uint64) []byte {
	b = appendTag(b, num, wireFixed64)
	return appendFixed64Value(b, v)
}

func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

var _ sdktrace.SpanExporter = (*otlpExporter)(nil)

func boolVarint(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}
