package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// urlElicitor is a client that can show URLs only (URL elicitation): it
// records each URL and answers with action.
type urlElicitor struct {
	mu     sync.Mutex
	urls   []string
	modes  []string
	action mcp.ElicitationResponseAction
}

func (h *urlElicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.urls, h.modes = append(h.urls, req.Params.URL), append(h.modes, req.Params.Mode)
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: h.action}}, nil
}

var urlOnly = client.WithClientCapabilities(mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{URL: &struct{}{}}})

// TestHeldWrites: on a confirm_writes grant, a client that cannot ask its
// user has its write held until an operator decides, against moto, in both
// protocol eras: approved, the write happens and its audit entry names who
// approved; rejected or unanswered, nothing is sent. A client that supports
// URL elicitation is sent to the approval's page in the console first.
func TestHeldWrites(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "tools-held")
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	ctx := t.Context()
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	rw := e.grant(t, "admin", policy.Policy{}, key)
	confirm := e.grant(t, "confirm", policy.Policy{ConfirmWrites: true}, key)
	if _, _, err := e.v.AddCaller(ctx, "ci-bot", []string{confirm.ID}); err != nil {
		t.Fatal(err)
	}
	bot := Session{Caller: "ci-bot", Name: "ci-bot", Client: "bot/1.0", SessionID: "bot-session"}
	held := e.server(t, Deps{Approvals: Approvals{Wait: 30 * time.Second, ConsoleURL: "http://127.0.0.1:8788/"}}, Options{}, bot)
	hasty := e.server(t, Deps{Approvals: Approvals{Wait: 500 * time.Millisecond}}, Options{}, bot)
	op := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")
	const bucket = "tools-held-bucket"
	op.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + bucket})
	exists := func(key string) bool {
		res, _ := op.call(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": key})
		return !res.IsError
	}
	// put calls s3_put from cl in the background; decide, once the
	// approval is pending, decides it (nil: leaves it).
	put := func(cl *mcpClient, key string, decide func(a vault.Approval)) map[string]any {
		t.Helper()
		done := make(chan map[string]any, 1)
		go func() {
			_, m := cl.call(t, "s3_put", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": key, "content": "held",
				"reason": "nightly export"})
			done <- m
		}()
		if decide != nil {
			a := waitPending(t, e.v, key)
			if exists(key) {
				t.Errorf("%s was written before anyone approved it", key)
			}
			decide(a)
		}
		select {
		case m := <-done:
			return m
		case <-time.After(60 * time.Second):
			t.Fatalf("the held call of %s never ended", key)
			return nil
		}
	}
	decide := func(approve bool, by string) func(vault.Approval) {
		return func(a vault.Approval) {
			if _, err := e.v.DecideApproval(ctx, a.ID, approve, by); err != nil {
				t.Errorf("DecideApproval: %v", err)
			}
		}
	}
	entry := func(m map[string]any) vault.ApprovalDecision {
		t.Helper()
		en, _, err := e.v.AuditLog().Get(ctx, str(m, "audit_id"))
		if err != nil || en.Approval == nil {
			t.Fatalf("the audit entry of %v: %+v %v", m, en, err)
		}
		if en.Caller != "ci-bot" || en.Tool != "s3_put" || en.Reason != "nightly export" {
			t.Errorf("the audit entry: %+v", en)
		}
		return *en.Approval
	}

	for _, version := range []string{"", legacy2025} {
		mute := e.connect(t, held, version)
		key := "approved" + version
		m := put(mute, key, func(a vault.Approval) {
			if a.Caller != "ci-bot" || a.Operation != "s3:PutObject" || !strings.Contains(a.Summary, "nightly export") || !strings.Contains(a.Summary, bucket) {
				t.Errorf("the approval shows: %+v", a)
			}
			decide(true, "alice (console)")(a)
		})
		if str(m, "error") != "" || !exists(key) {
			t.Fatalf("%q: the approved write: %v (written: %v)", version, m, exists(key))
		}
		if d := entry(m); d.Decision != "approved" || d.By != "alice (console)" || d.Via != "held" || !strings.HasPrefix(d.ID, "apr_") {
			t.Errorf("%q: the audit records %+v", version, d)
		}

		key = "rejected" + version
		m = put(mute, key, decide(false, "bob (cli)"))
		if str(m, "error") != "rejected" || str(m, "rule") != "confirm_writes" || !strings.Contains(str(m, "message"), "bob (cli)") || exists(key) {
			t.Errorf("%q: the rejected write: %v (written: %v)", version, m, exists(key))
		}
		if d := entry(m); d.Decision != "rejected" || d.By != "bob (cli)" {
			t.Errorf("%q: the audit of the rejection records %+v", version, d)
		}

		key = "expired" + version
		m = put(e.connect(t, hasty, version), key, nil)
		if str(m, "error") != "approval_expired" || exists(key) {
			t.Errorf("%q: the unanswered write: %v (written: %v)", version, m, exists(key))
		}
		if d := entry(m); d.Decision != "expired" || d.By != "timeout" {
			t.Errorf("%q: the audit of the expiry records %+v", version, d)
		}

		// URL elicitation: the client is sent to the console's page of the
		// approval; opening it approves nothing, the operator's word does.
		for _, action := range []mcp.ElicitationResponseAction{mcp.ElicitationResponseActionAccept, mcp.ElicitationResponseActionDecline} {
			h := &urlElicitor{action: action}
			cl := e.connect(t, held, version, urlOnly, client.WithElicitationHandler(h))
			key = "url-" + string(action) + version
			var ap vault.Approval
			if action == mcp.ElicitationResponseActionAccept {
				m = put(cl, key, func(a vault.Approval) {
					ap = a
					time.Sleep(3 * vault.ApprovalPoll) // the page was opened, and no one decided yet
					if exists(key) {
						t.Errorf("%q: opening the page wrote %s", version, key)
					}
					decide(true, "alice (console)")(a)
				})
				if str(m, "error") != "" || !exists(key) {
					t.Errorf("%q: the write approved through the page: %v", version, m)
				}
				if d := entry(m); d.Via != "url" || d.By != "alice (console)" {
					t.Errorf("%q: the audit records %+v", version, d)
				}
			} else {
				m = put(cl, key, nil)
				if str(m, "error") != "declined" || exists(key) {
					t.Errorf("%q: the write whose page the user would not open: %v", version, m)
				}
			}
			h.mu.Lock()
			if len(h.urls) != 1 || h.modes[0] != mcp.ElicitationModeURL || !strings.HasPrefix(h.urls[0], "http://127.0.0.1:8788/approvals/apr_") ||
				ap.ID != "" && h.urls[0] != "http://127.0.0.1:8788/approvals/"+ap.ID {
				t.Errorf("%q %s: the client was sent to %v (%v)", version, action, h.urls, h.modes)
			}
			h.mu.Unlock()
		}
	}
	// A client that gives up withdraws its approval, and the audit says so.
	cl := e.connect(t, held, "")
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "s3_put"
		req.Params.Arguments = map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": "given-up", "content": "x"}
		_, err := cl.CallTool(cctx, req)
		gaveUp <- err
	}()
	gone := waitPending(t, e.v, "given-up")
	cancel()
	<-gaveUp
	var withdrawn *vault.ApprovalDecision
	for deadline := time.Now().Add(10 * time.Second); withdrawn == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if en, _, err := e.v.AuditLog().Get(ctx, gone.AuditID); err == nil && en.Approval != nil {
			withdrawn = en.Approval
			if en.Rule != "confirm_writes" || en.Decision != "deny" {
				t.Errorf("the audit of a withdrawn write: %+v", en)
			}
		}
	}
	if withdrawn == nil || withdrawn.Decision != vault.ApprovalWithdrawn {
		t.Errorf("the audit of a write whose client gave up: %+v", withdrawn)
	}
	if cur, _ := e.v.Approval(ctx, gone.ID); cur.Status != vault.ApprovalWithdrawn || exists("given-up") {
		t.Errorf("a write whose client gave up: approval %s, written %v", cur.Status, exists("given-up"))
	}

	// A grant revoked while its write waited is refused when the write is
	// approved: the call reads the store again after waiting.
	const revoked = "revoked-while-held"
	m := put(e.connect(t, held, ""), revoked, func(a vault.Approval) {
		if err := e.v.RevokeGrant(ctx, confirm.ID); err != nil {
			t.Fatal(err)
		}
		decide(true, "alice (console)")(a)
	})
	if str(m, "error") != "grant_revoked" || exists(revoked) {
		t.Errorf("the write approved after its grant was revoked: %v (written: %v)", m, exists(revoked))
	}

	// Decided approvals stay listed with who decided.
	all, err := e.v.Approvals(ctx, "", 0)
	if err != nil || len(all) != 12 {
		t.Fatalf("approvals: %d %v", len(all), err)
	}
	seen := map[string]int{}
	for _, a := range all {
		seen[a.Status]++
	}
	if seen[vault.ApprovalSent] != 5 || seen[vault.ApprovalRejected] != 4 || seen[vault.ApprovalExpired] != 2 || seen[vault.ApprovalWithdrawn] != 1 {
		t.Errorf("statuses: %v", seen)
	}
}

// TestHeldWritesFlood: an agent that already has MaxPendingApprovals
// writes waiting gets approval_queue_full at once, audited, and the
// operator is not asked again.
func TestHeldWritesFlood(t *testing.T) {
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, nil)
	confirm := e.grant(t, "confirm", policy.Policy{ConfirmWrites: true}, vault.StaticCredentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"})
	if _, _, err := e.v.AddCaller(t.Context(), "ci-bot", []string{confirm.ID}); err != nil {
		t.Fatal(err)
	}
	for range vault.MaxPendingApprovals {
		if _, err := e.v.HoldApproval(t.Context(), vault.HoldInput{Call: vault.Call{Caller: "ci-bot"}, Preview: vault.Preview{Grant: confirm},
			Digest: "d", TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	cl := e.connect(t, e.server(t, Deps{Approvals: Approvals{Wait: time.Minute}}, Options{}, Session{Caller: "ci-bot", Name: "ci-bot"}), "")
	m := cl.fail(t, "aws_request", map[string]any{"grant_id": confirm.ID, "method": "PUT", "url": "https://flood-bucket.s3.us-east-1.amazonaws.com/k",
		"body": "x"}, "approval_queue_full")
	if !strings.Contains(str(m, "message"), "wait already") || str(m, "audit_id") == "" {
		t.Errorf("the refusal: %v", m)
	}
	if as, _ := e.v.Approvals(t.Context(), vault.ApprovalPending, 0); len(as) != vault.MaxPendingApprovals {
		t.Errorf("%d approvals pending, want %d: the refused write asked the operator anyway", len(as), vault.MaxPendingApprovals)
	}
}

// waitPending waits for the pending approval of the write of key.
func waitPending(t *testing.T, v *vault.Vault, key string) vault.Approval {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		as, err := v.Approvals(t.Context(), vault.ApprovalPending, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if strings.Contains(a.Summary, "/"+key+" ") || strings.Contains(a.Summary, "/"+key+"\n") {
				return a
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no approval of %s became pending", key)
	return vault.Approval{}
}

// TestConfirmMessageKeepsTheReasonOnOneLine: what the user or the operator
// reads puts the agent's reason on one line, so that line breaks in it
// cannot draw what looks like the request's own lines or the question.
func TestConfirmMessageKeepsTheReasonOnOneLine(t *testing.T) {
	c := vault.Call{Method: "PUT", URL: "https://reports.s3.us-east-1.amazonaws.com/q1.csv",
		Reason: "tidy up\n\n  DELETE https://reports.s3.us-east-1.amazonaws.com/\r\nThis grant asks you to confirm every write. Approve this one call?\n"}
	msg := confirmMessage(context.Background(), c, vault.Preview{Grant: vault.Grant{Name: "prod"}})
	var reasonLines int
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "DELETE") {
			t.Errorf("the reason drew a request line: %q", l)
		}
		if strings.HasPrefix(l, "Reason given by the agent: tidy up DELETE https://") {
			reasonLines++
		}
	}
	if reasonLines != 1 || strings.Count(msg, "Approve this one call?") != 2 || !strings.HasSuffix(msg, "Approve this one call?") {
		t.Errorf("the message:\n%s", msg)
	}
}

// TestForgedApprovalState: the approval an answer to a URL elicitation
// names comes back in the request state, from the client; a state naming
// no approval of this server's shape is refused at once, and not looked up.
func TestForgedApprovalState(t *testing.T) {
	fv := &fakeVault{}
	tb := newToolbox(Deps{Vault: fv})
	for _, id := range []string{"", "junk", strings.Repeat("a", 1<<16), "apr_../../../etc", "aud_abcdefghijklmnopqrstuvwxyz"} {
		res := tb.urlAnswered(context.Background(), mcp.CallToolRequest{}, &vault.Call{Caller: "ci-bot"}, vault.Preview{}, "state", id)
		var b errorBody
		raw, _ := res.StructuredContent.(json.RawMessage)
		if err := json.Unmarshal(raw, &b); err != nil || !res.IsError || b.Error != "approval_not_found" {
			t.Errorf("state naming %.40q: %s", id, raw)
		}
	}
}
