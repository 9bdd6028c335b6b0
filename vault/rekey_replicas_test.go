package vault

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/sqlite"
)

// TestRekeyWhileReplicasRun rekeys a store that other processes serve
// from. A replica started with the new key in ALTER_MCP_MASTER_KEY and the
// store's key in ALTER_MCP_MASTER_KEY_PREVIOUS opens every secret before,
// at every step of, and after the rekey, which the operator runs with the
// old key or with the replicas' environment; a replica holding only the old
// key fails closed on what moved.
func TestRekeyWhileReplicasRun(t *testing.T) {
	ctx := t.Context()
	oldKey, nextKey := newKey(t), newKey(t)
	b64 := base64.StdEncoding.EncodeToString
	home := filepath.Join(t.TempDir(), "home")
	open := func(env map[string]string, log *testutil.Buffer) *Vault {
		t.Helper()
		return mustOpenWith(t, testOptions(home, env, log))
	}
	oldEnv := map[string]string{EnvMasterKey: b64(oldKey)}
	replicaEnv := map[string]string{EnvMasterKey: b64(nextKey), EnvMasterKeyPrevious: b64(oldKey)}

	f := fill(t, open(oldEnv, nil))
	log := &testutil.Buffer{}
	replica := open(replicaEnv, log)
	if !strings.Contains(log.String(), "does not use "+EnvMasterKey+" yet") {
		t.Errorf("the replica's log does not say it holds a standby key:\n%s", log)
	}
	if replica.keyID != masterKeyID(oldKey) || replica.standby == nil {
		t.Fatalf("the replica seals with %s (standby %v), want the store's key %s", replica.keyID, replica.standby, masterKeyID(oldKey))
	}
	oldOnly := open(oldEnv, nil)

	// One secret at a time: each run stops after it moved one more.
	for moved := 1; moved < sealedCount; moved++ {
		op := open(oldEnv, nil)
		op.hooks.rekeyFailAfter = 1
		if err := op.Rekey(ctx, nextKey); !errors.Is(err, errInjected) {
			t.Fatalf("rekey stopped after %d: %v", moved, err)
		}
		if n := f.opens(t, replica); n != sealedCount {
			t.Errorf("rekey stopped after %d secrets: the replica opens %d of %d", moved, n, sealedCount)
		}
		if n := f.opens(t, oldOnly); n != sealedCount-moved {
			t.Errorf("rekey stopped after %d secrets: a process with the old key alone opens %d, want %d", moved, n, sealedCount-moved)
		}
	}
	// The operator finishes it with the replicas' environment: no key to give.
	op := open(replicaEnv, nil)
	if err := op.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f.sealedWith(t, op, masterKeyID(nextKey))
	if n := f.opens(t, replica); n != sealedCount {
		t.Errorf("after the rekey the replica opens %d of %d", n, sealedCount)
	}

	// A rekey started from the replicas' environment, from the start.
	home = filepath.Join(t.TempDir(), "home2")
	f = fill(t, open(oldEnv, nil))
	replica = open(replicaEnv, nil)
	op = open(replicaEnv, nil)
	op.hooks.rekeyFailAfter = 2
	if err := op.Rekey(ctx, nil); !errors.Is(err, errInjected) {
		t.Fatal(err)
	}
	if n := f.opens(t, replica); n != sealedCount {
		t.Errorf("half way: the replica opens %d of %d", n, sealedCount)
	}
	op.hooks.rekeyFailAfter = 0
	if err := op.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f.sealedWith(t, op, masterKeyID(nextKey))
	if op.standby != nil || op.keyID != masterKeyID(nextKey) {
		t.Errorf("after its rekey the vault seals with %s, standby %v", op.keyID, op.standby)
	}
	if n := f.opens(t, replica); n != sealedCount {
		t.Errorf("after the rekey the replica opens %d of %d", n, sealedCount)
	}
}

// TestFirstStartOneKey starts vaults on one new store at once, half with
// one master key and half with another, all reading the store before any
// writes to it: one key wins the store, and every vault given the other is
// refused instead of sealing with it.
func TestFirstStartOneKey(t *testing.T) {
	keys := [][]byte{newKey(t), newKey(t)}
	backend, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "alter.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	const n = 6
	s := &together{Store: backend, n: n, all: make(chan struct{})}
	var wg sync.WaitGroup
	opened := make([]string, n) // key id of each vault that opened
	errs := make([]error, n)
	for i := range opened {
		wg.Go(func() {
			v, err := Open(t.Context(), Options{Backend: s, Home: t.TempDir(), MasterKey: keys[i%2], Getenv: func(string) string { return "" }})
			if err != nil {
				errs[i] = err
				return
			}
			opened[i] = v.keyID
			v.Close()
		})
	}
	wg.Wait()
	winners := map[string]int{}
	for i, id := range opened {
		switch {
		case id != "":
			winners[id]++
		case !errors.Is(errs[i], ErrWrongMasterKey):
			t.Errorf("vault %d: %v, want it opened or refused with ErrWrongMasterKey", i, errs[i])
		}
	}
	if len(winners) != 1 || winners[masterKeyID(keys[0])]+winners[masterKeyID(keys[1])] != n/2 {
		t.Errorf("vaults opened with keys %v, want one key, for the %d vaults given it", winners, n/2)
	}
	// The store names the key that won: it opens again.
	for id := range winners {
		key := keys[0]
		if masterKeyID(keys[1]) == id {
			key = keys[1]
		}
		v, err := Open(t.Context(), Options{Backend: backend, Home: t.TempDir(), MasterKey: key, Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatalf("the winning key after the race: %v", err)
		}
		v.Close()
	}
}

// together is a store whose first n reads of the master key check wait
// for each other, as replicas starting at the same moment would read it.
type together struct {
	store.Store
	n    int
	mu   sync.Mutex
	seen int
	all  chan struct{}
}

func (s *together) GetSetting(ctx context.Context, name string) ([]byte, error) {
	if name == settingMasterCheck {
		s.mu.Lock()
		s.seen++
		if s.seen == s.n {
			close(s.all)
		}
		first := s.seen <= s.n
		s.mu.Unlock()
		if first {
			<-s.all
		}
	}
	return s.Store.GetSetting(ctx, name)
}

func (s *together) Close() error { return nil }
