package storetest

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

func keyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

func newCaller(name string) *store.Caller {
	return &store.Caller{
		Name:      name,
		KeyHash:   keyHash("alter_key_" + name),
		Grants:    []string{"grt_b", "grt_a", "grt_c"}, // order kept
		CreatedAt: at,
		UpdatedAt: at.Add(time.Nanosecond),
	}
}

func testCallerRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := newCaller("cursor")
	full.Revoked = true
	full.Version = 5 // ignored: Create sets 1
	must(t, "CreateCaller", s.CreateCaller(ctx, full))
	if full.Version != 1 {
		t.Errorf("CreateCaller set Version %d, want 1", full.Version)
	}
	bare := &store.Caller{Name: "bare", KeyHash: keyHash("bare")}
	must(t, "CreateCaller", s.CreateCaller(ctx, bare))

	for _, want := range []*store.Caller{full, bare} {
		found(t, "GetCaller "+want.Name, want)(s.GetCaller(ctx, want.Name))
		found(t, "GetCallerByKeyHash "+want.Name, want)(s.GetCallerByKeyHash(ctx, want.KeyHash))
	}
}

func testCallerCreateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	orig := newCaller("claude")
	must(t, "CreateCaller", s.CreateCaller(ctx, orig))

	dupName := newCaller("claude")
	dupName.KeyHash = keyHash("another key")
	wantErr(t, "CreateCaller with a taken name", s.CreateCaller(ctx, dupName), store.ErrConflict)
	dupKey := newCaller("cursor")
	dupKey.KeyHash = orig.KeyHash
	wantErr(t, "CreateCaller with a taken key hash", s.CreateCaller(ctx, dupKey), store.ErrConflict)

	found(t, "after conflicts", orig)(s.GetCaller(ctx, "claude"))
	notFound(t, "GetCaller of the refused caller")(s.GetCaller(ctx, "cursor"))
	notFound(t, "GetCallerByKeyHash of the refused caller")(s.GetCallerByKeyHash(ctx, dupName.KeyHash))
}

// testCallerWithoutKey checks that callers without a key do not collide
// with each other, and that no caller is found by an empty hash.
func testCallerWithoutKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, "CreateCaller", s.CreateCaller(ctx, &store.Caller{Name: "operator"}))
	must(t, "CreateCaller", s.CreateCaller(ctx, &store.Caller{Name: "ci", KeyHash: []byte{}}))
	for _, h := range [][]byte{nil, {}} {
		notFound(t, fmt.Sprintf("GetCallerByKeyHash(%#v)", h))(s.GetCallerByKeyHash(ctx, h))
	}
	c, err := s.GetCaller(ctx, "ci")
	must(t, "GetCaller", err)
	same(t, "keyless caller", c, &store.Caller{Name: "ci", Version: 1})

	// A key can be given later, and taken away again.
	c.KeyHash = keyHash("late")
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	found(t, "caller given a key", c)(s.GetCallerByKeyHash(ctx, keyHash("late")))
	c.KeyHash = nil
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	notFound(t, "GetCallerByKeyHash of a removed key")(s.GetCallerByKeyHash(ctx, keyHash("late")))
}

func testCallerNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	notFound(t, "GetCaller on an empty store")(s.GetCaller(ctx, "nobody"))
	must(t, "CreateCaller", s.CreateCaller(ctx, newCaller("claude")))
	notFound(t, "GetCaller")(s.GetCaller(ctx, "nobody"))
	notFound(t, "GetCallerByKeyHash")(s.GetCallerByKeyHash(ctx, keyHash("unknown")))
	wantErr(t, "UpdateCaller", s.UpdateCaller(ctx, &store.Caller{Name: "nobody", Version: 1}), store.ErrNotFound)
}

func testCallerList(t *testing.T, s store.Store) {
	ctx := t.Context()
	cs, err := s.ListCallers(ctx)
	must(t, "ListCallers", err)
	if len(cs) != 0 {
		t.Fatalf("ListCallers on an empty store: %d callers", len(cs))
	}
	for _, name := range []string{"cursor", "claude", "Zed", "agent-2", "agent-10", "ßeta"} {
		must(t, "CreateCaller", s.CreateCaller(ctx, newCaller(name)))
	}
	// Byte order: upper case before lower, no natural number sort.
	want := []string{"Zed", "agent-10", "agent-2", "claude", "cursor", "ßeta"}
	cs = listed(t, "ListCallers", func(c *store.Caller) string { return c.Name }, want)(s.ListCallers(ctx))
	if len(cs) > 0 {
		w := newCaller("Zed")
		w.Version = 1
		same(t, "ListCallers record", cs[0], w)
	}
}

func testCallerUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newCaller("claude")
	must(t, "CreateCaller", s.CreateCaller(ctx, c))
	u := &store.Caller{
		Name:      "claude",
		KeyHash:   keyHash("rotated key"),
		Grants:    nil,
		CreatedAt: at,
		UpdatedAt: at.Add(time.Hour + time.Nanosecond),
		Revoked:   true,
		Version:   1,
	}
	must(t, "UpdateCaller", s.UpdateCaller(ctx, u))
	if u.Version != 2 {
		t.Errorf("UpdateCaller left Version %d, want 2", u.Version)
	}
	found(t, "after update", u)(s.GetCaller(ctx, "claude"))
	got := found(t, "by new key", u)(s.GetCallerByKeyHash(ctx, u.KeyHash))
	notFound(t, "GetCallerByKeyHash old key")(s.GetCallerByKeyHash(ctx, c.KeyHash))

	got.Grants = []string{"grt_x"}
	must(t, "UpdateCaller", s.UpdateCaller(ctx, got))
	if got.Version != 3 {
		t.Errorf("second UpdateCaller left Version %d, want 3", got.Version)
	}
	found(t, "after second update", got)(s.GetCaller(ctx, "claude"))
	// The old key is free again.
	must(t, "CreateCaller with the old key", s.CreateCaller(ctx, &store.Caller{Name: "other", KeyHash: c.KeyHash}))
}

func testCallerUpdateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newCaller("alpha"), newCaller("beta")
	must(t, "CreateCaller", s.CreateCaller(ctx, a))
	must(t, "CreateCaller", s.CreateCaller(ctx, b))

	stale := *a
	a.Revoked = true
	must(t, "UpdateCaller", s.UpdateCaller(ctx, a))
	stale.Grants = []string{"lost update"}
	wantErr(t, "UpdateCaller with a stale Version", s.UpdateCaller(ctx, &stale), store.ErrConflict)
	if stale.Version != 1 {
		t.Errorf("failed UpdateCaller changed Version to %d", stale.Version)
	}

	onto := *a
	onto.KeyHash = b.KeyHash
	wantErr(t, "UpdateCaller onto a taken key hash", s.UpdateCaller(ctx, &onto), store.ErrConflict)

	found(t, "alpha after conflicts", a)(s.GetCaller(ctx, "alpha"))
	found(t, "beta after conflicts", b)(s.GetCallerByKeyHash(ctx, b.KeyHash))
}

// testCallerOAuthSubject checks callers found by the issuer and subject of
// an OAuth token: the pair is unique, "" is an issuer of its own (any
// issuer), and a subject can be given later and taken away.
func testCallerOAuthSubject(t *testing.T, s store.Store) {
	ctx := t.Context()
	const iss = "https://idp.example.com/realms/aws"
	okta := &store.Caller{Name: "okta-agent", OAuthIssuer: iss, OAuthSubject: "0oa1b2c3"}
	anyIss := &store.Caller{Name: "any-issuer", OAuthSubject: "0oa1b2c3"}
	must(t, "CreateCaller", s.CreateCaller(ctx, okta))
	must(t, "CreateCaller", s.CreateCaller(ctx, anyIss))
	must(t, "CreateCaller", s.CreateCaller(ctx, newCaller("keyed"))) // no subject: no collision
	must(t, "CreateCaller", s.CreateCaller(ctx, &store.Caller{Name: "keyless"}))

	for _, want := range []*store.Caller{okta, anyIss} {
		found(t, "GetCallerByOAuthSubject "+want.Name, want)(s.GetCallerByOAuthSubject(ctx, want.OAuthIssuer, want.OAuthSubject))
		found(t, "GetCaller "+want.Name, want)(s.GetCaller(ctx, want.Name))
	}
	for _, q := range [][2]string{{iss, "other"}, {"https://other.example.com", "0oa1b2c3"}, {"", ""}, {iss, ""}} {
		notFound(t, fmt.Sprintf("GetCallerByOAuthSubject(%q, %q)", q[0], q[1]))(s.GetCallerByOAuthSubject(ctx, q[0], q[1]))
	}

	dup := &store.Caller{Name: "dup", OAuthIssuer: iss, OAuthSubject: "0oa1b2c3"}
	wantErr(t, "CreateCaller with a taken issuer and subject", s.CreateCaller(ctx, dup), store.ErrConflict)
	dup.OAuthIssuer = ""
	wantErr(t, "CreateCaller with a taken subject of any issuer", s.CreateCaller(ctx, dup), store.ErrConflict)

	// A subject can be given later, moved, and taken away again.
	c, err := s.GetCaller(ctx, "keyless")
	must(t, "GetCaller", err)
	c.OAuthIssuer, c.OAuthSubject = iss, "0oa1b2c3"
	wantErr(t, "UpdateCaller onto a taken subject", s.UpdateCaller(ctx, c), store.ErrConflict)
	c.OAuthSubject = "service-account-ci"
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	found(t, "caller given a subject", c)(s.GetCallerByOAuthSubject(ctx, iss, "service-account-ci"))
	c.OAuthIssuer, c.OAuthSubject = "", ""
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	notFound(t, "GetCallerByOAuthSubject of a removed subject")(s.GetCallerByOAuthSubject(ctx, iss, "service-account-ci"))
	found(t, "caller without a subject again", c)(s.GetCaller(ctx, "keyless"))
}
