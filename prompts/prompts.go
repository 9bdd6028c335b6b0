// Package prompts holds alter-mcp's MCP prompts: ready-made instructions
// a user can pick in their MCP client to start common work with the tools
// (exploring a bucket, investigating an AWS error, reviewing the audit
// trail). Prompts only write text; the tools do the work.
package prompts

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// prompt is one MCP prompt: its definition and handler, side by side.
type prompt struct {
	def     mcp.Prompt
	handler server.PromptHandlerFunc
}

// Register adds every prompt to s.
func Register(s *server.MCPServer) {
	for _, p := range all() {
		s.AddPrompt(p.def, p.handler)
	}
}

func all() []prompt {
	return []prompt{exploreBucket(), investigateError(), reviewAudit()}
}

// text makes a prompt result of one user message.
func text(description, body string) *mcp.GetPromptResult {
	return mcp.NewGetPromptResult(description, []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(body)),
	})
}

// arg returns a prompt argument, trimmed.
func arg(req mcp.GetPromptRequest, name string) string {
	return strings.TrimSpace(req.Params.Arguments[name])
}

func exploreBucket() prompt {
	def := mcp.NewPrompt("explore_bucket",
		mcp.WithPromptDescription("Explore an S3 bucket: what it holds, how it is organized, and a sample of its content."),
		mcp.WithArgument("bucket", mcp.RequiredArgument(), mcp.ArgumentDescription("The bucket to explore.")),
		mcp.WithArgument("prefix", mcp.ArgumentDescription("Start below this prefix (a folder such as logs/).")),
		mcp.WithArgument("grant", mcp.ArgumentDescription("The grant to use (id or name), when you have several.")),
	)
	return prompt{def: def, handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		bucket := arg(req, "bucket")
		if bucket == "" {
			return nil, fmt.Errorf("the bucket argument is required")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Explore the S3 bucket %q", bucket)
		if p := arg(req, "prefix"); p != "" {
			fmt.Fprintf(&b, ", starting at the prefix %q", p)
		}
		b.WriteString(" and describe what it holds. Only read: do not write, copy or delete anything.\n\n")
		if g := arg(req, "grant"); g != "" {
			fmt.Fprintf(&b, "Use the grant %q (grant_id) for every call.\n\n", g)
		} else {
			b.WriteString("First call list_grants and pick a grant that allows S3 in the bucket's region.\n\n")
		}
		b.WriteString(`Steps:
1. Call s3_list with delimiter "/" (and the prefix, if any) to see the top-level folders (common_prefixes) and files.
2. Go down into the most telling folders with s3_list, using a common prefix as the new prefix. Follow next_continuation_token only while it adds something new; a few pages are enough to judge a folder.
3. Read a few small, representative objects with s3_get (max_bytes 4096 is plenty to recognize a format). Skip large binaries: report their size and type instead.
4. Give a short report: how the bucket is organized (folders, naming and date patterns), the kinds of data and their formats, sizes and ages, and anything that looks sensitive or out of place.

Pass a one-sentence reason with each call, such as "exploring the bucket at the user's request".`)
		return text("Explore the S3 bucket "+bucket, b.String()), nil
	}}
}

func investigateError() prompt {
	def := mcp.NewPrompt("investigate_aws_error",
		mcp.WithPromptDescription("Find out why an AWS call failed (AccessDenied, SignatureDoesNotMatch, a policy denial, ...) and what would fix it."),
		mcp.WithArgument("error", mcp.RequiredArgument(), mcp.ArgumentDescription("The error: its code and message, or the whole tool result.")),
		mcp.WithArgument("request", mcp.ArgumentDescription("The call that failed: tool and arguments, or method and URL.")),
	)
	return prompt{def: def, handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		errText := arg(req, "error")
		if errText == "" {
			return nil, fmt.Errorf("the error argument is required")
		}
		var b strings.Builder
		b.WriteString("An AWS call made through alter-mcp failed. Find out why, and what would fix it.\n\nThe error:\n")
		b.WriteString(fence(errText))
		if r := arg(req, "request"); r != "" {
			b.WriteString("\nThe call:\n")
			b.WriteString(fence(r))
		}
		b.WriteString(`
How to investigate:
1. Tell who refused. An error "denied" with a rule (allow_regions, read_only, deny_actions, ...) comes from the grant's policy in the vault: nothing reached AWS. Call list_grants to see what the grant allows; the fix is another grant, or a change the user must ask the operator for. Do not retry around a denial.
2. An error_code from AWS (AccessDenied, SignatureDoesNotMatch, ExpiredToken, PermanentRedirect, ...) comes with a hint: read it first.
3. For AccessDenied, call aws_whoami with the same grant to see the AWS identity, and aws_operations to find the IAM action the call needs. The identity lacks that action on that resource, or a resource policy (bucket policy, KMS key policy) refuses it.
4. For SignatureDoesNotMatch, check how the URL is encoded (each path segment once: a space as %20, '+' as %2B). If a plain call such as aws_whoami works with the same grant, the request is at fault, not the key.
5. For region errors (PermanentRedirect, AuthorizationHeaderMalformed), repeat in the region the hint names.
6. You may make read-only calls to check your theory. Do not make writes.

Answer with: the cause, the evidence (the calls you made and what they showed), and the fix, saying who must apply it (you, the user, or the operator of alter-mcp).`)
		return text("Investigate an AWS error", b.String()), nil
	}}
}

func reviewAudit() prompt {
	def := mcp.NewPrompt("review_audit",
		mcp.WithPromptDescription("Review recent entries of alter-mcp's audit trail for denials, errors, writes and anything unusual."),
		mcp.WithArgument("entries", mcp.RequiredArgument(), mcp.ArgumentDescription("Audit entries as JSON lines, as alter-mcp's audit export writes them.")),
		mcp.WithArgument("focus", mcp.ArgumentDescription("What to look for in particular: a caller, a grant, a time window, writes, ...")),
	)
	return prompt{def: def, handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		entries := arg(req, "entries")
		if entries == "" {
			return nil, fmt.Errorf("the entries argument is required: audit entries as JSON lines")
		}
		var b strings.Builder
		b.WriteString("Review these entries of alter-mcp's audit trail. Each line is one call an agent made through the vault: " +
			"who (caller, client, session), why (reason, context: the agent's own words, not verified), with which grant, " +
			"which operation and action, the policy's decision (allow, or deny with the rule), and what AWS answered " +
			"(status, request_id, error_code, outcome).\n")
		if f := arg(req, "focus"); f != "" {
			fmt.Fprintf(&b, "\nFocus on: %s\n", f)
		}
		b.WriteString("\nThe entries:\n")
		b.WriteString(fence(entries))
		b.WriteString(`
Report, briefly:
1. Denials: which rules refused what, and whether they point to an agent probing the policy (many denials, varied calls) or to a grant that is too narrow for the work.
2. Writes (read_only false): what changed, by whom, and whether each had a reason that fits.
3. AWS errors (outcome aws_error) and network errors, grouped by error_code, with the likely cause.
4. Anything unusual: a caller or client seen for the first time, calls outside working hours, bursts, regions or services not otherwise used, missing reasons, interrupted calls.
5. Suggestions for the operator: grants to narrow or widen, policies to add (require_reason, confirm_writes, rate).
Quote entry ids (aud_…) and AWS request ids so that each point can be checked, and joined to CloudTrail.`)
		return text("Review audit entries", b.String()), nil
	}}
}

// fence quotes text a user pasted, so that it reads as data.
func fence(s string) string {
	f := "```"
	for strings.Contains(s, f) {
		f += "`"
	}
	return f + "\n" + s + "\n" + f + "\n"
}
