package policy_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
)

// allowN makes n calls at now and returns how many were allowed.
func allowN(l *policy.Limiter, grant, caller string, p *policy.Policy, now time.Time, n int) int {
	allowed := 0
	for range n {
		if l.Allow(grant, caller, p, now).Allow {
			allowed++
		}
	}
	return allowed
}

func TestLimiterBurstAndRefill(t *testing.T) {
	var l policy.Limiter // the zero value is ready
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 2, Burst: 5}}
	if got := allowN(&l, "grt_a", "alice", p, t0, 10); got != 5 {
		t.Fatalf("burst: %d of 10 calls allowed at once, want 5", got)
	}
	d := l.Allow("grt_a", "alice", p, t0)
	if d.Allow || d.Rule != "rate" || d.RetryAfter != 500*time.Millisecond {
		t.Fatalf("empty bucket: %+v, want rule rate, RetryAfter 500ms", d)
	}
	for _, s := range []string{"grt_a", "2 calls per second", "burst 5", "retry in 500ms"} {
		if !strings.Contains(d.Message, s) {
			t.Errorf("message %q lacks %q", d.Message, s)
		}
	}
	// Just before the token is back: still denied, with the rest of the wait.
	if d := l.Allow("grt_a", "alice", p, t0.Add(499*time.Millisecond)); d.Allow || d.RetryAfter != time.Millisecond {
		t.Fatalf("at 499ms: %+v, want a denial with RetryAfter 1ms", d)
	}
	// Waiting as long as told is enough.
	if d := l.Allow("grt_a", "alice", p, t0.Add(500*time.Millisecond)); !d.Allow {
		t.Fatalf("at 500ms: %+v, want allow", d)
	}
	if got := allowN(&l, "grt_a", "alice", p, t0.Add(500*time.Millisecond), 3); got != 0 {
		t.Errorf("at 500ms: %d more calls allowed, want 0", got)
	}
	// A long pause refills to the burst, not beyond.
	if got := allowN(&l, "grt_a", "alice", p, t0.Add(time.Hour), 10); got != 5 {
		t.Errorf("after an hour: %d of 10 allowed, want 5 (the burst)", got)
	}
}

func TestLimiterDeniedCallsTakeNothing(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 1}}
	if !l.Allow("g", "", p, t0).Allow {
		t.Fatal("first call denied")
	}
	// Retrying every 100ms must not push the next token further away.
	for ms := 100; ms < 1000; ms += 100 {
		if d := l.Allow("g", "", p, t0.Add(time.Duration(ms)*time.Millisecond)); d.Allow {
			t.Fatalf("at %dms: allowed, want denied", ms)
		}
	}
	if d := l.Allow("g", "", p, t0.Add(time.Second)); !d.Allow {
		t.Fatalf("at 1s: %+v, want allow", d)
	}
}

func TestLimiterPerCaller(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{CallerRate: &policy.Rate{PerSecond: 0.5, Burst: 2}}
	if got := allowN(&l, "g", "alice", p, t0, 5); got != 2 {
		t.Fatalf("alice: %d of 5 allowed, want 2", got)
	}
	// Bob has his own bucket, and so has alice on another grant.
	if got := allowN(&l, "g", "bob", p, t0, 5); got != 2 {
		t.Errorf("bob: %d of 5 allowed, want 2", got)
	}
	if got := allowN(&l, "g2", "alice", p, t0, 5); got != 2 {
		t.Errorf("alice on g2: %d of 5 allowed, want 2", got)
	}
	d := l.Allow("g", "alice", p, t0)
	if d.Rule != "caller_rate" || d.RetryAfter != 2*time.Second ||
		!strings.Contains(d.Message, `caller "alice"`) || !strings.Contains(d.Message, "one call every 2s") {
		t.Errorf("alice over her rate: %+v", d)
	}
	if d := l.Allow("g", "", p, t0); !d.Allow {
		t.Errorf("the operator (caller \"\"): %+v, want allow from a bucket of its own", d)
	}
	allowN(&l, "g", "", p, t0, 5)
	if d := l.Allow("g", "", p, t0); d.Allow || !strings.Contains(d.Message, "the operator") {
		t.Errorf("the operator over the rate: %+v", d)
	}
}

func TestLimiterGrantAndCaller(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 3}, CallerRate: &policy.Rate{PerSecond: 1, Burst: 2}}
	if got := allowN(&l, "g", "alice", p, t0, 5); got != 2 {
		t.Fatalf("alice: %d allowed, want 2 (her burst)", got)
	}
	// Alice's denials took nothing from the grant: bob gets the last token.
	if got := allowN(&l, "g", "bob", p, t0, 5); got != 1 {
		t.Fatalf("bob: %d allowed, want 1 (what is left of the grant's burst)", got)
	}
	d := l.Allow("g", "carol", p, t0)
	if d.Rule != "rate" || d.RetryAfter != time.Second {
		t.Errorf("carol, grant empty: %+v, want rule rate after 1s", d)
	}
	// Both empty: the longer wait decides the rule.
	p2 := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 1}, CallerRate: &policy.Rate{PerSecond: 0.25, Burst: 1}}
	var l2 policy.Limiter
	l2.Allow("g", "alice", p2, t0)
	if d := l2.Allow("g", "alice", p2, t0); d.Rule != "caller_rate" || d.RetryAfter != 4*time.Second {
		t.Errorf("both empty, caller slower: %+v, want caller_rate after 4s", d)
	}
	if d := l2.Allow("g", "alice", p2, t0.Add(2*time.Second)); d.Rule != "caller_rate" || d.RetryAfter != 2*time.Second {
		t.Errorf("grant refilled, caller not: %+v, want caller_rate after 2s", d)
	}
}

func TestLimiterPolicyChanges(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 10}}
	allowN(&l, "g", "", p, t0, 2) // 8 left
	// A smaller burst caps what is left.
	p = &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 3}}
	if got := allowN(&l, "g", "", p, t0, 10); got != 3 {
		t.Errorf("after lowering the burst: %d allowed, want 3", got)
	}
	// No rate at all: never limited.
	if got := allowN(&l, "g", "", &policy.Policy{}, t0, 100); got != 100 {
		t.Errorf("without a rate: %d of 100 allowed", got)
	}
	if got := allowN(&l, "g", "", nil, t0, 100); got != 100 {
		t.Errorf("nil policy: %d of 100 allowed", got)
	}
}

func TestLimiterInvalidRate(t *testing.T) {
	var l policy.Limiter
	for _, c := range []struct {
		p    policy.Policy
		rule string
	}{
		{policy.Policy{Rate: &policy.Rate{PerSecond: 0, Burst: 5}}, "rate"},
		{policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 0}}, "rate"},
		{policy.Policy{CallerRate: &policy.Rate{PerSecond: -1, Burst: 1}}, "caller_rate"},
	} {
		d := l.Allow("g", "alice", &c.p, t0)
		if d.Allow || d.Rule != c.rule || !strings.Contains(d.Message, "operator") {
			t.Errorf("rate %+v / caller %+v: %+v, want a %s denial for the operator", c.p.Rate, c.p.CallerRate, d, c.rule)
		}
	}
	if n := l.Len(); n != 0 {
		t.Errorf("invalid rates made %d buckets", n)
	}
}

func TestLimiterClockBackwards(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 1}}
	l.Allow("g", "", p, t0)
	if d := l.Allow("g", "", p, t0.Add(-time.Hour)); d.Allow {
		t.Fatal("an earlier time refilled the bucket")
	}
	if d := l.Allow("g", "", p, t0.Add(time.Second)); !d.Allow {
		t.Fatalf("1s after the first call: %+v, want allow", d)
	}
}

func TestLimiterTinyRate(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1e-300, Burst: 1}}
	l.Allow("g", "", p, t0)
	d := l.Allow("g", "", p, t0)
	if d.Allow || d.RetryAfter <= 0 {
		t.Fatalf("tiny rate: %+v, want a denial with a positive RetryAfter", d)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 100}, CallerRate: &policy.Rate{PerSecond: 1, Burst: 30}}
	var allowed [4]atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			caller := fmt.Sprintf("caller-%d", g%4)
			for range 50 {
				if l.Allow("g", caller, p, t0).Allow {
					allowed[g%4].Add(1)
				}
			}
		})
	}
	wg.Wait()
	total := int64(0)
	for i := range allowed {
		n := allowed[i].Load()
		if n > 30 {
			t.Errorf("caller-%d: %d allowed, want at most 30", i, n)
		}
		total += n
	}
	// 4 callers × 30 = 120 > 100: the grant's burst is the bound.
	if total != 100 {
		t.Errorf("%d calls allowed in all, want exactly 100", total)
	}
}

func TestLimiterBound(t *testing.T) {
	l := policy.Limiter{MaxBuckets: 100}
	p := &policy.Policy{Rate: &policy.Rate{PerSecond: 1, Burst: 2}, CallerRate: &policy.Rate{PerSecond: 1, Burst: 1}}
	for i := range 1000 {
		if d := l.Allow("g", fmt.Sprint("caller-", i), p, t0); i < 2 && !d.Allow {
			t.Fatalf("call %d: %+v", i, d)
		}
		if n := l.Len(); n > 100 {
			t.Fatalf("after %d callers: %d buckets, want at most 100", i+1, n)
		}
	}
	// The grant's bucket is used by every call, so it is never the least
	// recently used: it was not evicted and is still empty.
	if d := l.Allow("g", "caller-x", p, t0); d.Allow || d.Rule != "rate" {
		t.Errorf("grant bucket after 1000 callers: %+v, want rule rate", d)
	}
}

func TestLimiterReapsIdle(t *testing.T) {
	var l policy.Limiter
	p := &policy.Policy{CallerRate: &policy.Rate{PerSecond: 10, Burst: 1}}
	for i := range 500 {
		l.Allow("g", fmt.Sprint("caller-", i), p, t0)
	}
	if n := l.Len(); n != 500 {
		t.Fatalf("%d buckets after 500 callers, want 500", n)
	}
	// A second later every bucket is full again, so each call drops idle
	// ones: after 250 calls by one caller, none of the others is left.
	later := t0.Add(time.Second)
	for range 250 {
		l.Allow("g", "busy", p, later)
		later = later.Add(100 * time.Millisecond)
	}
	if n := l.Len(); n != 1 {
		t.Errorf("%d buckets after the others went idle, want 1 (busy's)", n)
	}
	// A bucket that is not full is not reaped.
	var l2 policy.Limiter
	slow := &policy.Policy{CallerRate: &policy.Rate{PerSecond: 0.001, Burst: 1}}
	l2.Allow("g", "a", slow, t0)
	for range 10 {
		l2.Allow("g", "b", slow, t0.Add(time.Second))
	}
	if n := l2.Len(); n != 2 {
		t.Errorf("%d buckets, want 2: a's bucket is still refilling", n)
	}
}
