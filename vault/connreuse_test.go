package vault_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestConnectionsKeptForManyClients: a shared server's agents call the
// same endpoint at once. After a first wave of 64 concurrent calls has
// opened its connections, a second wave reuses them instead of opening
// (against AWS: a TLS handshake each) and closing most of them again, as a
// pool that keeps only a few idle connections a host would.
func TestConnectionsKeptForManyClients(t *testing.T) {
	const clients = 64
	// Each wave's calls are all in flight at once: the fake answers none
	// until all of them have arrived.
	var mu sync.Mutex
	arrived, release := 0, make(chan struct{})
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ch := release
		if arrived++; arrived == clients {
			close(release)
			arrived, release = 0, make(chan struct{})
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Error("a wave's calls did not all arrive")
		}
		w.Write([]byte("ok"))
	})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	wave := func() {
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				resp, err := h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID})
				if err != nil {
					t.Error(err)
					return
				}
				readAll(t, resp)
			})
		}
		wg.Wait()
	}
	wave()
	first := f.conns.Load()
	if first != clients {
		t.Fatalf("the first wave opened %d connections, want %d", first, clients)
	}
	// A connection goes back to the pool just after its body's last byte
	// is read: let the first wave's settle.
	time.Sleep(50 * time.Millisecond)
	wave()
	if n := f.conns.Load() - first; n > clients/8 {
		t.Errorf("the second wave of %d calls opened %d new connections (the first opened %d); want the idle ones reused", clients, n, first)
	}
}
