package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"
)

// --- bedrock_converse

type converseMessage struct {
	Role    string          `json:"role" jsonschema:"required,enum=user,enum=assistant" jsonschema_description:"user or assistant. Roles alternate, and the first and last messages are the user's."`
	Content json.RawMessage `json:"content" jsonschema:"required,oneof_type=string;array" jsonschema_description:"The message's text, or Converse content blocks such as [{\"text\": \"...\"}]."`
}

type bedrockConverseArgs struct {
	Prompt      string            `json:"prompt,omitempty" jsonschema_description:"A single user message. Give prompt or messages."`
	Messages    []converseMessage `json:"messages,omitempty" jsonschema_description:"The conversation so far, oldest first, ending with the user's message. Give prompt or messages."`
	System      json.RawMessage   `json:"system,omitempty" jsonschema:"oneof_type=string;array" jsonschema_description:"A system prompt: text, or Converse system blocks [{\"text\": \"...\"}]."`
	MaxTokens   int               `json:"max_tokens,omitempty" jsonschema:"minimum=1" jsonschema_description:"Most tokens to generate; the model's default otherwise."`
	Temperature *float64          `json:"temperature,omitempty" jsonschema:"minimum=0,maximum=1" jsonschema_description:"Sampling temperature from 0 (most predictable) to 1."`
	modelArgs
	callArgs
}

// converseRequest is the body of Converse and ConverseStream.
type converseRequest struct {
	Messages        []converseMessage `json:"messages"`
	System          json.RawMessage   `json:"system,omitempty"`
	InferenceConfig map[string]any    `json:"inferenceConfig,omitempty"`
	GuardrailConfig map[string]string `json:"guardrailConfig,omitempty"`
}

func (b *bedrock) converse() tool {
	def := newTool[bedrockConverseArgs, modelResult]("bedrock_converse",
		"Chat with a Bedrock model through the Converse API, one request format for every chat model (Anthropic Claude, Amazon Nova, Meta Llama, Mistral, Cohere, ...): "+
			"give a prompt, or messages for a conversation, with an optional system prompt, max_tokens and temperature. "+
			"Returns the answer's text, stop_reason (end_turn, max_tokens, ...) and token usage. "+
			"To continue a conversation, call again with messages: the earlier ones, {\"role\": \"assistant\", \"content\": the text}, and the next user message. "+
			"With stream true (ConverseStream) the client receives progress notifications with the text so far when it asked for progress; the result still holds the whole text. "+
			"Find model ids with bedrock_list_models; a model that lists only INFERENCE_PROFILE needs an inference profile id such as us.anthropic.claude-3-5-haiku-20241022-v1:0. "+
			"Each call runs the model and is billed: read-only grants refuse it, and grants with confirm_writes ask the user first.",
		modelAnnotations("Converse with a Bedrock model"))
	return def.handle(toolsetBedrock, func(ctx context.Context, req mcp.CallToolRequest, args bedrockConverseArgs) (*mcp.CallToolResult, error) {
		body, bad := args.request()
		if bad != nil {
			return bad, nil
		}
		h := http.Header{"Content-Type": {"application/json"}}
		op := "converse"
		if args.Stream {
			op = "converse-stream"
			h.Set("Accept", "application/vnd.amazon.eventstream")
		}
		out, r, res := b.runModel(ctx, req, args.modelArgs, args.callArgs, op, h, body)
		if res != nil {
			return res, nil
		}
		var a answer
		if args.Stream {
			if err := b.stream(ctx, req, out, &a, a.converseEvent); err != nil {
				return b.streamFailed(ctx, out, &a, err), nil
			}
		} else {
			data, err := io.ReadAll(io.LimitReader(out.resp.Body, maxJSONAnswer))
			if err != nil {
				return b.readFailed(ctx, out, err), nil
			}
			if err := a.converseAnswer(data); err != nil {
				return b.badAnswer(ctx, out, err), nil
			}
		}
		a.fill(&r)
		out.resp.Body.Close()
		r.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, r.RequestID)
		return result(r), nil
	})
}

// request builds the Converse body of the arguments.
func (a bedrockConverseArgs) request() ([]byte, *mcp.CallToolResult) {
	var cr converseRequest
	switch {
	case a.Prompt != "" && len(a.Messages) > 0:
		return nil, invalid("give prompt (one user message) or messages (a conversation), not both")
	case a.Prompt != "":
		text, _ := marshal(a.Prompt)
		cr.Messages = []converseMessage{{Role: "user", Content: text}}
	case len(a.Messages) > 0:
		cr.Messages = a.Messages
	default:
		return nil, invalid("give prompt (one user message) or messages (a conversation)")
	}
	for i := range cr.Messages {
		m := &cr.Messages[i]
		if m.Role != "user" && m.Role != "assistant" {
			return nil, invalid("messages[%d].role is %q; it must be user or assistant (a system prompt goes in system)", i, text.Clip(m.Role, 20))
		}
		content, err := blocks(m.Content)
		if err != nil {
			return nil, invalid("messages[%d].content %v", i, err)
		}
		m.Content = content
	}
	if len(a.System) > 0 && string(a.System) != "null" {
		system, err := blocks(a.System)
		if err != nil {
			return nil, invalid("system %v", err)
		}
		cr.System = system
	}
	ic := map[string]any{}
	switch {
	case a.MaxTokens < 0:
		return nil, invalid("max_tokens must be 1 or more")
	case a.MaxTokens > 0:
		ic["maxTokens"] = a.MaxTokens
	}
	if t := a.Temperature; t != nil {
		if *t < 0 || *t > 1 {
			return nil, invalid("temperature must be between 0 and 1")
		}
		ic["temperature"] = *t
	}
	if len(ic) > 0 {
		cr.InferenceConfig = ic
	}
	if a.GuardrailID != "" {
		cr.GuardrailConfig = map[string]string{"guardrailIdentifier": a.GuardrailID, "guardrailVersion": a.GuardrailVersion}
	}
	b, err := marshal(cr)
	if err != nil {
		return nil, invalid("the request could not be encoded: %v", err)
	}
	return b, nil
}

// blocks reads Converse content: a string is one text block; an array of
// blocks is kept as it is.
func blocks(raw json.RawMessage) (json.RawMessage, error) {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "" || t == "null":
		return nil, fmt.Errorf("is missing: give text, or content blocks [{\"text\": \"...\"}]")
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("is empty text")
		}
		b, _ := marshal([]map[string]string{{"text": s}})
		return b, nil
	case t[0] == '[':
		var bs []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &bs); err != nil {
			return nil, fmt.Errorf("must be text or an array of content blocks (objects such as {\"text\": \"...\"})")
		}
		if len(bs) == 0 {
			return nil, fmt.Errorf("is an empty array")
		}
		return json.RawMessage(t), nil
	}
	return nil, fmt.Errorf("must be text or an array of content blocks such as [{\"text\": \"...\"}]")
}
