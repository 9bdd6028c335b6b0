package credsrc_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestCacheSingleFlight(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	release := make(chan struct{})
	clk := &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	c := &credsrc.Cache{Now: clk.Now, Fetch: func(context.Context) (sigv4.Credentials, error) {
		n := fetches.Add(1)
		<-release
		return sigv4.Credentials{AccessKeyID: "ASIA" + string(rune('A'+n)), SecretAccessKey: "s", Expires: clk.Now().Add(time.Hour)}, nil
	}}
	var wg sync.WaitGroup
	got := make([]string, 50)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			creds, err := c.Retrieve(context.Background())
			if err != nil {
				t.Error(err)
			}
			got[i] = creds.AccessKeyID
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them all queue behind the one fetch
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("50 concurrent calls made %d fetches, want 1", n)
	}
	for _, id := range got {
		if id != "ASIAB" {
			t.Fatalf("callers got %v, want all ASIAB", got)
		}
	}

	// Fresh until the refresh window: 55 minutes later the credentials expire in 5, so fetch again.
	clk.Advance(54 * time.Minute)
	if creds, _ := c.Retrieve(context.Background()); creds.AccessKeyID != "ASIAB" || fetches.Load() != 1 {
		t.Errorf("at 54 min: %s after %d fetches, want the cached ASIAB", creds.AccessKeyID, fetches.Load())
	}
	clk.Advance(time.Minute)
	if creds, _ := c.Retrieve(context.Background()); creds.AccessKeyID != "ASIAC" || fetches.Load() != 2 {
		t.Errorf("at 55 min: %s after %d fetches, want new ASIAC", creds.AccessKeyID, fetches.Load())
	}
	c.Invalidate()
	if creds, _ := c.Retrieve(context.Background()); creds.AccessKeyID != "ASIAD" {
		t.Errorf("after Invalidate: %s, want a new fetch", creds.AccessKeyID)
	}
}

func TestCacheDoesNotKeepFailures(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	c := &credsrc.Cache{Fetch: func(context.Context) (sigv4.Credentials, error) {
		if fetches.Add(1) == 1 {
			return sigv4.Credentials{}, errors.New("sts unreachable")
		}
		return sigv4.Credentials{AccessKeyID: "AKIDLONGTERM", SecretAccessKey: "s"}, nil
	}}
	if _, err := c.Retrieve(context.Background()); err == nil || err.Error() != "sts unreachable" {
		t.Fatalf("first call: %v, want the fetch's error", err)
	}
	for range 3 {
		if creds, err := c.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "AKIDLONGTERM" {
			t.Fatalf("after a failure: %v %v", creds, err)
		}
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d fetches; long-term credentials (no expiry) should be fetched once after the failure", n)
	}
}

func TestCacheCallerCancelDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := &credsrc.Cache{Fetch: func(ctx context.Context) (sigv4.Credentials, error) {
		<-release
		if ctx.Err() != nil {
			return sigv4.Credentials{}, ctx.Err()
		}
		return sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() { _, err := c.Retrieve(ctx); first <- err }()
	time.Sleep(10 * time.Millisecond)
	second := make(chan error)
	go func() { _, err := c.Retrieve(context.Background()); second <- err }()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller got %v", err)
	}
	close(release)
	if err := <-second; err != nil {
		t.Errorf("the other caller failed with the first one's cancellation: %v", err)
	}
}
