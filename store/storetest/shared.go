package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

// testSharedVisibility checks that what one handle writes, the other reads.
func testSharedVisibility(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	g := newGrant("grt_1", "prod")
	must(t, "CreateGrant via a", a.CreateGrant(ctx, g))
	got := found(t, "grant via b", g)(b.GetGrant(ctx, "grt_1"))

	got.Description = "changed via b"
	must(t, "UpdateGrant via b", b.UpdateGrant(ctx, got))
	found(t, "grant via a", got)(a.GetGrantByName(ctx, "prod"))

	c := newCaller("claude")
	must(t, "CreateCaller via b", b.CreateCaller(ctx, c))
	found(t, "caller via a", c)(a.GetCallerByKeyHash(ctx, c.KeyHash))

	must(t, "PutSetting via a", a.PutSetting(ctx, "k", []byte("v")))
	v, err := b.GetSetting(ctx, "k")
	must(t, "GetSetting via b", err)
	if string(v) != "v" {
		t.Errorf("GetSetting via b = %q, want v", v)
	}

	r := &store.Rotation{GrantID: "grt_1", Step: "s1", Sealed: []byte{1}, StartedAt: at}
	must(t, "PutRotation via b", b.PutRotation(ctx, r))
	found(t, "rotation via a", r)(a.GetRotation(ctx, "grt_1"))
	must(t, "DeleteRotation via a", a.DeleteRotation(ctx, "grt_1"))
	notFound(t, "GetRotation via b after delete via a")(b.GetRotation(ctx, "grt_1"))

	appendN(t, a, 2)
	recs := appendN(t, b, 1)
	if recs[0].Seq != 3 {
		t.Errorf("append via b after 2 via a got Seq %d, want 3", recs[0].Seq)
	}
	checkChain(t, listAll(t, a))
}

// testSharedCreateRace creates one name through both handles at once:
// exactly one create wins.
func testSharedCreateRace(t *testing.T, a, b store.Store) {
	ctx := deadline(t)
	var (
		wg   sync.WaitGroup
		wins atomic.Int32
	)
	for i := range 8 {
		s := []store.Store{a, b}[i%2]
		wg.Go(func() {
			err := s.CreateGrant(ctx, newGrant(fmt.Sprintf("grt_%d", i), "contested"))
			if err == nil {
				wins.Add(1)
				return
			}
			wantErr(t, "losing CreateGrant", err, store.ErrConflict)
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("%d creates of one name succeeded, want exactly 1", n)
	}
	gs, err := b.ListGrants(ctx)
	must(t, "ListGrants", err)
	if len(gs) != 1 {
		t.Errorf("ListGrants: %d grants, want 1", len(gs))
	}
}

// testSharedUpdateConflict checks that versions are checked across handles.
func testSharedUpdateConflict(t *testing.T, a, b store.Store) {
	ctx := t.Context()
	g := newGrant("grt_1", "prod")
	must(t, "CreateGrant", a.CreateGrant(ctx, g))
	viaB, err := b.GetGrant(ctx, "grt_1")
	must(t, "GetGrant via b", err)

	g.Description = "a wins"
	must(t, "UpdateGrant via a", a.UpdateGrant(ctx, g))
	viaB.Description = "b loses"
	wantErr(t, "stale UpdateGrant via b", b.UpdateGrant(ctx, viaB), store.ErrConflict)

	c := newCaller("claude")
	must(t, "CreateCaller", b.CreateCaller(ctx, c))
	cA, err := a.GetCaller(ctx, "claude")
	must(t, "GetCaller via a", err)
	c.Revoked = true
	must(t, "UpdateCaller via b", b.UpdateCaller(ctx, c))
	wantErr(t, "stale UpdateCaller via a", a.UpdateCaller(ctx, cA), store.ErrConflict)
}

// testSharedChain is the chain race with goroutines split over both
// handles: the lock that keeps the chain from forking must hold across them.
func testSharedChain(t *testing.T, a, b store.Store) {
	chainRace(t, []store.Store{a, b})
}
