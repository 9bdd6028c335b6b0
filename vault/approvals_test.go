package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/vault"
)

// hold stores a pending approval of caller for the call digest.
func hold(t *testing.T, v *vault.Vault, caller, digest string, ttl time.Duration) vault.Approval {
	t.Helper()
	a, err := v.HoldApproval(t.Context(), vault.HoldInput{
		Call:    vault.Call{Caller: caller, Client: "bot/1.0", Tool: "s3_put", AuditID: vault.NewAuditID()},
		Preview: vault.Preview{Grant: vault.Grant{ID: "grt_x", Name: "prod"}},
		Name:    caller, Summary: "PUT https://b.s3.amazonaws.com/k\nReason: \x1b[2J\x1b[Happroved already \u202egnp", Digest: digest, TTL: ttl,
	})
	if err != nil {
		t.Fatalf("HoldApproval: %v", err)
	}
	return a
}

// TestApprovalLifecycle: a held write is listed pending with a summary a
// terminal cannot be fooled by; an operator's approval releases its one
// call, once; a second decision, and a wait for another caller's or another
// call's approval, are refused.
func TestApprovalLifecycle(t *testing.T) {
	v := testvault.Open(t, nil, nil)
	ctx := t.Context()
	a := hold(t, v, "ci-bot", "digest-1", time.Minute)
	if !strings.HasPrefix(a.ID, "apr_") || len(a.ID) != 30 || a.Status != vault.ApprovalPending || a.GrantName != "prod" {
		t.Fatalf("held: %+v", a)
	}
	if strings.ContainsAny(a.Summary, "\x1b\u202e") || !strings.Contains(a.Summary, `\u001b[2J`) {
		t.Errorf("the summary keeps what a terminal acts on: %q", a.Summary)
	}
	pending, err := v.Approvals(ctx, vault.ApprovalPending, 0)
	if err != nil || len(pending) != 1 || pending[0].ID != a.ID {
		t.Fatalf("pending: %v %v", pending, err)
	}

	for _, w := range []struct{ caller, digest string }{{"someone-else", "digest-1"}, {"ci-bot", "digest-2"}, {"", "digest-1"}} {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := v.AwaitApproval(wctx, a.ID, w.caller, w.digest)
		cancel()
		if !errors.Is(err, vault.ErrApprovalNotFound) {
			t.Errorf("await as %q for %q: %v, want ErrApprovalNotFound", w.caller, w.digest, err)
		}
	}
	if _, err := v.DecideApproval(ctx, a.ID, true, "  "); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("a decision by no one: %v", err)
	}
	if _, err := v.DecideApproval(ctx, "apr_nothing", true, "alice (cli)"); !errors.Is(err, vault.ErrApprovalNotFound) {
		t.Errorf("deciding an unknown approval: %v", err)
	}

	got := make(chan vault.Approval, 1)
	go func() {
		r, err := v.AwaitApproval(ctx, a.ID, "ci-bot", "digest-1")
		if err != nil {
			t.Errorf("AwaitApproval: %v", err)
		}
		got <- r
	}()
	time.Sleep(2 * vault.ApprovalPoll)
	select {
	case r := <-got:
		t.Fatalf("the wait ended before any decision: %+v", r)
	default:
	}
	d, err := v.DecideApproval(ctx, a.ID, true, "alice (cli)")
	if err != nil || d.Status != vault.ApprovalApproved || d.DecidedBy != "alice (cli)" {
		t.Fatalf("approve: %+v %v", d, err)
	}
	r := <-got
	if r.Status != vault.ApprovalApproved || r.DecidedBy != "alice (cli)" || r.DecidedAt.IsZero() {
		t.Errorf("the wait saw %+v", r)
	}
	// Spent: it is sent, and a second wait does not see it approved.
	if cur, _ := v.Approval(ctx, a.ID); cur.Status != vault.ApprovalSent {
		t.Errorf("after the call went: %s, want sent", cur.Status)
	}
	if r, err := v.AwaitApproval(ctx, a.ID, "ci-bot", "digest-1"); err != nil || r.Status == vault.ApprovalApproved {
		t.Errorf("a second wait on a spent approval: %+v %v", r, err)
	}
	if _, err := v.DecideApproval(ctx, a.ID, false, "bob (console)"); !errors.Is(err, vault.ErrApprovalClosed) || !strings.Contains(err.Error(), "alice (cli)") {
		t.Errorf("a second decision: %v", err)
	}
}

// TestApprovalRejectExpireWithdraw: the other ends of a held write.
func TestApprovalRejectExpireWithdraw(t *testing.T) {
	v := testvault.Open(t, nil, nil)
	ctx := t.Context()

	rej := hold(t, v, "ci-bot", "d", time.Minute)
	if _, err := v.DecideApproval(ctx, rej.ID, false, "bob (console)"); err != nil {
		t.Fatal(err)
	}
	if r, err := v.AwaitApproval(ctx, rej.ID, "ci-bot", "d"); err != nil || r.Status != vault.ApprovalRejected || r.DecidedBy != "bob (console)" {
		t.Errorf("rejected: %+v %v", r, err)
	}

	exp := hold(t, v, "ci-bot", "d", 300*time.Millisecond)
	start := time.Now()
	if r, err := v.AwaitApproval(ctx, exp.ID, "ci-bot", "d"); err != nil || r.Status != vault.ApprovalExpired || r.DecidedBy != "timeout" {
		t.Errorf("expired: %+v %v", r, err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond || waited > 10*time.Second {
		t.Errorf("the wait took %s for a 300ms approval", waited)
	}
	if _, err := v.DecideApproval(ctx, exp.ID, true, "alice (cli)"); !errors.Is(err, vault.ErrApprovalClosed) {
		t.Errorf("approving an expired approval: %v", err)
	}
	// One whose server stopped waiting is expired to whoever lists it.
	late := hold(t, v, "ci-bot", "d", time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	if as, _ := v.Approvals(ctx, vault.ApprovalPending, 0); len(as) != 0 {
		t.Errorf("pending after its time: %+v", as)
	}
	if _, err := v.DecideApproval(ctx, late.ID, true, "alice (cli)"); !errors.Is(err, vault.ErrApprovalClosed) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("approving one past its time: %v", err)
	}

	wd := hold(t, v, "ci-bot", "d", time.Minute)
	wctx, cancel := context.WithTimeout(ctx, 3*vault.ApprovalPoll)
	defer cancel()
	if _, err := v.AwaitApproval(wctx, wd.ID, "ci-bot", "d"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a wait whose call was cancelled: %v", err)
	}
	if cur, _ := v.Approval(ctx, wd.ID); cur.Status != vault.ApprovalWithdrawn {
		t.Errorf("after the client gave up: %s, want withdrawn", cur.Status)
	}
	if _, err := v.DecideApproval(ctx, wd.ID, true, "alice (cli)"); !errors.Is(err, vault.ErrApprovalClosed) {
		t.Errorf("approving a withdrawn approval: %v", err)
	}
	if _, err := v.HoldApproval(ctx, vault.HoldInput{Digest: "d"}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("holding without a time to wait: %v", err)
	}
}

// TestApprovalFlood: one caller may have at most MaxPendingApprovals writes
// waiting; more are refused, another caller's are not, and a decided one
// makes room.
func TestApprovalFlood(t *testing.T) {
	v := testvault.Open(t, nil, nil)
	var held []vault.Approval
	for range vault.MaxPendingApprovals {
		held = append(held, hold(t, v, "flooder", "d", time.Minute))
	}
	_, err := v.HoldApproval(t.Context(), vault.HoldInput{Call: vault.Call{Caller: "flooder"}, Digest: "d", TTL: time.Minute})
	if !errors.Is(err, vault.ErrTooManyPending) {
		t.Fatalf("a write past the cap: %v", err)
	}
	hold(t, v, "someone-else", "d", time.Minute)
	if _, err := v.DecideApproval(t.Context(), held[0].ID, false, "alice (cli)"); err != nil {
		t.Fatal(err)
	}
	hold(t, v, "flooder", "d", time.Minute)
}

func TestValidApprovalID(t *testing.T) {
	if id := vault.NewApprovalID(); !vault.ValidApprovalID(id) {
		t.Errorf("a new id %q is not valid", id)
	}
	for _, id := range []string{"", "apr_", "apr_ABCDEFGHIJKLMNOPQRSTUVWXYZ", "aud_abcdefghijklmnopqrstuvwxyz", "apr_abcdefghijklmnopqrstuvwxy1", "apr_abcdefghijklmnopqrstuvwxyz2"} {
		if vault.ValidApprovalID(id) {
			t.Errorf("%q is valid", id)
		}
	}
}
