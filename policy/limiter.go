package policy

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBuckets is how many token buckets a Limiter keeps when its
// MaxBuckets is 0.
const DefaultMaxBuckets = 10000

// A Limiter applies policies' Rate (one token bucket per grant) and
// CallerRate (one per grant and caller). It is safe for concurrent use, its
// zero value is ready to use, and it must not be copied after first use.
//
// A bucket starts full (Burst tokens), gains PerSecond tokens a second up to
// Burst, and each allowed call takes one token from each bucket that applies.
// A denied call takes none, so a caller that keeps retrying too early does
// not push its own retry further away, and a caller that is over its
// CallerRate does not use up the grant's Rate.
//
// Memory is bounded: a Limiter keeps at most MaxBuckets buckets, each about
// 200 bytes with its map entry, plus the lengths of its grant id and caller
// name (about 2.5 MB for the default 10,000 with short names). A bucket that has refilled to its
// burst holds nothing a new bucket would not, so such idle buckets are
// dropped, least recently used first, a few with every call. Only when more
// than MaxBuckets buckets are in use at once is a bucket that is not full
// dropped (the least recently used); it starts full again when its grant or
// caller returns, which is the only way a Limiter lets through more than a
// rate allows.
//
// Limits are per Limiter, so per process: N replicas behind a load balancer
// allow up to N times a grant's rate between them. One mutex guards the
// buckets; a call holds it for a few map and list operations.
type Limiter struct {
	// MaxBuckets bounds the buckets kept; 0 (or less) means
	// DefaultMaxBuckets, and values below 2 act as 2. Set it before first use.
	MaxBuckets int

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
	lru     bucket // sentinel of the recency list: lru.next is the most recently used
}

type bucketKey struct {
	grant, caller string
	perCaller     bool
}

// A bucket keeps its tokens as a time, in whole nanoseconds, so that no
// rounding accumulates over many calls: empty is when the bucket last held
// no token, and it holds (now-empty)/interval tokens now, at most Burst. An
// allowed call moves empty one interval later.
type bucket struct {
	key        bucketKey
	rate       Rate          // the rate it was last used with
	interval   time.Duration // time to gain one token: 1/PerSecond, rounded up
	empty      time.Time
	prev, next *bucket
}

// reapPerCall is how many idle buckets each call may drop: more than one,
// so that idle buckets drain faster than calls make new ones.
const reapPerCall = 2

// Allow takes a token for one call by caller through grant grantID, whose
// policy is p, at time now, from the grant's bucket (p.Rate) and the
// caller's (p.CallerRate). It denies with rule "rate" or "caller_rate", the
// bucket that needs longer to refill, when either is empty; RetryAfter and
// the message say when to retry. A nil rate is not limited, and a nil p
// allows. A rate Validate would reject denies every call, with a message
// for the operator.
//
// Allow uses now as given, without reading the clock; a now earlier than a
// bucket's last use adds no tokens.
func (l *Limiter) Allow(grantID, caller string, p *Policy, now time.Time) Decision {
	if p == nil || (p.Rate == nil && p.CallerRate == nil) {
		return Decision{Allow: true}
	}
	if !validRate(p.Rate) {
		return deny(RuleRate, fmt.Sprintf("grant %s has an invalid rate limit (%s); ask the operator to fix the grant's policy.", grantID, rateFix))
	}
	if !validRate(p.CallerRate) {
		return deny(RuleCallerRate, fmt.Sprintf("grant %s has an invalid caller_rate limit (%s); ask the operator to fix the grant's policy.", grantID, rateFix))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[bucketKey]*bucket)
		l.lru.next, l.lru.prev = &l.lru, &l.lru
	}
	l.reap(now)
	var g, c *bucket
	if p.Rate != nil {
		g = l.bucket(bucketKey{grant: grantID}, *p.Rate, now)
	}
	if p.CallerRate != nil {
		c = l.bucket(bucketKey{grant: grantID, caller: caller, perCaller: true}, *p.CallerRate, now)
	}
	l.evict()

	gw, cw := g.wait(now), c.wait(now)
	switch {
	case gw == 0 && cw == 0:
		g.take(now)
		c.take(now)
		return Decision{Allow: true}
	case gw >= cw:
		return Decision{Rule: RuleRate, RetryAfter: gw, Message: fmt.Sprintf(
			"grant %s allows %s (burst %d), and this call would go over that; retry in %s.",
			grantID, describeRate(*p.Rate), p.Rate.Burst, roundUp(gw))}
	default:
		who := "the operator"
		if caller != "" {
			who = fmt.Sprintf("caller %q", caller)
		}
		return Decision{Rule: RuleCallerRate, RetryAfter: cw, Message: fmt.Sprintf(
			"%s may make %s through grant %s (burst %d), and this call would go over that; retry in %s.",
			who, describeRate(*p.CallerRate), grantID, p.CallerRate.Burst, roundUp(cw))}
	}
}

// Len returns how many buckets the Limiter keeps.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

const rateFix = "per_second must be above 0 and burst at least 1"

func validRate(r *Rate) bool {
	return r == nil || r.PerSecond > 0 && !math.IsInf(r.PerSecond, 0) && r.Burst >= 1
}

// bucket returns the bucket for k, moved to the front of the recency list;
// a new one is full.
func (l *Limiter) bucket(k bucketKey, r Rate, now time.Time) *bucket {
	b := l.buckets[k]
	if b == nil {
		// Clone the names: the map must not keep alive whatever larger
		// strings they were cut from.
		k.grant, k.caller = strings.Clone(k.grant), strings.Clone(k.caller)
		b = &bucket{key: k}
		b.setRate(r, float64(r.Burst), now)
		l.buckets[k] = b
	} else {
		if b.rate != r { // the policy changed: keep the tokens, up to the new burst
			b.setRate(r, min(b.tokens(now), float64(r.Burst)), now)
		}
		b.unlink()
	}
	b.prev, b.next = &l.lru, l.lru.next
	l.lru.next.prev = b
	l.lru.next = b
	return b
}

// reap drops up to reapPerCall idle buckets from the back of the recency
// list: those that would be full at now.
func (l *Limiter) reap(now time.Time) {
	for range reapPerCall {
		b := l.lru.prev
		if b == &l.lru || !b.fullAt(now) {
			return
		}
		l.remove(b)
	}
}

// evict drops least recently used buckets while there are too many. The
// buckets of the current call are at the front, and at most two, so they
// are never dropped.
func (l *Limiter) evict() {
	limit := l.MaxBuckets
	if limit <= 0 {
		limit = DefaultMaxBuckets
	}
	limit = max(limit, 2)
	for len(l.buckets) > limit {
		l.remove(l.lru.prev)
	}
}

func (l *Limiter) remove(b *bucket) {
	b.unlink()
	delete(l.buckets, b.key)
}

func (b *bucket) unlink() {
	b.prev.next = b.next
	b.next.prev = b.prev
	b.prev, b.next = nil, nil
}

// setRate sets the bucket's rate and makes it hold tokens at now.
func (b *bucket) setRate(r Rate, tokens float64, now time.Time) {
	b.rate = r
	b.interval = max(duration(1/r.PerSecond), 1)
	fill := b.capacity()
	if f := tokens * float64(b.interval); f < float64(fill) {
		fill = time.Duration(f)
	}
	b.empty = now.Add(-fill)
}

// capacity is the time to fill the bucket from empty.
func (b *bucket) capacity() time.Duration {
	if b.interval > math.MaxInt64/time.Duration(b.rate.Burst) {
		return math.MaxInt64
	}
	return b.interval * time.Duration(b.rate.Burst)
}

// avail is the time's worth of tokens the bucket holds at now.
func (b *bucket) avail(now time.Time) time.Duration {
	return min(now.Sub(b.empty), b.capacity())
}

func (b *bucket) tokens(now time.Time) float64 {
	return max(0, float64(b.avail(now))/float64(b.interval))
}

func (b *bucket) fullAt(now time.Time) bool { return now.Sub(b.empty) >= b.capacity() }

// wait returns how long until the bucket holds a token; 0 for a nil bucket
// or one that holds a token now.
func (b *bucket) wait(now time.Time) time.Duration {
	if b == nil {
		return 0
	}
	return max(b.interval-b.avail(now), 0)
}

// take takes a token, which the bucket must hold.
func (b *bucket) take(now time.Time) {
	if b == nil {
		return
	}
	if now.Sub(b.empty) > b.capacity() { // full: what fell over the top is lost
		b.empty = now.Add(-b.capacity())
	}
	b.empty = b.empty.Add(b.interval)
}

// duration converts seconds to a Duration, rounding up, capped at the
// largest Duration (for rates so small that the wait overflows).
func duration(seconds float64) time.Duration {
	ns := math.Ceil(seconds * float64(time.Second))
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// describeRate says a rate in words: "2 calls per second", "one call every 2m0s".
func describeRate(r Rate) string {
	switch {
	case r.PerSecond == 1:
		return "1 call per second"
	case r.PerSecond > 1:
		return fmt.Sprintf("%g calls per second", r.PerSecond)
	}
	every := duration(1 / r.PerSecond).Round(time.Millisecond)
	return "one call every " + every.String()
}

// roundUp rounds a wait up to a whole millisecond for a message, so that an
// agent that waits as long as it is told is not refused again.
func roundUp(d time.Duration) time.Duration {
	if d > math.MaxInt64-time.Millisecond {
		return d
	}
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
