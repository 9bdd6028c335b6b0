package tools

import "sync"

// regionCache remembers the region of buckets. It holds at most max
// buckets, forgetting all when full: regions are cheap to find again.
type regionCache struct {
	mu  sync.Mutex
	max int
	m   map[string]string
}

func newRegionCache(max int) *regionCache { return &regionCache{max: max, m: map[string]string{}} }

func (c *regionCache) get(bucket string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[bucket]
}

func (c *regionCache) set(bucket, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[bucket] = region
}
