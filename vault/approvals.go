package vault

// Approvals: a write on a confirm_writes grant from an MCP client that
// cannot ask its user is held as a pending approval, in the store, until an
// operator approves or rejects it (alter-mcp approve, or the console) or it
// expires. The server that holds the call waits on the store, so the
// operator may decide from another process, or another replica.

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

// Approval is a write held for an operator's decision (store.Approval).
type Approval = store.Approval

// ApprovalDecision is a decision as the call's audit entry records it.
type ApprovalDecision = audit.Approval

// The statuses of an Approval.
const (
	ApprovalPending   = store.ApprovalPending
	ApprovalApproved  = store.ApprovalApproved
	ApprovalRejected  = store.ApprovalRejected
	ApprovalExpired   = store.ApprovalExpired
	ApprovalWithdrawn = store.ApprovalWithdrawn
	ApprovalSent      = store.ApprovalSent
)

// MaxSummaryBytes caps what an approver is shown of a held call.
const MaxSummaryBytes = 8 << 10

// ApprovalPoll is how often a held call looks for its decision.
const ApprovalPoll = 200 * time.Millisecond

// MaxPendingApprovals caps the writes one caller may have waiting for an
// operator at once: an agent that floods the operator with requests (and
// hopes one is approved in the pile) is refused past it.
const MaxPendingApprovals = 5

// Errors of holding and deciding an approval.
var (
	// ErrTooManyPending: the caller has MaxPendingApprovals writes waiting.
	ErrTooManyPending   = errors.New("too many writes waiting for approval")
	ErrApprovalNotFound = errors.New("no such approval")
	// ErrApprovalClosed: the approval was decided, expired or withdrawn
	// already; nothing changed.
	ErrApprovalClosed = errors.New("approval is no longer pending")
)

// HoldInput is what a held call's approval records.
type HoldInput struct {
	Call    Call
	Preview Preview
	// Name is who asks, as the approver is shown (the session's name).
	Name string
	// Summary is what the approver reads: the method, URL, headers and
	// reason; the vault makes it printable and clips it.
	Summary string
	// Digest binds the approval to the exact call.
	Digest string
	// TTL is how long the approval may wait for a decision.
	TTL time.Duration
}

// HoldApproval stores a pending approval for a write whose client cannot
// ask its user. It is logged at warning level with the commands that decide
// it, so that an operator watching the server sees it.
func (v *Vault) HoldApproval(ctx context.Context, in HoldInput) (Approval, error) {
	if in.TTL <= 0 {
		return Approval{}, fmt.Errorf("%w: an approval needs a positive time to wait", ErrInvalid)
	}
	v.holdMu.Lock() // one count and create at a time, in this process
	defer v.holdMu.Unlock()
	pending, err := v.Approvals(ctx, ApprovalPending, 0)
	if err != nil {
		return Approval{}, fmt.Errorf("hold the write for approval: %w", err)
	}
	n := 0
	for _, p := range pending {
		if p.Caller == in.Call.Caller {
			n++
		}
	}
	if n >= MaxPendingApprovals {
		return Approval{}, fmt.Errorf("%w: %d of this caller's writes wait already (at most %d); an operator decides them with alter-mcp approvals",
			ErrTooManyPending, n, MaxPendingApprovals)
	}
	now := v.now().UTC()
	a := Approval{
		ID: NewApprovalID(), CreatedAt: now, Expires: now.Add(in.TTL),
		Caller: in.Call.Caller, CallerName: text.Clip(text.Printable(in.Name), 200), Client: text.Clip(text.Printable(in.Call.Client), 200),
		GrantID: in.Preview.Grant.ID, GrantName: in.Preview.Grant.Name, Tool: in.Call.Tool, Operation: in.Preview.Operation.Action,
		Summary: text.Clip(text.Printable(in.Summary), MaxSummaryBytes), Digest: in.Digest, AuditID: in.Call.AuditID,
		Status: ApprovalPending,
	}
	if err := v.store.CreateApproval(ctx, &a); err != nil {
		return Approval{}, fmt.Errorf("hold the write for approval: %w", err)
	}
	v.log.Warn("a write waits for an operator's approval: alter-mcp approve "+a.ID+" (or reject "+a.ID+"), or the console",
		"approval", a.ID, "grant", a.GrantName, "operation", a.Operation, "caller", a.CallerName, "expires", a.Expires.Format(time.RFC3339))
	return a, nil
}

// AwaitApproval waits until approval id of caller for the call digest is
// decided, and returns it. An approved approval is taken (it becomes sent)
// so that it lets one call through, once; the caller then sends the call.
// When the approval's time runs out it expires; when ctx ends first it is
// withdrawn and ctx's error returned. An approval of another caller or
// another call is not this call's: ErrApprovalNotFound.
func (v *Vault) AwaitApproval(ctx context.Context, id, caller, digest string) (Approval, error) {
	t := time.NewTicker(ApprovalPoll)
	defer t.Stop()
	for {
		a, err := v.store.GetApproval(ctx, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && (a.Caller != caller || a.Digest != digest) {
			return Approval{}, fmt.Errorf("%w: %s", ErrApprovalNotFound, text.Clip(id, 40))
		}
		if err != nil && ctx.Err() == nil {
			return Approval{}, err
		}
		if err == nil {
			switch now := v.now(); {
			case a.Status == ApprovalApproved:
				sent, err := v.store.MoveApproval(ctx, id, ApprovalApproved, ApprovalSent, "", time.Time{})
				if errors.Is(err, store.ErrConflict) {
					continue // taken by another round of the same call; read what it is now
				}
				if err != nil {
					return Approval{}, err
				}
				sent.Status = ApprovalApproved // for this call: approved, and now spent
				return *sent, nil
			case a.Status != ApprovalPending:
				return *a, nil
			case !now.Before(a.Expires):
				if _, err := v.store.MoveApproval(ctx, id, ApprovalPending, ApprovalExpired, "timeout", now.UTC()); err != nil && !errors.Is(err, store.ErrConflict) {
					return Approval{}, err
				}
				continue // expired, or decided just before: read which
			}
		}
		select {
		case <-ctx.Done():
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_, _ = v.store.MoveApproval(wctx, id, ApprovalPending, ApprovalWithdrawn, "the client (it cancelled the call)", v.now().UTC())
			cancel()
			return Approval{}, ctx.Err()
		case <-t.C:
		}
	}
}

// DecideApproval approves or rejects a pending approval on the word of by
// (an operator's name with how they decided: "alice (console)"). It fails
// with ErrApprovalNotFound, or ErrApprovalClosed when the approval was
// decided already or its time ran out (it is then marked expired).
func (v *Vault) DecideApproval(ctx context.Context, id string, approve bool, by string) (Approval, error) {
	by = text.Clip(text.Printable(strings.TrimSpace(by)), 200)
	if by == "" {
		return Approval{}, fmt.Errorf("%w: a decision names who made it", ErrInvalid)
	}
	a, err := v.store.GetApproval(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Approval{}, fmt.Errorf("%w: %s", ErrApprovalNotFound, text.Clip(text.Printable(id), 40))
	}
	if err != nil {
		return Approval{}, err
	}
	now := v.now().UTC()
	if a.Status == ApprovalPending && !now.Before(a.Expires) {
		_, _ = v.store.MoveApproval(ctx, id, ApprovalPending, ApprovalExpired, "timeout", now)
		return *a, fmt.Errorf("%w: %s expired at %s, unanswered", ErrApprovalClosed, id, a.Expires.Format(time.RFC3339))
	}
	to := ApprovalRejected
	if approve {
		to = ApprovalApproved
	}
	moved, err := v.store.MoveApproval(ctx, id, ApprovalPending, to, by, now)
	if errors.Is(err, store.ErrConflict) {
		if cur, gerr := v.store.GetApproval(ctx, id); gerr == nil {
			a = cur
		}
		return *a, fmt.Errorf("%w: %s is %s (by %s)", ErrApprovalClosed, id, a.Status, a.DecidedBy)
	}
	if err != nil {
		return Approval{}, err
	}
	v.log.Info("approval decided", "approval", id, "decision", to, "by", by, "grant", a.GrantName, "operation", a.Operation)
	return *moved, nil
}

// Approval returns approval id.
func (v *Vault) Approval(ctx context.Context, id string) (Approval, error) {
	a, err := v.store.GetApproval(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Approval{}, fmt.Errorf("%w: %s", ErrApprovalNotFound, text.Clip(text.Printable(id), 40))
	}
	if err != nil {
		return Approval{}, err
	}
	return *a, nil
}

// Approvals lists approvals, newest first: those with status (all for ""),
// at most limit (0: all). A pending approval whose time ran out with no
// server left to mark it (the server stopped) is shown expired.
func (v *Vault) Approvals(ctx context.Context, status string, limit int) ([]Approval, error) {
	as, err := v.store.ListApprovals(ctx, store.ApprovalQuery{Status: status, Limit: limit})
	if err != nil {
		return nil, err
	}
	now := v.now()
	out := make([]Approval, 0, len(as))
	for _, a := range as {
		if a.Status == ApprovalPending && !now.Before(a.Expires) {
			a.Status = ApprovalExpired
			if status == ApprovalPending {
				continue
			}
		}
		out = append(out, *a)
	}
	return out, nil
}

var approvalIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ValidApprovalID reports whether id has the shape NewApprovalID makes:
// "apr_" and 26 lower-case base32 characters.
func ValidApprovalID(id string) bool {
	if len(id) != 30 || !strings.HasPrefix(id, "apr_") {
		return false
	}
	for _, c := range id[4:] {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// NewApprovalID returns a fresh approval id: "apr_" and 26 random base32
// characters (130 bits), lower-case.
func NewApprovalID() string {
	var b [17]byte
	_, _ = rand.Read(b[:])
	return "apr_" + strings.ToLower(approvalIDEncoding.EncodeToString(b[:])[:26])
}
