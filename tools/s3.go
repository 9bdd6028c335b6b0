package tools

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
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

// s3Send sends the call build makes for the bucket's region, on the grant
// that args name. An answer that says the bucket is in another region (a
// stale cache) updates the region, and the call is sent once more.
func (tb *toolbox) s3Send(ctx context.Context, req mcp.CallToolRequest, args callArgs, bucket string, build func(region string) vault.Call) (*sentCall, string, *mcp.CallToolResult) {
	g, res := tb.grantFor(ctx, args.GrantID)
	if res != nil {
		return nil, "", res
	}
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
func (tb *toolbox) awsErrorResult(ctx context.Context, out *sentCall, body []byte) *mcp.CallToolResult {
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

// decodeXML reads a successful answer's XML body into v (at most 16 MiB).
func (tb *toolbox) decodeXML(ctx context.Context, out *sentCall, v any) *mcp.CallToolResult {
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
