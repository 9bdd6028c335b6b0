package vault

import (
	"context"

	"github.com/alter-mcp/alter-mcp/audit"
)

// Auditor records calls: Begin before anything is sent (an error stops the
// call), End after the answer. The audit package implements it
// (audit.Recorder).
//
// A call refused before it is sent is recorded with Begin and End too, with
// Decision "deny" and Outcome "denied".
type Auditor interface {
	Begin(ctx context.Context, e *audit.Entry) error
	End(ctx context.Context, e *audit.Entry) error
}
