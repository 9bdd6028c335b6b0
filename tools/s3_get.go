package tools

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// --- s3_get

type s3GetArgs struct {
	Bucket    string `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Key       string `json:"key" jsonschema:"required" jsonschema_description:"The object key, as s3_list shows it (not URL-encoded)."`
	Offset    int64  `json:"offset,omitempty" jsonschema:"minimum=0" jsonschema_description:"Byte offset to read from: 0, or the next_offset of the previous result."`
	MaxBytes  int    `json:"max_bytes,omitempty" jsonschema:"minimum=1,maximum=1048576" jsonschema_description:"Most bytes to return (default 16384)."`
	VersionID string `json:"version_id,omitempty" jsonschema_description:"A version of the object, in a versioned bucket; the current one by default."`
	SaveTo    string `json:"save_to,omitempty" jsonschema_description:"Save the object, of any size, from offset to its end, into this file instead of returning its content: a path relative to the server's files folder, when the operator set one (serve --files-dir). The file appears only once it is whole."`
	Overwrite bool   `json:"overwrite,omitempty" jsonschema_description:"With save_to: replace the file if it exists (by default an existing file is refused)."`
	callArgs
}

type s3GetResult struct {
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	Offset        int64  `json:"offset"`
	Bytes         int64  `json:"bytes"`
	SavedTo       string `json:"saved_to,omitempty"`
	Content       string `json:"content,omitempty"`
	ContentBase64 string `json:"content_base64,omitempty"`
	ContentType   string `json:"content_type,omitempty"`
	TotalSize     int64  `json:"total_size"`
	Truncated     bool   `json:"truncated"`
	NextOffset    *int64 `json:"next_offset,omitempty"`
	ETag          string `json:"etag,omitempty"`
	LastModified  string `json:"last_modified,omitempty"`
	VersionID     string `json:"version_id,omitempty"`
	RequestID     string `json:"request_id,omitempty"`
	AuditID       string `json:"audit_id,omitempty"`
}

func s3Get(tb *toolbox) tool {
	def := newTool[s3GetArgs, s3GetResult]("s3_get",
		"Read an S3 object: up to max_bytes from offset, as text (content) or, for binary data, base64 (content_base64), "+
			"with its content type and total size. When truncated is true, call again with offset set to next_offset to read on; "+
			"compare etag between calls to be sure the object did not change. Find keys with s3_list. "+
			"When the server has a files folder, save_to saves the object (from offset to its end), of any size, into a file there instead.",
		readAnnotations("Read an S3 object"))
	return def.handle(toolsetS3, func(ctx context.Context, req mcp.CallToolRequest, args s3GetArgs) (*mcp.CallToolResult, error) {
		bucket := strings.TrimSpace(args.Bucket)
		if bucket == "" || args.Key == "" {
			return invalid("bucket and key are required (s3_list shows the keys of a bucket)"), nil
		}
		maxBytes := int64(args.MaxBytes)
		switch {
		case maxBytes == 0:
			maxBytes = defaultMaxBytes
		case maxBytes < 0 || maxBytes > maxMaxBytes:
			return invalid("max_bytes must be between 1 and %d", maxMaxBytes), nil
		}
		if args.Offset < 0 {
			return invalid("offset must be 0 or more"), nil
		}
		query := ""
		if args.VersionID != "" {
			query = urlparse.EncodeQuery(map[string]string{"versionId": args.VersionID})
		}
		rng := fmt.Sprintf("bytes=%d-%d", args.Offset, args.Offset+maxBytes-1)
		var (
			dl  *download
			err error
		)
		switch {
		case args.SaveTo != "" && args.MaxBytes != 0:
			return invalid("save_to saves the object from offset to its end: leave out max_bytes"), nil
		case args.SaveTo != "":
			if dl, err = tb.files.createDownload(args.SaveTo, args.Overwrite); err != nil {
				return invalid("%v", err), nil
			}
			defer dl.abort() // after a commit, nothing is left to remove
			rng = fmt.Sprintf("bytes=%d-", args.Offset)
		case args.Overwrite:
			return invalid("overwrite goes with save_to"), nil
		}
		saveTo := ""
		if dl != nil {
			saveTo = dl.name
		}
		out, _, res := tb.s3Send(ctx, req, args.callArgs, bucket, func(region string) vault.Call {
			return vault.Call{Method: http.MethodGet, URL: urlparse.S3URL(region, bucket, args.Key, query),
				Header: http.Header{"Range": {rng}}, File: saveTo}
		})
		if res != nil {
			return res, nil
		}
		resp := out.resp
		defer resp.Body.Close()
		r := s3GetResult{Bucket: bucket, Key: args.Key, Offset: args.Offset, ContentType: resp.Header.Get("Content-Type"),
			ETag: strings.Trim(resp.Header.Get("ETag"), `"`), LastModified: resp.Header.Get("Last-Modified"),
			VersionID: resp.Header.Get("X-Amz-Version-Id"), RequestID: awserr.RequestID(resp.Header)}
		var data []byte
		switch resp.StatusCode {
		case http.StatusPartialContent:
			r.TotalSize = totalOfRange(resp.Header.Get("Content-Range"))
		case http.StatusOK: // the whole object: S3 ignored the range
			r.TotalSize = resp.ContentLength
			if args.Offset > 0 {
				if _, err := io.CopyN(io.Discard, resp.Body, args.Offset); err != nil {
					return tb.readError(ctx, out, err), nil
				}
			}
		case http.StatusRequestedRangeNotSatisfiable:
			total := totalOfRange(resp.Header.Get("Content-Range"))
			if args.Offset == 0 && total <= 0 {
				// An empty object has no byte 0.
				if dl != nil {
					return tb.saveObject(ctx, req, out, dl, r), nil
				}
				resp.Body.Close()
				r.AuditID = tb.auditID(ctx, out, r.RequestID)
				return result(r), nil
			}
			if total >= 0 {
				return invalid("offset %d is past the end of the object, which has %d bytes", args.Offset, total), nil
			}
			return tb.awsErrorResult(ctx, out, nil), nil
		default:
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		if dl != nil {
			return tb.saveObject(ctx, req, out, dl, r), nil
		}
		data, _, _, err = readHead(resp.Body, int(maxBytes))
		if err != nil {
			return tb.readError(ctx, out, err), nil
		}
		resp.Body.Close()
		end := args.Offset + int64(len(data))
		if end < r.TotalSize || r.TotalSize < 0 {
			if cut := cutUTF8(data); isText(cut) && textType(r.ContentType, cut) {
				data = cut
				end = args.Offset + int64(len(data))
			}
		}
		if isText(data) && textType(r.ContentType, data) {
			r.Content = string(data)
		} else {
			r.ContentBase64 = base64.StdEncoding.EncodeToString(data)
		}
		r.Bytes = int64(len(data))
		if end < r.TotalSize {
			r.Truncated, r.NextOffset = true, &end
		}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	})
}

// saveObject writes the rest of the answer into dl and commits it: the
// file appears under its name only when the whole object was read.
func (tb *toolbox) saveObject(ctx context.Context, req mcp.CallToolRequest, out *sentCall, dl *download, r s3GetResult) *mcp.CallToolResult {
	resp := out.resp
	var n int64
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable { // else an empty object
		w := &fileWriter{f: dl.fh, p: newProgress(ctx, req, transferProgress), total: resp.ContentLength, what: "saving " + dl.name}
		var err error
		n, err = io.Copy(w, resp.Body)
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			err = fmt.Errorf("%d bytes of %d", n, resp.ContentLength)
		}
		if w.err != nil {
			resp.Body.Close()
			b := errorBody{Error: "file_error", Sent: true, RequestID: r.RequestID,
				Message: fmt.Sprintf("The object could not be saved into %s: %s. Nothing was left under that name.", text.Printable(dl.name), describeFileErr(w.err))}
			b.AuditID = tb.auditID(ctx, out, b.RequestID)
			return errorResult(b)
		}
		if err != nil {
			return tb.readError(ctx, out, err)
		}
	}
	resp.Body.Close()
	if err := dl.commit(); err != nil {
		b := errorBody{Error: "file_error", Sent: true, RequestID: r.RequestID, Message: "The object was read but could not be saved: " + err.Error() + "."}
		b.AuditID = tb.auditID(ctx, out, b.RequestID)
		return errorResult(b)
	}
	r.Bytes, r.SavedTo = n, dl.name
	if r.TotalSize <= 0 {
		r.TotalSize = r.Offset + n
	}
	r.AuditID = tb.auditID(ctx, out, r.RequestID)
	return result(r)
}

// fileWriter writes to a file, keeps its error apart from the reader's,
// and tells the client how far it is (p nil: asked for nothing).
type fileWriter struct {
	f       io.Writer
	err     error
	p       *progress
	written int64
	total   int64 // -1: unknown
	what    string
}

func (w *fileWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if err != nil {
		w.err = err
	}
	w.written += int64(n)
	w.p.bytes(w.written, max(w.total, 0), w.what)
	return n, err
}

// textType reports whether bytes of an object of contentType may be shown
// as text: they are valid UTF-8 and the type is not a known binary one.
func textType(contentType string, b []byte) bool {
	mt := mediaType(contentType)
	switch {
	case mt == "", strings.HasPrefix(mt, "text/"), isJSONType(mt), isXMLType(mt), mt == "application/octet-stream",
		strings.Contains(mt, "yaml"), strings.Contains(mt, "csv"), strings.Contains(mt, "javascript"):
		return true
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"),
		strings.Contains(mt, "zip"), strings.Contains(mt, "gzip"), mt == "application/pdf":
		return false
	}
	return isText(b)
}

// totalOfRange reads the size from a Content-Range ("bytes 0-99/1234",
// "bytes */1234"); -1 when it is unknown.
func totalOfRange(cr string) int64 {
	_, total, ok := strings.Cut(cr, "/")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func (tb *toolbox) readError(ctx context.Context, out *sentCall, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	b := errorBody{Error: "network", Sent: true, RequestID: awserr.RequestID(out.resp.Header),
		Message: "The object could not be read to its end: " + err.Error() + ". Try again."}
	b.AuditID = tb.auditID(ctx, out, b.RequestID)
	return errorResult(b)
}
