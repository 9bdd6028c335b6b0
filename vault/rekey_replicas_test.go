package vault

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
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
	open := func(env map[string]string, log *lockedLog) *Vault {
		t.Helper()
		o := Options{Home: home, Getenv: func(k string) string { return env[k] }}
		if log != nil {
			o.Logger = slog.New(slog.NewJSONHandler(log, nil))
		}
		v, err := Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	oldEnv := map[string]string{EnvMasterKey: b64(oldKey)}
	replicaEnv := map[string]string{EnvMasterKey: b64(nextKey), EnvMasterKeyPrevious: b64(oldKey)}

	f := fill(t, open(oldEnv, nil))
	log := &lockedLog{}
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
