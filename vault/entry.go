package vault

import (
	"cmp"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// newEntry starts the audit entry of a call, a refusal, a decline or
// something issued: who asked, through which client and session, and why.
// Every entry the vault writes starts here, so none lacks the caller, the
// client or the session. The reason is clipped to MaxReasonBytes: a longer
// one is refused, and recorded only that far.
func (v *Vault) newEntry(m callMeta, now time.Time) *audit.Entry {
	return &audit.Entry{
		ID:        cmp.Or(m.auditID, audit.NewID()),
		Time:      now.UTC(),
		Caller:    cmp.Or(m.caller, m.callerLabel),
		Client:    m.client,
		SessionID: m.session,
		// The token's identity, never the token: the vault is never given it.
		TokenIssuer:   m.oauth.Issuer,
		TokenSubject:  m.oauth.Subject,
		TokenClientID: m.oauth.ClientID,
		Tool:          m.tool,
		File:          text.Clip(m.file, 1024),
		TraceID:       m.traceID,
		SpanID:        m.spanID,
		Reason:        text.Clip(m.reason, MaxReasonBytes),
		Decision:      audit.DecisionAllow,
		Approval:      m.approval,
	}
}

// describe records in e where a call goes and which operation it is, by the
// one rule every entry follows: the region is a SigV4a region set, else
// the signing region; the service is the catalog's name, else the
// endpoint's. op may be the zero Operation (not identified yet).
func describe(e *audit.Entry, ep urlparse.Endpoint, op catalog.Operation) {
	e.Region = cmp.Or(ep.RegionSet, ep.SigningRegion)
	e.Service = cmp.Or(op.Service, ep.Service)
	e.Operation, e.EventSource, e.Action, e.ReadOnly = op.Name, op.EventSource, op.Action, op.ReadOnly
}

// NewAuditID returns a fresh audit entry id, for Call.AuditID: a caller that
// names the entry of a call before making it (an MCP tool's result does).
func NewAuditID() string { return audit.NewID() }

// RedactURL and RedactText are the audit trail's redaction (signatures,
// credentials and session tokens in URLs and text), for callers that show
// requests and answers.
func RedactURL(raw string) string { return audit.RedactURL(raw) }

// RedactText: see RedactURL.
func RedactText(s string) string { return audit.RedactText(s) }
