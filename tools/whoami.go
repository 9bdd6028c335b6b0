package tools

import (
	"context"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

type awsWhoamiArgs struct {
	Region string `json:"region,omitempty" jsonschema_description:"The region of the STS endpoint to ask; by default the grant's only allowed region, else us-east-1."`
	callArgs
}

type whoamiResult struct {
	Account   string `json:"account"`
	ARN       string `json:"arn"`
	UserID    string `json:"user_id"`
	GrantID   string `json:"grant_id"`
	GrantName string `json:"grant_name"`
	Region    string `json:"region"`
	RequestID string `json:"request_id,omitempty"`
	AuditID   string `json:"audit_id,omitempty"`
}

func awsWhoami(tb *toolbox) tool {
	def := newTool[awsWhoamiArgs, whoamiResult]("aws_whoami",
		"Show which AWS identity a grant acts as: the account id, the ARN of the user or role, and its user id "+
			"(STS GetCallerIdentity, which needs no IAM permission). Use it to check a grant works, to learn the account "+
			"before building ARNs, and when AWS answers AccessDenied, to see whose permissions are missing.",
		readAnnotations("Who am I in AWS"))
	return def.handle(toolsetCore, func(ctx context.Context, req mcp.CallToolRequest, args awsWhoamiArgs) (*mcp.CallToolResult, error) {
		g, res := tb.grantFor(ctx, args.GrantID)
		if res != nil {
			return res, nil
		}
		region := strings.ToLower(strings.TrimSpace(args.Region))
		if region == "" {
			region = defaultRegion(g)
		}
		out, res := tb.send(ctx, req, g, args.callArgs, vault.Call{
			Method: http.MethodPost,
			URL:    "https://" + urlparse.Host("sts", region) + "/",
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
			Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
		})
		if res != nil {
			return res, nil
		}
		if out.resp.StatusCode != http.StatusOK {
			return tb.awsErrorResult(ctx, out, nil), nil
		}
		var x struct {
			ARN     string `xml:"GetCallerIdentityResult>Arn"`
			UserID  string `xml:"GetCallerIdentityResult>UserId"`
			Account string `xml:"GetCallerIdentityResult>Account"`
		}
		if res := tb.decodeXML(ctx, out, &x); res != nil {
			return res, nil
		}
		r := whoamiResult{Account: x.Account, ARN: x.ARN, UserID: x.UserID, GrantID: g.ID, GrantName: g.Name,
			Region: region, RequestID: awserr.RequestID(out.resp.Header)}
		r.AuditID = tb.auditID(ctx, out, r.RequestID)
		return result(r), nil
	})
}
