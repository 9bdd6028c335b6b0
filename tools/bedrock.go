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
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
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

// regionPattern is the shape of a region name, compiled at its first use,
// not at every start of the program.
var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`) })

// target checks the model id and finds the region to call.
func (a modelArgs) target(g vault.Grant) (modelID, region string, bad *mcp.CallToolResult) {
	modelID = strings.TrimSpace(a.ModelID)
	switch {
	case modelID == "":
		return "", "", invalid("model_id is required: a model id such as anthropic.claude-3-5-haiku-20241022-v1:0, an inference profile id or an ARN (bedrock_list_models lists them)")
	case len(modelID) > 2048 || strings.ContainsFunc(modelID, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return "", "", invalid("model_id %q is not a model id (bedrock_list_models lists them)", text.Clip(modelID, 80))
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
	if !regionPattern().MatchString(region) {
		return "", "", invalid("region %q is not an AWS region such as us-east-1", text.Clip(region, 40))
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

// runModel sends body, with header h, to the runtime operation op
// ("invoke", "converse", or their streaming forms) of the model that a
// names, on the grant that c names: the grant is found and the model and
// region checked first. The result comes with what the call says of
// itself; res answers the tool call where it cannot go on.
func (b *bedrock) runModel(ctx context.Context, req mcp.CallToolRequest, a modelArgs, c callArgs, op string, h http.Header, body []byte) (*sentCall, modelResult, *mcp.CallToolResult) {
	g, res := b.tb.grantFor(ctx, c.GrantID)
	if res != nil {
		return nil, modelResult{}, res
	}
	modelID, region, bad := a.target(g)
	if bad != nil {
		return nil, modelResult{}, bad
	}
	out, res := b.send(ctx, req, g, c, vault.Call{Method: http.MethodPost, URL: runtimeURL(region, modelID, op), Header: h, Body: body})
	if res != nil {
		return nil, modelResult{}, res
	}
	return out, modelResult{ModelID: modelID, Region: region, Operation: out.preview.Operation.Name, RequestID: awserr.RequestID(out.resp.Header)}, nil
}

// --- answers and errors

// send makes c and turns an AWS error answer into a tool error with a
// hint for Bedrock's errors.
func (b *bedrock) send(ctx context.Context, req mcp.CallToolRequest, g vault.Grant, args callArgs, c vault.Call) (*sentCall, *mcp.CallToolResult) {
	out, res := b.tb.send(ctx, req, g, args, c)
	if res != nil {
		return nil, res
	}
	if out.resp.StatusCode != http.StatusOK {
		return nil, b.awsError(ctx, out)
	}
	return out, nil
}

func (b *bedrock) awsError(ctx context.Context, out *sentCall) *mcp.CallToolResult {
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

func (b *bedrock) readFailed(ctx context.Context, out *sentCall, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	eb := errorBody{Error: "network", Sent: true, RequestID: awserr.RequestID(out.resp.Header),
		Message: "The answer could not be read to its end: " + err.Error() + ". The model ran (and is billed); call again for a new answer."}
	if ctx.Err() != nil {
		eb.Error, eb.Message = "canceled", "The call was canceled while the answer was read: "+err.Error()+"."
	}
	eb.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, eb.RequestID)
	return errorResult(eb)
}

func (b *bedrock) badAnswer(ctx context.Context, out *sentCall, err error) *mcp.CallToolResult {
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

// modelAnnotations are the hints of a tool that runs a model.
func modelAnnotations(title string) mcp.ToolAnnotation {
	return mcp.ToolAnnotation{
		Title:           title,
		ReadOnlyHint:    mcp.ToBoolPtr(false), // bedrock:InvokeModel is not read-only in the catalog
		DestructiveHint: mcp.ToBoolPtr(false), // it changes no AWS resource
		IdempotentHint:  mcp.ToBoolPtr(false), // each call is billed, and answers differently
		OpenWorldHint:   mcp.ToBoolPtr(true),
	}
}
