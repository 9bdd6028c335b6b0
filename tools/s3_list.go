package tools

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

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
	def := newTool[s3ListArgs, s3ListResult]("s3_list",
		"List the objects in an S3 bucket: keys with size, last-modified time, ETag and storage class. "+
			"Browse like folders with delimiter \"/\" and a prefix ending in \"/\": subfolders come back as common_prefixes; "+
			"call s3_list again with one of them as the prefix to go down. When is_truncated is true, call again with next_continuation_token. "+
			"Then read an object with s3_get. The bucket's region is found and remembered for you.",
		readAnnotations("List S3 objects"))
	return def.handle(toolsetS3, func(ctx context.Context, req mcp.CallToolRequest, args s3ListArgs) (*mcp.CallToolResult, error) {
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
		out, region, res := tb.s3Send(ctx, req, args.callArgs, bucket, func(region string) vault.Call {
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
	})
}
