package tools

// Confirming writes. A grant whose policy sets confirm_writes wants the user
// to approve every call that is not read-only. The handler asks through a
// multi round-trip request (SEP-2322): it returns an input_required result
// carrying an elicitation and, as requestState, a digest of the exact call;
// the client asks the user and calls the tool again with the answer and the
// state. mcp-go makes the same handler work for clients of the protocol
// versions before 2026-07-28: it sends them elicitation/create itself and
// calls the handler again with the answer.
//
// A client that did not declare the elicitation capability would never
// answer (over stdio the server would wait forever), so the handler checks
// the capability first. Without it an operator is asked instead
// (approval.go), or, when the server holds no writes (serve
// --approval-wait 0), the write is refused, saying why.

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/vault"
)

// confirmInputID names the elicitation in the input requests.
const confirmInputID = "confirm_write"

// ruleConfirmWrites names the policy field in refusals, as the vault names rules.
const ruleConfirmWrites = "confirm_writes"

// confirmWrite returns nil when c may be sent, its approval recorded in
// c.Approval, and otherwise the result to answer with: an input_required
// result asking the user, or a tool error when the user or an operator
// refused, or no one can be asked.
//
// Who is asked: the user, in a form, when the client can show one; else an
// operator, through a pending approval (approval.go) the server holds the
// call for: the client is sent to the approval's page in the console when
// it supports URL elicitation and the server knows the console's address,
// and otherwise the call simply waits.
func (tb *toolbox) confirmWrite(ctx context.Context, req mcp.CallToolRequest, c *vault.Call, pv vault.Preview) *mcp.CallToolResult {
	state := confirmState(*c)
	if id, ok := strings.CutPrefix(req.Params.RequestState, state+"."); ok {
		return tb.urlAnswered(ctx, req, c, pv, state, id)
	}
	if req.Params.RequestState == state {
		if ans := server.ElicitationResponse(req.Params.InputResponses, confirmInputID); ans != nil {
			if approved(ans) {
				tb.log.Info("write confirmed by the user", "grant", pv.Grant.ID, "operation", pv.Operation.Action, "tool", c.Tool)
				c.Approval = &vault.ApprovalDecision{Decision: vault.ApprovalApproved, By: theUser(*c), Via: "elicitation", At: tb.now().UTC()}
				return nil
			}
			what := "declined"
			if ans.Action == mcp.ElicitationResponseActionCancel {
				what = "dismissed the confirmation of"
			}
			c.Approval = &vault.ApprovalDecision{Decision: "declined", By: theUser(*c), Via: "elicitation", At: tb.now().UTC()}
			b := errorBody{Error: "declined", Grant: pv.Grant.Name, Rule: ruleConfirmWrites,
				Message: fmt.Sprintf("The user %s this write (%s). Nothing was sent to AWS. Do not repeat it unless the user asks you to.", what, describeOp(pv))}
			b.AuditID = tb.vault.Decline(ctx, *c, pv, ruleConfirmWrites, "the user "+what+" the write")
			return errorResult(b)
		}
	}
	switch {
	case canElicit(ctx, mcp.ElicitationModeForm):
		return server.NewInputRequestBuilder(state).Elicit(confirmInputID, mcp.ElicitationParams{
			Message:         confirmMessage(ctx, *c, pv),
			RequestedSchema: confirmSchema,
		}).ToolResult()
	case tb.approvals.Wait > 0:
		return tb.holdForApproval(ctx, req, c, pv, state)
	}
	b := errorBody{Error: "confirmation_unavailable", Grant: pv.Grant.Name, Rule: ruleConfirmWrites,
		Message: fmt.Sprintf("Grant %s asks the user to confirm every write (confirm_writes), and this MCP client cannot ask the user: "+
			"it did not declare the elicitation capability, and this server holds no writes for an operator's approval (serve --approval-wait 0). "+
			"Nothing was sent to AWS. Use a client that supports elicitation, "+
			"a grant without confirm_writes (list_grants), or ask the user to make this change (%s) themselves.", pv.Grant.Name, describeOp(pv))}
	b.AuditID = tb.vault.Decline(ctx, *c, pv, ruleConfirmWrites, "the write needs the user's confirmation, and the MCP client cannot ask (no elicitation capability)")
	return errorResult(b)
}

// theUser names the person behind an MCP client's elicitation.
func theUser(c vault.Call) string {
	return "the user of " + cmp.Or(c.Client, "the MCP client")
}

// confirmSchema asks one yes/no question.
var confirmSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"approve": map[string]any{
			"type":        "boolean",
			"title":       "Send this request to AWS",
			"description": "Approve this one call. The agent must ask again for the next write.",
			"default":     false,
		},
	},
	"required": []string{"approve"},
}

// approved: the user accepted, and did not answer approve=false.
func approved(ans *mcp.ElicitationResult) bool {
	if ans.Action != mcp.ElicitationResponseActionAccept {
		return false
	}
	if m, ok := ans.Content.(map[string]any); ok {
		if v, set := m["approve"]; set {
			b, isBool := v.(bool)
			return isBool && b
		}
	}
	return true
}

// canElicit reports whether the client of this request can show an
// elicitation of mode (form or url). Protocol 2026-07-28 declares
// capabilities on every request; earlier versions declared them once, in
// initialize.
func canElicit(ctx context.Context, mode string) bool {
	var caps *mcp.ClientCapabilities
	if pi := server.RequestProtocolInfoFromContext(ctx); pi != nil && pi.Modern {
		caps = pi.ClientCapabilities
	} else {
		cs := server.ClientSessionFromContext(ctx)
		ci, ok := cs.(server.SessionWithClientInfo)
		if _, canAsk := cs.(server.SessionWithElicitation); !ok || !canAsk {
			return false
		}
		c := ci.GetClientCapabilities()
		caps = &c
	}
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	if mode == mcp.ElicitationModeURL {
		return caps.Elicitation.URL != nil
	}
	// An empty elicitation capability means form mode.
	return caps.Elicitation.Form != nil || caps.Elicitation.URL == nil
}

// confirmState binds an answer to the exact call it approves: the grant,
// method, URL, headers and body. An answer that comes back with another
// call's state is not taken; the user is asked again.
func confirmState(c vault.Call) string {
	b, _ := json.Marshal(struct {
		Grant, Method, URL string
		Header             map[string][]string
		Body               []byte
		JSON               any
	}{c.Grant, strings.ToUpper(c.Method), c.URL, c.Header, c.Body, c.JSON})
	sum := sha256.Sum256(b)
	return "confirm-write.v1." + base64.RawURLEncoding.EncodeToString(sum[:])
}

func describeOp(pv vault.Preview) string {
	op := pv.Operation.Action
	if op == "" {
		op = "an operation the catalog does not know"
	}
	return op
}

// confirmMessage tells the user what is about to be sent, and on whose
// word: the reason is the agent's claim, not a fact.
func confirmMessage(ctx context.Context, c vault.Call, pv vault.Preview) string {
	var b strings.Builder
	who := session(ctx)
	name := who.Name
	if name == "" {
		name = who.Client
	}
	if name == "" {
		name = "An agent"
	}
	fmt.Fprintf(&b, "%s wants to make a change in AWS with grant %s:\n\n", text.Clip(strings.Join(strings.Fields(name), " "), 200), pv.Grant.Name)
	fmt.Fprintf(&b, "  %s (%s)\n", describeOp(pv), pv.Endpoint.SigningRegion)
	fmt.Fprintf(&b, "  %s %s\n", strings.ToUpper(c.Method), text.Clip(vault.RedactURL(c.URL), 300))
	if c.Tool == "s3_presign" {
		b.WriteString("  as a presigned URL: whoever holds it may upload this object until it expires\n")
	}
	names := make([]string, 0, len(pv.Header))
	for k := range pv.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "  %s: %s\n", k, text.Clip(strings.Join(pv.Header[k], ", "), 200))
	}
	for _, imp := range pv.Implied {
		what := imp.Action
		if imp.Bucket != "" {
			what += " on " + imp.Bucket + "/" + imp.Key
		}
		fmt.Fprintf(&b, "  (%s also makes AWS run %s)\n", imp.Header, what)
	}
	switch {
	case c.File != "" && c.BodyReader != nil:
		// The checksum header above binds the approval to these bytes.
		fmt.Fprintf(&b, "  body: the file %s of the files folder, %d bytes\n", text.Printable(c.File), c.BodyLength)
	case len(c.Body) > 0:
		fmt.Fprintf(&b, "  body: %d bytes\n", len(c.Body))
	}
	if c.Reason != "" {
		// On one line: an agent's line breaks could otherwise draw lines
		// that look like the request's own.
		fmt.Fprintf(&b, "\nReason given by the agent: %s\n", text.Clip(strings.Join(strings.Fields(c.Reason), " "), 300))
	}
	b.WriteString("\nThis grant asks you to confirm every write. Approve this one call?")
	return b.String()
}
