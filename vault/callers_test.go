package vault_test

import (
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
)

func TestCallerLifecycle(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx := t.Context()
	a := h.addGrant(t, "a", policy.Policy{})
	b := h.addGrant(t, "b", policy.Policy{})

	c, key, err := h.v.AddCaller(ctx, "ci-agent", []string{"a", b.ID, "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^alter_key_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Errorf("API key %q", key)
	}
	if c.Name != "ci-agent" || len(c.Grants) != 2 || c.Grants[0] != a.ID || c.Grants[1] != b.ID || c.Revoked {
		t.Errorf("AddCaller returned %+v", c)
	}

	// Only the key's hash is stored.
	stored, err := h.v.Store().GetCaller(ctx, "ci-agent")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key))
	if string(stored.KeyHash) != string(sum[:]) {
		t.Error("the stored hash is not the key's SHA-256")
	}

	got, err := h.v.Authenticate(ctx, key)
	if err != nil || got.Name != "ci-agent" {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", "alter_key_", key[:len(key)-1] + "x", strings.Replace(key, "alter_key_", "other_key_", 1), key + "x"} {
		if _, err := h.v.Authenticate(ctx, bad); !errors.Is(err, vault.ErrCallerNotFound) {
			t.Errorf("Authenticate(%q): %v", bad, err)
		}
	}

	if _, _, err := h.v.AddCaller(ctx, "ci-agent", nil); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("duplicate caller: %v", err)
	}
	if _, _, err := h.v.AddCaller(ctx, "other", []string{"missing"}); !errors.Is(err, vault.ErrGrantNotFound) {
		t.Errorf("unknown grant: %v", err)
	}
	if _, _, err := h.v.AddCaller(ctx, "bad name", nil); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
	if err := h.v.RevokeGrant(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.v.AddCaller(ctx, "other", []string{"b"}); !errors.Is(err, vault.ErrGrantRevoked) {
		t.Errorf("revoked grant: %v", err)
	}
	_, key2, err := h.v.AddCaller(ctx, "another", nil)
	if err != nil || key2 == key {
		t.Fatalf("second caller: %v (same key: %v)", err, key2 == key)
	}

	list, err := h.v.Callers(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "another" || list[1].Name != "ci-agent" || list[0].Grants == nil {
		t.Fatalf("Callers: %v %+v", err, list)
	}

	if err := h.v.RevokeCaller(ctx, "ci-agent"); err != nil {
		t.Fatal(err)
	}
	if err := h.v.RevokeCaller(ctx, "ci-agent"); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := h.v.RevokeCaller(ctx, "nobody"); !errors.Is(err, vault.ErrCallerNotFound) {
		t.Errorf("revoking an unknown caller: %v", err)
	}
	if _, err := h.v.Authenticate(ctx, key); !errors.Is(err, vault.ErrCallerRevoked) {
		t.Errorf("Authenticate after revoke: %v", err)
	}
	if _, err := h.v.Authenticate(ctx, key2); err != nil {
		t.Errorf("the other caller: %v", err)
	}
	var _ store.Store = h.v.Store()
}

// TestCallerGrants: a caller gets its own usable grants, oldest first,
// whatever order it was given them in and however many other grants the
// vault holds; the operator gets every usable grant.
func TestCallerGrants(t *testing.T) {
	h := newHarness(t, nil, nil)
	ctx := t.Context()
	a := h.addGrant(t, "a", policy.Policy{})
	b := h.addGrant(t, "b", policy.Policy{ReadOnly: true})
	c := h.addGrant(t, "c", policy.Policy{})
	h.addGrant(t, "d", policy.Policy{})
	if _, _, err := h.v.AddCaller(ctx, "agent", []string{"c", b.ID, "a"}); err != nil {
		t.Fatal(err)
	}
	if err := h.v.RevokeGrant(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(caller string) []string {
		gs, err := h.v.CallerGrants(ctx, caller)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return out
	}
	if got := strings.Join(ids("agent"), ","); got != "a,b" {
		t.Errorf("the caller's grants: %s, want a,b (c is revoked, d is not its)", got)
	}
	if got := strings.Join(ids(""), ","); got != "a,b,d" {
		t.Errorf("the operator's grants: %s, want a,b,d", got)
	}
	if gs, _ := h.v.CallerGrants(ctx, "agent"); len(gs) != 2 || !gs[1].Policy.ReadOnly || gs[0].ID != a.ID {
		t.Errorf("the views: %+v", gs)
	}
}
