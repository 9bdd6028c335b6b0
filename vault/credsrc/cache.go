package credsrc

import (
	"context"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// DefaultRefreshWindow is how long before temporary credentials expire a
// Cache fetches new ones: long enough for a request signed just before to
// reach AWS and be checked (AWS allows 5 minutes of clock skew).
const DefaultRefreshWindow = 5 * time.Minute

// Cache keeps the credentials a fetch function returns until RefreshWindow
// before they expire. Concurrent Retrieve calls share one fetch; a failed
// fetch is not cached, and the next call tries again.
type Cache struct {
	Fetch         func(ctx context.Context) (sigv4.Credentials, error)
	RefreshWindow time.Duration    // 0: DefaultRefreshWindow
	Now           func() time.Time // nil: time.Now

	mu       sync.Mutex
	creds    sigv4.Credentials
	valid    bool
	inflight *fetch
}

type fetch struct {
	done  chan struct{}
	creds sigv4.Credentials
	err   error
}

// Retrieve returns cached credentials while they are fresh and fetches new
// ones otherwise. A caller whose ctx ends while waiting gets ctx's error; the
// fetch goes on for the others.
func (c *Cache) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	c.mu.Lock()
	if c.valid && c.fresh(c.creds) {
		creds := c.creds
		c.mu.Unlock()
		return creds, nil
	}
	f := c.inflight
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		c.inflight = f
		// The fetch runs detached from any one caller's cancellation, so
		// that a caller giving up does not fail the others who wait.
		go c.run(context.WithoutCancel(ctx), f)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.creds, f.err
	case <-ctx.Done():
		return sigv4.Credentials{}, ctx.Err()
	}
}

func (c *Cache) run(ctx context.Context, f *fetch) {
	f.creds, f.err = c.Fetch(ctx)
	c.mu.Lock()
	if f.err == nil {
		c.creds, c.valid = f.creds, true
	}
	c.inflight = nil
	c.mu.Unlock()
	close(f.done)
}

// Invalidate drops the cached credentials, so the next Retrieve fetches.
// Call it when AWS refused them (ExpiredToken, InvalidClientTokenId).
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.valid = false
	c.mu.Unlock()
}

func (c *Cache) fresh(creds sigv4.Credentials) bool {
	if creds.Expires.IsZero() {
		return true
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	window := c.RefreshWindow
	if window == 0 {
		window = DefaultRefreshWindow
	}
	return now().Add(window).Before(creds.Expires)
}
