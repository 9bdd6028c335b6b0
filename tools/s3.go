package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// defaultRegion is where a call that names no region goes first: the
// grant's only allowed region, when its policy names exactly one, else
// us-east-1.
func defaultRegion(g vault.Grant) string {
	if rs := g.Policy.AllowRegions; len(rs) == 1 && !strings.ContainsAny(rs[0], "*?") {
		return strings.ToLower(rs[0])
	}
	return "us-east-1"
}

// bucketRegion finds the region of bucket: from the cache, else by asking
// S3 (HEAD on the bucket, whose answer names the region in
// x-amz-bucket-region, even when it refuses).
func (tb *toolbox) bucketRegion(ctx context.Context, req mcp.CallToolRequest, g vault.Grant, args callArgs, bucket string) (string, *mcp.CallToolResult) {
	if r := tb.regions.get(bucket); r != "" {
		return r, nil
	}
	guess := defaultRegion(g)
	out, res := tb.send(ctx, req, g, args, vault.Call{Method: http.MethodHead, URL: urlparse.S3URL(guess, bucket, "", "")})
	if res != nil {
		return "", res
	}
	resp := out.resp
	resp.Body.Close()
	region := resp.Header.Get("X-Amz-Bucket-Region")
	switch {
	case region == "" && resp.StatusCode == http.StatusOK:
		region = guess
	case resp.StatusCode == http.StatusNotFound:
		b := errorBody{Error: "aws_error", Sent: true, Status: resp.StatusCode, ErrorCode: "NoSuchBucket", RequestID: awserr.RequestID(resp.Header),
			Message: fmt.Sprintf("The bucket %s does not exist.", bucket), Hint: hintFor(&awserr.Error{Code: "NoSuchBucket"})}
		b.AuditID = tb.auditID(ctx, out, b.RequestID)
		return "", errorResult(b)
	case region == "":
		return "", tb.awsErrorResult(ctx, out, nil)
	}
	tb.regions.set(bucket, region)
	return region, nil
}

// s3Send sends the call build makes for the bucket's region. An answer
// that says the bucket is in another region (a stale cache) updates the
// region, and the call is sent once more.
func (tb *toolbox) s3Send(ctx context.Context, req mcp.CallToolRequest, g vault.Grant, args callArgs, bucket string, build func(region string) vault.Call) (*sent, string, *mcp.CallToolResult) {
	region, res := tb.bucketRegion(ctx, req, g, args, bucket)
	if res != nil {
		return nil, "", res
	}
	for attempt := 0; ; attempt++ {
		out, res := tb.send(ctx, req, g, args, build(region))
		if res != nil {
			return nil, region, res
		}
		resp := out.resp
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusBadRequest:
		default:
			return out, region, nil
		}
		head, _, _, _ := readHead(resp.Body, maxErrorBody)
		e := answerError(resp, head)
		if attempt == 0 && e.Region != "" && e.Region != region {
			resp.Body.Close()
			tb.regions.set(bucket, e.Region)
			region = e.Region
			continue
		}
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		return out, region, nil
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// awsErrorResult is the tool error of an AWS error answer. body is read
// from the response when nil.
func (tb *toolbox) awsErrorResult(ctx context.Context, out *sent, body []byte) *mcp.CallToolResult {
	resp := out.resp
	if body == nil {
		body, _, _, _ = readHead(resp.Body, maxErrorBody)
	}
	resp.Body.Close()
	body = []byte(vault.RedactText(string(body)))
	e := answerError(resp, body)
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
		switch resp.StatusCode {
		case http.StatusNotFound:
			e.Code = "NotFound"
		case http.StatusForbidden:
			e.Code = "AccessDenied"
		}
	}
	b := errorBody{Error: "aws_error", Sent: true, Status: resp.StatusCode, ErrorCode: e.Code, Hint: hintFor(e),
		Message: e.Message, RequestID: awserr.RequestID(resp.Header)}
	if b.Message == "" {
		b.Message = fmt.Sprintf("AWS answered HTTP %d %s.", resp.StatusCode, e.Code)
	}
	b.AuditID = tb.auditID(ctx, out, b.RequestID)
	return errorResult(b)
}

// --- s3_list_buckets

type s3ListBucketsArgs struct {
	Prefix            string `json:"prefix,omitempty" jsonschema_description:"Only buckets whose names start with this."`
	MaxBuckets        int    `json:"max_buckets,omitempty" jsonschema:"minimum=1,maximum=10000" jsonschema_description:"Most buckets to return; a next_continuation_token then continues."`
	ContinuationToken string `json:"continuation_token,omitempty" jsonschema_description:"The next_continuation_token of the previous result."`
	callArgs
}

type bucketInfo struct {
	Name         string `json:"name"`
	CreationDate string `json:"creation_date,omitempty"`
	Region       string `json:"region,omitempty"`
}

type s3ListBucketsResult struct {
	Buckets               []bucketInfo `json:"buckets"`
	NextContinuationToken string       `json:"next_continuation_token,omitempty"`
	RequestID             string       `json:"request_id,omitempty"`
	AuditID               string       `json:"audit_id,omitempty"`
}

func s3ListBuckets(tb *toolbox) tool {
	def := newTool[s3ListBucketsArgs]("s3_list_buckets",
		"List the S3 buckets of the grant's AWS account, with their creation dates (and regions, where S3 tells). "+
			"Start here to explore S3; then call s3_list on a bucket to see its objects.",
		mcp.ToolAnnotation{
			Title:           "List S3 buckets",
			ReadOnlyHint:    mcp.ToBoolPtr(true),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetS3, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[s3ListBucketsArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		q := map[string]string{}
		if args.Prefix != "" {
			q["prefix"] = args.Prefix
		}
		if args.MaxBuckets > 0 {
			q["max-buckets"] = strconv.Itoa(args.MaxBuckets)
		}
		if args.ContinuationToken != "" {
			q["continuation-token"] = args.ContinuationToken
		}
		region := defaultRegion(g)
		u := "https://" + urlparse.Host("s3", region) + "/"
		if len(q) > 0 {
			u += "?" + urlparse.EncodeQuery(q)
		}
		out, res := tb.send(ctx, req, g, args.callArgs, vault.Call{Method: http.MethodGet, URL: u})
		if res != nil {
			return res, nil
		}
		if out.resp.StatusCode != http.StatusOK {
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		var x struct {
			Buckets []struct {
				Name         string `xml:"Name"`
				CreationDate string `xml:"CreationDate"`
				BucketRegion string `xml:"BucketRegion"`
			} `xml:"Buckets>Bucket"`
			ContinuationToken string `xml:"ContinuationToken"`
		}
		if res := tb.decodeXML(ctx, out, &x); res != nil {
			return res, nil
		}
		r := s3ListBucketsResult{Buckets: make([]bucketInfo, 0, len(x.Buckets)), NextContinuationToken: x.ContinuationToken,
			RequestID: awserr.RequestID(out.resp.Header)}
		for _, b := range x.Buckets {
			r.Buckets = append(r.Buckets, bucketInfo{Name: b.Name, CreationDate: b.CreationDate, Region: b.BucketRegion})
			if b.BucketRegion != "" {
				tb.regions.set(b.Name, b.BucketRegion)
			}
		}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	}}
}

// decodeXML reads a successful answer's XML body into v (at most 16 MiB).
func (tb *toolbox) decodeXML(ctx context.Context, out *sent, v any) *mcp.CallToolResult {
	defer out.resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.resp.Body, 16<<20))
	if err == nil {
		err = xml.Unmarshal(data, v)
	}
	if err != nil {
		b := errorBody{Error: "bad_answer", Sent: true, Status: out.resp.StatusCode, RequestID: awserr.RequestID(out.resp.Header),
			Message: "The answer could not be read: " + err.Error() + ". Try aws_request to see it as it is."}
		out.resp.Body.Close()
		b.AuditID = tb.auditID(ctx, out, b.RequestID)
		return errorResult(b)
	}
	return nil
}

// --- s3_list

type s3ListArgs struct {
	Bucket            string `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Prefix            string `json:"prefix,omitempty" jsonschema_description:"Only keys that start with this, such as logs/2024/."`
	Delimiter         string `json:"delimiter,omitempty" jsonschema_description:"Group keys by this character, usually /: keys below the next / after the prefix come back once, as common_prefixes (folders). Leave it out to list every key below the prefix."`
	MaxKeys           int    `json:"max_keys,omitempty" jsonschema:"minimum=1,maximum=1000" jsonschema_description:"Most keys and common prefixes to return (default 100)."`
	ContinuationToken string `json:"continuation_token,omitempty" jsonschema_description:"The next_continuation_token of the previous result, to continue."`
	StartAfter        string `json:"start_after,omitempty" jsonschema_description:"List keys after this key, in UTF-8 byte order."`
	callArgs
}

type objectInfo struct {
	Key          string `json:"key"`
	Size         int64  `json:"size"`
	LastModified string `json:"last_modified,omitempty"`
	ETag         string `json:"etag,omitempty"`
	StorageClass string `json:"storage_class,omitempty"`
}

type s3ListResult struct {
	Bucket                string       `json:"bucket"`
	Region                string       `json:"region"`
	Prefix                string       `json:"prefix,omitempty"`
	Delimiter             string       `json:"delimiter,omitempty"`
	Objects               []objectInfo `json:"objects"`
	CommonPrefixes        []string     `json:"common_prefixes"`
	IsTruncated           bool         `json:"is_truncated"`
	NextContinuationToken string       `json:"next_continuation_token,omitempty"`
	RequestID             string       `json:"request_id,omitempty"`
	AuditID               string       `json:"audit_id,omitempty"`
}

func s3List(tb *toolbox) tool {
	def := newTool[s3ListArgs]("s3_list",
		"List the objects in an S3 bucket: keys with size, last-modified time, ETag and storage class. "+
			"Browse like folders with delimiter \"/\" and a prefix ending in \"/\": subfolders come back as common_prefixes; "+
			"call s3_list again with one of them as the prefix to go down. When is_truncated is true, call again with next_continuation_token. "+
			"Then read an object with s3_get. The bucket's region is found and remembered for you.",
		mcp.ToolAnnotation{
			Title:           "List S3 objects",
			ReadOnlyHint:    mcp.ToBoolPtr(true),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetS3, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[s3ListArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		bucket := strings.TrimSpace(args.Bucket)
		if bucket == "" {
			return invalid("bucket is required (s3_list_buckets lists them)"), nil
		}
		if args.MaxKeys < 0 || args.MaxKeys > 1000 {
			return invalid("max_keys must be between 1 and 1000"), nil
		}
		maxKeys := args.MaxKeys
		if maxKeys == 0 {
			maxKeys = 100
		}
		q := map[string]string{"list-type": "2", "encoding-type": "url", "max-keys": strconv.Itoa(maxKeys)}
		for k, v := range map[string]string{"prefix": args.Prefix, "delimiter": args.Delimiter,
			"continuation-token": args.ContinuationToken, "start-after": args.StartAfter} {
			if v != "" {
				q[k] = v
			}
		}
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		out, region, res := tb.s3Send(ctx, req, g, args.callArgs, bucket, func(region string) vault.Call {
			return vault.Call{Method: http.MethodGet, URL: urlparse.S3URL(region, bucket, "", urlparse.EncodeQuery(q))}
		})
		if res != nil {
			return res, nil
		}
		if out.resp.StatusCode != http.StatusOK {
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		var x struct {
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
			EncodingType          string `xml:"EncodingType"`
			Contents              []struct {
				Key          string `xml:"Key"`
				LastModified string `xml:"LastModified"`
				ETag         string `xml:"ETag"`
				Size         int64  `xml:"Size"`
				StorageClass string `xml:"StorageClass"`
			} `xml:"Contents"`
			CommonPrefixes []struct {
				Prefix string `xml:"Prefix"`
			} `xml:"CommonPrefixes"`
		}
		if res := tb.decodeXML(ctx, out, &x); res != nil {
			return res, nil
		}
		decode := func(s string) string {
			if x.EncodingType != "url" {
				return s
			}
			if d, err := url.QueryUnescape(s); err == nil {
				return d
			}
			return s
		}
		r := s3ListResult{Bucket: bucket, Region: region, Prefix: args.Prefix, Delimiter: args.Delimiter,
			Objects: make([]objectInfo, 0, len(x.Contents)), CommonPrefixes: make([]string, 0, len(x.CommonPrefixes)),
			IsTruncated: x.IsTruncated, NextContinuationToken: x.NextContinuationToken, RequestID: awserr.RequestID(out.resp.Header)}
		for _, o := range x.Contents {
			r.Objects = append(r.Objects, objectInfo{Key: decode(o.Key), Size: o.Size, LastModified: o.LastModified,
				ETag: strings.Trim(o.ETag, `"`), StorageClass: o.StorageClass})
		}
		for _, p := range x.CommonPrefixes {
			r.CommonPrefixes = append(r.CommonPrefixes, decode(p.Prefix))
		}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	}}
}

// --- s3_get

type s3GetArgs struct {
	Bucket    string `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Key       string `json:"key" jsonschema:"required" jsonschema_description:"The object key, as s3_list shows it (not URL-encoded)."`
	Offset    int64  `json:"offset,omitempty" jsonschema:"minimum=0" jsonschema_description:"Byte offset to read from: 0, or the next_offset of the previous result."`
	MaxBytes  int    `json:"max_bytes,omitempty" jsonschema:"minimum=1,maximum=1048576" jsonschema_description:"Most bytes to return (default 16384)."`
	VersionID string `json:"version_id,omitempty" jsonschema_description:"A version of the object, in a versioned bucket; the current one by default."`
	callArgs
}

type s3GetResult struct {
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	Offset        int64  `json:"offset"`
	Bytes         int    `json:"bytes"`
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
	def := newTool[s3GetArgs]("s3_get",
		"Read an S3 object: up to max_bytes from offset, as text (content) or, for binary data, base64 (content_base64), "+
			"with its content type and total size. When truncated is true, call again with offset set to next_offset to read on; "+
			"compare etag between calls to be sure the object did not change. Find keys with s3_list.",
		mcp.ToolAnnotation{
			Title:           "Read an S3 object",
			ReadOnlyHint:    mcp.ToBoolPtr(true),
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetS3, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[s3GetArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
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
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		out, _, res := tb.s3Send(ctx, req, g, args.callArgs, bucket, func(region string) vault.Call {
			return vault.Call{Method: http.MethodGet, URL: urlparse.S3URL(region, bucket, args.Key, query),
				Header: http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", args.Offset, args.Offset+maxBytes-1)}}}
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
		r.Bytes = len(data)
		if end < r.TotalSize {
			r.Truncated, r.NextOffset = true, &end
		}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	}}
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

func (tb *toolbox) readError(ctx context.Context, out *sent, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	b := errorBody{Error: "network", Sent: true, RequestID: awserr.RequestID(out.resp.Header),
		Message: "The object could not be read to its end: " + err.Error() + ". Try again."}
	b.AuditID = tb.auditID(ctx, out, b.RequestID)
	return errorResult(b)
}

// --- s3_put

type s3PutArgs struct {
	Bucket        string            `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Key           string            `json:"key" jsonschema:"required" jsonschema_description:"The object key (not URL-encoded); / separates folders: reports/2024/q1.csv."`
	Content       *string           `json:"content,omitempty" jsonschema_description:"The object's content as text (UTF-8). Give content or content_base64."`
	ContentBase64 string            `json:"content_base64,omitempty" jsonschema_description:"The object's content as base64, for binary data."`
	ContentType   string            `json:"content_type,omitempty" jsonschema_description:"The object's media type; by default guessed from the key's extension, else text/plain for content and application/octet-stream for content_base64."`
	Metadata      map[string]string `json:"metadata,omitempty" jsonschema_description:"User metadata, stored as x-amz-meta-NAME headers: names of letters, digits and - _ ., ASCII values."`
	callArgs
}

type s3PutResult struct {
	Bucket      string `json:"bucket"`
	Key         string `json:"key"`
	Size        int    `json:"size"`
	ContentType string `json:"content_type"`
	ETag        string `json:"etag,omitempty"`
	VersionID   string `json:"version_id,omitempty"`
	RequestID   string `json:"request_id,omitempty"`
	AuditID     string `json:"audit_id,omitempty"`
}

func s3Put(tb *toolbox) tool {
	def := newTool[s3PutArgs]("s3_put",
		"Write an S3 object: create it, or replace it whole if the key exists (there is no undo unless the bucket is versioned). "+
			"Give the content as text or base64, and optionally its content type and metadata. "+
			"Check first with s3_list whether the key exists when replacing it would matter. "+
			"Some grants ask the user to confirm every write; the call then waits for the user's answer.",
		mcp.ToolAnnotation{
			Title:           "Write an S3 object",
			ReadOnlyHint:    mcp.ToBoolPtr(false),
			DestructiveHint: mcp.ToBoolPtr(true),
			IdempotentHint:  mcp.ToBoolPtr(true),
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return tool{toolset: toolsetS3, def: def, handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := bind[s3PutArgs](req)
		if err != nil {
			return invalid("%v", err), nil
		}
		bucket := strings.TrimSpace(args.Bucket)
		if bucket == "" || args.Key == "" {
			return invalid("bucket and key are required"), nil
		}
		var body []byte
		ct := args.ContentType
		guess := mime.TypeByExtension(path.Ext(args.Key))
		switch {
		case args.Content != nil && args.ContentBase64 != "":
			return invalid("give content (text) or content_base64, not both"), nil
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
			return invalid("give the object's content: content (text) or content_base64 (\"\" makes an empty object)"), nil
		}
		h := http.Header{"Content-Type": {ct}}
		for _, k := range sortedKeys(args.Metadata) {
			v := args.Metadata[k]
			if !metadataName(k) {
				return invalid("metadata name %q: use letters, digits, '-', '_' and '.'", clip(k, 40)), nil
			}
			if !asciiValue(v) {
				return invalid("metadata %s: S3 keeps metadata values as ASCII; %q is not (encode it, for example as base64)", k, clip(v, 40)), nil
			}
			h.Set("X-Amz-Meta-"+k, v)
		}
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		out, _, res := tb.s3Send(ctx, req, g, args.callArgs, bucket, func(region string) vault.Call {
			return vault.Call{Method: http.MethodPut, URL: urlparse.S3URL(region, bucket, args.Key, ""), Header: h.Clone(), Body: body}
		})
		if res != nil {
			return res, nil
		}
		resp := out.resp
		if resp.StatusCode != http.StatusOK {
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		resp.Body.Close()
		r := s3PutResult{Bucket: bucket, Key: args.Key, Size: len(body), ContentType: ct,
			ETag: strings.Trim(resp.Header.Get("ETag"), `"`), VersionID: resp.Header.Get("X-Amz-Version-Id"), RequestID: awserr.RequestID(resp.Header)}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	}}
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
