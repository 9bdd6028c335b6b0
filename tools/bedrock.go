package tools

// The bedrock toolset: bedrock_invoke (InvokeModel and
// InvokeModelWithResponseStream, the model's native body),
// bedrock_converse (Converse and ConverseStream, one format for every chat
// model) and bedrock_list_models (ListFoundationModels).
//
// Running a model changes no AWS resource, but it is billed and the catalog
// does not count it as read-only (bedrock:InvokeModel and
// bedrock:InvokeModelWithResponseStream are overrides there), so a read-only
// grant refuses it. The two model tools say the same: readOnlyHint false,
// so --read-only hides them and grants with confirm_writes ask the user
// first; destructiveHint false, since nothing is changed or deleted;
// idempotentHint false, since every call is billed again and answers
// differently.
//
// Streamed answers are decoded as they arrive (bedrock_stream.go): the text
// so far goes to the client in progress notifications when it asked for
// them, and the result always carries the whole text, since notifications
// may be dropped on the way (streamable HTTP).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// progressEvery is the least time between two progress notifications of
// one streamed answer.
const progressEvery = 250 * time.Millisecond

// Bounds of what the bedrock tools read.
const (
	// maxModelAnswer bounds a non-streamed InvokeModel answer shown in a
	// result; a longer one (an image model's, say) is cut.
	maxModelAnswer = maxMaxBytes
	// maxJSONAnswer bounds the JSON answers of Converse and
	// ListFoundationModels, which are read whole.
	maxJSONAnswer = 16 << 20
)

// bedrock builds the bedrock tools; tests shorten the progress throttle.
type bedrock struct {
	tb    *toolbox
	every time.Duration
}

func bedrockInvoke(tb *toolbox) tool {
	return (&bedrock{tb: tb, every: progressEvery}).invoke()
}

func bedrockConverse(tb *toolbox) tool {
	return (&bedrock{tb: tb, every: progressEvery}).converse()
}

func bedrockListModels(tb *toolbox) tool {
	return (&bedrock{tb: tb, every: progressEvery}).listModels()
}

// modelArgs are what both model tools take.
type modelArgs struct {
	ModelID          string `json:"model_id" jsonschema:"required" jsonschema_description:"The model: a model id (anthropic.claude-3-5-haiku-20241022-v1:0, amazon.nova-lite-v1:0), an inference profile id (us.anthropic.claude-3-5-haiku-20241022-v1:0) or an ARN. bedrock_list_models lists the model ids of a region."`
	Region           string `json:"region,omitempty" jsonschema_description:"The AWS region to run the model in (us-east-1, eu-west-3, ...); by default the region of an ARN model_id, else the grant's only allowed region, else us-east-1."`
	Stream           bool   `json:"stream,omitempty" jsonschema_description:"Stream the answer: the client gets progress notifications with the text so far (when it asked for progress); the result still holds the whole answer."`
	GuardrailID      string `json:"guardrail_id,omitempty" jsonschema_description:"A Bedrock guardrail to apply: its id or ARN. Give guardrail_version with it."`
	GuardrailVersion string `json:"guardrail_version,omitempty" jsonschema_description:"The guardrail's version: a number, or DRAFT."`
}

// modelResult is what the model tools return.
type modelResult struct {
	ModelID    string      `json:"model_id"`
	Region     string      `json:"region"`
	Operation  string      `json:"operation,omitempty"`
	Text       string      `json:"text"`
	Reasoning  string      `json:"reasoning,omitempty"`
	StopReason string      `json:"stop_reason,omitempty"`
	Usage      *tokenUsage `json:"usage,omitempty"`
	LatencyMS  int64       `json:"latency_ms,omitempty"`
	// The model's native answer (bedrock_invoke, not streamed).
	ContentType string `json:"content_type,omitempty"`
	Format      string `json:"format,omitempty"`
	Body        any    `json:"body,omitempty"`
	// Content blocks of a Converse answer other than text and reasoning.
	OtherContent []json.RawMessage `json:"other_content,omitempty"`
	// Streamed answers: how many events came, and, when their text could
	// not be read (an unknown model format), the decoded chunks.
	Chunks    int               `json:"chunks,omitempty"`
	RawChunks []json.RawMessage `json:"raw_chunks,omitempty"`
	Truncated bool              `json:"truncated,omitempty"`
	Note      string            `json:"note,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	AuditID   string            `json:"audit_id,omitempty"`
}

// tokenUsage is what a model reports it read and wrote.
type tokenUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)

// target checks the model id and finds the region to call.
func (a modelArgs) target(g vault.Grant) (modelID, region string, bad *mcp.CallToolResult) {
	modelID = strings.TrimSpace(a.ModelID)
	switch {
	case modelID == "":
		return "", "", invalid("model_id is required: a model id such as anthropic.claude-3-5-haiku-20241022-v1:0, an inference profile id or an ARN (bedrock_list_models lists them)")
	case len(modelID) > 2048 || strings.ContainsFunc(modelID, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", "", invalid("model_id %q is not a model id (bedrock_list_models lists them)", clip(modelID, 80))
	}
	region = strings.ToLower(strings.TrimSpace(a.Region))
	if region == "" {
		// arn:aws:bedrock:REGION:ACCOUNT:inference-profile/...
		if f := strings.Split(modelID, ":"); len(f) > 4 && f[0] == "arn" && f[3] != "" {
			region = f[3]
		} else {
			region = defaultRegion(g)
		}
	}
	if !regionPattern.MatchString(region) {
		return "", "", invalid("region %q is not an AWS region such as us-east-1", clip(region, 40))
	}
	switch {
	case a.GuardrailID != "" && a.GuardrailVersion == "":
		return "", "", invalid("guardrail_version is required with guardrail_id: a version number, or DRAFT")
	case a.GuardrailID == "" && a.GuardrailVersion != "":
		return "", "", invalid("guardrail_version needs guardrail_id")
	}
	return modelID, region, nil
}

// runtimeURL is the URL of a bedrock-runtime operation on a model. Model
// ids hold ':' and ARNs '/' too: the id is one path segment, escaped whole.
func runtimeURL(region, modelID, op string) string {
	return "https://" + urlparse.Host("bedrock-runtime", region) + "/model/" + urlparse.Escape(modelID) + "/" + op
}

// --- bedrock_invoke

type bedrockInvokeArgs struct {
	Body        json.RawMessage `json:"body" jsonschema:"required,oneof_type=object;string" jsonschema_description:"The model's native request body: a JSON object, or a string sent as it is. Its format depends on the provider, e.g. Anthropic {\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 512, \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}, Amazon Titan embeddings {\"inputText\": \"...\"}."`
	ContentType string          `json:"content_type,omitempty" jsonschema_description:"The body's media type; application/json by default."`
	Accept      string          `json:"accept,omitempty" jsonschema_description:"The media type of the answer to ask for; application/json by default (image/png for some image models)."`
	modelArgs
	callArgs
}

func (b *bedrock) invoke() tool {
	def := newTool[bedrockInvokeArgs]("bedrock_invoke",
		"Run a Bedrock model with the model's own native request body (InvokeModel; with stream true, InvokeModelWithResponseStream). "+
			"The body format differs by provider (Anthropic messages with anthropic_version, Amazon Nova and Titan, Meta Llama, Mistral, Cohere, embeddings, image models): "+
			"prefer bedrock_converse for chat, which takes one format for every model, and use this tool for embeddings, image models and provider-specific options. "+
			"Find model ids with bedrock_list_models. The result has the model's answer (body) and, for the formats it knows, the text, stop_reason and token usage. "+
			"With stream true the client receives progress notifications with the text so far when it asked for progress; the result still holds the whole text. "+
			"Each call runs the model and is billed: read-only grants refuse it, and grants with confirm_writes ask the user first.",
		mcp.ToolAnnotation{
			Title:           "Invoke a Bedrock model",
			ReadOnlyHint:    mcp.ToBoolPtr(false), // bedrock:InvokeModel is not read-only in the catalog
			DestructiveHint: mcp.ToBoolPtr(false), // it changes no AWS resource
			IdempotentHint:  mcp.ToBoolPtr(false), // each call is billed, and answers differently
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetBedrock, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[bedrockInvokeArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		body, bad := nativeBody(args.Body)
		if bad != nil {
			return bad, nil
		}
		g, res := b.tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		modelID, region, bad := args.target(g)
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
		out, res := b.send(ctx, req, g, args.callArgs, vault.Call{Method: http.MethodPost, URL: runtimeURL(region, modelID, op), Header: h, Body: body})
		if res != nil {
			return res, nil
		}
		r := modelResult{ModelID: modelID, Region: region, Operation: out.preview.Operation.Name, RequestID: awserr.RequestID(out.resp.Header)}
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
	}}
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
	def := newTool[bedrockConverseArgs]("bedrock_converse",
		"Chat with a Bedrock model through the Converse API, one request format for every chat model (Anthropic Claude, Amazon Nova, Meta Llama, Mistral, Cohere, ...): "+
			"give a prompt, or messages for a conversation, with an optional system prompt, max_tokens and temperature. "+
			"Returns the answer's text, stop_reason (end_turn, max_tokens, ...) and token usage. "+
			"To continue a conversation, call again with messages: the earlier ones, {\"role\": \"assistant\", \"content\": the text}, and the next user message. "+
			"With stream true (ConverseStream) the client receives progress notifications with the text so far when it asked for progress; the result still holds the whole text. "+
			"Find model ids with bedrock_list_models; a model that lists only INFERENCE_PROFILE needs an inference profile id such as us.anthropic.claude-3-5-haiku-20241022-v1:0. "+
			"Each call runs the model and is billed: read-only grants refuse it, and grants with confirm_writes ask the user first.",
		mcp.ToolAnnotation{
			Title:           "Converse with a Bedrock model",
			ReadOnlyHint:    mcp.ToBoolPtr(false), // bedrock:InvokeModel is not read-only in the catalog
			DestructiveHint: mcp.ToBoolPtr(false), // it changes no AWS resource
			IdempotentHint:  mcp.ToBoolPtr(false), // each call is billed, and answers differently
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetBedrock, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[bedrockConverseArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		body, bad := args.request()
		if bad != nil {
			return bad, nil
		}
		g, res := b.tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		modelID, region, bad := args.target(g)
		if bad != nil {
			return bad, nil
		}
		h := http.Header{"Content-Type": {"application/json"}}
		op := "converse"
		if args.Stream {
			op = "converse-stream"
			h.Set("Accept", "application/vnd.amazon.eventstream")
		}
		out, res := b.send(ctx, req, g, args.callArgs, vault.Call{Method: http.MethodPost, URL: runtimeURL(region, modelID, op), Header: h, Body: body})
		if res != nil {
			return res, nil
		}
		r := modelResult{ModelID: modelID, Region: region, Operation: out.preview.Operation.Name, RequestID: awserr.RequestID(out.resp.Header)}
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
	}}
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
			return nil, invalid("messages[%d].role is %q; it must be user or assistant (a system prompt goes in system)", i, clip(m.Role, 20))
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

// --- bedrock_list_models

type bedrockListModelsArgs struct {
	Region         string `json:"region,omitempty" jsonschema_description:"The region whose models to list; by default the grant's only allowed region, else us-east-1."`
	Provider       string `json:"provider,omitempty" jsonschema_description:"Only this provider's models: Anthropic, Amazon, Meta, Mistral AI, Cohere, ..."`
	OutputModality string `json:"output_modality,omitempty" jsonschema:"enum=TEXT,enum=IMAGE,enum=EMBEDDING" jsonschema_description:"Only models whose output is of this kind."`
	InferenceType  string `json:"inference_type,omitempty" jsonschema:"enum=ON_DEMAND,enum=PROVISIONED" jsonschema_description:"Only models that can be invoked this way."`
	callArgs
}

type modelInfo struct {
	ModelID          string   `json:"model_id"`
	Name             string   `json:"name,omitempty"`
	Provider         string   `json:"provider,omitempty"`
	InputModalities  []string `json:"input_modalities,omitempty"`
	OutputModalities []string `json:"output_modalities,omitempty"`
	Streaming        bool     `json:"streaming"`
	InferenceTypes   []string `json:"inference_types,omitempty"`
	Lifecycle        string   `json:"lifecycle,omitempty"`
}

type listModelsResult struct {
	Region    string      `json:"region"`
	Models    []modelInfo `json:"models"`
	RequestID string      `json:"request_id,omitempty"`
	AuditID   string      `json:"audit_id,omitempty"`
}

func (b *bedrock) listModels() tool {
	def := newTool[bedrockListModelsArgs]("bedrock_list_models",
		"List the foundation models Bedrock offers in a region (ListFoundationModels): model ids, names, providers, input and output modalities (TEXT, IMAGE, EMBEDDING), "+
			"whether they stream, and how they can be invoked (ON_DEMAND; a model with only INFERENCE_PROFILE is called through an inference profile id such as us.MODEL_ID). "+
			"Start here to pick a model_id for bedrock_converse or bedrock_invoke. A listed model may still need its access enabled for the account.",
		mcp.ToolAnnotation{
			Title:           "List Bedrock models",
			ReadOnlyHint:    mcp.ToBoolPtr(true),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetBedrock, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[bedrockListModelsArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		g, res := b.tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		region := strings.ToLower(strings.TrimSpace(args.Region))
		if region == "" {
			region = defaultRegion(g)
		}
		if !regionPattern.MatchString(region) {
			return invalid("region %q is not an AWS region such as us-east-1", clip(region, 40)), nil
		}
		q := map[string]string{}
		for k, v := range map[string]string{"byProvider": args.Provider, "byOutputModality": args.OutputModality, "byInferenceType": args.InferenceType} {
			if v = strings.TrimSpace(v); v != "" {
				q[k] = v
			}
		}
		u := "https://" + urlparse.Host("bedrock", region) + "/foundation-models"
		if len(q) > 0 {
			u += "?" + urlparse.EncodeQuery(q)
		}
		out, res := b.send(ctx, req, g, args.callArgs, vault.Call{Method: http.MethodGet, URL: u})
		if res != nil {
			return res, nil
		}
		data, err := io.ReadAll(io.LimitReader(out.resp.Body, maxJSONAnswer))
		if err != nil {
			return b.readFailed(ctx, out, err), nil
		}
		var x struct {
			ModelSummaries []struct {
				ModelID                    string   `json:"modelId"`
				ModelName                  string   `json:"modelName"`
				ProviderName               string   `json:"providerName"`
				InputModalities            []string `json:"inputModalities"`
				OutputModalities           []string `json:"outputModalities"`
				ResponseStreamingSupported bool     `json:"responseStreamingSupported"`
				InferenceTypesSupported    []string `json:"inferenceTypesSupported"`
				ModelLifecycle             struct {
					Status string `json:"status"`
				} `json:"modelLifecycle"`
			} `json:"modelSummaries"`
		}
		if err := json.Unmarshal(data, &x); err != nil {
			return b.badAnswer(ctx, out, err), nil
		}
		r := listModelsResult{Region: region, Models: make([]modelInfo, 0, len(x.ModelSummaries)), RequestID: awserr.RequestID(out.resp.Header)}
		for _, m := range x.ModelSummaries {
			r.Models = append(r.Models, modelInfo{ModelID: m.ModelID, Name: m.ModelName, Provider: m.ProviderName,
				InputModalities: m.InputModalities, OutputModalities: m.OutputModalities, Streaming: m.ResponseStreamingSupported,
				InferenceTypes: m.InferenceTypesSupported, Lifecycle: m.ModelLifecycle.Status})
		}
		out.resp.Body.Close()
		r.AuditID = b.tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	}}
}

// --- answers and errors

// send makes c and turns an AWS error answer into a tool error with a
// hint for Bedrock's errors.
func (b *bedrock) send(ctx context.Context, req mcp.CallToolRequest, g vault.Grant, args callArgs, c vault.Call) (*sent, *mcp.CallToolResult) {
	out, res := b.tb.send(ctx, req, g, args, c)
	if res != nil {
		return nil, res
	}
	if out.resp.StatusCode != http.StatusOK {
		return nil, b.awsError(ctx, out)
	}
	return out, nil
}

func (b *bedrock) awsError(ctx context.Context, out *sent) *mcp.CallToolResult {
	resp := out.resp
	body, _, _, _ := readHead(resp.Body, maxErrorBody)
	resp.Body.Close()
	body = []byte(vault.RedactText(string(body)))
	e := answerError(resp, body)
	if e.Code == "" {
		e.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
	}
	eb := errorBody{Error: "aws_error", Sent: true, Status: resp.StatusCode, ErrorCode: e.Code, Message: e.Message,
		Hint: first(bedrockHint(e.Code, e.Message), hintFor(e)), RequestID: awserr.RequestID(resp.Header)}
	if eb.Message == "" {
		eb.Message = fmt.Sprintf("Bedrock answered HTTP %d %s.", resp.StatusCode, e.Code)
	}
	eb.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, eb.RequestID)
	return errorResult(eb)
}

func (b *bedrock) readFailed(ctx context.Context, out *sent, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	eb := errorBody{Error: "network", Sent: true, RequestID: awserr.RequestID(out.resp.Header),
		Message: "The answer could not be read to its end: " + err.Error() + ". The model ran (and is billed); call again for a new answer."}
	if ctx.Err() != nil {
		eb.Error, eb.Message = "canceled", "The call was canceled while the answer was read: "+err.Error()+"."
	}
	eb.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, eb.RequestID)
	return errorResult(eb)
}

func (b *bedrock) badAnswer(ctx context.Context, out *sent, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	eb := errorBody{Error: "bad_answer", Sent: true, Status: out.resp.StatusCode, RequestID: awserr.RequestID(out.resp.Header),
		Message: "The answer could not be read: " + err.Error() + ". Try aws_request to see it as it is."}
	eb.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, eb.RequestID)
	return errorResult(eb)
}

// bedrockHint says what to do about a Bedrock error, from an HTTP answer
// or an exception inside a stream (whose names begin in lower case).
func bedrockHint(code, message string) string {
	c := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(code, "Exception"), "exception"))
	m := strings.ToLower(message)
	switch c {
	case "throttling", "servicequotaexceeded", "toomanyrequests":
		return "Bedrock is throttling this model for the account (requests or tokens per minute); model calls are not retried. " +
			"Wait before calling again, send less (a shorter prompt, a lower max_tokens), or use a cross-region inference profile id (us., eu. or apac. before the model id)."
	case "modelstreamerror":
		return "The model failed while it streamed its answer; partial_text holds what arrived. Call again, or without stream."
	case "modeltimeout":
		return "The model took too long to answer. Call again, or ask for less (a shorter prompt, a lower max_tokens)."
	case "modelnotready":
		return "The model is not ready yet (an imported model is loaded on demand). Wait a minute and call again."
	case "modelerror":
		return "The model could not process the request. Check the body against the model's format, then call again."
	case "internalserver", "serviceunavailable", "internalfailure":
		return "Bedrock failed on its side. Wait a little and call again."
	case "resourcenotfound":
		return "No model has this id in this region. bedrock_list_models lists the model ids of a region; some models run only through an inference profile id (us., eu. or apac. before the model id)."
	case "accessdenied":
		return "The grant's AWS identity may not run this model, or access to the model is not enabled for the account in this region (Bedrock console, Model access). " +
			"Tell the user; bedrock_list_models shows what the region offers. Repeating the call will not help."
	case "validation":
		if strings.Contains(m, "on-demand throughput") || strings.Contains(m, "inference profile") {
			return "This model cannot be run on demand by its model id: use an inference profile id, the model id with us., eu. or apac. before it (us.anthropic.claude-3-5-haiku-20241022-v1:0)."
		}
		return "Bedrock refused the request: the body does not match what this model expects, or a value is out of range. " +
			"bedrock_invoke sends the model's native format, which differs by provider; bedrock_converse takes one format for every chat model. Fix the request; repeating it unchanged fails again."
	}
	return ""
}
