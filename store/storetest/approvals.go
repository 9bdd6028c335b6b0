package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

func newApproval(id string, created time.Time) *store.Approval {
	return &store.Approval{
		ID: id, CreatedAt: created, Expires: created.Add(2 * time.Minute),
		Caller: "ci-bot", CallerName: "ci-bot", Client: "claude-code/1.0", GrantID: "grt_1", GrantName: "prod",
		Tool: "s3_put", Operation: "s3:PutObject",
		Summary: "PUT https://b.s3.amazonaws.com/k\n\u00e9t\u00e9 \u2603", Digest: "confirm-write.v1.abc",
		AuditID: "aud_1", Status: store.ApprovalPending,
	}
}

func testApprovalRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetApproval(ctx, "apr_1")
	wantErr(t, "GetApproval before any", err, store.ErrNotFound)
	a := newApproval("apr_1", at)
	must(t, "CreateApproval", s.CreateApproval(ctx, a))
	got, err := s.GetApproval(ctx, "apr_1")
	must(t, "GetApproval", err)
	want := *a
	want.CreatedAt, want.Expires = at.UTC(), a.Expires.UTC()
	same(t, "GetApproval", got, &want)

	wantErr(t, "CreateApproval with a taken id", s.CreateApproval(ctx, newApproval("apr_1", at)), store.ErrConflict)

	// A time the store cannot keep is refused, not changed.
	bad := newApproval("apr_2", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := s.CreateApproval(ctx, bad); err == nil {
		t.Error("CreateApproval with a creation time in the year 3000 succeeded")
	}
	_, err = s.GetApproval(ctx, "apr_2")
	wantErr(t, "GetApproval after a refused create", err, store.ErrNotFound)
}

func testApprovalMove(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, "CreateApproval", s.CreateApproval(ctx, newApproval("apr_1", at)))
	_, err := s.MoveApproval(ctx, "apr_unknown", store.ApprovalPending, store.ApprovalApproved, "alice (cli)", at)
	wantErr(t, "MoveApproval of an unknown id", err, store.ErrNotFound)

	decided := at.Add(time.Second)
	got, err := s.MoveApproval(ctx, "apr_1", store.ApprovalPending, store.ApprovalApproved, "alice (cli)", decided)
	must(t, "MoveApproval pending → approved", err)
	if got.Status != store.ApprovalApproved || got.DecidedBy != "alice (cli)" || !got.DecidedAt.Equal(decided) || got.DecidedAt.Location() != time.UTC {
		t.Errorf("after approving: status %q by %q at %v, want approved by alice (cli) at %v (UTC)", got.Status, got.DecidedBy, got.DecidedAt, decided)
	}

	// Only from the status named: a second decision loses.
	_, err = s.MoveApproval(ctx, "apr_1", store.ApprovalPending, store.ApprovalRejected, "bob (console)", decided)
	wantErr(t, "rejecting an approved approval", err, store.ErrConflict)

	// Without a decider the decision stays as it was.
	got, err = s.MoveApproval(ctx, "apr_1", store.ApprovalApproved, store.ApprovalSent, "", time.Time{})
	must(t, "MoveApproval approved → sent", err)
	if got.Status != store.ApprovalSent || got.DecidedBy != "alice (cli)" || !got.DecidedAt.Equal(decided) {
		t.Errorf("after sending: status %q by %q at %v, want sent, still by alice (cli) at %v", got.Status, got.DecidedBy, got.DecidedAt, decided)
	}
	_, err = s.MoveApproval(ctx, "apr_1", store.ApprovalApproved, store.ApprovalSent, "", time.Time{})
	wantErr(t, "sending twice", err, store.ErrConflict)
	got, err = s.GetApproval(ctx, "apr_1")
	must(t, "GetApproval", err)
	if got.Status != store.ApprovalSent {
		t.Errorf("stored status %q, want sent", got.Status)
	}
}

func testApprovalList(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 5 {
		a := newApproval(fmt.Sprintf("apr_%d", i), at.Add(time.Duration(i)*time.Second))
		must(t, "CreateApproval", s.CreateApproval(ctx, a))
	}
	_, err := s.MoveApproval(ctx, "apr_3", store.ApprovalPending, store.ApprovalRejected, "bob (console)", at)
	must(t, "MoveApproval", err)

	ids := func(q store.ApprovalQuery) []string {
		as, err := s.ListApprovals(ctx, q)
		must(t, "ListApprovals", err)
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	sameIDs(t, "all, newest first", ids(store.ApprovalQuery{}), []string{"apr_4", "apr_3", "apr_2", "apr_1", "apr_0"})
	sameIDs(t, "pending", ids(store.ApprovalQuery{Status: store.ApprovalPending}), []string{"apr_4", "apr_2", "apr_1", "apr_0"})
	sameIDs(t, "pending, newest 2", ids(store.ApprovalQuery{Status: store.ApprovalPending, Limit: 2}), []string{"apr_4", "apr_2"})
	sameIDs(t, "rejected", ids(store.ApprovalQuery{Status: store.ApprovalRejected}), []string{"apr_3"})
	if got := ids(store.ApprovalQuery{Status: store.ApprovalSent}); len(got) != 0 {
		t.Errorf("sent: %v, want none", got)
	}
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// testSharedApprovalRace: deciders on two handles (a console and a command
// line, or two replicas) race to decide one approval; exactly one wins, and
// both handles then read its decision.
func testSharedApprovalRace(t *testing.T, a, b store.Store) {
	ctx := deadline(t)
	for round := range 10 {
		id := fmt.Sprintf("apr_%d", round)
		must(t, "CreateApproval", a.CreateApproval(ctx, newApproval(id, at)))
		var wg sync.WaitGroup
		wins := make(chan string, 4)
		for i, s := range []store.Store{a, b, a, b} {
			to, by := store.ApprovalApproved, fmt.Sprintf("approver %d", i)
			if i%2 == 1 {
				to = store.ApprovalRejected
			}
			wg.Go(func() {
				if _, err := s.MoveApproval(ctx, id, store.ApprovalPending, to, by, at); err == nil {
					wins <- by
				} else {
					wantErr(t, "losing MoveApproval", err, store.ErrConflict)
				}
			})
		}
		wg.Wait()
		close(wins)
		var won []string
		for w := range wins {
			won = append(won, w)
		}
		if len(won) != 1 {
			t.Fatalf("round %d: %d deciders won (%v), want exactly 1", round, len(won), won)
		}
		for _, s := range []store.Store{a, b} {
			got, err := s.GetApproval(ctx, id)
			must(t, "GetApproval", err)
			if got.DecidedBy != won[0] {
				t.Errorf("round %d: decided by %q, want the winner %q", round, got.DecidedBy, won[0])
			}
		}
	}
}
