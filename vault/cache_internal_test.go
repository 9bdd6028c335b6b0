package vault

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
// each sees at least the version committed before it began, however the
// reads and the changes interleave.
func TestSharedVersionReads(t *testing.T) {
	sv := &slowVersion{}
	c := newCachedStore(nil, sv)
	var wg sync.WaitGroup
	var calls atomic.Int64
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				sv.v.Add(1)
				time.Sleep(50 * time.Microsecond)
			}
		}
	})
	var readers sync.WaitGroup
	for range 32 {
		readers.Go(func() {
			for range 200 {
				before := sv.v.Load()
				got, err := c.readVersion(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				if got < before {
					t.Errorf("a read that began at version %d got %d", before, got)
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
	t.Logf("%d queries for %d reads", sv.reads.Load(), calls.Load())
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
	sv.v.Store(8) // a change committed during the request...
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
	if v, _ := c.check(req); v != 9 {
		t.Errorf("a hold past maxHold got %d, want 9", v)
	}
}
