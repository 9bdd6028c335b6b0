package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// fakeVault is a Vault without a store or AWS: handlers run against it in
// unit tests. Request answers with respond, or fails with err.
type fakeVault struct {
	grants  []vault.Grant
	err     error
	respond func(c vault.Call) *http.Response
	calls   []vault.Call
}

func (f *fakeVault) Request(_ context.Context, c vault.Call) (*http.Response, error) {
	f.calls = append(f.calls, c)
	if f.err != nil {
		return nil, f.err
	}
	return f.respond(c), nil
}

func (f *fakeVault) Preview(context.Context, vault.Call) (vault.Preview, error) {
	return vault.Preview{Decision: policy.Decision{Allow: true}}, nil
}
func (f *fakeVault) Identify(vault.Call) (vault.Preview, error) { return vault.Preview{}, nil }
func (f *fakeVault) Decline(context.Context, vault.Call, vault.Preview, string, string) string {
	return ""
}
func (f *fakeVault) Presign(context.Context, string, string, string, time.Duration, vault.ClientOptions) (vault.Presigned, error) {
	return vault.Presigned{}, errors.New("not in the fake")
}
func (f *fakeVault) CallerGrants(_ context.Context, caller string) ([]vault.Grant, error) {
	return f.grants, nil
}
func (f *fakeVault) Grant(_ context.Context, ref string) (vault.Grant, error) {
	for _, g := range f.grants {
		if g.ID == ref || g.Name == ref {
			return g, nil
		}
	}
	return vault.Grant{}, fmt.Errorf("%w: %s", vault.ErrGrantNotFound, ref)
}
func (f *fakeVault) Grants(context.Context) ([]vault.Grant, error) { return f.grants, nil }
func (f *fakeVault) Unlock(context.Context, string, string, string) (time.Time, error) {
	return time.Time{}, errors.New("not in the fake")
}
func (f *fakeVault) HoldApproval(context.Context, vault.HoldInput) (vault.Approval, error) {
	return vault.Approval{}, errors.New("not in the fake")
}
func (f *fakeVault) AwaitApproval(context.Context, string, string, string) (vault.Approval, error) {
	return vault.Approval{}, errors.New("not in the fake")
}
func (f *fakeVault) DecideApproval(context.Context, string, bool, string) (vault.Approval, error) {
	return vault.Approval{}, errors.New("not in the fake")
}
func (f *fakeVault) Approval(context.Context, string) (vault.Approval, error) {
	return vault.Approval{}, errors.New("not in the fake")
}

// TestHandlersOnAFakeVault runs aws_request and list_grants against a fake
// vault: the session's identity and the call's reason reach the vault, a
// rate-limit refusal carries its retry-after and its audit id, and a
// session whose caller was revoked makes no call.
func TestHandlersOnAFakeVault(t *testing.T) {
	e := newEnv(t, nil, nil)
	fv := &fakeVault{grants: []vault.Grant{{ID: "grt_fake", Name: "fake", Policy: policy.Policy{ReadOnly: true, AllowServices: []string{"sts"}}}}}
	fv.respond = func(vault.Call) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Amzn-Requestid": {"req-1"}},
			Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), ContentLength: 11}
	}
	sess := Session{Caller: "alice", Name: "alice", Client: "test/1", SessionID: "s-1"}
	c := e.connect(t, e.server(t, Deps{Vault: fv}, Options{}, sess), "")

	m := c.ok(t, "list_grants", nil)
	if !strings.Contains(mustJSON(m), `"grant_id":"grt_fake"`) || !strings.Contains(mustJSON(m), `"read_only":true`) {
		t.Errorf("list_grants: %v", m)
	}
	m = c.ok(t, "aws_request", map[string]any{"url": "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", "reason": "check"})
	if m["status"] != float64(200) || str(m, "audit_id") == "" {
		t.Errorf("aws_request: %v", m)
	}
	got := fv.calls[len(fv.calls)-1]
	if got.Caller != "alice" || got.CallerLabel != "alice" || got.Client != "test/1" || got.SessionID != "s-1" || got.Reason != "check" ||
		got.Grant != "grt_fake" || got.Tool != "aws_request" || got.AuditID != str(m, "audit_id") {
		t.Errorf("the call the vault got: %+v", got)
	}

	fv.err = &vault.DeniedError{Grant: "fake", Decision: policy.Decision{Rule: policy.RuleRate, Message: "slow down.", RetryAfter: 1500 * time.Millisecond}}
	m = c.fail(t, "aws_request", map[string]any{"url": "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"}, "denied")
	if m["retry_after_seconds"] != 1.5 || m["rule"] != "rate" {
		t.Errorf("a rate-limit refusal: %v", m)
	}

	revoked := e.connect(t, e.server(t, Deps{Vault: fv}, Options{}, Session{Name: "bob", Err: fmt.Errorf("%w: caller bob was revoked", vault.ErrCallerRevoked)}), "")
	n := len(fv.calls)
	revoked.fail(t, "aws_request", map[string]any{"url": "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"}, "caller_revoked")
	revoked.fail(t, "list_grants", nil, "caller_revoked")
	if len(fv.calls) != n {
		t.Error("a revoked session's call reached the vault")
	}
}
