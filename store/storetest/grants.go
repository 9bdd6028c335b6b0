package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// newGrant is a grant with every field set.
func newGrant(id, name string) *store.Grant {
	return &store.Grant{
		ID:                id,
		Name:              name,
		Description:       "reads the reports bucket — ünïcode",
		Source:            "static",
		SourceConfig:      []byte(`{"profile":"prod","role_arn":"arn:aws:iam::123456789012:role/r"}`),
		AccessKeyID:       "AKIAIOSFODNN7EXAMPLE",
		Sealed:            allBytes,
		KeyID:             "mk_1",
		CredentialsExpire: at.Add(time.Hour),
		Policy:            []byte(`{"services":["s3"],"read_only":true}`),
		CreatedAt:         at,
		UpdatedAt:         at.Add(time.Nanosecond),
		Expires:           at.Add(24 * time.Hour),
	}
}

func testGrantRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := newGrant("grt_full", "full")
	full.Revoked = true
	full.Version = 7 // ignored: Create sets 1
	must(t, "CreateGrant", s.CreateGrant(ctx, full))
	if full.Version != 1 {
		t.Errorf("CreateGrant set Version %d, want 1", full.Version)
	}
	// The zero values too: no times, no bytes.
	bare := &store.Grant{ID: "grt_bare", Name: "bare"}
	must(t, "CreateGrant", s.CreateGrant(ctx, bare))

	for _, want := range []*store.Grant{full, bare} {
		found(t, "GetGrant "+want.ID, want)(s.GetGrant(ctx, want.ID))
		found(t, "GetGrantByName "+want.Name, want)(s.GetGrantByName(ctx, want.Name))
	}
}

// testGrantTimes checks that times round-trip as exact instants in UTC, and
// that a time a backend cannot keep is refused rather than changed.
func testGrantTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Now() // with a monotonic reading, which no store keeps
	exact := []struct {
		name string
		t    time.Time
	}{
		{"zero", time.Time{}},
		{"epoch", time.Unix(0, 0)}, // not the zero time
		{"epoch+1ns", time.Unix(0, 1)},
		{"epoch-1ns", time.Unix(0, -1)},
		{"now", now},
		{"zone", at},
		{"1900", time.Date(1900, 1, 1, 0, 0, 0, 1, time.UTC)},
		{"2200", time.Date(2200, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
	for i, c := range exact {
		g := &store.Grant{
			ID: fmt.Sprintf("grt_%d", i), Name: c.name,
			CredentialsExpire: c.t, CreatedAt: c.t, UpdatedAt: c.t, Expires: c.t,
		}
		must(t, "CreateGrant "+c.name, s.CreateGrant(ctx, g))
		got, err := s.GetGrant(ctx, g.ID)
		must(t, "GetGrant "+c.name, err)
		same(t, c.name, got, g)
	}

	// Beyond what every backend must keep: exact, or refused.
	far := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(1600, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 5, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	}
	for i, ft := range far {
		g := &store.Grant{ID: fmt.Sprintf("grt_far_%d", i), Name: fmt.Sprintf("far %d", i), Expires: ft}
		if err := s.CreateGrant(ctx, g); err != nil {
			if _, err := s.GetGrant(ctx, g.ID); err == nil {
				t.Errorf("CreateGrant with Expires %s failed but stored the grant", fmtTime(ft))
			}
			continue
		}
		found(t, "far time "+fmtTime(ft), g)(s.GetGrant(ctx, g.ID))
	}
}

func testGrantCreateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	orig := newGrant("grt_1", "prod")
	must(t, "CreateGrant", s.CreateGrant(ctx, orig))

	dupID := newGrant("grt_1", "other")
	dupID.Description = "changed"
	wantErr(t, "CreateGrant with a taken id", s.CreateGrant(ctx, dupID), store.ErrConflict)
	dupName := newGrant("grt_2", "prod")
	wantErr(t, "CreateGrant with a taken name", s.CreateGrant(ctx, dupName), store.ErrConflict)

	found(t, "after conflicts", orig)(s.GetGrant(ctx, "grt_1"))
	notFound(t, "GetGrant of the refused grant")(s.GetGrant(ctx, "grt_2"))
	notFound(t, "GetGrantByName of the refused grant")(s.GetGrantByName(ctx, "other"))
}

func testGrantNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	notFound(t, "GetGrant on an empty store")(s.GetGrant(ctx, "grt_missing"))
	must(t, "CreateGrant", s.CreateGrant(ctx, newGrant("grt_1", "prod")))
	notFound(t, "GetGrant")(s.GetGrant(ctx, "grt_missing"))
	notFound(t, "GetGrantByName")(s.GetGrantByName(ctx, "missing"))
	notFound(t, "GetGrant by name")(s.GetGrant(ctx, "prod")) // a name is not an id
	notFound(t, "GetGrantByName by id")(s.GetGrantByName(ctx, "grt_1"))
	wantErr(t, "UpdateGrant", s.UpdateGrant(ctx, &store.Grant{ID: "grt_missing", Name: "x", Version: 1}), store.ErrNotFound)
}

func testGrantList(t *testing.T, s store.Store) {
	ctx := t.Context()
	gs, err := s.ListGrants(ctx)
	must(t, "ListGrants", err)
	if len(gs) != 0 {
		t.Fatalf("ListGrants on an empty store: %d grants", len(gs))
	}
	// Created out of order; listed by CreatedAt (zero first, nanoseconds
	// count), then by ID byte by byte (upper case before lower).
	for _, c := range []struct {
		id      string
		created time.Time
	}{
		{"grt_e", at.Add(2 * time.Nanosecond)},
		{"grt_d", at.Add(time.Nanosecond)},
		{"grt_b", at.Add(time.Nanosecond)},
		{"grt_C", at.Add(time.Nanosecond)},
		{"grt_z", time.Time{}},
		{"grt_a", at.Add(-time.Hour)},
	} {
		g := newGrant(c.id, "name "+c.id)
		g.CreatedAt = c.created
		must(t, "CreateGrant", s.CreateGrant(ctx, g))
	}
	want := []string{"grt_z", "grt_a", "grt_C", "grt_b", "grt_d", "grt_e"}
	gs = listed(t, "ListGrants", func(g *store.Grant) string { return g.ID }, want)(s.ListGrants(ctx))
	if len(gs) > 0 {
		w := newGrant("grt_z", "name grt_z")
		w.CreatedAt, w.Version = time.Time{}, 1
		same(t, "ListGrants record", gs[0], w)
	}
}

func testGrantUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant("grt_1", "prod")
	must(t, "CreateGrant", s.CreateGrant(ctx, g))

	// Change every field but the id, zeroing some.
	u := &store.Grant{
		ID:                "grt_1",
		Name:              "prod-renamed",
		Description:       "new",
		Source:            "assume_role",
		SourceConfig:      []byte(`{"role_arn":"arn:aws:iam::123456789012:role/x"}`),
		Sealed:            []byte{0, 1, 2},
		KeyID:             "mk_2",
		Policy:            []byte(`{}`),
		CreatedAt:         at,
		UpdatedAt:         at.Add(time.Minute + 3*time.Nanosecond),
		Revoked:           true,
		CredentialsExpire: time.Time{},
		Version:           1,
	}
	must(t, "UpdateGrant", s.UpdateGrant(ctx, u))
	if u.Version != 2 {
		t.Errorf("UpdateGrant left Version %d, want 2", u.Version)
	}
	found(t, "after update", u)(s.GetGrant(ctx, "grt_1"))
	got := found(t, "by new name", u)(s.GetGrantByName(ctx, "prod-renamed"))
	notFound(t, "GetGrantByName old name")(s.GetGrantByName(ctx, "prod"))

	// Updating what was read works again and again.
	got.Description = "third"
	must(t, "UpdateGrant", s.UpdateGrant(ctx, got))
	if got.Version != 3 {
		t.Errorf("second UpdateGrant left Version %d, want 3", got.Version)
	}
	// The old name is free again.
	must(t, "CreateGrant with the old name", s.CreateGrant(ctx, newGrant("grt_2", "prod")))
}

func testGrantUpdateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newGrant("grt_a", "alpha"), newGrant("grt_b", "beta")
	must(t, "CreateGrant", s.CreateGrant(ctx, a))
	must(t, "CreateGrant", s.CreateGrant(ctx, b))

	stale := *a
	a.Description = "first writer"
	must(t, "UpdateGrant", s.UpdateGrant(ctx, a))

	stale.Description = "lost update"
	err := s.UpdateGrant(ctx, &stale)
	wantErr(t, "UpdateGrant with a stale Version", err, store.ErrConflict)
	if stale.Version != 1 {
		t.Errorf("failed UpdateGrant changed Version to %d", stale.Version)
	}
	future := *a
	future.Version = 99
	wantErr(t, "UpdateGrant with a future Version", s.UpdateGrant(ctx, &future), store.ErrConflict)

	onto := *a
	onto.Name = "beta"
	wantErr(t, "UpdateGrant renaming onto a taken name", s.UpdateGrant(ctx, &onto), store.ErrConflict)
	if onto.Version != a.Version {
		t.Errorf("failed UpdateGrant changed Version to %d", onto.Version)
	}

	found(t, "grt_a after conflicts", a)(s.GetGrant(ctx, "grt_a"))
	found(t, "grt_b after conflicts", b)(s.GetGrant(ctx, "grt_b"))
}

// testGrantUpdateRace has many writers update the same version at once:
// exactly one wins.
func testGrantUpdateRace(t *testing.T, s store.Store) {
	ctx := deadline(t)
	must(t, "CreateGrant", s.CreateGrant(ctx, newGrant("grt_1", "prod")))
	const n = 8
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		winner []string
	)
	for i := range n {
		wg.Go(func() {
			g, err := s.GetGrant(ctx, "grt_1")
			if err != nil {
				t.Error(err)
				return
			}
			g.Version = 1 // as read before anyone wrote
			g.Description = fmt.Sprintf("writer %d", i)
			switch err := s.UpdateGrant(ctx, g); {
			case err == nil:
				mu.Lock()
				winner = append(winner, g.Description)
				mu.Unlock()
			default:
				wantErr(t, "losing UpdateGrant", err, store.ErrConflict)
			}
		})
	}
	wg.Wait()
	if len(winner) != 1 {
		t.Fatalf("%d updates of version 1 succeeded (%q), want exactly 1", len(winner), winner)
	}
	g, err := s.GetGrant(ctx, "grt_1")
	must(t, "GetGrant", err)
	if g.Description != winner[0] || g.Version != 2 {
		t.Errorf("stored %q version %d, want %q version 2", g.Description, g.Version, winner[0])
	}
}
