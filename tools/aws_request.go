package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

type awsRequestArgs struct {
	URL        string            `json:"url" jsonschema:"required" jsonschema_description:"The AWS API URL, https://SERVICE.REGION.amazonaws.com/PATH (S3: https://BUCKET.s3.REGION.amazonaws.com/KEY). Unsigned: the vault signs it. Path segments must be percent-encoded once (a space as %20)."`
	Method     string            `json:"method,omitempty" jsonschema:"enum=GET,enum=HEAD,enum=POST,enum=PUT,enum=DELETE,enum=PATCH" jsonschema_description:"HTTP method; GET by default, POST when a body is given."`
	Headers    map[string]string `json:"headers,omitempty" jsonschema_description:"Request headers, such as X-Amz-Target for JSON protocols (DynamoDB_20120810.GetItem) or Content-Type. Authorization and X-Amz-Date are the vault's to set."`
	Query      map[string]string `json:"query,omitempty" jsonschema_description:"Query parameters added to the URL's own, encoded for you: {\"list-type\": \"2\", \"prefix\": \"logs/\"}."`
	Body       string            `json:"body,omitempty" jsonschema_description:"Request body as text, such as a form body Action=GetCallerIdentity&Version=2011-06-15 (set Content-Type). Give at most one of body, body_base64 and json."`
	BodyBase64 string            `json:"body_base64,omitempty" jsonschema_description:"Request body as base64, for binary bodies."`
	JSON       json.RawMessage   `json:"json,omitempty" jsonschema_description:"Request body as a JSON value, sent as is. With X-Amz-Target, Content-Type defaults to the service's application/x-amz-json-1.x; otherwise application/json."`
	Format     string            `json:"format,omitempty" jsonschema:"enum=auto,enum=json,enum=text,enum=base64" jsonschema_description:"How to return the response body: auto (default: JSON for JSON and XML bodies, text for other text, base64 for binary), json (XML converted to JSON), text or base64."`
	MaxBytes   int               `json:"max_bytes,omitempty" jsonschema:"minimum=1,maximum=1048576" jsonschema_description:"Most bytes of the body to return (default 16384). A longer body is kept for read_response."`
	Region     string            `json:"region,omitempty" jsonschema_description:"Only for custom endpoints the operator configured: the region they are configured for, to check. AWS URLs name their region in the host."`
	Service    string            `json:"service,omitempty" jsonschema_description:"Only for custom endpoints the operator configured: the service they are configured for, to check."`
	callArgs
}

// requestResult is what aws_request returns.
type requestResult struct {
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers,omitempty"`
	Format     string            `json:"format"` // json | text | base64
	Body       any               `json:"body"`
	Truncated  bool              `json:"truncated"`
	TotalBytes *int64            `json:"total_bytes,omitempty"`
	NextOffset *int64            `json:"next_offset,omitempty"`
	ResponseID string            `json:"response_id,omitempty"`
	RequestID  string            `json:"request_id,omitempty"`
	Service    string            `json:"service,omitempty"`
	Region     string            `json:"region,omitempty"`
	Operation  string            `json:"operation,omitempty"`
	Action     string            `json:"action,omitempty"`
	AuditID    string            `json:"audit_id,omitempty"`
	ErrorCode  string            `json:"error_code,omitempty"`
	ErrorMsg   string            `json:"error_message,omitempty"`
	Hint       string            `json:"hint,omitempty"`
	Note       string            `json:"note,omitempty"`
}

func awsRequest(tb *toolbox) tool {
	def := newTool[awsRequestArgs, requestResult]("aws_request",
		"Call any AWS API operation through the vault, which checks it against the grant's policy, signs it, sends it and records it in the audit trail. "+
			"Use it for operations that have no dedicated tool; for S3 objects prefer s3_list, s3_get and s3_put. "+
			"Find the operation, its HTTP method, URL path and IAM action with aws_operations first. "+
			"JSON protocols (DynamoDB, ...): POST https://SERVICE.REGION.amazonaws.com/ with header X-Amz-Target and a json body. "+
			"Query protocols (STS, IAM, EC2, SQS): POST a form body Action=...&Version=... with Content-Type application/x-www-form-urlencoded. "+
			"REST protocols (S3, Lambda, ...): the method and path of the operation. "+
			"The result has the status, the body (XML converted to JSON by default), request_id and audit_id; an AWS error has error_code, error_message and a hint. "+
			"A body longer than max_bytes is cut: continue with read_response and the response_id. "+
			"A denial by the grant's policy is an error naming the rule; nothing was sent then.",
		mcp.ToolAnnotation{
			Title:           "AWS request",
			ReadOnlyHint:    mcp.ToBoolPtr(false),
			DestructiveHint: mcp.ToBoolPtr(true),
			IdempotentHint:  mcp.ToBoolPtr(false),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return def.handle(toolsetCore, func(ctx context.Context, req mcp.CallToolRequest, args awsRequestArgs) (*mcp.CallToolResult, error) {
		c, maxBytes, bad := args.call()
		if bad != nil {
			return bad, nil
		}
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		if args.Region != "" || args.Service != "" {
			if res := tb.checkCustom(ctx, g, c, args.Region, args.Service); res != nil {
				return res, nil
			}
		}
		out, res := tb.send(ctx, req, g, args.callArgs, c)
		if res != nil {
			return res, nil
		}
		return tb.shapeResponse(ctx, out, args.Format, maxBytes), nil
	})
}

// call builds the vault call of the arguments, or a tool error.
func (a awsRequestArgs) call() (vault.Call, int, *mcp.CallToolResult) {
	c := vault.Call{Method: strings.ToUpper(strings.TrimSpace(a.Method)), URL: strings.TrimSpace(a.URL), Header: http.Header{}}
	if c.URL == "" {
		return c, 0, invalid("url is required: the AWS API URL to call, such as https://sts.us-east-1.amazonaws.com/")
	}
	switch a.Format {
	case "", formatAuto, formatJSON, formatText, formatBase64:
	default:
		return c, 0, invalid("format %q is not one of auto, json, text, base64", text.Clip(a.Format, 20))
	}
	maxBytes := a.MaxBytes
	switch {
	case maxBytes == 0:
		maxBytes = defaultMaxBytes
	case maxBytes < 0 || maxBytes > maxMaxBytes:
		return c, 0, invalid("max_bytes must be between 1 and %d", maxMaxBytes)
	}
	for _, k := range slices.Sorted(maps.Keys(a.Headers)) {
		c.Header.Set(k, a.Headers[k])
	}
	bodies := 0
	for _, set := range []bool{a.Body != "", a.BodyBase64 != "", len(a.JSON) > 0} {
		if set {
			bodies++
		}
	}
	if bodies > 1 {
		return c, 0, invalid("give the body once: body (text), body_base64 or json")
	}
	switch {
	case a.Body != "":
		c.Body = []byte(a.Body)
	case a.BodyBase64 != "":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(a.BodyBase64))
		if err != nil {
			return c, 0, invalid("body_base64 is not base64: %v", err)
		}
		c.Body = b
	case len(a.JSON) > 0:
		c.Body = []byte(a.JSON)
		if c.Header.Get("Content-Type") == "" {
			c.Header.Set("Content-Type", jsonContentType(c.Header.Get("X-Amz-Target")))
		}
	}
	if c.Method == "" {
		c.Method = http.MethodGet
		if c.Body != nil {
			c.Method = http.MethodPost
		}
	}
	if len(a.Query) > 0 {
		base, _, _ := strings.Cut(c.URL, "#") // a fragment is never sent
		sep := "?"
		switch {
		case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
			sep = ""
		case strings.Contains(base, "?"):
			sep = "&"
		}
		c.URL = base + sep + urlparse.EncodeQuery(a.Query)
	}
	return c, maxBytes, nil
}

// jsonContentType is the Content-Type of the JSON protocol of the service
// whose X-Amz-Target prefix target has: application/x-amz-json-1.0 or 1.1.
func jsonContentType(target string) string {
	prefix, _, ok := strings.Cut(target, ".")
	if !ok {
		return "application/json"
	}
	targetVersions.once.Do(func() {
		targetVersions.m = map[string]string{}
		for _, s := range catalog.Services() {
			if s.TargetPrefix != "" && s.JSONVersion != "" {
				targetVersions.m[s.TargetPrefix] = s.JSONVersion
			}
		}
	})
	if v := targetVersions.m[prefix]; v != "" {
		return "application/x-amz-json-" + v
	}
	return "application/x-amz-json-1.0"
}

var targetVersions struct {
	once sync.Once
	m    map[string]string
}

// checkCustom checks the region and service an agent gave against the
// configured custom endpoint the URL names.
func (tb *toolbox) checkCustom(ctx context.Context, g vault.Grant, c vault.Call, region, service string) *mcp.CallToolResult {
	s := session(ctx)
	if s.Err != nil {
		return vaultError(s.Err)
	}
	c.Grant, c.Caller, c.CallerLabel = g.ID, s.Caller, s.Name
	pv, err := tb.vault.Preview(ctx, c)
	if err != nil {
		return nil // Request refuses the call, and audits the refusal.
	}
	ep := pv.Endpoint
	if !ep.Custom {
		return invalid("region and service are only for custom endpoints the operator configured; %s is an AWS URL, whose host names its region (%s) and service (%s). Leave them out.",
			text.Clip(vault.RedactURL(c.URL), 200), ep.SigningRegion, ep.Service)
	}
	if region != "" && region != ep.SigningRegion || service != "" && service != ep.Service && service != ep.SigningName {
		return invalid("the endpoint %s is configured for region %s and service %s; the region and service of a custom endpoint come from its configuration. Leave them out, or use another endpoint.",
			ep.Scheme+"://"+ep.Host, ep.SigningRegion, ep.Service)
	}
	return nil
}

// shapeResponse reads an answer into a tool result. The body is returned
// up to maxBytes; the rest of a longer one is streamed to the spool.
func (tb *toolbox) shapeResponse(ctx context.Context, out *sentCall, format string, maxBytes int) *mcp.CallToolResult {
	resp := out.resp
	defer resp.Body.Close()
	op, ep := out.preview.Operation, out.preview.Endpoint
	r := requestResult{
		Status: resp.StatusCode, Headers: selectHeaders(resp.Header), RequestID: awserr.RequestID(resp.Header),
		Service: op.Service, Region: ep.SigningRegion, Operation: op.Name, Action: op.Action,
	}
	if r.Service == "" {
		r.Service = ep.Service
	}
	ct := resp.Header.Get("Content-Type")
	failed := resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotModified

	limit := maxBytes
	if failed {
		limit = max(maxBytes, maxErrorBody)
	}
	head, more, rest, err := readHead(resp.Body, limit)
	if err != nil {
		b := errorBody{Error: "network", Sent: true, Message: "The answer could not be read to its end: " + err.Error() + ". A write may or may not have been applied; check before repeating it."}
		b.AuditID = tb.auditID(ctx, out, r.RequestID)
		return errorResult(b)
	}
	if failed {
		// Error answers may repeat the canonical request the server
		// computed, session token included: redacted, and never spooled.
		head = []byte(vault.RedactText(string(head)))
		e := answerError(resp, head)
		r.ErrorCode, r.ErrorMsg, r.Hint = e.Code, e.Message, hintFor(e)
		if r.ErrorCode == "" && r.Hint == "" {
			r.Hint = fmt.Sprintf("AWS answered HTTP %d.", resp.StatusCode)
		}
		r.Format, r.Body = shapeBody(head, ct, format)
		r.Truncated = more
		if more {
			r.Note = fmt.Sprintf("The error body is longer than %d bytes; the rest was dropped.", limit)
		}
	} else if more {
		r.Truncated = true
		e, err := tb.spool.keep(session(ctx).Name, ct, head, rest)
		if err != nil {
			tb.log.Warn("could not spool a response", "err", err)
			r.Note = "The body is longer than max_bytes and could not be kept for read_response: repeat the request with a larger max_bytes."
		} else {
			r.ResponseID = e.id
			if e.complete {
				r.TotalBytes = &e.size
			} else {
				r.Note = fmt.Sprintf("Only the first %d bytes of the body were kept. ", e.size)
			}
		}
		shown := head
		switch format {
		case formatBase64:
			r.Format, r.Body = formatBase64, shown
		default:
			if cut := cutUTF8(shown); isText(cut) {
				shown = cut
				r.Format, r.Body = formatText, string(cut)
			} else {
				r.Format, r.Body = formatBase64, shown
			}
		}
		next := int64(len(shown))
		r.NextOffset = &next
		if r.ResponseID != "" {
			r.Note += fmt.Sprintf("The body is longer than max_bytes (%d): these are its first %d bytes, as %s. Call read_response with response_id and offset %d for more", maxBytes, next, r.Format, next)
			if format != formatText && format != formatBase64 {
				r.Note += ", or repeat the request with a larger max_bytes (up to 1048576) to get the whole body parsed as JSON"
			}
			r.Note += "."
		}
	} else {
		r.Format, r.Body = shapeBody(head, ct, format)
		n := int64(len(head))
		r.TotalBytes = &n
	}
	resp.Body.Close() // writes the audit end record before the lookup
	r.AuditID = tb.auditID(ctx, out, r.RequestID)
	res := result(r)
	res.IsError = failed && (resp.StatusCode >= 400 || r.ErrorCode != "")
	return res
}
