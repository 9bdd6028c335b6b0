package vault_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestUnlockMFA: a role grant whose role requires MFA is locked until a
// person unlocks it with a code; the AssumeRole moto receives carries the
// device's serial and the code; the session then serves every caller, in
// this process and in another one on the same store, and each unlock is
// audited with who, which grant and until when.
func TestUnlockMFA(t *testing.T) {
	h, counter, _ := roleHarness(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},` +
		`"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	h.createRole(t, "breakglass", trust)
	const serial = "arn:aws:iam::123456789012:mfa/alice"
	g, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "breakglass",
		AssumeRole: &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/breakglass", SourceGrant: "base", MFASerial: serial}})
	if err != nil {
		t.Fatal(err)
	}
	if g.MFASerial != serial {
		t.Errorf("grant %+v", g)
	}

	_, err = h.v.Request(t.Context(), callerIdentity("breakglass"))
	if !errors.Is(err, vault.ErrLocked) || !errors.Is(err, vault.ErrCredentials) || !strings.Contains(err.Error(), "alter-mcp grant unlock breakglass") {
		t.Fatalf("a locked grant: %v", err)
	}
	if counter.count("AssumeRole") != 0 {
		t.Fatal("a locked grant called AssumeRole")
	}
	if _, err := h.v.Unlock(t.Context(), "breakglass", "12345", "alice"); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("a 5-digit code: %v", err)
	}
	if _, err := h.v.Unlock(t.Context(), "base", "123456", "alice"); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("unlocking a static grant: %v", err)
	}

	until, err := h.v.Unlock(t.Context(), "breakglass", "123456", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(until); d < 10*time.Minute || d > 13*time.Hour {
		t.Errorf("unlocked until %s", until)
	}
	forms, _ := counter.sent("AssumeRole")
	if len(forms) != 1 || forms[0].Get("SerialNumber") != serial || forms[0].Get("TokenCode") != "123456" || forms[0].Get("SourceIdentity") != "alter-mcp.alice" {
		t.Fatalf("AssumeRole as moto got it: %v", forms)
	}
	for _, caller := range []string{"bot", "other"} {
		c := callerIdentity("breakglass")
		c.CallerLabel = caller
		if resp, body := do(t, h.v, c); resp.StatusCode != 200 || !strings.Contains(body, "assumed-role/breakglass/") {
			t.Errorf("%s after unlock: %d %s", caller, resp.StatusCode, body)
		}
	}
	// Another process on the same store finds the session.
	v2 := testvault.Open(t, h.env, func(o *vault.Options) { o.Home = h.home })
	if resp, body := do(t, v2, callerIdentity("breakglass")); resp.StatusCode != 200 {
		t.Errorf("another process: %d %s", resp.StatusCode, body)
	}
	if n := counter.count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls; the unlocked session should serve them all", n)
	}

	var unlocks []audit.Entry
	for _, r := range h.audit(t) {
		if r.Kind == audit.KindEnd && r.Entry.Tool == "vault.unlock" {
			unlocks = append(unlocks, r.Entry)
		}
	}
	if len(unlocks) != 2 || unlocks[0].Outcome != audit.OutcomeError {
		t.Fatalf("unlock entries %+v, want 2: the bad code's, failed, and the unlock", unlocks)
	}
	last := unlocks[1]
	if last.Caller != "alice" || last.GrantName != "breakglass" || !last.Expires.Equal(until) || last.Outcome != audit.OutcomeOK {
		t.Errorf("the unlock's audit entry: %+v", last)
	}
}
