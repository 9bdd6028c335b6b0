package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

type awsOperationsArgs struct {
	Service string `json:"service,omitempty" jsonschema_description:"The service, as the AWS CLI names it (s3, dynamodb, sts, bedrock-runtime) or by its endpoint prefix; empty searches every service."`
	Query   string `json:"query,omitempty" jsonschema_description:"Words of the operation's name: \"get object\", \"list tables\", \"s3:PutObject\", \"tagging\". Empty lists the service's operations."`
	Limit   int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=200" jsonschema_description:"Most operations to return (default 20)."`
}

type operationInfo struct {
	Service     string `json:"service"`
	Operation   string `json:"operation"`
	Method      string `json:"method"`
	URITemplate string `json:"uri_template"`
	ReadOnly    bool   `json:"read_only"`
	Action      string `json:"action"`
	Protocol    string `json:"protocol"`
	// HowToCall says how to make the call with aws_request.
	HowToCall string `json:"how_to_call"`
}

type awsOperationsResult struct {
	Operations []operationInfo `json:"operations"`
	Total      int             `json:"total"`
	Truncated  bool            `json:"truncated"`
	Note       string          `json:"note,omitempty"`
}

func awsOperations(tb *toolbox) tool {
	def := newTool[awsOperationsArgs, awsOperationsResult]("aws_operations",
		"Search the AWS API catalog (every service and operation of botocore): for each operation, its HTTP method and URI template, "+
			"whether it is read-only, the IAM action that authorizes it, and how to call it with aws_request. "+
			"Use it before aws_request to build the right URL, headers and body, and to check whether a grant's policy "+
			"(read_only, allowed actions) will allow the call. It makes no AWS call.",
		localReadAnnotations("Find AWS operations"))
	return def.handle(toolsetCatalog, func(ctx context.Context, req mcp.CallToolRequest, args awsOperationsArgs) (*mcp.CallToolResult, error) {
		service, query := strings.TrimSpace(args.Service), strings.TrimSpace(args.Query)
		if service == "" && query == "" {
			return invalid("give a service (such as s3 or dynamodb), a query (such as \"get object\"), or both"), nil
		}
		if args.Limit < 0 || args.Limit > 200 {
			return invalid("limit must be between 1 and 200"), nil
		}
		limit := args.Limit
		if limit == 0 {
			limit = 20
		}
		if service != "" {
			if _, ok := catalog.Service(service); !ok {
				return invalid("no AWS service is named %q; use the AWS CLI's name (s3, dynamodb, ec2, bedrock-runtime), or leave service out to search every service", text.Clip(service, 60)), nil
			}
		}
		ops := catalog.Search(service, query)
		r := awsOperationsResult{Operations: make([]operationInfo, 0, min(limit, len(ops))), Total: len(ops)}
		for _, o := range ops[:min(limit, len(ops))] {
			oi := operationInfo{Service: o.Service, Operation: o.Name, Method: o.Method, URITemplate: o.URITemplate,
				ReadOnly: o.ReadOnly, Action: o.Action, Protocol: o.Protocol}
			oi.Protocol, oi.HowToCall = howToCall(o)
			r.Operations = append(r.Operations, oi)
		}
		r.Truncated = len(ops) > limit
		switch {
		case len(ops) == 0:
			r.Note = "No operation matches. Try fewer or other words, or leave service out."
		case r.Truncated:
			r.Note = fmt.Sprintf("%d operations match; these are the first %d. Narrow the query, or raise limit.", len(ops), limit)
		}
		return result(r), nil
	})
}

// howToCall picks the protocol to call o with through aws_request (one
// of the service's, never the binary CBOR one) and says how.
func howToCall(o catalog.OperationInfo) (protocol, how string) {
	s, _ := catalog.Service(o.Service)
	protocols := s.Protocols
	if len(protocols) == 0 {
		protocols = []string{o.Protocol}
	}
	protocols = slices.DeleteFunc(slices.Clone(protocols), func(p string) bool { return p == "smithy-rpc-v2-cbor" })
	if len(protocols) == 0 {
		return o.Protocol, "This service answers only a binary protocol (Smithy RPC v2 CBOR), which aws_request cannot build."
	}
	base := endpointFor(s.EndpointPrefix)
	switch p := protocols[0]; p {
	case "json":
		return p, fmt.Sprintf("POST %s/ with headers X-Amz-Target: %s.%s and Content-Type: application/x-amz-json-%s, and the input as json.",
			base, s.TargetPrefix, o.Name, s.JSONVersion)
	case "query", "ec2":
		return p, fmt.Sprintf("POST %s/ with Content-Type: application/x-www-form-urlencoded and body Action=%s&Version=%s plus the input as form fields.",
			base, o.Name, s.APIVersion)
	default: // rest-json, rest-xml
		how := fmt.Sprintf("%s %s%s, with {placeholders} percent-encoded", o.Method, base, o.URITemplate)
		if p == "rest-json" && o.Method != "GET" && o.Method != "HEAD" && o.Method != "DELETE" {
			how += ", and the input's body members as json"
		}
		return p, how + "."
	}
}

// endpointFor is the endpoint of a service for aws_request: the
// partition-wide endpoint of a service that has one (IAM, Route 53,
// CloudFront, Organizations: their regional-looking hosts do not exist,
// though urlparse would accept the name), else the regional one (REGION to
// fill in, which Host gives the commercial suffix).
func endpointFor(prefix string) string {
	if host, _, ok := urlparse.GlobalHost(prefix, ""); ok && !urlparse.Regionalized(prefix) {
		return "https://" + host
	}
	return "https://" + urlparse.Host(prefix, "REGION")
}
