package vault_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestAssumeRoleSessionPerCaller: a role grant keeps one session per
// caller, shared by that caller's concurrent calls; each AssumeRole names
// the caller as SourceIdentity and tags the session with the grant and the
// caller, as moto receives it through a recording proxy.
func TestAssumeRoleSessionPerCaller(t *testing.T) {
	h, counter, _ := roleHarness(t)
	// The trust policy README documents: AssumeRole, SetSourceIdentity, TagSession.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},` +
		`"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}`
	h.createRole(t, "deployer", trust)
	g, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "deployer",
		AssumeRole: &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/deployer", SourceGrant: "base"}})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for _, caller := range []string{"alice", "alice", "alice", "alice", "bob smith", "bob smith"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := callerIdentity(g.ID)
			c.CallerLabel = caller // the operator, recorded by that name (serve --caller over stdio)
			resp, err := h.v.Request(t.Context(), c)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "assumed-role/deployer/alter-mcp-deployer") {
				t.Errorf("%s: %d %s", caller, resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()

	forms, uas := counter.sent("AssumeRole")
	if len(forms) != 2 {
		t.Fatalf("6 calls of 2 callers made %d AssumeRole calls, want 2 (one session per caller)", len(forms))
	}
	var ids []string
	for i, f := range forms {
		ids = append(ids, f.Get("SourceIdentity"))
		want := map[string]string{"RoleSessionName": "alter-mcp-deployer", "Tags.member.1.Key": "alter-mcp:grant", "Tags.member.1.Value": "deployer",
			"Tags.member.2.Key": "alter-mcp:caller"}
		for k, v := range want {
			if f.Get(k) != v {
				t.Errorf("AssumeRole %d: %s = %q, want %q", i, k, f.Get(k), v)
			}
		}
		if uas[i] != vault.UserAgent("base") {
			t.Errorf("AssumeRole %d: User-Agent %q", i, uas[i])
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"alter-mcp.alice", "alter-mcp.bob_smith"}) {
		t.Errorf("source identities %q", ids)
	}
	var tagged []string
	for _, f := range forms {
		tagged = append(tagged, f.Get("Tags.member.2.Value"))
	}
	slices.Sort(tagged)
	if !slices.Equal(tagged, []string{"alice", "bob smith"}) {
		t.Errorf("caller tags %q", tagged)
	}

	// A caller's next call reuses its session.
	c := callerIdentity(g.ID)
	c.CallerLabel = "alice"
	do(t, h.v, c)
	if n := counter.count("AssumeRole"); n != 2 {
		t.Errorf("a cached session was assumed again: %d AssumeRole calls", n)
	}
}

// TestSessionPolicyFromGrant: a role grant may have its session policy
// derived from its own policy, so that IAM enforces what the vault does.
func TestSessionPolicyFromGrant(t *testing.T) {
	h, counter, _ := roleHarness(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},` +
		`"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"]}]}`
	h.createRole(t, "reader", trust)
	pol := policy.Policy{AllowServices: []string{"sts", "s3"}, AllowRegions: []string{"us-*"}, DenyActions: []string{"s3:Delete*"}}
	spec := &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/reader", SourceGrant: "base", SessionPolicyFromGrant: true}
	if _, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "reader", AssumeRole: spec, Policy: pol}); err != nil {
		t.Fatal(err)
	}
	do(t, h.v, callerIdentity("reader"))
	forms, _ := counter.sent("AssumeRole")
	want, _ := policy.SessionPolicy(pol)
	if len(forms) != 1 || forms[0].Get("Policy") != want || !strings.Contains(want, `"s3:*","sts:*"`) {
		t.Errorf("AssumeRole Policy %q, want %q", forms[0].Get("Policy"), want)
	}

	both := *spec
	both.SessionPolicy = `{"Version":"2012-10-17","Statement":[]}`
	if _, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "both", AssumeRole: &both}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("a session policy and one from the grant: %v", err)
	}
}
