package storetest

import (
	"context"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

// version reads s's data version; the test is skipped for a backend that
// does not keep one (store.Versioned).
func version(t *testing.T, ctx context.Context, s store.Store) int64 {
	t.Helper()
	vs, ok := s.(store.Versioned)
	if !ok {
		t.Skip("the backend does not implement store.Versioned")
	}
	v, err := vs.Version(ctx)
	must(t, "Version", err)
	return v
}

// testVersion checks that every change to a grant or a caller moves the
// data version forward, and that what leaves them alone does not: caches
// keyed on it would otherwise keep a revoked grant or caller.
func testVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	last := version(t, ctx, s)
	step := func(what string, moves bool) {
		t.Helper()
		v := version(t, ctx, s)
		switch {
		case v < last:
			t.Errorf("after %s the version went back from %d to %d", what, last, v)
		case moves && v == last:
			t.Errorf("after %s the version stayed %d", what, v)
		case !moves && v != last:
			t.Errorf("after %s the version moved from %d to %d", what, last, v)
		}
		last = v
	}
	g := newGrant("grt_v", "versioned")
	must(t, "CreateGrant", s.CreateGrant(ctx, g))
	step("CreateGrant", true)
	_, err := s.GetGrant(ctx, g.ID)
	must(t, "GetGrant", err)
	step("GetGrant", false)
	g.Revoked = true
	must(t, "UpdateGrant", s.UpdateGrant(ctx, g))
	step("UpdateGrant", true)
	g.Policy = []byte(`{"services":["sts"]}`)
	must(t, "UpdateGrant", s.UpdateGrant(ctx, g))
	step("UpdateGrant of the policy", true)
	c := newCaller("versioned")
	must(t, "CreateCaller", s.CreateCaller(ctx, c))
	step("CreateCaller", true)
	c.Revoked = true
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	step("UpdateCaller", true)
	must(t, "PutSetting", s.PutSetting(ctx, "unrelated", []byte("x")))
	_, err = s.AppendAudit(ctx, chained(1, func(int) []byte { return []byte(`{}`) }))
	must(t, "AppendAudit", err)
	step("PutSetting and AppendAudit", false)
}

// testSharedVersion checks that a change through one handle moves the
// version the other reads: another process or replica sees it.
func testSharedVersion(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	before := version(t, ctx, b)
	g := newGrant("grt_sv", "shared-versioned")
	must(t, "CreateGrant via a", a.CreateGrant(ctx, g))
	mid := version(t, ctx, b)
	if mid <= before {
		t.Errorf("CreateGrant via a: b's version %d, was %d", mid, before)
	}
	g.Revoked = true
	must(t, "UpdateGrant via a", a.UpdateGrant(ctx, g))
	if after := version(t, ctx, b); after <= mid {
		t.Errorf("UpdateGrant via a: b's version %d, was %d", after, mid)
	}
}
