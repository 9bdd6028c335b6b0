package tools

// Writes held for an operator. On a confirm_writes grant, a client that
// cannot show its user a form cannot confirm a write; instead of refusing,
// the server holds the call as a pending approval in the store (the vault's
// HoldApproval) until an operator approves or rejects it, with `alter-mcp
// approve ID` / `reject ID` or in the console, or it expires. The call's
// result then says what happened, and its audit entry who decided.
//
// A client that supports URL elicitation is sent to the approval's page in
// the console (serve --approval-url) first: its user may be the operator.
// The page needs the console's sign-in, so the URL itself approves nothing,
// and the answer the client sends back (accept) only means the page was
// opened: the decision is read from the store, and must be this caller's,
// for this exact call.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/vault"
)

// Approvals configure writes held for an operator's decision.
type Approvals struct {
	// Wait is how long a held write waits for a decision; 0 refuses such
	// writes at once (serve --approval-wait).
	Wait time.Duration
	// ConsoleURL is the console's address as the operator's browser
	// reaches it (serve --approval-url); clients that support URL
	// elicitation are sent to ConsoleURL/approvals/ID. "": none are.
	ConsoleURL string
}

// DefaultApprovalWait is how long a held write waits unless the server
// says otherwise (serve --approval-wait).
const DefaultApprovalWait = 2 * time.Minute

// approvalNotice is how often a held call tells the client it still waits.
const approvalNotice = 10 * time.Second

// holdForApproval holds c for an operator: it stores the pending approval,
// then waits for its decision, or first sends the client to its page.
func (tb *toolbox) holdForApproval(ctx context.Context, req mcp.CallToolRequest, c *vault.Call, pv vault.Preview, state string) *mcp.CallToolResult {
	who := session(ctx)
	a, err := tb.vault.HoldApproval(ctx, vault.HoldInput{Call: *c, Preview: pv, Name: cmpName(who), Summary: confirmMessage(ctx, *c, pv),
		Digest: state, TTL: tb.approvals.Wait})
	if err != nil {
		code, what := "approval_failed", "This write needs an operator's approval and could not be held for one: "+err.Error()
		if errors.Is(err, vault.ErrTooManyPending) {
			code, what = "approval_queue_full", "This write needs an operator's approval, and "+err.Error()+"; wait for them to be decided before asking for more"
		}
		return tb.refuseWrite(ctx, c, pv, &vault.ApprovalDecision{Decision: code, By: "no one", Via: "held", At: tb.now().UTC()}, code, what)
	}
	if tb.approvals.ConsoleURL != "" && canElicit(ctx, mcp.ElicitationModeURL) {
		return server.NewInputRequestBuilder(state+"."+a.ID).Elicit(confirmInputID, mcp.ElicitationParams{
			Mode:          mcp.ElicitationModeURL,
			ElicitationID: a.ID,
			URL:           approvalPage(tb.approvals.ConsoleURL, a.ID),
			Message: fmt.Sprintf("Grant %s asks for a person's approval of every write. Open the approval page of the alter-mcp console "+
				"(signed in as its operator) to approve or reject %s; the call waits until %s.", pv.Grant.Name, describeOp(pv), a.Expires.Format(time.Kitchen)),
		}).ToolResult()
	}
	return tb.awaitDecision(ctx, req, c, pv, a.ID, state, "held")
}

// urlAnswered handles the client's answer to the approval page's URL: the
// user opened it (accept), and the call waits for the decision; or the
// user would not (decline, cancel), and the write is refused.
func (tb *toolbox) urlAnswered(ctx context.Context, req mcp.CallToolRequest, c *vault.Call, pv vault.Preview, state, id string) *mcp.CallToolResult {
	if !vault.ValidApprovalID(id) { // the request state came back from the client: it names no approval
		return tb.refuseWrite(ctx, c, pv, &vault.ApprovalDecision{Decision: "approval_not_found", By: "no one", Via: "url", At: tb.now().UTC()},
			"approval_not_found", "The answer names no approval of this server")
	}
	ans := server.ElicitationResponse(req.Params.InputResponses, confirmInputID)
	if ans != nil && ans.Action != mcp.ElicitationResponseActionAccept {
		// Withdraw it, if it is still this call's pending approval.
		if a, err := tb.vault.Approval(ctx, id); err == nil && a.Caller == c.Caller && a.Digest == state && a.Status == vault.ApprovalPending {
			_, _ = tb.vault.DecideApproval(ctx, id, false, theUser(*c)+" (declined to open the approval page)")
		}
		return tb.refuseWrite(ctx, c, pv, &vault.ApprovalDecision{ID: id, Decision: "declined", By: theUser(*c), Via: "url", At: tb.now().UTC()},
			"declined", "The user declined to open the approval page of this write")
	}
	return tb.awaitDecision(ctx, req, c, pv, id, state, "url")
}

// awaitDecision waits for approval id's decision: nil when approved (and
// c.Approval set), else the refusal.
func (tb *toolbox) awaitDecision(ctx context.Context, req mcp.CallToolRequest, c *vault.Call, pv vault.Preview, id, state, via string) *mcp.CallToolResult {
	stop := tb.noticeWaiting(ctx, req, id)
	a, err := tb.vault.AwaitApproval(ctx, id, c.Caller, state)
	stop()
	if err != nil {
		// Audited too: the call was held, and went no further.
		d := &vault.ApprovalDecision{ID: id, Decision: vault.ApprovalWithdrawn, By: "the client (it cancelled the call)", Via: via, At: tb.now().UTC()}
		if ctx.Err() != nil {
			return tb.refuseWrite(ctx, c, pv, d, "withdrawn", "The call was cancelled while it waited for an operator's approval, and its approval withdrawn")
		}
		code := "approval_failed"
		if errors.Is(err, vault.ErrApprovalNotFound) {
			code = "approval_not_found"
		}
		d.Decision, d.By = code, "no one"
		return tb.refuseWrite(ctx, c, pv, d, code, "The approval of this write could not be read: "+err.Error())
	}
	d := &vault.ApprovalDecision{ID: a.ID, Decision: a.Status, By: a.DecidedBy, Via: via, At: a.DecidedAt}
	switch a.Status {
	case vault.ApprovalApproved:
		tb.log.Info("write approved by an operator", "approval", a.ID, "by", a.DecidedBy, "grant", pv.Grant.ID, "operation", pv.Operation.Action)
		c.Approval = d
		return nil
	case vault.ApprovalRejected:
		return tb.refuseWrite(ctx, c, pv, d, "rejected", fmt.Sprintf("An operator (%s) rejected this write", a.DecidedBy))
	case vault.ApprovalExpired:
		return tb.refuseWrite(ctx, c, pv, d, "approval_expired",
			fmt.Sprintf("No operator approved this write within %s (approval %s expired)", a.Expires.Sub(a.CreatedAt).Round(time.Second), a.ID))
	}
	return tb.refuseWrite(ctx, c, pv, d, "withdrawn", fmt.Sprintf("The approval of this write was %s (%s)", a.Status, a.DecidedBy))
}

// refuseWrite refuses c, recording decision d in its audit entry.
func (tb *toolbox) refuseWrite(ctx context.Context, c *vault.Call, pv vault.Preview, d *vault.ApprovalDecision, code, what string) *mcp.CallToolResult {
	c.Approval = d
	b := errorBody{Error: code, Grant: pv.Grant.Name, Rule: ruleConfirmWrites,
		Message: fmt.Sprintf("%s (%s). Nothing was sent to AWS. Do not repeat it unless the user asks you to.", what, describeOp(pv))}
	b.AuditID = tb.vault.Decline(ctx, *c, pv, ruleConfirmWrites, what)
	return errorResult(b)
}

// noticeWaiting tells a client that asked for progress, every
// approvalNotice, that the call waits for approval id (a client may reset
// its request timeout on progress); stop ends it.
func (tb *toolbox) noticeWaiting(ctx context.Context, req mcp.CallToolRequest, id string) (stop func()) {
	p := newProgress(ctx, req, 0)
	msg := "waiting for an operator to approve this write: alter-mcp approve " + id + " (or reject " + id + "), or the console"
	if p == nil {
		return func() {}
	}
	p.report(msg)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(approvalNotice)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				p.report(msg)
			}
		}
	}()
	return func() { close(done) }
}

// approvalPage is the console's page of approval id.
func approvalPage(consoleURL, id string) string {
	return strings.TrimRight(consoleURL, "/") + "/approvals/" + id
}

// cmpName names who asks, for the approver.
func cmpName(s Session) string {
	if s.Name != "" {
		return s.Name
	}
	if s.Client != "" {
		return s.Client
	}
	return "an agent"
}
