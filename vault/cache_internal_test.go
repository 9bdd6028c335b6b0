package vault

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// slowVersion is a store version that moves when told, read slowly so that
// reads overlap; it counts the reads.
type slowVersion struct {
	v     atomic.Int64
	reads atomic.Int64
}

func (s *slowVersion) Version(context.Context) (int64, error) {
	s.reads.Add(1)
	v := s.v.Load() // the query sees what was committed when it began...
	time.Sleep(200 * time.Microsecond)
	return v, nil // ...and answers a little later
}

// TestSharedVersionReads: concurrent reads share queries of the version, yet
// each sees at least the version of every change that had returned before
// the read began, however the reads and the changes interleave: changes
// made through this cachedStore (wrote), which return at once to its own
// reads, and another process's, which return after commitWait.
func TestSharedVersionReads(t *testing.T) {
	for _, other := range []bool{false, true} {
		sv := &slowVersion{}
		c := newCachedStore(nil, sv)
		var wg sync.WaitGroup
		var calls, returned atomic.Int64
		stop := make(chan struct{})
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := sv.v.Add(1) // the commit
				if other {
					time.Sleep(freshFor)
				} else {
					c.wrote()
				}
				returned.Store(v)
				time.Sleep(50 * time.Microsecond)
			}
		})
		var readers sync.WaitGroup
		for range 32 {
			readers.Go(func() {
				for range 200 {
					before := returned.Load()
					got, err := c.readVersion(t.Context())
					if err != nil {
						t.Error(err)
						return
					}
					if got < before {
						t.Errorf("a read that began after version %d returned got %d", before, got)
						return
					}
					calls.Add(1)
				}
			})
		}
		readers.Wait()
		close(stop)
		wg.Wait()
		if r := sv.reads.Load(); r >= calls.Load() {
			t.Errorf("%d queries for %d reads: not shared", r, calls.Load())
		}
		t.Logf("another process %v: %d queries for %d reads", other, sv.reads.Load(), calls.Load())
	}
}

// TestOneVersionCheck: the reads of one request check the version once,
// and that check sees what was committed before the request began; a
// context without a hold, a hold past maxHold, or RecheckVersion after a
// wait reads it again and sees a change made since.
func TestOneVersionCheck(t *testing.T) {
	sv := &slowVersion{}
	c := newCachedStore(nil, sv)
	sv.v.Store(7)
	req := OneVersionCheck(t.Context())
	if OneVersionCheck(req) != req {
		t.Error("a second OneVersionCheck replaced the request's hold")
	}
	for range 5 {
		if v, ok := c.check(req); !ok || v != 7 {
			t.Fatalf("check = %d, %v; want 7", v, ok)
		}
	}
	if n := sv.reads.Load(); n != 1 {
		t.Errorf("one request read the version %d times, want 1", n)
	}
	sv.v.Store(8)        // a change committed during the request...
	time.Sleep(freshFor) // ...and returned (commitWait)
	if v, _ := c.check(req); v != 7 {
		t.Errorf("the request's version moved to %d", v)
	}
	if v, _ := c.check(t.Context()); v != 8 { // ...is seen by the next one
		t.Errorf("a request without a hold got %d, want 8", v)
	}
	if v, _ := c.check(RecheckVersion(req)); v != 8 {
		t.Errorf("after RecheckVersion got %d, want 8", v)
	}
	h := req.Value(versionHoldKey{}).(*versionHold)
	h.mu.Lock()
	h.at = h.at.Add(-maxHold)
	h.mu.Unlock()
	sv.v.Store(9)
	time.Sleep(freshFor)
	if v, _ := c.check(req); v != 9 {
		t.Errorf("a hold past maxHold got %d, want 9", v)
	}
}

// TestFreshVersionReads: a version read serves the reads that start within
// freshFor of it, so reads in a loop ask the store about once every
// freshFor; a change is seen once its writer's commitWait has passed, and a
// write through the same cachedStore is seen by the next read at once.
func TestFreshVersionReads(t *testing.T) {
	sv := &slowVersion{}
	c := newCachedStore(nil, sv)
	sv.v.Store(1)
	const span = 40 * time.Millisecond
	start := time.Now()
	reads := 0
	for time.Since(start) < span {
		if v, err := c.readVersion(t.Context()); err != nil || v != 1 {
			t.Fatalf("readVersion = %d, %v; want 1", v, err)
		}
		reads++
	}
	elapsed := time.Since(start)
	if most := int64(elapsed/freshFor) + 2; sv.reads.Load() > most {
		t.Errorf("%d reads in %v asked the store %d times, want at most %d (one a %v)", reads, elapsed, sv.reads.Load(), most, freshFor)
	}
	t.Logf("%d reads in %v asked the store %d times", reads, elapsed, sv.reads.Load())

	sv.v.Store(2)        // another process commits...
	time.Sleep(freshFor) // ...and its commitWait passes
	if v, _ := c.readVersion(t.Context()); v != 2 {
		t.Errorf("after another process's change returned: %d, want 2", v)
	}
	sv.v.Store(3) // a change through c itself, before its commitWait
	c.wrote()
	if v, _ := c.readVersion(t.Context()); v != 3 {
		t.Errorf("right after a write through this cache: %d, want 3", v)
	}
}

// versionStore is a store whose grant and caller writes move sv's version.
type versionStore struct {
	store.Store
	sv *slowVersion
}

func (s versionStore) CreateGrant(context.Context, *store.Grant) error   { s.sv.v.Add(1); return nil }
func (s versionStore) UpdateGrant(context.Context, *store.Grant) error   { s.sv.v.Add(1); return nil }
func (s versionStore) CreateCaller(context.Context, *store.Caller) error { s.sv.v.Add(1); return nil }
func (s versionStore) UpdateCaller(context.Context, *store.Caller) error {
	s.sv.v.Add(1)
	return errors.New("a failure after the commit")
}

// TestCommitWait: every grant or caller change through the cache, failed
// or not, returns no sooner than freshFor after its commit, and the next
// read in this process sees it.
func TestCommitWait(t *testing.T) {
	sv := &slowVersion{}
	c := newCachedStore(versionStore{sv: sv}, sv)
	ctx := t.Context()
	for i, write := range []func() error{
		func() error { return c.CreateGrant(ctx, &store.Grant{}) },
		func() error { return c.UpdateGrant(ctx, &store.Grant{}) },
		func() error { return c.CreateCaller(ctx, &store.Caller{}) },
		func() error { return c.UpdateCaller(ctx, &store.Caller{}) },
	} {
		if _, err := c.readVersion(ctx); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		write()
		if took := time.Since(start); took < freshFor {
			t.Errorf("write %d returned after %v, before freshFor (%v)", i, took, freshFor)
		}
		if v, _ := c.readVersion(ctx); v != int64(i+1) {
			t.Errorf("after write %d the version read is %d, want %d", i, v, i+1)
		}
	}
}
