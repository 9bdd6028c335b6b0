package audit_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
)

// TestMarkInterruptedTogether starts several Logs on one store at once, as
// replicas do, each taking the same dead calls for dead: every call gets
// one interrupted record, whichever Log wrote it.
func TestMarkInterruptedTogether(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	dead := openLog(t, s, audit.Options{Now: func() time.Time { return now.Add(-2 * time.Hour) }, Host: "gone-host"})
	for range 5 {
		if err := dead.Begin(t.Context(), &audit.Entry{Caller: "c", Decision: audit.DecisionAllow}); err != nil {
			t.Fatal(err)
		}
	}
	audit.Abandon(dead)

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { openLog(t, s, audit.Options{Now: func() time.Time { return now }}) })
	}
	wg.Wait()
	marks := map[string]int{}
	for _, r := range records(t, s) {
		if r.Kind == audit.KindInterrupted {
			marks[r.EntryID]++
		}
	}
	if len(marks) != 5 {
		t.Errorf("%d entries marked, want 5", len(marks))
	}
	for id, n := range marks {
		if n != 1 {
			t.Errorf("entry %s has %d interrupted records, want 1", id, n)
		}
	}
}

// TestSweep: an open Log marks the calls of a process on another host once
// they pass the grace period, without being opened again.
func TestSweep(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	var now atomic.Int64
	now.Store(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	other := openLog(t, s, audit.Options{Now: clock, Host: "other-host"})
	if err := other.Begin(t.Context(), &audit.Entry{Caller: "c", Decision: audit.DecisionAllow}); err != nil {
		t.Fatal(err)
	}
	audit.Abandon(other)
	l := openLog(t, s, audit.Options{Now: clock, Sweep: 10 * time.Millisecond})
	time.Sleep(50 * time.Millisecond)
	if rep := mustVerify(t, l); rep.Interrupted != 0 || rep.Open != 1 {
		t.Fatalf("within the grace period: %v; want the call still in flight", rep)
	}
	now.Add(int64(2 * time.Hour))
	deadline := time.Now().Add(10 * time.Second)
	for mustVerify(t, l).Interrupted != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the sweep did not mark the call past its grace period")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
