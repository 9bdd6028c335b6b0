package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/vault"
)

// callArgs are the arguments every AWS tool takes. All three reach the
// audit trail.
type callArgs struct {
	GrantID string         `json:"grant_id,omitempty" jsonschema_description:"The grant to call AWS with (id grt_… or name, from list_grants). May be omitted when you may use exactly one grant or the server has a default grant."`
	Reason  string         `json:"reason,omitempty" jsonschema:"maxLength=2048" jsonschema_description:"Why you make this call, in one sentence, for the audit trail (at most 2048 bytes). Some grants require it (list_grants: require_reason)."`
	Context map[string]any `json:"context,omitempty" jsonschema_description:"Optional facts recorded with the call in the audit trail, such as a ticket or task id: {\"ticket\": \"OPS-42\"}. At most 16 KiB as JSON."`
}

// sentCall is an AWS call the vault made: its response, with what the vault
// made of the request.
type sentCall struct {
	resp    *http.Response
	preview vault.Preview // zero when the preview failed
	start   time.Time
	call    vault.Call
}

// send makes c through the vault for the tool call req, with the grant g.
// It fills in what the audit records (tool, caller, client, session,
// reason, context), asks the user first when the grant wants writes
// confirmed, and turns every refusal into a tool error. The caller closes
// the response body.
func (tb *toolbox) send(ctx context.Context, req mcp.CallToolRequest, g vault.Grant, args callArgs, c vault.Call) (*sentCall, *mcp.CallToolResult) {
	s := session(ctx)
	if s.Err != nil {
		return nil, vaultError(s.Err)
	}
	c.Grant = g.ID
	c.Tool = req.Params.Name
	c.Caller, c.CallerLabel, c.Client, c.SessionID, c.OAuth = s.Caller, s.Name, s.Client, s.SessionID, s.OAuth
	c.TraceID, c.SpanID = s.TraceID, s.SpanID
	c.Reason, c.Context = args.Reason, args.Context
	c.AuditID = vault.NewAuditID() // the entry's id, known before the call: the result names it

	out := &sentCall{call: c, start: tb.now()}
	if res, answered := tb.unlockAnswer(ctx, req, c, g); answered && res != nil {
		return nil, res
	} else if answered {
		ctx = vault.RecheckVersion(ctx) // a person answered: see what changed while they did
	}
	if g.Policy.ConfirmWrites {
		// The full preview (grant, caller, policy) only where a write may
		// have to be confirmed: it reads the store, which Request does again.
		pv, err := tb.vault.Preview(ctx, c)
		if err == nil {
			out.preview = pv
			// Only a call the policy allows is worth the user's attention;
			// any other is refused (and audited) by Request below.
			if pv.Decision.Allow && pv.Confirm {
				if res := tb.confirmWrite(ctx, req, &c, pv); res != nil {
					return nil, res
				}
				if c.Approval != nil {
					// It waited for a person: a revocation or a new
					// policy made meanwhile must be seen.
					ctx = vault.RecheckVersion(ctx)
				}
			}
		}
	} else if pv, err := tb.vault.Identify(c); err == nil {
		out.preview = pv // where the call goes and what it is, for the result
	}
	resp, err := tb.vault.Request(ctx, c)
	if err != nil {
		if res := tb.askUnlock(ctx, c, g, err); res != nil {
			return nil, res
		}
		b := vaultErrorBody(err)
		b.AuditID, _ = vault.AuditedID(err)
		return nil, errorResult(b)
	}
	out.resp = resp
	return out, nil
}

// vaultError turns an error of the vault into a tool error that says what
// happened and what to do. The vault's messages never hold secrets.
func vaultError(err error) *mcp.CallToolResult { return errorResult(vaultErrorBody(err)) }

func vaultErrorBody(err error) errorBody {
	var denied *vault.DeniedError
	if errors.As(err, &denied) {
		d := denied.Decision
		b := errorBody{Error: "denied", Grant: denied.Grant, Rule: d.Rule,
			Message: fmt.Sprintf("Denied by the policy of grant %s (rule %s): %s Nothing was sent to AWS.", denied.Grant, d.Rule, d.Message)}
		if d.RetryAfter > 0 { // a rate limit: when the same call would be allowed
			b.RetryAfter = d.RetryAfter.Seconds()
		}
		return b
	}
	for _, k := range []struct {
		err  error
		code string
		hint string
	}{
		{vault.ErrNotAWS, "not_aws", "The vault signs only https URLs of AWS API endpoints (https://SERVICE.REGION.amazonaws.com/...) and endpoints the operator configured; nothing was sent. Use aws_operations to find the service and operation."},
		{vault.ErrGrantNotFound, "grant_not_found", "Call list_grants for the grants you may use."},
		{vault.ErrGrantRevoked, "grant_revoked", "Call list_grants for the grants you may use."},
		{vault.ErrGrantExpired, "grant_expired", "Call list_grants for the grants you may use."},
		{vault.ErrCallerNotAllowed, "grant_not_allowed", "Call list_grants for the grants you may use."},
		{vault.ErrCallerNotFound, "caller_unknown", "This is a server configuration problem; tell the user."},
		{vault.ErrCallerRevoked, "caller_revoked", "This is a server configuration problem; tell the user."},
		{vault.ErrLocked, "locked", "The grant's role requires an MFA code, which only a person gives: ask the user to unlock it (alter-mcp grant unlock GRANT, or from an MCP client that supports elicitation), or use another grant (list_grants)."},
		{vault.ErrCredentials, "credentials", "The grant's credentials cannot be used; tell the user, who can fix the grant. Another grant may work (list_grants)."},
		{vault.ErrAudit, "audit_unavailable", "The audit trail cannot be written, so the vault sends nothing; tell the user. Do not retry at once."},
		{vault.ErrWrongMasterKey, "vault_locked", "The vault cannot open its secrets; tell the user."},
		{vault.ErrInvalid, "invalid_request", "Fix the request and call again."},
	} {
		if errors.Is(err, k.err) {
			return errorBody{Error: k.code, Message: err.Error() + ". " + k.hint}
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errorBody{Error: "canceled", Sent: true,
			Message: "The call was canceled or timed out: " + err.Error() + ". A write may or may not have been applied; check before repeating it."}
	}
	return errorBody{Error: "network", Sent: true,
		Message: "AWS could not be reached, even after retries: " + err.Error() + ". A write may or may not have been applied; check before repeating it."}
}

// auditID is the id of the audit entry of the call out made: the vault
// wrote it, since AWS answered (refusals name theirs through
// vault.AuditedID).
func (tb *toolbox) auditID(_ context.Context, out *sentCall, _ string) string {
	return out.call.AuditID
}
