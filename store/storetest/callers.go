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
		c, err := s.GetCaller(ctx, want.Name)
		must(t, "GetCaller", err)
		same(t, "GetCaller "+want.Name, c, want)
		c, err = s.GetCallerByKeyHash(ctx, want.KeyHash)
		must(t, "GetCallerByKeyHash", err)
		same(t, "GetCallerByKeyHash "+want.Name, c, want)
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

	c, err := s.GetCaller(ctx, "claude")
	must(t, "GetCaller", err)
	same(t, "after conflicts", c, orig)
	_, err = s.GetCaller(ctx, "cursor")
	wantErr(t, "GetCaller of the refused caller", err, store.ErrNotFound)
	_, err = s.GetCallerByKeyHash(ctx, dupName.KeyHash)
	wantErr(t, "GetCallerByKeyHash of the refused caller", err, store.ErrNotFound)
}

// testCallerWithoutKey checks that callers without a key do not collide
// with each other, and that no caller is found by an empty hash.
func testCallerWithoutKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, "CreateCaller", s.CreateCaller(ctx, &store.Caller{Name: "operator"}))
	must(t, "CreateCaller", s.CreateCaller(ctx, &store.Caller{Name: "ci", KeyHash: []byte{}}))
	for _, h := range [][]byte{nil, {}} {
		_, err := s.GetCallerByKeyHash(ctx, h)
		wantErr(t, fmt.Sprintf("GetCallerByKeyHash(%#v)", h), err, store.ErrNotFound)
	}
	c, err := s.GetCaller(ctx, "ci")
	must(t, "GetCaller", err)
	same(t, "keyless caller", c, &store.Caller{Name: "ci", Version: 1})

	// A key can be given later, and taken away again.
	c.KeyHash = keyHash("late")
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	got, err := s.GetCallerByKeyHash(ctx, keyHash("late"))
	must(t, "GetCallerByKeyHash", err)
	same(t, "caller given a key", got, c)
	c.KeyHash = nil
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	_, err = s.GetCallerByKeyHash(ctx, keyHash("late"))
	wantErr(t, "GetCallerByKeyHash of a removed key", err, store.ErrNotFound)
}

func testCallerNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetCaller(ctx, "nobody")
	wantErr(t, "GetCaller on an empty store", err, store.ErrNotFound)
	must(t, "CreateCaller", s.CreateCaller(ctx, newCaller("claude")))
	_, err = s.GetCaller(ctx, "nobody")
	wantErr(t, "GetCaller", err, store.ErrNotFound)
	_, err = s.GetCallerByKeyHash(ctx, keyHash("unknown"))
	wantErr(t, "GetCallerByKeyHash", err, store.ErrNotFound)
	err = s.UpdateCaller(ctx, &store.Caller{Name: "nobody", Version: 1})
	wantErr(t, "UpdateCaller", err, store.ErrNotFound)
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
	cs, err = s.ListCallers(ctx)
	must(t, "ListCallers", err)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	// Byte order: upper case before lower, no natural number sort.
	want := []string{"Zed", "agent-10", "agent-2", "claude", "cursor", "ßeta"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("ListCallers order %q, want %q", names, want)
	}
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
	got, err := s.GetCaller(ctx, "claude")
	must(t, "GetCaller", err)
	same(t, "after update", got, u)
	got, err = s.GetCallerByKeyHash(ctx, u.KeyHash)
	must(t, "GetCallerByKeyHash new key", err)
	same(t, "by new key", got, u)
	_, err = s.GetCallerByKeyHash(ctx, c.KeyHash)
	wantErr(t, "GetCallerByKeyHash old key", err, store.ErrNotFound)

	got.Grants = []string{"grt_x"}
	must(t, "UpdateCaller", s.UpdateCaller(ctx, got))
	if got.Version != 3 {
		t.Errorf("second UpdateCaller left Version %d, want 3", got.Version)
	}
	again, err := s.GetCaller(ctx, "claude")
	must(t, "GetCaller", err)
	same(t, "after second update", again, got)
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

	got, err := s.GetCaller(ctx, "alpha")
	must(t, "GetCaller", err)
	same(t, "alpha after conflicts", got, a)
	got, err = s.GetCallerByKeyHash(ctx, b.KeyHash)
	must(t, "GetCallerByKeyHash", err)
	same(t, "beta after conflicts", got, b)
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
		c, err := s.GetCallerByOAuthSubject(ctx, want.OAuthIssuer, want.OAuthSubject)
		must(t, "GetCallerByOAuthSubject", err)
		same(t, "GetCallerByOAuthSubject "+want.Name, c, want)
		c, err = s.GetCaller(ctx, want.Name)
		must(t, "GetCaller", err)
		same(t, "GetCaller "+want.Name, c, want)
	}
	for _, q := range [][2]string{{iss, "other"}, {"https://other.example.com", "0oa1b2c3"}, {"", ""}, {iss, ""}} {
		_, err := s.GetCallerByOAuthSubject(ctx, q[0], q[1])
		wantErr(t, fmt.Sprintf("GetCallerByOAuthSubject(%q, %q)", q[0], q[1]), err, store.ErrNotFound)
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
	got, err := s.GetCallerByOAuthSubject(ctx, iss, "service-account-ci")
	must(t, "GetCallerByOAuthSubject", err)
	same(t, "caller given a subject", got, c)
	c.OAuthIssuer, c.OAuthSubject = "", ""
	must(t, "UpdateCaller", s.UpdateCaller(ctx, c))
	_, err = s.GetCallerByOAuthSubject(ctx, iss, "service-account-ci")
	wantErr(t, "GetCallerByOAuthSubject of a removed subject", err, store.ErrNotFound)
	got, err = s.GetCaller(ctx, "keyless")
	must(t, "GetCaller", err)
	same(t, "caller without a subject again", got, c)
}
