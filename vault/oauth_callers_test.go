package vault_test

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

func TestOAuthCallers(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx := t.Context()
	g := h.addGrant(t, "reports", policy.Policy{})
	const iss = "https://idp.example.com/oauth2/default"

	c, err := h.v.AddOAuthCaller(ctx, "okta-agent", []string{"reports"}, iss, "0oa1b2c3")
	if err != nil {
		t.Fatal(err)
	}
	if c.OAuthIssuer != iss || c.OAuthSubject != "0oa1b2c3" || len(c.Grants) != 1 || c.Grants[0] != g.ID {
		t.Errorf("AddOAuthCaller returned %+v", c)
	}
	if _, err := h.v.AddOAuthCaller(ctx, "any-issuer", nil, "", "svc-ci"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.v.AddCaller(ctx, "by-rule", nil); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		id   vault.OAuthIdentity
		rule string
		want string
		err  error
	}{
		{vault.OAuthIdentity{Issuer: iss, Subject: "0oa1b2c3"}, "", "okta-agent", nil},
		{vault.OAuthIdentity{Issuer: iss, Subject: "0oa1b2c3"}, "by-rule", "okta-agent", nil}, // the subject wins
		{vault.OAuthIdentity{Issuer: "https://other.example.com", Subject: "0oa1b2c3"}, "", "", vault.ErrCallerNotFound},
		{vault.OAuthIdentity{Issuer: "https://any.example.com", Subject: "svc-ci"}, "", "any-issuer", nil},
		{vault.OAuthIdentity{Issuer: iss, Subject: "nobody"}, "by-rule", "by-rule", nil},
		{vault.OAuthIdentity{Issuer: iss, Subject: "nobody"}, "missing", "", vault.ErrCallerNotFound},
		{vault.OAuthIdentity{Issuer: iss, Subject: ""}, "", "", vault.ErrCallerNotFound},
	} {
		got, err := h.v.CallerForToken(ctx, tc.id, tc.rule)
		if !errors.Is(err, tc.err) || got.Name != tc.want {
			t.Errorf("CallerForToken(%+v, %q) = %q, %v; want %q, %v", tc.id, tc.rule, got.Name, err, tc.want, tc.err)
		}
	}

	for _, bad := range [][3]string{
		{"okta-agent", iss, "other"},          // name taken
		{"dup", iss, "0oa1b2c3"},              // issuer and subject taken
		{"dup", "", "svc-ci"},                 // subject of any issuer taken
		{"dup", iss, ""},                      // no subject
		{"dup", "idp.example.com", "x"},       // not a URL
		{"dup", "https://idp/?tenant=1", "x"}, // a query is never part of an issuer
	} {
		if _, err := h.v.AddOAuthCaller(ctx, bad[0], nil, bad[1], bad[2]); !errors.Is(err, vault.ErrInvalid) {
			t.Errorf("AddOAuthCaller(%q, %q, %q): %v, want ErrInvalid", bad[0], bad[1], bad[2], err)
		}
	}

	if err := h.v.RevokeCaller(ctx, "okta-agent"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.v.CallerForToken(ctx, vault.OAuthIdentity{Issuer: iss, Subject: "0oa1b2c3"}, ""); !errors.Is(err, vault.ErrCallerRevoked) {
		t.Errorf("revoked caller: %v", err)
	}
}

// TestOAuthIdentityAudited: the token's issuer, subject and client id are in
// every record of the call, next to the caller.
func TestOAuthIdentityAudited(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	h := routedHarness(t, f, nil)
	ctx := t.Context()
	h.addGrant(t, "reports", policy.Policy{})
	if _, err := h.v.AddOAuthCaller(ctx, "okta-agent", []string{"reports"}, "", "0oa1b2c3"); err != nil {
		t.Fatal(err)
	}
	id := vault.OAuthIdentity{Issuer: "https://idp.example.com", Subject: "0oa1b2c3", ClientID: "0oa1b2c3"}
	do(t, h.v, vault.Call{URL: "https://s3.us-east-1.amazonaws.com/reports", Grant: "reports", Caller: "okta-agent", OAuth: id})
	for _, r := range h.audit(t) {
		e := r.Entry
		if e.Caller != "okta-agent" || e.TokenIssuer != id.Issuer || e.TokenSubject != id.Subject || e.TokenClientID != id.ClientID {
			t.Errorf("%s record: caller %q token %q %q %q", r.Kind, e.Caller, e.TokenIssuer, e.TokenSubject, e.TokenClientID)
		}
	}
	if e := h.lastEnd(t); e.Outcome != audit.OutcomeOK {
		t.Errorf("outcome %q", e.Outcome)
	}
}
