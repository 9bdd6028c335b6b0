package tools

import (
	"context"
	"net/http"
	"strconv"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

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
	def := newTool[s3ListBucketsArgs, s3ListBucketsResult]("s3_list_buckets",
		"List the S3 buckets of the grant's AWS account, with their creation dates (and regions, where S3 tells). "+
			"Start here to explore S3; then call s3_list on a bucket to see its objects.",
		readAnnotations("List S3 buckets"))
	return def.handle(toolsetS3, func(ctx context.Context, req mcp.CallToolRequest, args s3ListBucketsArgs) (*mcp.CallToolResult, error) {
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
	})
}
