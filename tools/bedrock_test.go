package tools

// The bedrock tools against a fake Bedrock (runtime and control plane)
// whose every request is verified first by internal/sigcheck, with
// aws-sdk-go-v2's signer, and whose streams are encoded by aws-sdk-go-v2's
// eventstream package: never by this module's own code.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// serverOf makes an MCP server offering tools, whose every request is
// made by sess.
func (e *env) serverOf(t *testing.T, sess Session, tools ...tool) *server.MCPServer {
	t.Helper()
	s := server.NewMCPServer("alter-mcp-test", "0.0.0",
		server.WithToolHandlerMiddleware(func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
			return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return next(WithSession(ctx, sess), req)
			}
		}))
	for _, tl := range tools {
		s.AddTool(tl.def, tl.handler)
	}
	return s
}

// callMeta calls a tool with _meta.progressToken tok ("" for none).
func (c *mcpClient) callMeta(t *testing.T, ctx context.Context, name, tok string, args map[string]any) (*mcp.CallToolResult, map[string]any, error) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	if tok != "" {
		req.Params.Meta = &mcp.Meta{ProgressToken: tok}
	}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	raw, _ := json.Marshal(res)
	c.e.record(string(raw))
	var m map[string]any
	if err := json.Unmarshal(res.RawStructuredContent, &m); err != nil {
		t.Fatalf("%s: structured content: %v: %s", name, err, raw)
	}
	return res, m, nil
}

func bedrockEnv(t *testing.T) (*env, *fakeBedrock, *sigcheck.Verifier, *toolbox) {
	f, srv, verifier := newFakeBedrock(t)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, nil)
	e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	return e, f, verifier, newToolbox(Deps{Vault: e.v})
}

const haiku = "anthropic.claude-3-5-haiku-20241022-v1:0"

func anthropicBody(prompt string) map[string]any {
	return map[string]any{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
		"messages": []any{map[string]any{"role": "user", "content": prompt}}}
}

func TestBedrockInvoke(t *testing.T) {
	e, f, verifier, tb := bedrockEnv(t)
	fast := &bedrock{tb: tb} // a progress notification for every piece of text
	var progress progressLog
	s := e.serverOf(t, Session{}, fast.invoke(), fast.converse(), fast.listModels())

	for _, version := range []string{"", legacy2025} {
		t.Run("protocol "+first(version, "2026"), func(t *testing.T) {
			c := e.connect(t, s, version)
			c.OnNotification(progress.handle)
			ctx := t.Context()

			// InvokeModel: the native answer, and what could be read from it.
			m := c.ok(t, "bedrock_invoke", map[string]any{"model_id": haiku, "body": anthropicBody("Hi"), "reason": "try the model"})
			if str(m, "text") != "Hello, world!" || str(m, "stop_reason") != "end_turn" || str(m, "operation") != "InvokeModel" ||
				str(m, "format") != "json" || str(m, "region") != "us-east-1" || str(m, "request_id") != "req-invoke" {
				t.Errorf("invoke: %v", m)
			}
			if u, _ := m["usage"].(map[string]any); num(u, "input_tokens") != 12 || num(u, "output_tokens") != 4 || num(u, "total_tokens") != 16 {
				t.Errorf("invoke usage: %v", m["usage"])
			}
			if b, _ := m["body"].(map[string]any); str(b, "id") != "msg_1" {
				t.Errorf("invoke body: %v", m["body"])
			}
			r := f.last(t)
			if r.escapedModel != "anthropic.claude-3-5-haiku-20241022-v1%3A0" || r.model != haiku || r.op != "invoke" ||
				r.header.Get("Content-Type") != "application/json" || r.header.Get("Accept") != "application/json" {
				t.Errorf("request %s %s %v", r.method, r.path, r.header)
			}
			var sentBody map[string]any
			if json.Unmarshal(r.body, &sentBody) != nil || sentBody["anthropic_version"] != "bedrock-2023-05-31" {
				t.Errorf("request body %s", r.body)
			}
			entry, _, err := e.v.AuditLog().Get(ctx, str(m, "audit_id"))
			if err != nil || entry.Operation != "InvokeModel" || entry.Action != "bedrock:InvokeModel" || entry.Tool != "bedrock_invoke" ||
				entry.Reason != "try the model" || entry.ReadOnly {
				t.Errorf("audit entry %+v (%v)", entry, err)
			}

			// Streamed, with progress: one notification per piece of text.
			tok := "tok-" + first(version, "2026")
			res, m, err := c.callMeta(t, ctx, "bedrock_invoke", tok, map[string]any{"model_id": haiku, "body": anthropicBody("Hi"), "stream": true})
			if err != nil || res.IsError {
				t.Fatalf("streamed invoke: %v %v", err, m)
			}
			if str(m, "text") != wordsText || str(m, "stop_reason") != "end_turn" || num(m, "chunks") != int64(len(words)+5) ||
				str(m, "operation") != "InvokeModelWithResponseStream" || num(m, "latency_ms") != 321 {
				t.Errorf("streamed invoke: %v", m)
			}
			if u, _ := m["usage"].(map[string]any); num(u, "input_tokens") != 12 || num(u, "output_tokens") != 9 || num(u, "total_tokens") != 21 {
				t.Errorf("streamed usage: %v", m["usage"])
			}
			r = f.last(t)
			if r.op != "invoke-with-response-stream" || r.header.Get("X-Amzn-Bedrock-Accept") != "application/json" || r.header.Get("Accept") != "application/vnd.amazon.eventstream" {
				t.Errorf("stream request %s %v", r.path, r.header)
			}
			msgs := progress.waitFor(tok, len(words))
			_, nums := progress.of(tok)
			if len(msgs) != len(words) {
				t.Fatalf("%d progress notifications, want %d: %q", len(msgs), len(words), msgs)
			}
			for i := range msgs {
				if want := strings.Join(words[:i+1], ""); msgs[i] != want || nums[i] != float64(i+1) {
					t.Errorf("progress %d: %v %q, want %d %q", i, nums[i], msgs[i], i+1, want)
				}
			}

			// Without a progress token, no notification.
			_, m, _ = c.callMeta(t, ctx, "bedrock_invoke", "", map[string]any{"model_id": "meta.llama3-8b-instruct-v1:0", "body": `{"prompt":"Hi"}`, "stream": true})
			if str(m, "text") != wordsText || str(m, "stop_reason") != "stop" {
				t.Errorf("llama: %v", m)
			}
			if u, _ := m["usage"].(map[string]any); num(u, "input_tokens") != 12 || num(u, "output_tokens") != 9 {
				t.Errorf("llama usage (Bedrock's count wins): %v", m["usage"])
			}
			if r := f.last(t); string(r.body) != `{"prompt":"Hi"}` {
				t.Errorf("a string body is sent as it is: %s", r.body)
			}
		})
	}
	progress.mu.Lock()
	if len(progress.msgs) != 2 {
		t.Errorf("progress for tokens %v, want only the two asked for", progress.msgs)
	}
	progress.mu.Unlock()

	c := e.connect(t, s, "")
	m := c.ok(t, "bedrock_invoke", map[string]any{"model_id": "amazon.titan-text-express-v1", "body": map[string]any{"inputText": "Hi"}, "stream": true})
	if str(m, "text") != wordsText || str(m, "stop_reason") != "FINISH" {
		t.Errorf("titan: %v", m)
	}
	if u, _ := m["usage"].(map[string]any); num(u, "input_tokens") != 5 || num(u, "output_tokens") != 6 {
		t.Errorf("titan usage: %v", m["usage"])
	}
	f.requests()

	// A format the tool does not know: the chunks, decoded.
	m = c.ok(t, "bedrock_invoke", map[string]any{"model_id": "test.unknown", "body": map[string]any{}, "stream": true})
	if raw, _ := m["raw_chunks"].([]any); len(raw) != 2 || mustJSON(raw[1]) != `{"foo":"baz"}` || str(m, "text") != "" || !strings.Contains(str(m, "note"), "raw_chunks") {
		t.Errorf("unknown format: %v", m)
	}

	// An inference profile ARN: escaped whole, and its region is used.
	arn := "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-haiku-20241022-v1:0"
	m = c.ok(t, "bedrock_invoke", map[string]any{"model_id": arn, "body": anthropicBody("Hi"),
		"guardrail_id": "gr-1", "guardrail_version": "DRAFT", "accept": "*/*", "content_type": "application/json; charset=utf-8"})
	if str(m, "region") != "eu-west-1" || str(m, "text") != "Hello, world!" {
		t.Errorf("ARN: %v", m)
	}
	f.requests()
	entry, _, _ := e.v.AuditLog().Get(t.Context(), str(m, "audit_id"))
	if entry.Region != "eu-west-1" || !strings.Contains(entry.URL, "/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic") {
		t.Errorf("ARN audit entry: %s %s", entry.Region, entry.URL)
	}

	// Failures inside the stream are tool errors, with what had arrived.
	for _, tc := range []struct {
		model, code, errorCode, hint string
	}{
		{"test.throttle", "aws_error", "throttlingException", "throttling"},
		{"test.modelerror", "aws_error", "modelStreamErrorException", "without stream"},
		{"test.corrupt", "bad_stream", "", ""},
	} {
		m := c.fail(t, "bedrock_invoke", map[string]any{"model_id": tc.model, "body": anthropicBody("Hi"), "stream": true}, tc.code)
		if str(m, "error_code") != tc.errorCode || !strings.Contains(str(m, "hint"), tc.hint) || str(m, "partial_text") != "Hello, " ||
			m["sent"] != true || str(m, "audit_id") == "" || str(m, "request_id") == "" {
			t.Errorf("%s: %v", tc.model, m)
		}
		if tc.code == "bad_stream" && !strings.Contains(str(m, "message"), "checksum") {
			t.Errorf("%s: %v", tc.model, m)
		}
	}
	f.requests()

	// Error answers, with a hint for Bedrock's errors.
	m = c.fail(t, "bedrock_invoke", map[string]any{"model_id": "test.notfound", "body": "{}"}, "aws_error")
	if str(m, "error_code") != "ResourceNotFoundException" || num(m, "status") != 404 || !strings.Contains(str(m, "hint"), "bedrock_list_models") {
		t.Errorf("not found: %v", m)
	}
	m = c.fail(t, "bedrock_invoke", map[string]any{"model_id": "test.ondemand", "body": "{}", "stream": true}, "aws_error")
	if str(m, "error_code") != "ValidationException" || !strings.Contains(str(m, "hint"), "inference profile id") {
		t.Errorf("on demand: %v", m)
	}
	f.requests()

	// Arguments the agent can fix; nothing is sent.
	for _, args := range []map[string]any{
		{"body": "{}"},
		{"model_id": haiku},
		{"model_id": haiku, "body": ""},
		{"model_id": haiku, "body": "{}", "region": "Mars"},
		{"model_id": haiku, "body": "{}", "guardrail_id": "gr-1"},
		{"model_id": haiku, "body": "{}", "modelId": "x"},
	} {
		c.fail(t, "bedrock_invoke", args, "invalid_arguments")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid arguments", n)
	}
	if verifier.Verified() == 0 {
		t.Error("no signature was verified")
	}
}

func TestBedrockConverse(t *testing.T) {
	e, f, _, tb := bedrockEnv(t)
	fast := &bedrock{tb: tb}
	var progress progressLog
	c := e.connect(t, e.serverOf(t, Session{}, fast.converse()), legacy2025)
	c.OnNotification(progress.handle)

	m := c.ok(t, "bedrock_converse", map[string]any{"model_id": "us.amazon.nova-lite-v1:0", "prompt": "Say hi", "max_tokens": 50, "temperature": 0.2})
	if str(m, "text") != "Hi there." || str(m, "reasoning") != "They greet me." || str(m, "stop_reason") != "end_turn" ||
		num(m, "latency_ms") != 120 || str(m, "operation") != "Converse" {
		t.Errorf("converse: %v", m)
	}
	if u, _ := m["usage"].(map[string]any); num(u, "input_tokens") != 8 || num(u, "output_tokens") != 3 || num(u, "total_tokens") != 11 {
		t.Errorf("usage: %v", m["usage"])
	}
	r := f.last(t)
	if r.op != "converse" || r.escapedModel != "us.amazon.nova-lite-v1%3A0" ||
		string(r.body) != `{"messages":[{"role":"user","content":[{"text":"Say hi"}]}],"inferenceConfig":{"maxTokens":50,"temperature":0.2}}` {
		t.Errorf("request %s: %s", r.path, r.body)
	}
	entry, _, _ := e.v.AuditLog().Get(t.Context(), str(m, "audit_id"))
	if entry.Operation != "Converse" || entry.Action != "bedrock:InvokeModel" {
		t.Errorf("audit %+v", entry)
	}

	// A conversation with a system prompt, streamed.
	res, m, err := c.callMeta(t, t.Context(), "bedrock_converse", "conv", map[string]any{"model_id": haiku, "stream": true, "system": "Be brief.",
		"messages": []any{
			map[string]any{"role": "user", "content": "Hi"},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"text": "Hello."}}},
			map[string]any{"role": "user", "content": "Again"},
		},
		"guardrail_id": "gr-1", "guardrail_version": "1"})
	if err != nil || res.IsError {
		t.Fatalf("stream: %v %v", err, m)
	}
	if str(m, "text") != wordsText || str(m, "stop_reason") != "end_turn" || num(m, "chunks") != int64(len(words)+4) || str(m, "operation") != "ConverseStream" {
		t.Errorf("stream: %v", m)
	}
	if u, _ := m["usage"].(map[string]any); num(u, "total_tokens") != 14 {
		t.Errorf("stream usage: %v", m["usage"])
	}
	r = f.last(t)
	want := `{"messages":[{"role":"user","content":[{"text":"Hi"}]},{"role":"assistant","content":[{"text":"Hello."}]},{"role":"user","content":[{"text":"Again"}]}],` +
		`"system":[{"text":"Be brief."}],"guardrailConfig":{"guardrailIdentifier":"gr-1","guardrailVersion":"1"}}`
	if r.op != "converse-stream" || string(r.body) != want {
		t.Errorf("stream request %s: %s", r.op, r.body)
	}
	if msgs := progress.waitFor("conv", len(words)); len(msgs) != len(words) || msgs[len(msgs)-1] != wordsText {
		t.Errorf("progress %q", msgs)
	}

	m = c.fail(t, "bedrock_converse", map[string]any{"model_id": "test.throttle", "prompt": "Hi", "stream": true}, "aws_error")
	if str(m, "error_code") != "throttlingException" || str(m, "partial_text") != "Hello, " || !strings.Contains(str(m, "message"), "Too many tokens") {
		t.Errorf("throttled: %v", m)
	}
	f.requests()

	for _, args := range []map[string]any{
		{"model_id": haiku},
		{"model_id": haiku, "prompt": "a", "messages": []any{map[string]any{"role": "user", "content": "b"}}},
		{"model_id": haiku, "messages": []any{map[string]any{"role": "system", "content": "b"}}},
		{"model_id": haiku, "messages": []any{map[string]any{"role": "user", "content": 3}}},
		{"model_id": haiku, "messages": []any{map[string]any{"role": "user", "content": []any{}}}},
		{"model_id": haiku, "prompt": "a", "temperature": 2},
		{"model_id": haiku, "prompt": "a", "max_tokens": -1},
		{"model_id": haiku, "prompt": "a", "system": 5},
	} {
		c.fail(t, "bedrock_converse", args, "invalid_arguments")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid arguments", n)
	}
}

func TestBedrockListModels(t *testing.T) {
	e, f, _, tb := bedrockEnv(t)
	c := e.connect(t, e.serverOf(t, Session{}, (&bedrock{tb: tb}).listModels()), "")
	m := c.ok(t, "bedrock_list_models", map[string]any{"provider": "Anthropic", "output_modality": "TEXT"})
	models, _ := m["models"].([]any)
	if len(models) != 2 || str(m, "region") != "us-east-1" {
		t.Fatalf("list: %v", m)
	}
	first := models[0].(map[string]any)
	if str(first, "model_id") != haiku || first["streaming"] != true || mustJSON(first["inference_types"]) != `["INFERENCE_PROFILE"]` || str(first, "lifecycle") != "ACTIVE" {
		t.Errorf("model %v", first)
	}
	r := f.last(t)
	if r.method != "GET" || r.path != "/foundation-models" || r.query != "byOutputModality=TEXT&byProvider=Anthropic" {
		t.Errorf("request %s %s?%s", r.method, r.path, r.query)
	}
	entry, _, _ := e.v.AuditLog().Get(t.Context(), str(m, "audit_id"))
	if entry.Operation != "ListFoundationModels" || !entry.ReadOnly {
		t.Errorf("audit %+v", entry)
	}
}

// TestBedrockThrottlesProgress: with the default throttle, a stream that
// arrives at once makes one notification; the result has all of it.
func TestBedrockThrottlesProgress(t *testing.T) {
	e, _, _, tb := bedrockEnv(t)
	var progress progressLog
	c := e.connect(t, e.serverOf(t, Session{}, bedrockInvoke(tb)), "")
	c.OnNotification(progress.handle)
	_, m, err := c.callMeta(t, t.Context(), "bedrock_invoke", "slowly", map[string]any{"model_id": haiku, "body": anthropicBody("Hi"), "stream": true})
	if err != nil || str(m, "text") != wordsText {
		t.Fatalf("%v %v", err, m)
	}
	time.Sleep(50 * time.Millisecond)
	// All of it arrives within 250ms, barring a stall of the machine.
	if msgs, _ := progress.of("slowly"); len(msgs) < 1 || len(msgs) >= len(words) || msgs[0] != words[0] {
		t.Errorf("progress %q, want one notification (or two, on a slow machine)", msgs)
	}
}

// TestBedrockReadOnly: running a model is not read-only, for the catalog,
// a read-only grant and --read-only alike.
func TestBedrockReadOnly(t *testing.T) {
	f, srv, _ := newFakeBedrock(t)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, nil)
	e.grant(t, "reader", policy.Policy{ReadOnly: true}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	c := e.connect(t, e.server(t, Deps{}, Options{Toolsets: []string{"bedrock"}}, Session{}), "")
	for _, call := range []struct {
		tool string
		args map[string]any
	}{
		{"bedrock_invoke", map[string]any{"model_id": haiku, "body": anthropicBody("Hi")}},
		{"bedrock_invoke", map[string]any{"model_id": haiku, "body": anthropicBody("Hi"), "stream": true}},
		{"bedrock_converse", map[string]any{"model_id": haiku, "prompt": "Hi"}},
		{"bedrock_converse", map[string]any{"model_id": haiku, "prompt": "Hi", "stream": true}},
	} {
		m := c.fail(t, call.tool, call.args, "denied")
		if str(m, "rule") != policy.RuleReadOnly {
			t.Errorf("%s: %v", call.tool, m)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests reached Bedrock", n)
	}
	c.ok(t, "bedrock_list_models", nil)

	ro := e.connect(t, e.server(t, Deps{}, Options{Toolsets: []string{"bedrock"}, ReadOnly: true}, Session{}), "")
	if got := listed(t, ro); !slices.Equal(got, []string{"bedrock_list_models"}) {
		t.Errorf("read-only bedrock tools: %v", got)
	}
}

// TestBedrockCancel: cancelling the MCP request closes the stream from
// Bedrock at once.
func TestBedrockCancel(t *testing.T) {
	e, f, _, tb := bedrockEnv(t)
	for _, version := range []string{"", legacy2024} {
		t.Run("protocol "+first(version, "2026"), func(t *testing.T) {
			c := e.connect(t, e.serverOf(t, Session{}, (&bedrock{tb: tb}).invoke()), version)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var once sync.Once
			canceledAt := make(chan time.Time, 1)
			c.OnNotification(func(n mcp.JSONRPCNotification) {
				if n.Method == string(mcp.MethodNotificationProgress) {
					once.Do(func() { canceledAt <- time.Now(); cancel() })
				}
			})
			start := time.Now()
			done := make(chan struct{})
			go func() {
				defer close(done)
				c.callMeta(t, ctx, "bedrock_invoke", "cancel-me", map[string]any{"model_id": "test.slow", "body": "{}", "stream": true})
			}()
			var canceled time.Time
			select {
			case gone := <-f.gone:
				select {
				case canceled = <-canceledAt:
				default:
					t.Fatal("Bedrock saw the client go before the call was canceled")
				}
				d := gone.Sub(canceled)
				if d > time.Second {
					t.Errorf("Bedrock saw the client go %v after the cancellation", d)
				}
				t.Logf("Bedrock saw the client go %v after the cancellation", d)
			case <-time.After(10 * time.Second):
				t.Fatal("the stream from Bedrock was still open 10s after the call began")
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the tool call did not return after its cancellation")
			}
			t.Logf("canceled after %v", canceled.Sub(start))
			f.requests()
		})
	}
}

// TestNativeAnswers reads the answer formats of the model providers, whole
// and streamed.
func TestNativeAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		chunks  []string
		text    string
		stop    string
		in, out int
	}{
		{"anthropic messages", []string{`{"id":"m","type":"message","content":[{"type":"text","text":"Hi"},{"type":"tool_use","id":"t","name":"f","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":5}}`}, "Hi", "tool_use", 3, 5},
		{"anthropic completions", []string{`{"completion":" Hel","stop_reason":null}`, `{"completion":"lo","stop_reason":"stop_sequence"}`}, " Hello", "stop_sequence", 0, 0},
		{"nova", []string{`{"output":{"message":{"content":[{"text":"Hi"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":4,"outputTokens":1,"totalTokens":5}}`}, "Hi", "end_turn", 4, 1},
		{"nova streamed", []string{`{"messageStart":{"role":"assistant"}}`, `{"contentBlockDelta":{"delta":{"text":"H"},"contentBlockIndex":0}}`, `{"contentBlockDelta":{"delta":{"text":"i"},"contentBlockIndex":0}}`,
			`{"messageStop":{"stopReason":"end_turn"}}`, `{"metadata":{"usage":{"inputTokens":4,"outputTokens":2}}}`}, "Hi", "end_turn", 4, 2},
		{"titan", []string{`{"inputTextTokenCount":3,"results":[{"tokenCount":2,"outputText":"Hi","completionReason":"FINISH"}]}`}, "Hi", "FINISH", 3, 2},
		{"mistral", []string{`{"outputs":[{"text":"Hi","stop_reason":"stop"}]}`}, "Hi", "stop", 0, 0},
		{"openai-style", []string{`{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":6,"completion_tokens":1}}`}, "Hi", "stop", 6, 1},
		{"openai-style streamed", []string{`{"choices":[{"delta":{"content":"H"}}]}`, `{"choices":[{"delta":{"content":"i"},"finish_reason":"length"}]}`}, "Hi", "length", 0, 0},
		{"deepseek", []string{`{"choices":[{"text":"Hi","stop_reason":"stop"}]}`}, "Hi", "stop", 0, 0},
		{"cohere command-r", []string{`{"text":"Hi","finish_reason":"COMPLETE","generation_id":"g"}`}, "Hi", "COMPLETE", 0, 0},
		{"cohere command", []string{`{"generations":[{"text":"Hi","finish_reason":"COMPLETE"}]}`}, "Hi", "COMPLETE", 0, 0},
		{"a field of an unexpected type", []string{`{"content":"oops","outputText":"Hi"}`}, "Hi", "", 0, 0},
		{"not an object", []string{`[1,2]`, `"x"`, `nul`}, "", "", 0, 0},
	} {
		var a answer
		for _, c := range tc.chunks {
			a.native([]byte(c))
		}
		var r modelResult
		a.fill(&r)
		var in, out int
		if r.Usage != nil {
			in, out = r.Usage.InputTokens, r.Usage.OutputTokens
		}
		if r.Text != tc.text || r.StopReason != tc.stop || in != tc.in || out != tc.out {
			t.Errorf("%s: text %q stop %q usage %d/%d, want %q %q %d/%d", tc.name, r.Text, r.StopReason, in, out, tc.text, tc.stop, tc.in, tc.out)
		}
	}
}

// FuzzBedrockStream: any bytes, as the answer stream of either streaming
// operation, end in a result or an error, never a panic.
func FuzzBedrockStream(f *testing.F) {
	var buf bytes.Buffer
	enc := awses.NewEncoder()
	for _, p := range []string{`{"bytes":"eyJ0ZXh0IjoiaGkifQ=="}`, `{"delta":{"text":"hi"}}`, `{"bytes":"!!"}`, `{}`} {
		for _, typ := range []string{"chunk", "contentBlockDelta", "metadata", "messageStop"} {
			buf.Reset()
			var m awses.Message
			m.Headers.Set(":message-type", awses.StringValue("event"))
			m.Headers.Set(":event-type", awses.StringValue(typ))
			m.Payload = []byte(p)
			enc.Encode(&buf, m)
			f.Add(bytes.Clone(buf.Bytes()))
		}
	}
	b := &bedrock{tb: newToolbox(Deps{})}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i := range 2 {
			var a answer
			event := a.nativeEvent
			if i == 1 {
				event = a.converseEvent
			}
			out := &sentCall{resp: &http.Response{Body: io.NopCloser(bytes.NewReader(data))}}
			if err := b.stream(t.Context(), mcp.CallToolRequest{}, out, &a, event); err == nil {
				var r modelResult
				a.fill(&r)
				if _, err := marshal(r); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// FuzzBedrockArguments: any arguments of the model tools decode, build a
// request or fail with a message, never a panic.
func FuzzBedrockArguments(f *testing.F) {
	for _, s := range []string{`{"model_id":"m","prompt":"hi","system":"be brief"}`, `{"messages":[{"role":"user","content":[{"text":"a"}]}],"system":[{"text":"s"}]}`,
		`{"body":"{}"}`, `{"body":{"a":1},"temperature":0.5}`, `{"messages":[{"role":"user","content":null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req mcp.CallToolRequest
		req.Params.RawArguments = raw
		if a, err := bind[bedrockConverseArgs](req); err == nil {
			if body, bad := a.request(); bad == nil && !json.Valid(body) {
				t.Fatalf("request body %s", body)
			}
			a.target(vault.Grant{})
		}
		if a, err := bind[bedrockInvokeArgs](req); err == nil {
			nativeBody(a.Body)
		}
	})
}
