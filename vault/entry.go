package vault

import (
	"cmp"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
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
		Tool:      m.tool,
		Reason:    clip(m.reason, MaxReasonBytes),
		Decision:  audit.DecisionAllow,
	}
}
