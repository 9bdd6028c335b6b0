package vault

// A look at a call before it is sent (Preview, Identify), so that a caller
// such as an MCP tool can ask the user to confirm a write
// (policy.ConfirmWrites) only when the vault would send it, and the record
// of a call its caller then chose not to send (Decline).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Preview is what the vault makes of a call before sending it.
type Preview struct {
	Endpoint  urlparse.Endpoint
	Operation catalog.Operation
	Grant     Grant
	// Decision is the grant's policy on the call. Rate limits are not
	// applied: Preview takes no token.
	Decision policy.Decision
	// Confirm is set when the grant asks the user to confirm writes
	// (policy.ConfirmWrites) and the call is not read-only.
	Confirm bool
	// Implied are the actions the call's headers add to the operation's
	// (catalog.HeaderActions): a copy source read, an ACL set.
	Implied []catalog.Implied
	// Header is the call's headers as they will be sent, for showing the
	// user what is confirmed.
	Header http.Header
}

// Preview reads c as Request would, up to the policy decision, without
// sending it, auditing it or taking a rate-limit token: where it goes, which
// operation it is, and what the grant's policy says. It returns the errors
// Request would return before that point (ErrInvalid, ErrNotAWS,
// ErrGrantNotFound, ErrGrantRevoked, ErrGrantExpired, ErrCredentials,
// ErrCaller*); a denial is a Decision, not an error.
//
// A preview is not a promise: only Request decides, and audits, the call.
// Call Request for refused calls too, so that the refusal is audited. A body
// given as BodyReader is not read; the operation of a query-protocol call
// whose Action is in such a body is then unknown.
func (v *Vault) Preview(ctx context.Context, c Call) (Preview, error) {
	var p Preview
	o, u, err := v.identify(&c, &p)
	if err != nil {
		return p, err
	}
	g, err := v.loadGrant(ctx, o.meta.grant)
	if err != nil {
		return p, err
	}
	now := v.now()
	if err := v.usable(g, now); err != nil {
		return p, err
	}
	if err := v.checkCaller(ctx, o.meta.caller, g); err != nil {
		return p, err
	}
	pol, err := decodePolicy(g)
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	p.Grant = v.grantView(g)
	in := inputFor(p.Endpoint, p.Operation, o.method, u)
	in.Reason, in.Caller, in.Time, in.BodyBytes = o.meta.reason, o.meta.caller, now, 0
	if o.body.present() {
		in.BodyBytes = o.body.length
	}
	j := judge(&pol, in, p.Operation, o.header)
	p.Decision, p.Implied, p.Header = j.decision, j.implied, o.header
	p.Confirm = pol.ConfirmWrites && !p.Operation.ReadOnly
	for _, imp := range j.implied {
		p.Confirm = p.Confirm || (pol.ConfirmWrites && !imp.ReadOnly)
	}
	return p, nil
}

// Identify tells where c goes and which operation it is, as Request will:
// the Endpoint and Operation of a Preview, without reading the store (no
// grant, no caller, no policy). Tools describe their results with it when
// they need no policy decision before sending.
func (v *Vault) Identify(c Call) (Preview, error) {
	var p Preview
	_, _, err := v.identify(&c, &p)
	return p, err
}

func (v *Vault) identify(c *Call, p *Preview) (*outgoing, *url.URL, error) {
	o, err := outgoingFromCall(c)
	if err != nil {
		return nil, nil, err
	}
	if p.Endpoint, err = v.parser.Parse(o.rawURL); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotAWS, err)
	}
	u, err := url.Parse(o.rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotAWS, err)
	}
	var data []byte
	if o.body != nil {
		data = o.body.data
	}
	p.Operation = catalog.Identify(p.Endpoint, o.method, u.EscapedPath(), u.RawQuery, o.header, data)
	return o, u, nil
}

// Decline records in the audit trail a call that its caller chose not to
// send after Preview, such as a write the user declined to confirm: a
// denial with rule and message, as Request records the calls it refuses.
// Nothing is sent. It returns the audit entry's id, or "" (the failure is
// logged) when the entry could not be written.
func (v *Vault) Decline(ctx context.Context, c Call, p Preview, rule, message string) string {
	o, err := outgoingFromCall(&c)
	if err != nil {
		o = &outgoing{method: c.Method, rawURL: c.URL}
	}
	m := o.meta
	if err != nil {
		m = callMeta{caller: c.Caller, callerLabel: c.CallerLabel, client: c.Client, session: c.SessionID, tool: c.Tool, reason: c.Reason, oauth: c.OAuth,
			traceID: c.TraceID, spanID: c.SpanID, approval: c.Approval, auditID: c.AuditID}
	}
	if !audit.ValidID(m.auditID) {
		m.auditID = ""
	}
	// The entry takes the call's own id when it has one (an approval
	// names it), else a new one.
	e := v.newEntry(m, v.now())
	e.Decision, e.Rule = audit.DecisionDeny, rule
	e.Method, e.URL = o.method, audit.RedactURL(text.Clip(o.rawURL, MaxURLBytes))
	e.GrantID, e.GrantName = p.Grant.ID, p.Grant.Name
	describe(e, p.Endpoint, p.Operation)
	if o.body.present() {
		e.RequestBytes = max(o.body.length, 0)
	}
	if b, err := contextJSON(c.Context); err == nil && len(b) <= MaxContextBytes {
		e.Context = b
	}
	e.Outcome, e.ErrorMessage = audit.OutcomeDenied, text.Clip(message, 1024)
	actx := context.WithoutCancel(ctx)
	if err := v.auditor.Begin(actx, e); err != nil {
		v.log.Error("audit of a declined call failed", "rule", rule, "err", err)
		return ""
	}
	v.end(actx, e)
	v.log.Info("call declined", "grant", e.GrantID, "caller", e.Caller, "rule", rule, "operation", e.Action)
	return e.ID
}
