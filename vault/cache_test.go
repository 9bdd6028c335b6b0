package vault_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestCachedChangesHoldAtOnce: the vault keeps grants, callers and policies
// in memory, yet a policy change, a revoked caller and a revoked grant are
// refused at the very next call, whether the change was made through the
// serving vault itself or through another one on the same store (another
// process: its own connections and cache), and nothing is sent for them.
func TestCachedChangesHoldAtOnce(t *testing.T) {
	for _, other := range []bool{false, true} {
		name := "this process"
		if other {
			name = "another process"
		}
		t.Run(name, func(t *testing.T) {
			f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
			h := routedHarness(t, f, nil)
			admin := h.v
			if other {
				admin = newHarness(t, h.env, func(o *vault.Options) { o.Home = h.home }).v
			}
			ctx := t.Context()
			h.addGrant(t, "g", policy.Policy{})
			if _, _, err := h.v.AddCaller(ctx, "agent", []string{"g"}); err != nil {
				t.Fatal(err)
			}
			call := func() error {
				resp, err := h.v.Request(ctx, vault.Call{URL: s3URL, Grant: "g", Caller: "agent"})
				if err == nil {
					readAll(t, resp)
				}
				return err
			}
			for range 3 {
				if err := call(); err != nil {
					t.Fatal(err)
				}
			}
			sent := f.hits.Load()
			var denied *vault.DeniedError
			if err := admin.SetPolicy(ctx, "g", policy.Policy{DenyServices: []string{"s3"}}); err != nil {
				t.Fatal(err)
			}
			if err := call(); !errors.As(err, &denied) {
				t.Errorf("after the policy denied s3: %v, want a denial", err)
			}
			if err := admin.SetPolicy(ctx, "g", policy.Policy{}); err != nil {
				t.Fatal(err)
			}
			if err := call(); err != nil {
				t.Errorf("after the policy was lifted: %v", err)
			}
			sent++
			if err := admin.RevokeCaller(ctx, "agent"); err != nil {
				t.Fatal(err)
			}
			if err := call(); !errors.Is(err, vault.ErrCallerRevoked) {
				t.Errorf("after the caller was revoked: %v, want ErrCallerRevoked", err)
			}
			if err := admin.RevokeGrant(ctx, "g"); err != nil {
				t.Fatal(err)
			}
			resp, err := h.v.Request(ctx, vault.Call{URL: s3URL, Grant: "g"})
			if err == nil {
				readAll(t, resp)
			}
			if !errors.Is(err, vault.ErrGrantRevoked) {
				t.Errorf("after the grant was revoked: %v, want ErrGrantRevoked", err)
			}
			if got := f.hits.Load(); got != sent {
				t.Errorf("AWS saw %d requests, want %d: a refused call was sent", got, sent)
			}
		})
	}
}
