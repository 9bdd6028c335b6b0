package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// --- bedrock_invoke

type bedrockInvokeArgs struct {
	Body        json.RawMessage `json:"body" jsonschema:"required,oneof_type=object;string" jsonschema_description:"The model's native request body: a JSON object, or a string sent as it is. Its format depends on the provider, e.g. Anthropic {\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 512, \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}, Amazon Titan embeddings {\"inputText\": \"...\"}."`
	ContentType string          `json:"content_type,omitempty" jsonschema_description:"The body's media type; application/json by default."`
	Accept      string          `json:"accept,omitempty" jsonschema_description:"The media type of the answer to ask for; application/json by default (image/png for some image models)."`
	modelArgs
	callArgs
}

func (b *bedrock) invoke() tool {
	def := newTool[bedrockInvokeArgs, modelResult]("bedrock_invoke",
		"Run a Bedrock model with the model's own native request body (InvokeModel; with stream true, InvokeModelWithResponseStream). "+
			"The body format differs by provider (Anthropic messages with anthropic_version, Amazon Nova and Titan, Meta Llama, Mistral, Cohere, embeddings, image models): "+
			"prefer bedrock_converse for chat, which takes one format for every model, and use this tool for embeddings, image models and provider-specific options. "+
			"Find model ids with bedrock_list_models. The result has the model's answer (body) and, for the formats it knows, the text, stop_reason and token usage. "+
			"With stream true the client receives progress notifications with the text so far when it asked for progress; the result still holds the whole text. "+
			"Each call runs the model and is billed: read-only grants refuse it, and grants with confirm_writes ask the user first.",
		modelAnnotations("Invoke a Bedrock model"))
	return def.handle(toolsetBedrock, func(ctx context.Context, req mcp.CallToolRequest, args bedrockInvokeArgs) (*mcp.CallToolResult, error) {
		body, bad := nativeBody(args.Body)
		if bad != nil {
			return bad, nil
		}
		accept := first(strings.TrimSpace(args.Accept), "application/json")
		h := http.Header{"Content-Type": {first(strings.TrimSpace(args.ContentType), "application/json")}}
		op := "invoke"
		if args.Stream {
			op = "invoke-with-response-stream"
			h.Set("Accept", "application/vnd.amazon.eventstream")
			h.Set("X-Amzn-Bedrock-Accept", accept)
		} else {
			h.Set("Accept", accept)
		}
		if args.GuardrailID != "" {
			h.Set("X-Amzn-Bedrock-Guardrailidentifier", args.GuardrailID)
			h.Set("X-Amzn-Bedrock-Guardrailversion", args.GuardrailVersion)
		}
		out, r, res := b.runModel(ctx, req, args.modelArgs, args.callArgs, op, h, body)
		if res != nil {
			return res, nil
		}
		if args.Stream {
			var a answer
			if err := b.stream(ctx, req, out, &a, a.nativeEvent); err != nil {
				return b.streamFailed(ctx, out, &a, err), nil
			}
			a.fill(&r)
			if a.text.Len() == 0 && len(a.raw) > 0 {
				r.Note = "The text of this model's chunks could not be read: raw_chunks holds them, decoded."
				r.RawChunks = a.raw
				if a.rawCut {
					r.Note += " Only the first chunks are shown."
				}
			}
		} else {
			resp := out.resp
			head, more, _, err := readHead(resp.Body, maxModelAnswer)
			if err != nil {
				return b.readFailed(ctx, out, err), nil
			}
			r.ContentType = resp.Header.Get("Content-Type")
			r.Format, r.Body = shapeBody(head, r.ContentType, formatAuto)
			if more {
				r.Truncated = true
				r.Note = fmt.Sprintf("The answer is longer than %d bytes and was cut. To read all of it, call InvokeModel with aws_request, whose long bodies can be read on with read_response.", maxModelAnswer)
			}
			var a answer
			if r.Format == formatJSON && !more {
				a.native(head)
			}
			a.headerUsage(resp.Header)
			a.fill(&r)
		}
		out.resp.Body.Close()
		r.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, r.RequestID)
		return result(r), nil
	})
}

// nativeBody is the request body of bedrock_invoke: a JSON string is sent
// as the text it holds, any other JSON value as it is.
func nativeBody(raw json.RawMessage) ([]byte, *mcp.CallToolResult) {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "" || t == "null":
		return nil, invalid("body is required: the model's native request body, as a JSON object (or a string sent as it is)")
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("body: %v", err)
		}
		if s == "" {
			return nil, invalid("body is empty")
		}
		return []byte(s), nil
	}
	return []byte(t), nil
}
