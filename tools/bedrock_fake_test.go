package tools

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/aws/aws-sdk-go-v2/aws"
	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// words are what every fake model says, one per chunk.
var words = []string{"Hello", ", ", "world", "! ", "Streams ", "work."}

const wordsText = "Hello, world! Streams work."

// seenRequest is a request the fake received, after its signature was
// verified.
type seenRequest struct {
	method, path, escapedModel, model, op, query string
	header                                       http.Header
	body                                         []byte
}

// fakeBedrock answers as Bedrock does. The model id chooses the answer:
// a provider's format, or a failure (test.throttle, test.corrupt, ...).
type fakeBedrock struct {
	mu   sync.Mutex
	seen []seenRequest
	// gone receives the time a slow stream's client went away.
	gone chan time.Time
}

func newFakeBedrock(t *testing.T) (*fakeBedrock, *httptest.Server, *sigcheck.Verifier) {
	f := &fakeBedrock{gone: make(chan time.Time, 1)}
	v := sigcheck.New(aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	srv := httptest.NewServer(v.Handler(f))
	t.Cleanup(srv.Close)
	return f, srv, v
}

func (f *fakeBedrock) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.seen
	f.seen = nil
	return out
}

func (f *fakeBedrock) last(t *testing.T) seenRequest {
	t.Helper()
	rs := f.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests reached Bedrock, want 1", len(rs))
	}
	return rs[0]
}

func (f *fakeBedrock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seenRequest{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, header: r.Header.Clone(), body: body}
	if rest, ok := strings.CutPrefix(s.path, "/model/"); ok {
		if i := strings.LastIndexByte(rest, '/'); i > 0 {
			s.escapedModel, s.op = rest[:i], rest[i+1:]
			s.model, _ = url.PathUnescape(s.escapedModel)
		}
	}
	f.mu.Lock()
	f.seen = append(f.seen, s)
	f.mu.Unlock()
	w.Header().Set("X-Amzn-Requestid", "req-"+s.op)

	switch {
	case r.Method == http.MethodGet && s.path == "/foundation-models":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"modelSummaries":[
			{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","modelName":"Claude 3.5 Haiku","providerName":"Anthropic","inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],"responseStreamingSupported":true,"customizationsSupported":[],"inferenceTypesSupported":["INFERENCE_PROFILE"],"modelLifecycle":{"status":"ACTIVE"}},
			{"modelId":"amazon.titan-embed-text-v2:0","modelName":"Titan Text Embeddings V2","providerName":"Amazon","inputModalities":["TEXT"],"outputModalities":["EMBEDDING"],"responseStreamingSupported":false,"inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"ACTIVE"}}]}`)
	case r.Method != http.MethodPost || s.op == "":
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown operation"}`)
	case s.model == "test.notfound":
		w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.bedrock/")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Could not resolve the foundation model from the provided model identifier."}`)
	case s.model == "test.ondemand":
		w.Header().Set("X-Amzn-Errortype", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"message":"Invocation of model ID test.ondemand with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."}`)
	case s.op == "invoke":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Bedrock-Input-Token-Count", "12")
		w.Header().Set("X-Amzn-Bedrock-Output-Token-Count", "4")
		w.Header().Set("X-Amzn-Bedrock-Invocation-Latency", "250")
		fmt.Fprint(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Hello, world!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}`)
	case s.op == "converse":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"They greet me."}}},{"text":"Hi there."}]}},"stopReason":"end_turn","usage":{"inputTokens":8,"outputTokens":3,"totalTokens":11},"metrics":{"latencyMs":120}}`)
	case s.op == "invoke-with-response-stream" || s.op == "converse-stream":
		f.stream(w, r, s)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// stream answers a streaming operation with event stream frames, each
// flushed as it is written.
func (f *fakeBedrock) stream(w http.ResponseWriter, r *http.Request, s seenRequest) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Bedrock-Content-Type", "application/json")
	enc := awses.NewEncoder()
	flusher := w.(http.Flusher)
	send := func(m awses.Message) {
		if err := enc.Encode(w, m); err != nil {
			panic(err)
		}
		flusher.Flush()
	}
	event := func(typ string, payload any) {
		p, _ := json.Marshal(payload)
		var m awses.Message
		m.Headers.Set(":message-type", awses.StringValue("event"))
		m.Headers.Set(":event-type", awses.StringValue(typ))
		m.Headers.Set(":content-type", awses.StringValue("application/json"))
		m.Payload = p
		send(m)
	}
	// chunk sends a piece of a model's native answer, as
	// InvokeModelWithResponseStream does: base64 in JSON, padded.
	chunk := func(v any) {
		b, _ := json.Marshal(v)
		event("chunk", map[string]any{"bytes": base64.StdEncoding.EncodeToString(b), "p": "abcdefghij"})
	}
	exception := func(typ, msg string) {
		var m awses.Message
		m.Headers.Set(":message-type", awses.StringValue("exception"))
		m.Headers.Set(":exception-type", awses.StringValue(typ))
		m.Headers.Set(":content-type", awses.StringValue("application/json"))
		m.Payload, _ = json.Marshal(map[string]string{"message": msg})
		send(m)
	}
	corrupt := func() {
		var buf bytes.Buffer
		var m awses.Message
		m.Headers.Set(":message-type", awses.StringValue("event"))
		m.Headers.Set(":event-type", awses.StringValue("chunk"))
		m.Payload = []byte(`{"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSJ9"}`)
		enc.Encode(&buf, m)
		b := buf.Bytes()
		b[len(b)-8] ^= 0xff // in the payload: the message checksum fails
		w.Write(b)
		flusher.Flush()
	}
	anthropicDelta := func(word string) {
		chunk(map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": word}})
	}

	if s.op == "converse-stream" {
		event("messageStart", map[string]any{"role": "assistant"})
		for i, word := range words {
			if s.model == "test.throttle" && i == 2 {
				exception("throttlingException", "Too many tokens, please wait before trying again.")
				return
			}
			event("contentBlockDelta", map[string]any{"contentBlockIndex": 0, "delta": map[string]any{"text": word}})
		}
		event("contentBlockStop", map[string]any{"contentBlockIndex": 0})
		event("messageStop", map[string]any{"stopReason": "end_turn"})
		event("metadata", map[string]any{"usage": map[string]any{"inputTokens": 8, "outputTokens": 6, "totalTokens": 14}, "metrics": map[string]any{"latencyMs": 99}})
		return
	}

	metrics := map[string]any{"inputTokenCount": 12, "outputTokenCount": 9, "invocationLatency": 321, "firstByteLatency": 100}
	switch model := s.model; {
	case strings.HasPrefix(model, "meta."):
		for i, word := range words {
			c := map[string]any{"generation": word, "prompt_token_count": nil, "generation_token_count": i + 1, "stop_reason": nil}
			if i == 0 {
				c["prompt_token_count"] = 7
			}
			if i == len(words)-1 {
				c["stop_reason"] = "stop"
				c["amazon-bedrock-invocationMetrics"] = metrics
			}
			chunk(c)
		}
	case strings.HasPrefix(model, "amazon.titan"):
		for i, word := range words {
			c := map[string]any{"outputText": word, "index": 0, "totalOutputTextTokenCount": i + 1, "completionReason": nil, "inputTextTokenCount": 5}
			if i == len(words)-1 {
				c["completionReason"] = "FINISH"
			}
			chunk(c)
		}
	case model == "test.unknown":
		chunk(map[string]any{"foo": "bar"})
		chunk(map[string]any{"foo": "baz"})
	case model == "test.slow":
		for i := 0; ; i++ {
			select {
			case <-r.Context().Done():
				f.gone <- time.Now()
				return
			case <-time.After(20 * time.Millisecond):
			}
			anthropicDelta(words[i%len(words)])
		}
	default: // Anthropic's messages format, and the failures
		chunk(map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "content": []any{},
			"stop_reason": nil, "usage": map[string]any{"input_tokens": 12, "output_tokens": 1}}})
		chunk(map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}})
		for i, word := range words {
			if i == 2 {
				switch model {
				case "test.throttle":
					exception("throttlingException", "Too many tokens, please wait before trying again.")
					return
				case "test.modelerror":
					exception("modelStreamErrorException", "The model stopped.")
					return
				case "test.corrupt":
					corrupt()
					anthropicDelta("never read")
					return
				}
			}
			anthropicDelta(word)
		}
		chunk(map[string]any{"type": "content_block_stop", "index": 0})
		chunk(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 9}})
		chunk(map[string]any{"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics})
	}
}
