package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// TestFastCallAnswersAsMCPGo sends the same messages to two servers over
// one vault, one with the fast tools/call path and one that leaves every
// message to mcp-go, and compares their answers: status, headers and body, with the audit ids and times that differ from call to call made
// alike. Each message also says whether the fast path must take it: the
// plain calls it must, and everything it must leave to mcp-go (a progress
// token, a legacy message, a mismatched header, a member it does not know)
// it must not.
func TestFastCallAnswersAsMCPGo(t *testing.T) {
	aws := listingS3(t)
	v := testvault.Open(t, map[string]string{"AWS_ENDPOINT_URL": aws.URL}, nil)
	testvault.Grant(t, v, "reader", policy.Policy{ReadOnly: true})
	testvault.Grant(t, v, "other", policy.Policy{ReadOnly: true})
	testvault.Grant(t, v, "confirm", policy.Policy{ConfirmWrites: true})
	testvault.Grant(t, v, "no-presign", policy.Policy{ReadOnly: true, DenyPresign: true})
	_, key, err := v.AddCaller(t.Context(), "agent", []string{"reader", "confirm"})
	if err != nil {
		t.Fatal(err)
	}
	_, noPresignKey, err := v.AddCaller(t.Context(), "no-presign", []string{"no-presign"})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(fast bool) (*Server, string) {
		s, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler), Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.noFastCalls = !fast
		base, _ := serveHTTP(t, s, HTTP)
		return s, base + HTTPPath
	}
	fast, fastURL := serve(true)
	_, slowURL := serve(false)

	const meta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},` +
		`"io.modelcontextprotocol/clientInfo":{"name":"diff","version":"1"}}`
	call := func(id, name, args string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args + `,` + meta + `}}`
	}
	for _, c := range []struct {
		name   string
		body   string
		header map[string]string // changes to the plain call's headers; "" removes one
		key    string            // the caller's, if not agent's
		fast   bool
		has    string // the answer has this
	}{
		{name: "list_grants", body: call("1", "list_grants", `{}`), fast: true},
		{name: "string id", body: call(`"a<b>&\u00e9\n"`, "list_grants", `{}`), fast: true},
		{name: "large id", body: call("123456789012345", "list_grants", `{}`), fast: true},
		{name: "negative id", body: call("-7", "list_grants", `{}`), fast: true},
		{name: "id 0", body: call("0", "list_grants", `{}`), fast: true},
		{name: "id -0", body: call("-0", "list_grants", `{}`), fast: true},
		{name: "id in exponent form", body: call("1e3", "list_grants", `{}`), fast: true},
		{name: "id of 16 digits", body: call("1234567890123456", "list_grants", `{}`), fast: true},
		{name: "id not UTF-8", body: call("\"a\xffb\"", "list_grants", `{}`), fast: true},
		{name: "id past 2^53", body: call("90071992547409931", "list_grants", `{}`), fast: true},
		{name: "fraction id", body: call("1.5", "list_grants", `{}`), fast: true},
		{name: "s3_list", body: call("2", "s3_list", `{"grant_id":"reader","bucket":"bucket-b"}`), fast: true},
		{name: "not the caller's grant", body: call("3", "s3_list", `{"grant_id":"other","bucket":"bucket-b"}`), fast: true},
		{name: "unknown argument", body: call("4", "s3_list", `{"grant_id":"reader","bucket":"bucket-b","bukket":1}`), fast: true},
		{name: "wrong argument type", body: call("5", "s3_list", `{"grant_id":"reader","bucket":7}`), fast: true},
		{name: "not AWS", body: call("6", "aws_request", `{"grant_id":"reader","method":"GET","url":"https://example.com/"}`), fast: true},
		{name: "an answer with <, > and &", body: call("7", "aws_request", `{"grant_id":"reader","method":"GET","url":"https://a<b>&c.example/\u2028"}`), fast: true, has: `\u003c`},
		{name: "no arguments", body: `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"list_grants",` + meta + `}}`, fast: true},
		{name: "white space", body: " \n" + call("9", "list_grants", `{ }`) + "\n ", fast: true},
		{name: "members in another order", body: `{"params":{` + meta + `,"arguments":{},"name":"list_grants"},"method":"tools/call","id":10,"jsonrpc":"2.0"}`, fast: true},

		{name: "a write to confirm", body: strings.Replace(call("15", "s3_put", `{"grant_id":"confirm","bucket":"bucket-b","key":"k","content":"x"}`),
			`"clientCapabilities":{}`, `"clientCapabilities":{"elicitation":{}}`, 1), fast: true},
		{name: "a write no one can confirm", body: call("16", "s3_put", `{"grant_id":"confirm","bucket":"bucket-b","key":"k","content":"x"}`), fast: true},
		{name: "a tool not offered", body: call("17", "s3_presign", `{"grant_id":"no-presign","bucket":"bucket-b","key":"k"}`), key: noPresignKey},

		{name: "unknown tool", body: call("20", "no_such_tool", `{}`), header: map[string]string{"Mcp-Name": "no_such_tool"}},
		{name: "progress token", body: strings.Replace(call("21", "list_grants", `{}`), `"_meta":{`, `"_meta":{"progressToken":"p1",`, 1)},
		{name: "log level", body: strings.Replace(call("22", "list_grants", `{}`), `"_meta":{`, `"_meta":{"io.modelcontextprotocol/logLevel":"debug",`, 1)},
		{name: "no capabilities", body: strings.Replace(call("23", "list_grants", `{}`), `"io.modelcontextprotocol/clientCapabilities":{},`, ``, 1)},
		{name: "versions differ", body: strings.Replace(call("24", "list_grants", `{}`), `"2026-07-28"`, `"2025-11-25"`, 1)},
		{name: "name header differs", body: call("25", "list_grants", `{}`), header: map[string]string{"Mcp-Name": "s3_list"}},
		{name: "no method header", body: call("26", "list_grants", `{}`), header: map[string]string{"Mcp-Method": ""}},
		{name: "legacy", body: call("27", "list_grants", `{}`), header: map[string]string{"Mcp-Protocol-Version": ""}},
		{name: "content type with charset", body: call("28", "list_grants", `{}`), header: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
		{name: "Method", body: strings.Replace(call("29", "list_grants", `{}`), `"method"`, `"Method"`, 1)},
		{name: "id twice", body: strings.Replace(call("30", "list_grants", `{}`), `"id":30`, `"id":30,"id":31`, 1)},
		{name: "trailing data", body: call("31", "list_grants", `{}`) + "{}"},
		{name: "a task", body: strings.Replace(call("32", "list_grants", `{}`), `"arguments"`, `"task":{"ttl":1000},"arguments"`, 1)},
		{name: "a retry", body: strings.Replace(call("33", "list_grants", `{}`), `"arguments"`, `"requestState":"x","arguments"`, 1)},
		{name: "null arguments", body: call("34", "list_grants", `null`), fast: true},
		{name: "null arguments to a tool that needs some", body: call("41", "s3_list", `null`), fast: true},
		{name: "array arguments", body: call("35", "list_grants", `[]`)},
		{name: "null id", body: call("null", "list_grants", `{}`)},
		{name: "object id", body: call(`{"a":1}`, "list_grants", `{}`)},
		{name: "jsonrpc 1.0", body: strings.Replace(call("36", "list_grants", `{}`), `"2.0"`, `"1.0"`, 1)},
		{name: "not JSON", body: `{"jsonrpc":"2.0","id":37,`},
		{name: "Last-Event-ID", body: call("38", "list_grants", `{}`), header: map[string]string{"Last-Event-ID": "1"}},
		{name: "no Accept", body: call("39", "list_grants", `{}`), header: map[string]string{"Accept": ""}, fast: true},
		{name: "a session id", body: call("40", "list_grants", `{}`), header: map[string]string{"Mcp-Session-Id": "mcp-session-x"}, fast: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := cmp.Or(c.key, key)
			before := fast.fastCalls.Load()
			status1, type1, body1 := postCallAs(t, fastURL, key, c.body, c.header)
			served := fast.fastCalls.Load() > before
			status2, type2, body2 := postCallAs(t, slowURL, key, c.body, c.header)
			if served != c.fast {
				t.Errorf("the fast path took it: %v, want %v", served, c.fast)
			}
			if !strings.Contains(body1, c.has) {
				t.Errorf("the answer has no %s: %s", c.has, body1)
			}
			if status1 != status2 || type1 != type2 || alike(body1) != alike(body2) {
				t.Errorf("answers differ:\nfast:   %d %s %s\nmcp-go: %d %s %s", status1, type1, body1, status2, type2, body2)
			}
		})
	}
}

// postCallAs sends body as a 2026-07-28 tools/call, with the plain headers
// changed by change, and returns the answer.
func postCallAs(t *testing.T, url, key, body string, change map[string]string) (status int, header, answer string) {
	t.Helper()
	req := callRequest(url, key, "list_grants", strings.NewReader(body))
	if m := regexp.MustCompile(`"name":"([a-z0-9_]+)"`).FindAllStringSubmatch(body, -1); m != nil {
		for _, n := range m {
			if n[1] != "diff" { // the client's name
				req.Header.Set("Mcp-Name", n[1])
			}
		}
	}
	for k, v := range change {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	resp.Header.Del("Date")
	resp.Header.Del("Content-Length") // the bodies differ in their audit ids
	return resp.StatusCode, fmt.Sprint(resp.Header), string(bytes.TrimSpace(out))
}

// alike is an answer with what differs between two calls of the same
// (audit ids, times, durations) made the same.
func alike(s string) string {
	for _, r := range []struct{ re, to string }{
		{`aud_[0-9a-z]+`, "aud_"},
		{`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`, "TIME"},
		{`\\"(elapsed_ms|duration_ms)\\":\d+`, `\"$1\":0`},
		{`"(elapsed_ms|duration_ms)":\d+`, `"$1":0`},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.to)
	}
	return s
}

// FuzzParseToolCall holds parseToolCall to a plain reading of the same
// message with encoding/json's tokenizer: whatever it takes, the plain
// reading takes too, with the same id, name, arguments and _meta; and a
// message the plain reading takes, with no escape in a member's name or the
// tool's name (nor a name that is not UTF-8), it takes.
func FuzzParseToolCall(f *testing.F) {
	const meta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"s3_list","arguments":{"bucket":"b","n":[1,{"x":"}"}]},` + meta + `}}`,
		`{"params":{` + meta + `,"name":"list_grants"},"method":"tools/call","id":"x\"y","jsonrpc":"2.0"}`,
		` {"jsonrpc":"2.0","id":-3.5e2,"method":"tools/call","params":{"name":"a","arguments":null,` + meta + `}} `,
		`{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/call","params":{"name":"a",` + meta + `}}`,
		`{"jsonrpc":"2.0","id":1,"Method":"tools/call","params":{"name":"a",` + meta + `}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a",` + meta + `}}{}`,
		`[{"jsonrpc":"2.0"}]`, `{}`, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\u0061",` + meta + `}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := parseToolCall(data)
		want, escaped, wantOK := plainToolCall(data)
		if ok && (!wantOK || fmt.Sprint(got.id) != fmt.Sprint(want.id) || got.name != want.name ||
			!bytes.Equal(got.args, want.args) || !reflect.DeepEqual(got.meta, want.meta)) {
			t.Fatalf("parseToolCall(%q) = %+v, the plain reading %+v, %v", data, got, want, wantOK)
		}
		if !ok && wantOK && !escaped {
			t.Fatalf("parseToolCall(%q) refused what the plain reading takes: %+v", data, want)
		}
	})
}

// plainToolCall reads a tools/call message as parseToolCall describes it,
// member by member with encoding/json's tokenizer, and reports whether a
// member's name or the tool's name is written with an escape.
func plainToolCall(data []byte) (c fastCall, escaped, ok bool) {
	obj := func(data []byte) (map[string]json.RawMessage, bool) {
		d := json.NewDecoder(bytes.NewReader(data))
		if t, err := d.Token(); err != nil || t != json.Delim('{') {
			return nil, false
		}
		m := map[string]json.RawMessage{}
		for d.More() {
			from := d.InputOffset()
			t, err := d.Token()
			escaped = escaped || bytes.IndexByte(data[from:d.InputOffset()], '\\') >= 0
			key, isKey := t.(string)
			if _, dup := m[key]; err != nil || !isKey || dup {
				return nil, false
			}
			var v json.RawMessage
			if d.Decode(&v) != nil {
				return nil, false
			}
			m[key] = v
		}
		if t, err := d.Token(); err != nil || t != json.Delim('}') {
			return nil, false
		}
		_, err := d.Token()
		return m, err == io.EOF
	}
	top, ok := obj(data)
	if !ok || len(top) != 4 || string(top["jsonrpc"]) != `"2.0"` || string(top["method"]) != `"tools/call"` || top["id"] == nil {
		return c, escaped, false
	}
	if c.id, ok = mcpgoID(top["id"]); !ok {
		return c, escaped, false
	}
	params, ok := obj(top["params"])
	if !ok || params["_meta"] == nil || params["_meta"][0] != '{' || json.Unmarshal(params["name"], &c.name) != nil || c.name == "" {
		return c, escaped, false
	}
	escaped = escaped || bytes.IndexByte(params["name"], '\\') >= 0 || !utf8.Valid(params["name"])
	for k := range params {
		if k != "name" && k != "arguments" && k != "_meta" {
			return c, escaped, false
		}
	}
	if a, has := params["arguments"]; has {
		if a[0] != '{' && string(a) != "null" {
			return c, escaped, false
		}
		c.args = a
	}
	c.meta = &mcp.Meta{}
	return c, escaped, json.Unmarshal(params["_meta"], c.meta) == nil
}

// mcpgoID reads a JSON-RPC id as mcp-go's handleMessage does: a number
// through json.Number (then numberID, mcp-go's RequestId), a string as
// encoding/json decodes it; so it checks requestID's own readings of plain
// integers and strings.
func mcpgoID(raw json.RawMessage) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return numberID([]byte(v))
	}
	return nil, false
}

// TestFastCallCallerFromKeyOnly: a 2026-07-28 call the fast path takes runs
// as the caller its API key names, whatever its _meta says: a client name
// and a "caller" member naming another caller change nothing.
func TestFastCallCallerFromKeyOnly(t *testing.T) {
	v := testvault.Open(t, nil, nil)
	testvault.Grant(t, v, "mine", policy.Policy{ReadOnly: true})
	testvault.Grant(t, v, "theirs", policy.Policy{ReadOnly: true})
	if _, _, err := v.AddCaller(t.Context(), "other", []string{"theirs"}); err != nil {
		t.Fatal(err)
	}
	_, key, err := v.AddCaller(t.Context(), "agent", []string{"mine"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	base, _ := serveHTTP(t, s, HTTP)
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_grants","arguments":{},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},` +
		`"io.modelcontextprotocol/clientInfo":{"name":"other","version":"1"},"caller":"other","io.modelcontextprotocol/caller":"other"}}}`
	status, _, answer := postCallAs(t, base+HTTPPath, key, body, map[string]string{"Mcp-Name": "list_grants"})
	if s.fastCalls.Load() != 1 {
		t.Fatal("the fast path did not take the call")
	}
	if status != http.StatusOK || !strings.Contains(answer, `\"name\":\"mine\"`) || strings.Contains(answer, "theirs") {
		t.Errorf("the call did not run as its key's caller: %d %s", status, answer)
	}
}

func TestHooksOnToolCalls(t *testing.T) {
	h := &mcpserver.Hooks{}
	h.AddAfterListTools(func(context.Context, any, *mcp.ListToolsRequest, *mcp.ListToolsResult) {})
	if hooksOnToolCalls(h) {
		t.Error("a tools/list hook turned the fast path off")
	}
	h.AddBeforeCallTool(func(context.Context, any, *mcp.CallToolRequest) {})
	if !hooksOnToolCalls(h) {
		t.Error("a tools/call hook left the fast path on")
	}
}
