package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

// TestEndLater: an end record queued without waiting is committed with the
// next group, read back by the Log at once (its reads flush), and kept by
// Close; the calls of many clients share few transactions.
func TestEndLater(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	cs := &countingStore{Store: s}
	l := openLog(t, cs, audit.Options{})
	ctx := t.Context()
	e := &audit.Entry{Decision: audit.DecisionAllow, Reason: "one"}
	if err := l.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	e.Status, e.Outcome = 200, audit.OutcomeOK
	if err := l.EndLater(ctx, e); err != nil {
		t.Fatal(err)
	}
	_, recs, err := l.Get(ctx, e.ID)
	if err != nil || len(recs) != 2 || recs[1].Kind != audit.KindEnd || recs[1].Status != 200 {
		t.Fatalf("Get right after EndLater: %+v, %v; want the begin and the end", recs, err)
	}

	const n = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	before := cs.appends.Load()
	for i := range n {
		wg.Go(func() {
			e := &audit.Entry{Decision: audit.DecisionAllow, Tool: "t", Reason: string(rune('a' + i%26))}
			if l.Begin(ctx, e) != nil {
				failed.Add(1)
				return
			}
			e.Outcome = audit.OutcomeOK
			if l.EndLater(ctx, e) != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil { // commits what is still queued
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d calls failed", failed.Load())
	}
	if got := cs.appends.Load() - before; got >= 2*n {
		t.Errorf("%d transactions for %d begin and %d end records: not grouped", got, n, n)
	}
	l2 := openLog(t, s, audit.Options{})
	if rep := mustVerify(t, l2); rep.Interrupted != 0 || rep.Open != 0 || rep.Entries != n+1 {
		t.Errorf("report %+v; want %d entries, each ended", rep, n+1)
	}
}

// TestEndLaterLost: an end record that never reaches the store (a failed
// commit, as a crash would lose it) leaves the entry open, and Close marks
// it interrupted: the call is never shown as having not happened.
func TestEndLaterLost(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	fs := &flakyAppends{Store: s}
	l := openLog(t, fs, audit.Options{})
	e := &audit.Entry{Decision: audit.DecisionAllow, Reason: "lost end"}
	if err := l.Begin(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	fs.fail.Store(true)
	e.Outcome = audit.OutcomeOK
	if err := l.EndLater(t.Context(), e); err != nil {
		t.Fatalf("EndLater: %v; the call does not wait for the commit", err)
	}
	if err := l.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	fs.fail.Store(false)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	recs := records(t, s)
	if len(recs) != 2 || recs[1].Kind != audit.KindInterrupted || recs[1].EntryID != e.ID {
		t.Fatalf("records %+v; want the begin and an interrupted record", recs)
	}
	if err := l.EndLater(t.Context(), e); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("EndLater after Close: %v", err)
	}
}

// flakyAppends fails appends while fail is set.
type flakyAppends struct {
	store.Store
	fail atomic.Bool
}

func (s *flakyAppends) AppendAudit(ctx context.Context, build func(store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	if s.fail.Load() {
		return nil, errors.New("disk full")
	}
	return s.Store.AppendAudit(ctx, build)
}

// TestEndLaterJoinsTheNextBegin: a client calling in a loop pays one commit
// a call: each end record waits briefly and goes with the next call's
// begin record; the last one, with no call after it, is committed on its
// own soon after.
func TestEndLaterJoinsTheNextBegin(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	cs := &countingStore{Store: s}
	l := openLog(t, cs, audit.Options{})
	ctx := t.Context()
	const n = 100
	before := cs.appends.Load()
	var last *audit.Entry
	for i := range n {
		e := &audit.Entry{Decision: audit.DecisionAllow, Tool: "t", Reason: fmt.Sprint("call ", i)}
		if err := l.Begin(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.Outcome = audit.OutcomeOK
		if err := l.EndLater(ctx, e); err != nil {
			t.Fatal(err)
		}
		last = e
		time.Sleep(500 * time.Microsecond) // the agent reads the result and asks again
	}
	// Read the store itself, not through the Log (whose reads flush).
	deadline := time.Now().Add(10 * time.Second)
	for {
		recs := records(t, s)
		if len(recs) == 2*n && recs[len(recs)-1].EntryID == last.ID && recs[len(recs)-1].Kind == audit.KindEnd {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last end record was not committed on its own: %d records", len(recs))
		}
		time.Sleep(time.Millisecond)
	}
	if got := cs.appends.Load() - before; got > n+n/4 {
		t.Errorf("%d commits for %d calls in a loop; want about one a call", got, n)
	}
}
