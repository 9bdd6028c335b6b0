package tools

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"
)

type readResponseArgs struct {
	ResponseID string `json:"response_id" jsonschema:"required" jsonschema_description:"The response_id of a truncated aws_request result (rsp_…)."`
	Offset     int64  `json:"offset,omitempty" jsonschema:"minimum=0" jsonschema_description:"Byte offset to read from: the next_offset of the previous result."`
	MaxBytes   int    `json:"max_bytes,omitempty" jsonschema:"minimum=1,maximum=1048576" jsonschema_description:"Most bytes to return (default 16384)."`
	Format     string `json:"format,omitempty" jsonschema:"enum=auto,enum=text,enum=base64" jsonschema_description:"text, base64, or auto (default): text when the bytes are UTF-8 text, else base64."`
}

type readResponseResult struct {
	ResponseID  string `json:"response_id"`
	Offset      int64  `json:"offset"`
	Bytes       int    `json:"bytes"`
	Format      string `json:"format"` // text | base64
	Body        any    `json:"body"`
	Truncated   bool   `json:"truncated"` // more follows
	NextOffset  *int64 `json:"next_offset,omitempty"`
	TotalBytes  int64  `json:"total_bytes"`
	Complete    bool   `json:"complete"` // false when only the first total_bytes of the body were kept
	ContentType string `json:"content_type,omitempty"`
	URI         string `json:"uri"`
}

func readResponse(tb *toolbox) tool {
	def := newTool[readResponseArgs, readResponseResult]("read_response",
		"Read more of a response body that aws_request cut at max_bytes (its result has truncated true and a response_id). "+
			"Pass the response_id and the next_offset of the previous result as offset; repeat while truncated is true. "+
			"Bodies are kept for an hour, only for the caller that made the request; after that, repeat the request. "+
			"The same body is the resource alter://responses/{response_id}.",
		localReadAnnotations("Read more of a response"))
	return def.handle(toolsetCore, func(ctx context.Context, req mcp.CallToolRequest, args readResponseArgs) (*mcp.CallToolResult, error) {
		maxBytes := args.MaxBytes
		switch {
		case maxBytes == 0:
			maxBytes = defaultMaxBytes
		case maxBytes < 0 || maxBytes > maxMaxBytes:
			return invalid("max_bytes must be between 1 and %d", maxMaxBytes), nil
		}
		switch args.Format {
		case "", formatAuto, formatText, formatBase64:
		default:
			return invalid("format %q is not one of auto, text, base64", text.Clip(args.Format, 20)), nil
		}
		if args.Offset < 0 {
			return invalid("offset must be 0 or more"), nil
		}
		e, err := tb.spool.get(session(ctx).Name, strings.TrimSpace(args.ResponseID))
		if err != nil {
			return noResponse(args.ResponseID, err), nil
		}
		if args.Offset > e.size {
			return invalid("offset %d is past the end of the body (%d bytes)", args.Offset, e.size), nil
		}
		b, err := tb.spool.read(e, args.Offset, int64(maxBytes))
		if err != nil {
			return noResponse(args.ResponseID, err), nil
		}
		r := readResponseResult{ResponseID: e.id, Offset: args.Offset, TotalBytes: e.size, Complete: e.complete,
			ContentType: e.contentType, URI: responseURI(e.id)}
		end := args.Offset + int64(len(b))
		r.Format = formatBase64
		if args.Format != formatBase64 {
			cut := b
			if end < e.size {
				cut = cutUTF8(b)
			}
			if isText(cut) {
				b, r.Format = cut, formatText
			} else if args.Format == formatText {
				return invalid("the bytes at offset %d are not UTF-8 text; read them with format base64", args.Offset), nil
			}
		}
		if r.Format == formatText {
			r.Body = string(b)
		} else {
			r.Body = b
		}
		r.Bytes = len(b)
		next := args.Offset + int64(len(b))
		if next < e.size {
			r.Truncated, r.NextOffset = true, &next
		}
		return result(r), nil
	})
}

func noResponse(id string, err error) *mcp.CallToolResult {
	if errors.Is(err, errNoResponse) {
		return errorResult(errorBody{Error: "response_not_found", Message: fmt.Sprintf(
			"No kept response has the id %q: responses are kept for an hour and within a size cap, and only for the caller that made the request. Repeat the original request.", text.Clip(id, 60))})
	}
	return errorResult(errorBody{Error: "spool_error", Message: err.Error()})
}

func responseURI(id string) string { return "alter://responses/" + id }

func responseResourceTemplate() mcp.ResourceTemplate {
	return mcp.NewResourceTemplate("alter://responses/{id}", "AWS response body",
		mcp.WithTemplateDescription("A response body that aws_request cut at max_bytes, by its response_id; kept for an hour, for the caller that made the request. Bodies over 1 MiB are cut; read_response reads any part."))
}

// resourceMaxBytes bounds a resource read: read_response reads the rest.
const resourceMaxBytes = 1 << 20

// readResponseResource serves alter://responses/{id}.
func (tb *toolbox) readResponseResource(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	id, _ := req.Params.Arguments["id"].(string)
	if ids, ok := req.Params.Arguments["id"].([]string); ok && len(ids) == 1 {
		id = ids[0]
	}
	e, err := tb.spool.get(session(ctx).Name, id)
	if err != nil {
		return nil, fmt.Errorf("%s: no kept response has this id (kept for an hour, for the caller that made the request)", req.Params.URI)
	}
	b, err := tb.spool.read(e, 0, resourceMaxBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Params.URI, err)
	}
	meta := map[string]any{"total_bytes": e.size, "complete": e.complete}
	if int64(len(b)) < e.size {
		meta["truncated"] = true
		meta["note"] = "The body is longer than 1 MiB; read the rest with read_response."
	}
	mt := e.contentType
	if cut := cutUTF8(b); isText(cut) {
		if mt == "" {
			mt = "text/plain"
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: mt, Text: string(cut), Meta: meta}}, nil
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	return []mcp.ResourceContents{mcp.BlobResourceContents{URI: req.Params.URI, MIMEType: mt, Blob: base64.StdEncoding.EncodeToString(b), Meta: meta}}, nil
}
