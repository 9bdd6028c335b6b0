package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// The fast path of streamable HTTP: a plain 2026-07-28 tools/call is
// answered here, with the tool's handler behind the same middleware, rather
// than by mcp-go's StreamableHTTPServer. mcp-go decodes such a message four
// times (its envelope twice, its _meta into maps three times, the call
// once more), makes a session for it with a notification channel of 100
// messages, and starts a goroutine to forward notifications the call will
// not send. The fast path decodes the message once, strictly, and answers
// what mcp-go would answer, byte for byte (TestFastCallAnswersAsMCPGo).
// BenchmarkHTTPToolCall, two interleaved rounds with and without it:
// list_grants at 64 clients 9,351–9,714 → 12,964–13,524 calls a second,
// one client's p50 149–186 → 100 µs, garbage 47 → 30 KB a call; s3_list
// one client's p50 828–848 → 696–768 µs (BENCHMARKS.md).
//
// It takes only what it can answer exactly as mcp-go does; everything else
// goes to mcp-go untouched, as it came: a legacy request (the session's
// era), a batch, a notification, a message with a member it does not know
// (task, inputResponses, requestState: a task or a retry of a multi
// round-trip call), a progress token or a log level in _meta (the call then
// streams notifications), an _meta whose protocol version is missing or
// differs from the header's, standard headers that do not match the
// message, a tool that is not registered, not offered to the session, takes
// tasks or binds arguments to headers, and any id that is not a string or a
// number. mcp-go answers those with its errors or its streams.

// hooksOnToolCalls reports whether h has a hook mcp-go runs for a
// tools/call, which the fast path would skip; New then turns the fast path
// off. (It applies only the server's own tool middleware, and writes the
// lines of mcp-go's logging one itself: those are the only two New gives
// mcp-go.)
func hooksOnToolCalls(h *mcpserver.Hooks) bool {
	return len(h.OnBeforeAny)+len(h.OnSuccess)+len(h.OnError)+len(h.OnRequestInitialization)+
		len(h.OnBeforeCallTool)+len(h.OnAfterCallTool) > 0
}

// fastToolCalls serves what it can of next's tools/call messages itself.
func (s *Server) fastToolCalls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.noFastCalls || !s.serveToolCall(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// fastCall is a tools/call message the fast path takes.
type fastCall struct {
	id   any // as mcp-go reads it: a string, or a number as float64 or int64
	name string
	args []byte
	meta *mcp.Meta
}

// serveToolCall answers r if it is a plain 2026-07-28 tools/call, and
// reports whether it did; when it did not, it has written nothing and r is
// as it came.
func (s *Server) serveToolCall(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header
	if r.Method != http.MethodPost || h.Get("Content-Type") != "application/json" ||
		h.Get(mcp.HeaderProtocolVersion) != mcp.ProtocolVersion20260728 ||
		h.Get(mcp.HeaderMethod) != string(mcp.MethodToolsCall) || h.Get(mcp.HeaderLastEventID) != "" {
		return false
	}
	body, ok := r.Body.(*bufferedBody)
	if !ok {
		return false
	}
	c, ok := parseToolCall(body.data)
	if !ok || c.meta.ProtocolVersion() != mcp.ProtocolVersion20260728 || c.meta.ProgressToken != nil ||
		c.meta.LogLevel() != "" {
		return false
	}
	caps := c.meta.ClientCapabilities()
	if caps == nil { // mcp-go refuses the call
		return false
	}
	if mcp.ValidateStandardHeadersFunc(h.Get, mcp.ProtocolVersion20260728, mcp.MethodToolsCall,
		func() (string, bool) { return c.name, true }) != nil {
		return false
	}
	tool := s.mcp.GetTool(c.name)
	if tool == nil || tool.Tool.Execution != nil || s.bindsHeaders(tool.Tool) {
		return false
	}
	ctx := mcpserver.WithRequestProtocolInfo(r.Context(), &mcpserver.RequestProtocolInfo{
		Modern:             true,
		ProtocolVersion:    mcp.ProtocolVersion20260728,
		ClientInfo:         c.meta.ClientInfo(),
		ClientCapabilities: caps,
	})
	if !s.tools.Offers(ctx, tool.Tool) {
		return false
	}

	s.fastCalls.Add(1)
	start := time.Now()
	req := mcp.CallToolRequest{
		Request: mcp.Request{Method: string(mcp.MethodToolsCall)},
		Header:  h,
		Params:  mcp.CallToolParams{Name: c.name, Meta: c.meta, RawArguments: c.args},
	}
	res, err := s.toolMiddleware(tool.Handler)(ctx, req)
	s.logToolLine(ctx, c.name, start, res, err)
	var resp mcp.JSONRPCMessage
	switch {
	case err != nil:
		resp = mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(c.id),
			Error: mcp.NewJSONRPCErrorDetails(mcp.INTERNAL_ERROR, err.Error(), nil)}
	case res == nil:
		resp = mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(c.id),
			Error: mcp.NewJSONRPCErrorDetails(mcp.INTERNAL_ERROR, "tool '"+c.name+"' handler returned no result", nil)}
	default:
		// What mcp-go stamps on every 2026-07-28 result.
		if res.GetResultType() == "" {
			res.SetResultType(mcp.ResultTypeComplete)
		}
		if meta := res.EnsureResultMeta(); meta != nil && meta.ServerInfo() == nil {
			meta.SetServerInfo(mcp.Implementation{Name: Name, Version: s.o.Version})
		}
		resp = mcp.NewJSONRPCResultResponse(mcp.NewRequestId(c.id), res)
	}
	s.logRequestLine(ctx, h, start, resp)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK) // an internal error is 200 in 2026-07-28, as mcp-go answers it
	if err := writeResponse(w, resp); err != nil {
		s.log.Error("Failed to write response", "err", err)
	}
	return true
}

// writeResponse writes resp as json.NewEncoder(w).Encode(resp) does, mcp-go's
// way. A result is written from its MarshalJSON, which json.Marshal makes
// compact and HTML-escaped: the encoder would only compact it again.
func writeResponse(w io.Writer, resp mcp.JSONRPCMessage) error {
	r, ok := resp.(mcp.JSONRPCResponse)
	res, isCall := r.Result.(*mcp.CallToolResult)
	if !ok || !isCall {
		return json.NewEncoder(w).Encode(resp)
	}
	id, err := json.Marshal(r.ID)
	if err != nil {
		return err
	}
	body, err := res.MarshalJSON()
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(body)+len(id)+32)
	out = append(out, `{"jsonrpc":"2.0","id":`...)
	out = append(out, id...)
	out = append(out, `,"result":`...)
	out = append(out, body...)
	_, err = w.Write(append(out, "}\n"...))
	return err
}

// parseToolCall reads a tools/call message: an object with exactly the
// members jsonrpc ("2.0"), id, method ("tools/call") and params, whose
// params has name, _meta (an object) and, if any, arguments (an object or
// null), and nothing else. Member names are matched exactly, as mcp-go
// matches them (encoding/json alone would take "Method" for "method"); a
// member given twice, or a name or value written with escapes (or bytes
// that are not UTF-8) where a plain one is expected, is not taken.
func parseToolCall(data []byte) (c fastCall, ok bool) {
	if !json.Valid(data) {
		return c, false
	}
	var rawID, params []byte
	var version, method bool
	ok = members(data, func(key, v []byte) bool {
		switch string(key) {
		case "jsonrpc":
			version = string(v) == `"`+mcp.JSONRPC_VERSION+`"`
			return version
		case "id":
			rawID = v
			return true
		case "method":
			method = string(v) == `"`+string(mcp.MethodToolsCall)+`"`
			return method
		case "params":
			params = v
			return true
		}
		return false
	})
	if !ok || !version || !method || rawID == nil || params == nil {
		return c, false
	}
	if c.id, ok = requestID(rawID); !ok {
		return c, false
	}
	var rawMeta []byte
	ok = members(params, func(key, v []byte) bool {
		switch string(key) {
		case "name":
			if len(v) < 3 || v[0] != '"' || bytes.IndexByte(v, '\\') >= 0 || !utf8.Valid(v) {
				return false // encoding/json would unescape it, or write U+FFFD for a bad byte
			}
			c.name = string(v[1 : len(v)-1])
			return true
		case "arguments":
			c.args = v
			return v[0] == '{' || string(v) == "null" // mcp-go reads null as none
		case "_meta":
			rawMeta = v
			return v[0] == '{'
		}
		return false
	})
	if !ok || c.name == "" || rawMeta == nil {
		return c, false
	}
	c.meta = &mcp.Meta{}
	if json.Unmarshal(rawMeta, c.meta) != nil {
		return c, false
	}
	return c, true
}

// members calls f with the name and the value of each member of the JSON
// object data, which json.Valid accepted, in order, while f returns true.
// It reports whether data is that object alone (white space aside), with
// no name written with an escape or given twice, and f took every member.
func members(data []byte, f func(key, v []byte) bool) bool {
	var seen [4][]byte
	n := 0
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		if data[i] != '"' {
			return false
		}
		j := i + 1
		for data[j] != '"' {
			if data[j] == '\\' {
				return false
			}
			j++
		}
		key := data[i+1 : j]
		for _, k := range seen[:n] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = key
		n++
		i = skipSpace(data, skipSpace(data, j+1)+1) // past the colon
		end := skipValue(data, i)
		if !f(key, data[i:end]) {
			return false
		}
		i = skipSpace(data, end)
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return skipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// skipSpace is the index of the first byte at or after i that is not JSON
// white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// endsScalar reports whether b ends a number or a literal.
func endsScalar(b byte) bool {
	switch b {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// skipValue is the index just past the JSON value at i, in valid JSON.
func skipValue(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		default:
			if depth == 0 {
				for i < len(data) && !endsScalar(data[i]) {
					i++
				}
				return i
			}
		}
	}
	return i
}

// requestID is a JSON-RPC id as mcp-go reads it: a string, or a number
// (float64 when it is an integer a float64 holds exactly, so that it is
// written back as it came). raw is valid JSON.
func requestID(raw []byte) (any, bool) {
	switch raw[0] {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			return string(raw[1 : len(raw)-1]), true // nothing to unescape or replace
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if n, ok := smallInt(raw); ok {
			return float64(n), true
		}
		return numberID(raw)
	}
	return nil, false
}

// numberID is the id the JSON number lit makes in mcp-go: a RequestId's
// value, as float64 when it is an integer a float64 holds exactly.
func numberID(lit []byte) (any, bool) {
	var id mcp.RequestId
	if json.Unmarshal(lit, &id) != nil {
		return nil, false
	}
	v := id.Value()
	if n, ok := v.(int64); ok && n >= -9007199254740991 && n <= 9007199254740991 {
		return float64(n), true
	}
	return v, v != nil
}

// smallInt reads an integer of up to 15 digits, written plainly (no
// fraction, no exponent), which a float64 holds exactly.
func smallInt(raw []byte) (int64, bool) {
	digits := raw
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || len(digits) > 1 && digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// bindsHeaders reports whether tool's input schema binds an argument to an
// HTTP header (x-mcp-header), which mcp-go checks against the request's
// headers; the fast path leaves such a tool to it. The answer is kept by
// tool name.
func (s *Server) bindsHeaders(tool mcp.Tool) bool {
	if v, ok := s.headerBinding.Load(tool.Name); ok {
		return v.(bool)
	}
	schema, err := json.Marshal(tool.InputSchema)
	if len(tool.RawInputSchema) > 0 {
		schema = tool.RawInputSchema
	}
	binds := err != nil || bytes.Contains(schema, []byte("x-mcp-header"))
	s.headerBinding.Store(tool.Name, binds)
	return binds
}

// logToolLine and logRequestLine write the lines mcp-go writes for a tool
// call and a request (at debug, through requestLines), with its names.
func (s *Server) logToolLine(ctx context.Context, name string, start time.Time, res *mcp.CallToolResult, err error) {
	if !s.requestLog.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{slog.String("mcp.tool.name", name), slog.Float64("duration_s", time.Since(start).Seconds())}
	switch {
	case err != nil:
		attrs = append(attrs, slog.String("outcome", "error"), slog.String("error", err.Error()))
	case res != nil && res.IsError:
		attrs = append(attrs, slog.String("outcome", "error_result"))
	default:
		attrs = append(attrs, slog.String("outcome", "ok"))
	}
	s.requestLog.LogAttrs(ctx, slog.LevelInfo, "mcp.tool", attrs...)
}

func (s *Server) logRequestLine(ctx context.Context, h http.Header, start time.Time, resp mcp.JSONRPCMessage) {
	if !s.requestLog.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{slog.String("mcp.method", string(mcp.MethodToolsCall)),
		slog.String("mcp.protocol.version", h.Get(mcp.HeaderProtocolVersion)),
		slog.Float64("duration_s", time.Since(start).Seconds())}
	if e, ok := resp.(mcp.JSONRPCError); ok {
		attrs = append(attrs, slog.String("outcome", "error"), slog.String("error", e.Error.Message))
	} else {
		attrs = append(attrs, slog.String("outcome", "ok"))
	}
	s.requestLog.LogAttrs(ctx, slog.LevelInfo, "mcp.request", attrs...)
}
