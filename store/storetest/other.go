package storetest

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

func testRotation(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, "CreateGrant", s.CreateGrant(ctx, newGrant("grt_1", "prod")))
	must(t, "CreateGrant", s.CreateGrant(ctx, newGrant("grt_2", "dev")))
	notFound(t, "GetRotation before any")(s.GetRotation(ctx, "grt_1"))

	r := &store.Rotation{
		GrantID:        "grt_1",
		Step:           "created_new_key",
		OldAccessKeyID: "AKIAOLD",
		NewAccessKeyID: "AKIANEW",
		Sealed:         allBytes,
		KeyID:          "mk_1",
		StartedAt:      at,
		UpdatedAt:      at.Add(time.Nanosecond),
	}
	must(t, "PutRotation", s.PutRotation(ctx, r))
	found(t, "GetRotation", r)(s.GetRotation(ctx, "grt_1"))

	// Put again replaces, zero values included.
	r2 := &store.Rotation{GrantID: "grt_1", Step: "deactivated_old_key", OldAccessKeyID: "AKIAOLD"}
	must(t, "PutRotation replace", s.PutRotation(ctx, r2))
	found(t, "GetRotation after replace", r2)(s.GetRotation(ctx, "grt_1"))

	notFound(t, "GetRotation of another grant")(s.GetRotation(ctx, "grt_2"))
	must(t, "DeleteRotation of a grant without one", s.DeleteRotation(ctx, "grt_2"))
	must(t, "DeleteRotation of an unknown grant", s.DeleteRotation(ctx, "grt_unknown"))

	must(t, "DeleteRotation", s.DeleteRotation(ctx, "grt_1"))
	notFound(t, "GetRotation after delete")(s.GetRotation(ctx, "grt_1"))
	must(t, "DeleteRotation again", s.DeleteRotation(ctx, "grt_1"))

	// The grant itself is untouched by all this.
	g, err := s.GetGrant(ctx, "grt_1")
	must(t, "GetGrant", err)
	w := newGrant("grt_1", "prod")
	w.Version = 1
	same(t, "grant after rotation", g, w)
}

func testRotationUnknownGrant(t *testing.T, s store.Store) {
	err := s.PutRotation(t.Context(), &store.Rotation{GrantID: "grt_unknown", Step: "begin"})
	wantErr(t, "PutRotation for an unknown grant", err, store.ErrNotFound)
	_, err = s.GetRotation(t.Context(), "grt_unknown")
	wantErr(t, "GetRotation after a refused put", err, store.ErrNotFound)
}

func testSetting(t *testing.T, s store.Store) {
	ctx := t.Context()
	notFound(t, "GetSetting unset")(s.GetSetting(ctx, "master_key_check"))

	must(t, "PutSetting", s.PutSetting(ctx, "master_key_check", allBytes))
	must(t, "PutSetting", s.PutSetting(ctx, "other", []byte("x")))
	v, err := s.GetSetting(ctx, "master_key_check")
	must(t, "GetSetting", err)
	if !bytes.Equal(v, allBytes) {
		t.Errorf("GetSetting = %q, want %q", text.Clip(string(v), 40), text.Clip(string(allBytes), 40))
	}
	must(t, "PutSetting overwrite", s.PutSetting(ctx, "master_key_check", []byte("v2")))
	v, err = s.GetSetting(ctx, "master_key_check")
	must(t, "GetSetting", err)
	if string(v) != "v2" {
		t.Errorf("GetSetting after overwrite = %q, want v2", v)
	}
	v, err = s.GetSetting(ctx, "other")
	must(t, "GetSetting", err)
	if string(v) != "x" {
		t.Errorf("GetSetting of another name = %q, want x", v)
	}
	// Set to nothing is still set.
	must(t, "PutSetting empty", s.PutSetting(ctx, "empty", nil))
	v, err = s.GetSetting(ctx, "empty")
	must(t, "GetSetting of an empty value", err)
	if len(v) != 0 {
		t.Errorf("GetSetting of an empty value = %q", v)
	}
	_, err = s.GetSetting(ctx, "Master_Key_Check") // names are exact
	wantErr(t, "GetSetting with other case", err, store.ErrNotFound)

	// CreateSetting: only the first writer of a name wins.
	must(t, "CreateSetting", s.CreateSetting(ctx, "audit_key", []byte("first")))
	wantErr(t, "CreateSetting of a set name", s.CreateSetting(ctx, "audit_key", []byte("second")), store.ErrConflict)
	wantErr(t, "CreateSetting of a name PutSetting set", s.CreateSetting(ctx, "other", []byte("y")), store.ErrConflict)
	if v, err := s.GetSetting(ctx, "audit_key"); err != nil || string(v) != "first" {
		t.Errorf("after a losing CreateSetting: %q, %v; want first", v, err)
	}
	var wg sync.WaitGroup
	var wins atomic.Int32
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.CreateSetting(ctx, "race", []byte{byte(i)}) == nil {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d of 8 concurrent CreateSetting calls won, want 1", wins.Load())
	}
}
