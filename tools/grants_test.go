package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

func TestListGrants(t *testing.T) {
	e := newEnv(t, nil, nil)
	ctx := t.Context()
	key := vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret}
	soon := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	a := e.grant(t, "a", policy.Policy{AllowServices: []string{"s3"}, AllowRegions: []string{"eu-west-1"}, RequireReason: true, Expires: &soon}, key)
	e.grant(t, "b", policy.Policy{ConfirmWrites: true}, key)
	if _, err := e.v.AddGrant(ctx, vault.GrantSpec{Name: "expired", Static: &key, Expires: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.v.AddCaller(ctx, "alice", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.v.AddCaller(ctx, "bob", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if err := e.v.RevokeCaller(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	names := func(m map[string]any) string {
		var out []string
		for _, g := range m["grants"].([]any) {
			out = append(out, str(g.(map[string]any), "name"))
		}
		return strings.Join(out, ",")
	}
	// The server resolves who a session is (see server.sessionOf): the
	// operator, the operator named by its MCP client, a registered caller.
	sessions := map[string]Session{"": {}, "claude-desktop": {Name: "claude-desktop"}, "alice": {Caller: "alice", Name: "alice"}}
	for caller, want := range map[string]string{"": "a,b", "claude-desktop": "a,b", "alice": "a"} {
		c := e.connect(t, e.server(t, Deps{DefaultGrant: "b"}, Options{}, sessions[caller]), "")
		m := c.ok(t, "list_grants", nil)
		if got := names(m); got != want {
			t.Errorf("caller %q sees %s, want %s", caller, got, want)
		}
		// An unregistered name (the MCP client's, on stdio) acts as the
		// operator: its calls reach the policy, and the audit names it.
		d := c.fail(t, "aws_request", map[string]any{"grant_id": "a", "reason": "r", "url": "https://sts.eu-west-1.amazonaws.com/"}, "denied")
		entry, _, err := e.v.AuditLog().Get(ctx, str(d, "audit_id"))
		if d["rule"] != "allow_services" || err != nil || entry.Caller != caller {
			t.Errorf("caller %q: %v, audit %+v %v", caller, d, entry, err)
		}
		if gs := m["grants"].([]any); caller != "alice" && gs[1].(map[string]any)["default"] != true {
			t.Errorf("grant b is not marked default: %v", gs[1])
		}
		g := m["grants"].([]any)[0].(map[string]any)
		if str(g, "grant_id") != a.ID || mustJSON(g["allowed_services"]) != `["s3"]` || mustJSON(g["allowed_regions"]) != `["eu-west-1"]` ||
			g["require_reason"] != true || str(g, "expires") != soon.Format(time.RFC3339) || g["default"] != nil {
			t.Errorf("grant a: %v", g)
		}
	}
	_, revoked := e.v.ResolveCaller(ctx, "bob")
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{Name: "bob", Err: revoked}), legacy2025)
	c.fail(t, "list_grants", nil, "caller_revoked")
	c.fail(t, "aws_whoami", nil, "caller_revoked")
}
