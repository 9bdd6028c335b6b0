package tools

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// --- s3_presign

type s3PresignArgs struct {
	Bucket         string `json:"bucket" jsonschema:"required" jsonschema_description:"The bucket name."`
	Key            string `json:"key" jsonschema:"required" jsonschema_description:"The object key."`
	Method         string `json:"method,omitempty" jsonschema:"enum=GET,enum=PUT,enum=HEAD" jsonschema_description:"What the URL allows: GET to download (default), PUT to upload, HEAD to read metadata."`
	ExpiresSeconds int    `json:"expires_seconds,omitempty" jsonschema:"minimum=1,maximum=604800" jsonschema_description:"How long the URL works, in seconds (default 900, at most 7 days; never longer than the grant's credentials)."`
	VersionID      string `json:"version_id,omitempty" jsonschema_description:"A version of the object (GET and HEAD)."`
	callArgs
}

type s3PresignResult struct {
	URL              string            `json:"url"`
	Method           string            `json:"method"`
	Expires          string            `json:"expires"`
	ExpiresInSeconds int64             `json:"expires_in_seconds"`
	Headers          map[string]string `json:"headers,omitempty"`
	Bucket           string            `json:"bucket"`
	Key              string            `json:"key"`
	Region           string            `json:"region"`
}

func s3Presign(tb *toolbox) tool {
	def := newTool[s3PresignArgs, s3PresignResult]("s3_presign",
		"Make a presigned URL for one S3 object: whoever has the URL may download (GET) or upload (PUT) that object "+
			"until it expires, without AWS credentials. Use it to hand a file to a person or another program; "+
			"use s3_get to read an object yourself. The grant's policy decides (a read-only grant presigns only GET and HEAD; "+
			"some grants may not presign at all) and issuing is audited. Treat the URL as a secret.",
		mcp.ToolAnnotation{
			Title:           "Presign an S3 URL",
			ReadOnlyHint:    mcp.ToBoolPtr(true), // issues a URL; changes nothing in AWS
			DestructiveHint: mcp.ToBoolPtr(false),
			IdempotentHint:  mcp.ToBoolPtr(false), // every call makes a new URL
			OpenWorldHint:   mcp.ToBoolPtr(true),
		})
	return def.handle(toolsetS3, func(ctx context.Context, req mcp.CallToolRequest, args s3PresignArgs) (*mcp.CallToolResult, error) {
		if args.Bucket == "" || args.Key == "" {
			return invalid("give bucket and key: the URL is for one object"), nil
		}
		method := strings.ToUpper(args.Method)
		switch method {
		case "":
			method = http.MethodGet
		case http.MethodGet, http.MethodPut, http.MethodHead:
		default:
			return invalid("method %q: use GET, PUT or HEAD", args.Method), nil
		}
		expires := 900 * time.Second
		if args.ExpiresSeconds != 0 {
			if args.ExpiresSeconds < 1 || args.ExpiresSeconds > int(vault.MaxPresign/time.Second) {
				return invalid("expires_seconds %d: use 1 to 604800 (7 days)", args.ExpiresSeconds), nil
			}
			expires = time.Duration(args.ExpiresSeconds) * time.Second
		}
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		region, res := tb.bucketRegion(ctx, req, g, args.callArgs, args.Bucket)
		if res != nil {
			return res, nil
		}
		query := ""
		if args.VersionID != "" {
			query = urlparse.EncodeQuery(map[string]string{"versionId": args.VersionID})
		}
		s := session(ctx)
		if s.Err != nil {
			return vaultError(s.Err), nil
		}
		caller := s.Caller
		target := urlparse.S3URL(region, args.Bucket, args.Key, query)
		opts := vault.ClientOptions{Caller: caller, Reason: args.Reason, Context: args.Context, Tool: req.Params.Name,
			Client: s.Client, SessionID: s.SessionID, OAuth: s.OAuth}
		opts.CallerLabel = s.Name
		if method == http.MethodPut {
			// An upload URL is a write, handed to whoever holds it: it passes
			// the gates every write passes.
			if tb.readOnly {
				return errorResult(errorBody{Error: "read_only", Rule: "read_only",
					Message: "This server offers only read-only tools (serve --read-only), and a presigned PUT lets whoever holds the URL write the object. Nothing was issued. Use method GET, or ask the user."}), nil
			}
			if g.Policy.ConfirmWrites {
				c := vault.Call{Method: http.MethodPut, URL: target, Grant: g.ID, Reason: args.Reason, Context: args.Context,
					Tool: req.Params.Name, Caller: caller, CallerLabel: opts.CallerLabel, Client: s.Client, SessionID: s.SessionID, OAuth: s.OAuth}
				pv, err := tb.vault.Preview(ctx, c)
				if err != nil {
					return vaultError(err), nil
				}
				if pv.Confirm {
					if res := tb.confirmWrite(ctx, req, &c, pv); res != nil {
						return res, nil
					}
					if opts.Approval = c.Approval; c.Approval != nil {
						ctx = vault.RecheckVersion(ctx) // it waited: see what changed meanwhile
					}
				}
			}
		}
		p, err := tb.vault.Presign(ctx, g.ID, method, target, expires, opts)
		if err != nil {
			return vaultError(err), nil
		}
		r := s3PresignResult{URL: p.URL, Method: p.Method, Expires: p.Expires.UTC().Format(time.RFC3339),
			ExpiresInSeconds: int64(time.Until(p.Expires).Round(time.Second) / time.Second),
			Bucket:           args.Bucket, Key: args.Key, Region: region}
		for k, vs := range p.Header {
			if !strings.EqualFold(k, "Host") && len(vs) > 0 {
				if r.Headers == nil {
					r.Headers = map[string]string{}
				}
				r.Headers[k] = strings.Join(vs, ",")
			}
		}
		return result(r), nil
	})
}

// presignAllowed reports whether one of gs may presign, so that s3_presign
// is offered only where it can work.
func presignAllowed(gs []vault.Grant) bool {
	for _, g := range gs {
		if !g.Revoked && !g.Policy.DenyPresign {
			return true
		}
	}
	return false
}
