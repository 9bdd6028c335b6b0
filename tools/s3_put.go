package tools

import (
	"context"
	"encoding/base64"
	"io"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// --- s3_put

type s3PutArgs struct {
	Bucket        string            `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Key           string            `json:"key" jsonschema:"required" jsonschema_description:"The object key (not URL-encoded); / separates folders: reports/2024/q1.csv."`
	Content       *string           `json:"content,omitempty" jsonschema_description:"The object's content as text (UTF-8). Give content, content_base64 or file."`
	ContentBase64 string            `json:"content_base64,omitempty" jsonschema_description:"The object's content as base64, for binary data."`
	File          string            `json:"file,omitempty" jsonschema_description:"Upload this file, of any size, instead of content: a path relative to the server's files folder, when the operator set one (serve --files-dir). Its SHA-256 is sent with it, and S3 refuses the upload if the file changes on the way."`
	ContentType   string            `json:"content_type,omitempty" jsonschema_description:"The object's media type; by default guessed from the key's extension (or the file's), else text/plain for content and application/octet-stream for content_base64 and file."`
	Metadata      map[string]string `json:"metadata,omitempty" jsonschema_description:"User metadata, stored as x-amz-meta-NAME headers: names of letters, digits and - _ ., ASCII values."`
	callArgs
}

type s3PutResult struct {
	Bucket      string `json:"bucket"`
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	// File and ChecksumSHA256: the file uploaded, and its SHA-256 (base64)
	// as S3 checked it.
	File           string `json:"file,omitempty"`
	ChecksumSHA256 string `json:"checksum_sha256,omitempty"`
	ETag           string `json:"etag,omitempty"`
	VersionID      string `json:"version_id,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
	AuditID        string `json:"audit_id,omitempty"`
}

func s3Put(tb *toolbox) tool {
	def := newTool[s3PutArgs, s3PutResult]("s3_put",
		"Write an S3 object: create it, or replace it whole if the key exists (there is no undo unless the bucket is versioned). "+
			"Give the content as text or base64, or a file from the server's files folder when it has one, and optionally its content type and metadata. "+
			"Check first with s3_list whether the key exists when replacing it would matter. "+
			"Some grants ask the user to confirm every write; the call then waits for the user's answer.",
		mcp.ToolAnnotation{
			Title:           "Write an S3 object",
			ReadOnlyHint:    mcp.ToBoolPtr(false),
			DestructiveHint: mcp.ToBoolPtr(true),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return def.handle(toolsetS3, func(ctx context.Context, req mcp.CallToolRequest, args s3PutArgs) (*mcp.CallToolResult, error) {
		bucket := strings.TrimSpace(args.Bucket)
		if bucket == "" || args.Key == "" {
			return invalid("bucket and key are required"), nil
		}
		var (
			body []byte
			up   *upload
			err  error
		)
		ct := args.ContentType
		guess := mime.TypeByExtension(path.Ext(args.Key))
		given := 0
		for _, set := range []bool{args.Content != nil, args.ContentBase64 != "", args.File != ""} {
			if set {
				given++
			}
		}
		switch {
		case given > 1:
			return invalid("give one of content (text), content_base64 and file"), nil
		case args.File != "":
			if up, err = tb.files.openUpload(args.File); err != nil {
				return invalid("%v", err), nil
			}
			defer up.f.Close()
			if ct == "" {
				ct = first(guess, mime.TypeByExtension(path.Ext(args.File)), "application/octet-stream")
			}
		case args.Content != nil:
			body = []byte(*args.Content)
			if ct == "" {
				ct = first(guess, "text/plain; charset=utf-8")
			}
		case args.ContentBase64 != "":
			if body, err = base64.StdEncoding.DecodeString(strings.TrimSpace(args.ContentBase64)); err != nil {
				return invalid("content_base64 is not base64: %v", err), nil
			}
			if ct == "" {
				ct = first(guess, "application/octet-stream")
			}
		default:
			return invalid("give the object's content: content (text), content_base64, or file (\"\" makes an empty object)"), nil
		}
		h := http.Header{"Content-Type": {ct}}
		if up != nil {
			h.Set("X-Amz-Checksum-Sha256", up.sha256)
		}
		for _, k := range slices.Sorted(maps.Keys(args.Metadata)) {
			v := args.Metadata[k]
			if !metadataName(k) {
				return invalid("metadata name %q: use letters, digits, '-', '_' and '.'", text.Clip(k, 40)), nil
			}
			if !asciiValue(v) {
				return invalid("metadata %s: S3 keeps metadata values as ASCII; %q is not (encode it, for example as base64)", k, text.Clip(v, 40)), nil
			}
			h.Set("X-Amz-Meta-"+k, v)
		}
		size := int64(len(body))
		p := newProgress(ctx, req, transferProgress) // nil: the client asked for none
		out, _, res := tb.s3Send(ctx, req, args.callArgs, bucket, func(region string) vault.Call {
			c := vault.Call{Method: http.MethodPut, URL: urlparse.S3URL(region, bucket, args.Key, ""), Header: h.Clone(), Body: body}
			if up != nil {
				// Read from its start, at each attempt (another region's
				// included), whatever the file's offset.
				c.Body, c.File, size = nil, up.name, up.size
				if up.size == 0 {
					c.Body = []byte{}
				} else {
					c.BodyReader, c.BodyLength = &uploadReader{io.NewSectionReader(up.f, 0, up.size), p, "uploading " + up.name}, up.size
				}
			}
			return c
		})
		if res != nil {
			return res, nil
		}
		resp := out.resp
		if resp.StatusCode != http.StatusOK {
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		resp.Body.Close()
		r := s3PutResult{Bucket: bucket, Key: args.Key, Size: size, ContentType: ct,
			ETag: strings.Trim(resp.Header.Get("ETag"), `"`), VersionID: resp.Header.Get("X-Amz-Version-Id"), RequestID: awserr.RequestID(resp.Header)}
		if up != nil {
			r.File, r.ChecksumSHA256 = up.name, up.sha256
		}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	})
}

func metadataName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func asciiValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' {
			return false
		}
	}
	return true
}
