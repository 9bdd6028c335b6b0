package vault

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// cachedStore keeps the grants and callers a call reads (its policy lives in
// its grant) in memory, so that a call costs one cheap read of the store's
// data version (store.Versioned) instead of reading and decoding rows.
//
// Every read asks the version first: the store moves it in the transaction
// of every grant or caller change, by this process, another sharing the
// file, or another replica sharing the database. Entries are kept under the
// version read before the rows were, and used only while the version read
// at the start of a later read is the same; so a revocation or a policy
// change that has returned to whoever made it before a call starts is seen
// by that call, as without the cache. Concurrent reads share the query of
// the version (readVersion) in a way that keeps this: under load one query
// serves many calls. A failed version read falls through to the store.
//
// A version read is also trusted for freshFor after it began, by reads
// that start in that time, unless this cachedStore wrote a grant or caller
// since (writes): under load the store is then asked about once every
// freshFor, not once a call. That is why the promise above is about
// changes that have returned, not merely committed; what keeps it is the
// other half: every grant or caller change made through a cachedStore (every
// process's vault) waits freshFor after its commit before it returns
// (commitWait). So once a revocation or policy change has returned to
// whoever made it, in this process, another or another replica, every read
// that starts later began its version read after the commit, and sees it.
// Both halves measure freshFor on their own monotonic clock; no clocks are
// compared.
//
// Grants are kept as the store holds them: their secrets stay sealed, and
// are unsealed for each call as before (nothing unsealed is kept longer than
// without the cache). Entries not found are not kept. What a read returns is
// a copy, which callers may change.
type cachedStore struct {
	store.Store
	versioned store.Versioned

	mu      sync.Mutex
	version int64 // the version entries were read at; -1 before the first read
	entries map[string]any

	// Reads of the version are shared (readVersion): running is the one
	// in progress, next the one that starts when it ends; fresh is the
	// latest that succeeded, trusted for freshFor after it began while
	// writes has not moved since.
	flightMu      sync.Mutex
	running, next *flight
	fresh         atomic.Pointer[flight]
	writes        atomic.Uint64
}

// flight is one read of the version, shared by the reads that joined it.
type flight struct {
	done   chan struct{}
	v      int64
	err    error
	at     time.Time // when the query was about to start
	writes uint64    // writes when it was
}

// freshFor is how long a version read serves reads that start after it
// began, and how long a change to grants or callers waits after its
// commit before it returns (commitWait). It bounds, too, how long a
// change may be unseen by calls that start while it is being made.
const freshFor = 2 * time.Millisecond

// recent returns the latest version read if it is still fresh: it began
// less than freshFor ago and nothing was written through c since.
func (c *cachedStore) recent() (int64, bool) {
	f := c.fresh.Load()
	if f == nil || f.writes != c.writes.Load() || time.Since(f.at) >= freshFor {
		return 0, false
	}
	return f.v, true
}

// commitWait follows every grant or caller change made through c, failed
// or not (a failure may come after the commit): reads in this process
// stop trusting the version read before it at once, and other processes'
// reads, which may trust theirs for freshFor more, have begun a new one
// by the time it returns.
func (c *cachedStore) commitWait() {
	c.wrote()
	time.Sleep(freshFor)
}

// wrote stops this process's reads trusting the version read before it.
func (c *cachedStore) wrote() { c.writes.Add(1) }

func newCachedStore(s store.Store, v store.Versioned) *cachedStore {
	return &cachedStore{Store: s, versioned: v, version: -1, entries: map[string]any{}}
}

// readVersion reads the store's version for a read that starts now, sharing
// the query with concurrent reads: a read may use only a query that began
// after it did (one in progress may have begun before a change the read
// must see), so it joins the next query, which starts as soon as the one in
// progress ends. Under load one query then serves many calls, and each
// call still sees every change committed before it began. A query that
// began less than freshFor ago (recent) answers at once instead: it sees
// every change that had returned (commitWait) before the read began.
func (c *cachedStore) readVersion(ctx context.Context) (int64, error) {
	if v, ok := c.recent(); ok {
		return v, nil
	}
	c.flightMu.Lock()
	for {
		if c.running == nil { // start the next query: every reader that joined it is already here
			f := c.next
			if f == nil {
				f = &flight{done: make(chan struct{})}
			}
			c.running, c.next = f, nil
			c.flightMu.Unlock()
			f.writes, f.at = c.writes.Load(), time.Now()
			f.v, f.err = c.versioned.Version(ctx)
			if f.err == nil {
				c.fresh.Store(f) // flights run one at a time: f is the latest
			}
			c.flightMu.Lock()
			c.running = nil
			c.flightMu.Unlock()
			close(f.done)
			return f.v, f.err
		}
		if c.next == nil {
			c.next = &flight{done: make(chan struct{})}
		}
		f, r := c.next, c.running
		c.flightMu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		c.flightMu.Lock()
		if c.next != f { // another reader started it
			c.flightMu.Unlock()
			select {
			case <-f.done:
				return f.v, f.err
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	}
}

// check reads the version, drops what was read at an older one, and says
// whether the cache may be used at that version. Within one request
// (OneVersionCheck) the version is read once.
func (c *cachedStore) check(ctx context.Context) (int64, bool) {
	v, err := c.requestVersion(ctx)
	if err != nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v > c.version {
		clear(c.entries)
		c.version = v
	}
	return v, v == c.version
}

func (c *cachedStore) get(key string, v int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v != c.version {
		return nil, false
	}
	x, ok := c.entries[key]
	return x, ok
}

// put keeps x under key if the version has not moved since v was read
// (rows read after a newer version was seen may be older than it).
func (c *cachedStore) put(key string, v int64, x any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == c.version && len(c.entries) < maxCacheEntries {
		c.entries[key] = x
	}
}

// requestVersion is the version for a read made with ctx: the one read
// first in ctx's request, when ctx carries OneVersionCheck's hold and that
// read is recent, else a new one.
func (c *cachedStore) requestVersion(ctx context.Context) (int64, error) {
	h, _ := ctx.Value(versionHoldKey{}).(*versionHold)
	if h == nil {
		return c.readVersion(ctx)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.set && time.Since(h.at) < maxHold {
		return h.v, nil
	}
	// at is when the read began: it sees what had returned before then.
	at := time.Now()
	v, err := c.readVersion(ctx)
	if err == nil {
		h.v, h.at, h.set = v, at, true
	}
	return v, err
}

// maxHold bounds how long one request's version read serves it: past it,
// even a request that holds one reads the version again.
const maxHold = time.Second

type versionHoldKey struct{}

// versionHold is a request's one read of the version.
type versionHold struct {
	mu  sync.Mutex
	set bool
	v   int64
	at  time.Time
}

// OneVersionCheck returns a context whose reads of grants and callers (in
// the vault's cache of them) check the store's version once, at the first
// read, and take that answer for the rest, for up to a second: one request
// (an MCP message, a tool call) reads the version once instead of at each
// step, and still sees every change that had returned before it began
// (see cachedStore). Give it to
// one request's work only, never to a long-lived context. A ctx that holds
// one already is returned as it is.
func OneVersionCheck(ctx context.Context) context.Context {
	if _, ok := ctx.Value(versionHoldKey{}).(*versionHold); ok {
		return ctx
	}
	return context.WithValue(ctx, versionHoldKey{}, &versionHold{})
}

// RecheckVersion returns a context like OneVersionCheck's whose next read
// checks the version again: for a request that waited (a write held for
// approval), so that a change made while it waited is seen.
func RecheckVersion(ctx context.Context) context.Context {
	return context.WithValue(ctx, versionHoldKey{}, &versionHold{})
}

// maxCacheEntries bounds the memory a flood of distinct names could take;
// past it reads go to the store.
const maxCacheEntries = 1 << 16

// cached returns key's value from the cache, else reads it with load and
// keeps it; clone copies a value across the cache's boundary.
func cached[T any](ctx context.Context, c *cachedStore, key string, load func() (T, error), clone func(T) T) (T, error) {
	v, ok := c.check(ctx)
	if ok {
		if x, hit := c.get(key, v); hit {
			return clone(x.(T)), nil
		}
	}
	x, err := load()
	if err == nil && ok {
		c.put(key, v, clone(x))
	}
	return x, err
}

// GetGrant implements store.Store.
func (c *cachedStore) GetGrant(ctx context.Context, id string) (*store.Grant, error) {
	return cached(ctx, c, "grant\x00"+id, func() (*store.Grant, error) { return c.Store.GetGrant(ctx, id) }, cloneGrant)
}

// GetGrantByName implements store.Store.
func (c *cachedStore) GetGrantByName(ctx context.Context, name string) (*store.Grant, error) {
	return cached(ctx, c, "grant-name\x00"+name, func() (*store.Grant, error) { return c.Store.GetGrantByName(ctx, name) }, cloneGrant)
}

// ListGrants implements store.Store.
func (c *cachedStore) ListGrants(ctx context.Context) ([]*store.Grant, error) {
	return cached(ctx, c, "grants", func() ([]*store.Grant, error) { return c.Store.ListGrants(ctx) }, cloneGrants)
}

// GetCaller implements store.Store.
func (c *cachedStore) GetCaller(ctx context.Context, name string) (*store.Caller, error) {
	return cached(ctx, c, "caller\x00"+name, func() (*store.Caller, error) { return c.Store.GetCaller(ctx, name) }, cloneCaller)
}

// GetCallerByKeyHash implements store.Store.
func (c *cachedStore) GetCallerByKeyHash(ctx context.Context, hash []byte) (*store.Caller, error) {
	return cached(ctx, c, "caller-key\x00"+string(hash), func() (*store.Caller, error) { return c.Store.GetCallerByKeyHash(ctx, hash) }, cloneCaller)
}

// GetCallerByOAuthSubject implements store.Store.
func (c *cachedStore) GetCallerByOAuthSubject(ctx context.Context, issuer, subject string) (*store.Caller, error) {
	return cached(ctx, c, "caller-sub\x00"+issuer+"\x00"+subject, func() (*store.Caller, error) {
		return c.Store.GetCallerByOAuthSubject(ctx, issuer, subject)
	}, cloneCaller)
}

// The grant and caller writes implement store.Store, and wait as
// commitWait says.

func (c *cachedStore) CreateGrant(ctx context.Context, g *store.Grant) error {
	return c.write(func() error { return c.Store.CreateGrant(ctx, g) })
}

func (c *cachedStore) UpdateGrant(ctx context.Context, g *store.Grant) error {
	return c.write(func() error { return c.Store.UpdateGrant(ctx, g) })
}

func (c *cachedStore) CreateCaller(ctx context.Context, cl *store.Caller) error {
	return c.write(func() error { return c.Store.CreateCaller(ctx, cl) })
}

func (c *cachedStore) UpdateCaller(ctx context.Context, cl *store.Caller) error {
	return c.write(func() error { return c.Store.UpdateCaller(ctx, cl) })
}

// write runs a grant or caller change, then commitWait.
func (c *cachedStore) write(change func() error) error {
	defer c.commitWait()
	return change()
}

func cloneGrant(g *store.Grant) *store.Grant {
	if g == nil {
		return nil
	}
	n := *g
	n.SourceConfig, n.Sealed, n.Policy = slices.Clone(g.SourceConfig), slices.Clone(g.Sealed), slices.Clone(g.Policy)
	return &n
}

func cloneGrants(gs []*store.Grant) []*store.Grant {
	if gs == nil {
		return nil
	}
	out := make([]*store.Grant, len(gs))
	for i, g := range gs {
		out[i] = cloneGrant(g)
	}
	return out
}

func cloneCaller(c *store.Caller) *store.Caller {
	if c == nil {
		return nil
	}
	n := *c
	n.KeyHash, n.Grants = slices.Clone(c.KeyHash), slices.Clone(c.Grants)
	return &n
}
