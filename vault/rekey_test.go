package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
)

// rekeyFixture is what a vault under rekey holds: static grants, a
// revoked one and a profile one (nothing sealed), a rotation with a
// pending key, and the audit key (a sealed setting).
type rekeyFixture struct {
	secrets map[string]string // grant id -> secret
	pending string            // grant id of the rotation record
}

// sealedCount is how many secrets a rekey of the fixture moves: three
// grants, one pending key, one sealed setting.
const sealedCount = 5

func fill(t *testing.T, v *Vault) rekeyFixture {
	t.Helper()
	ctx := t.Context()
	f := rekeyFixture{secrets: map[string]string{}}
	for i := range 3 {
		secret := fmt.Sprintf("secret-%d-wJalrXUtnFEMI/K7MDENG/bPxRfiCY", i)
		g, err := v.AddGrant(ctx, GrantSpec{Name: fmt.Sprintf("g%d", i), Static: &StaticCredentials{AccessKeyID: svcKeyID, SecretAccessKey: secret}})
		if err != nil {
			t.Fatal(err)
		}
		f.secrets[g.ID] = secret
		f.pending = g.ID
	}
	r, err := v.AddGrant(ctx, GrantSpec{Name: "revoked", Static: &StaticCredentials{AccessKeyID: svcKeyID, SecretAccessKey: "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.RevokeGrant(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddGrant(ctx, GrantSpec{Name: "prof", Profile: "team"}); err != nil {
		t.Fatal(err)
	}
	sealed, err := v.sealPending(f.pending, sigv4.Credentials{AccessKeyID: "AKIAPENDINGEXAMPLE00", SecretAccessKey: "pending-secret"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	err = v.store.PutRotation(ctx, &store.Rotation{GrantID: f.pending, Step: rotateCreated, OldAccessKeyID: svcKeyID,
		NewAccessKeyID: "AKIAPENDINGEXAMPLE00", Sealed: sealed, KeyID: v.keyID, StartedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.getSealedSetting(ctx, settingAuditKey); err != nil {
		t.Fatalf("the audit key: %v", err)
	}
	return f
}

// opens counts the fixture's secrets that open, and fails the test on a
// secret that opens to something else.
func (f rekeyFixture) opens(t *testing.T, v *Vault) int {
	t.Helper()
	ctx := t.Context()
	n := 0
	for id, secret := range f.secrets {
		g, err := v.store.GetGrant(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := v.openSecret(g.ID, g.KeyID, g.AccessKeyID, g.Sealed)
		switch {
		case err == nil && c.SecretAccessKey == secret:
			n++
		case err == nil:
			t.Errorf("grant %s opened to another secret", id)
		case !errors.Is(err, ErrWrongMasterKey):
			t.Errorf("grant %s: %v", id, err)
		}
	}
	r, err := v.store.GetRotation(ctx, f.pending)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := v.openPending(r); err == nil && c.SecretAccessKey == "pending-secret" {
		n++
	} else if !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("pending key: %v", err)
	}
	if _, err := v.getSealedSetting(ctx, settingAuditKey); err == nil {
		n++
	} else if !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("audit key: %v", err)
	}
	return n
}

// sealedWith checks that every secret names keyID.
func (f rekeyFixture) sealedWith(t *testing.T, v *Vault, keyID string) {
	t.Helper()
	ctx := t.Context()
	gs, _ := v.store.ListGrants(ctx)
	for _, g := range gs {
		if len(g.Sealed) > 0 && g.KeyID != keyID {
			t.Errorf("grant %s is sealed with %s, not %s", g.ID, g.KeyID, keyID)
		}
	}
	if r, _ := v.store.GetRotation(ctx, f.pending); r.KeyID != keyID {
		t.Errorf("the pending key is sealed with %s", r.KeyID)
	}
	value, _ := v.store.GetSetting(ctx, settingAuditKey)
	if !bytes.HasPrefix(value, []byte(keyID+"\x00")) {
		t.Errorf("the audit key is sealed with %q", value[:min(len(value), 16)])
	}
	if next, err := v.store.GetSetting(ctx, settingMasterCheckNext); err == nil && len(next) > 0 {
		t.Error("the rekey's check value is still there")
	}
}

func newKey(t *testing.T) []byte {
	k := make([]byte, masterKeySize)
	rand.Read(k)
	return k
}

func readKey(t *testing.T, path string) []byte {
	t.Helper()
	k, err := readKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRekeyKeyFile(t *testing.T) {
	ctx := t.Context()
	noEnv := func(string) string { return "" }
	open := func(t *testing.T, home string, log *testutil.Buffer) *Vault {
		t.Helper()
		return mustOpenWith(t, testOptions(home, nil, log))
	}
	refused := func(t *testing.T, home string, key []byte) {
		t.Helper()
		if _, err := Open(ctx, Options{Home: home, MasterKey: key, Getenv: noEnv}); !errors.Is(err, ErrWrongMasterKey) {
			t.Errorf("a wrong key opened the vault: %v", err)
		}
	}

	// Stopped after 0 (no stop), 1, ... all secrets, and before the rename.
	for stop := 0; stop <= sealedCount+1; stop++ {
		t.Run(fmt.Sprintf("stop after %d", stop), func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			keyPath, nextPath := filepath.Join(home, masterKeyFile), filepath.Join(home, nextKeyFile)
			v := open(t, home, nil)
			f := fill(t, v)
			oldKey := readKey(t, keyPath)
			oldID := v.keyID

			if stop > sealedCount {
				v.hooks.rekeyFailBeforeRename = true
			} else {
				v.hooks.rekeyFailAfter = stop
			}
			err := v.Rekey(ctx, nil)
			if stop == 0 {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if !errors.Is(err, errInjected) {
					t.Fatalf("err = %v", err)
				}
				// The vault that stopped still opens everything.
				if n := f.opens(t, v); n != sealedCount {
					t.Errorf("%d of %d secrets open in the stopped vault", n, sealedCount)
				}
				v.Close()
				newKeyBytes := readKey(t, nextPath)

				// Opened again: both keys, everything opens, and a warning.
				log := &testutil.Buffer{}
				v = open(t, home, log)
				if n := f.opens(t, v); n != sealedCount {
					t.Errorf("%d of %d secrets open after reopening", n, sealedCount)
				}
				if !strings.Contains(log.String(), "alter-mcp vault rekey") {
					t.Errorf("no warning to run rekey again: %s", log)
				}
				refused(t, home, newKey(t))

				if err := v.Rekey(ctx, nil); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(readKey(t, keyPath), newKeyBytes) {
					t.Error("master.key is not the key the first run made")
				}
			}
			if _, err := os.Stat(nextPath); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("master.key.next is left: %v", err)
			}
			if v.keyID == oldID || v.prev != nil {
				t.Errorf("key %s (old %s), prev %v", v.keyID, oldID, v.prev)
			}
			f.sealedWith(t, v, v.keyID)
			if n := f.opens(t, v); n != sealedCount {
				t.Errorf("%d of %d secrets open after the rekey", n, sealedCount)
			}
			info, _ := os.Stat(keyPath)
			if info.Mode().Perm() != 0o600 {
				t.Errorf("master.key mode %v", info.Mode())
			}
			v.Close()

			log := &testutil.Buffer{}
			v = open(t, home, log)
			if n := f.opens(t, v); n != sealedCount || strings.Contains(log.String(), "rekey") {
				t.Errorf("%d secrets open; log %s", n, log)
			}
			refused(t, home, oldKey)
		})
	}

	t.Run("stale next key", func(t *testing.T) {
		// A rekey that stopped after writing master.key.next and before
		// telling the store: the file's key seals nothing yet.
		home := filepath.Join(t.TempDir(), "home")
		v := open(t, home, nil)
		f := fill(t, v)
		v.Close()
		stale := newKey(t)
		if _, err := writeKeyFile(home, filepath.Join(home, nextKeyFile), stale); err != nil {
			t.Fatal(err)
		}
		log := &testutil.Buffer{}
		v = open(t, home, log)
		if n := f.opens(t, v); n != sealedCount || !strings.Contains(log.String(), "was interrupted") {
			t.Errorf("%d secrets open; log %s", n, log)
		}
		if err := v.Rekey(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readKey(t, filepath.Join(home, masterKeyFile)), stale) {
			t.Error("the rekey did not finish with the key in master.key.next")
		}
		f.sealedWith(t, v, masterKeyID(stale))

		// Given a key, a stale file the store does not know is replaced.
		v.Close()
		writeKeyFile(home, filepath.Join(home, nextKeyFile), newKey(t))
		v = open(t, home, nil)
		given := newKey(t)
		if err := v.Rekey(ctx, given); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readKey(t, filepath.Join(home, masterKeyFile)), given) {
			t.Error("master.key is not the key given")
		}
		if n := f.opens(t, v); n != sealedCount {
			t.Errorf("%d secrets open", n)
		}
	})
}

func TestRekeyEnvironment(t *testing.T) {
	ctx := t.Context()
	oldKey, nextKey := newKey(t), newKey(t)
	b64 := base64.StdEncoding.EncodeToString
	home := filepath.Join(t.TempDir(), "home")
	open := func(env map[string]string, log *testutil.Buffer) (*Vault, error) {
		return openWith(t, testOptions(home, env, log))
	}
	mustOpen := func(env map[string]string, log *testutil.Buffer) *Vault {
		t.Helper()
		return mustOpenWith(t, testOptions(home, env, log))
	}
	oldEnv := map[string]string{EnvMasterKey: b64(oldKey)}
	newEnv := map[string]string{EnvMasterKey: b64(nextKey)}
	bothEnv := map[string]string{EnvMasterKey: b64(nextKey), EnvMasterKeyPrevious: b64(oldKey)}

	v := mustOpen(oldEnv, nil)
	f := fill(t, v)
	if err := v.Rekey(ctx, nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "give the new master key") {
		t.Errorf("no key given: %v", err)
	}
	if err := v.Rekey(ctx, nextKey[:31]); !errors.Is(err, ErrInvalid) {
		t.Errorf("a short key: %v", err)
	}
	v.hooks.rekeyFailAfter = 2
	if err := v.Rekey(ctx, nextKey); !errors.Is(err, errInjected) {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, nextKeyFile)); err == nil {
		t.Error("a key file was written for a key kept in the environment")
	}
	v.Close()

	// The old key alone opens the vault; what moved does not open, and
	// the log says what to do.
	log := &testutil.Buffer{}
	v = mustOpen(oldEnv, log)
	if n := f.opens(t, v); n != sealedCount-2 {
		t.Errorf("%d secrets open with the old key, want %d", n, sealedCount-2)
	}
	mustContain := func(s string, subs ...string) {
		t.Helper()
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				t.Errorf("%q lacks %q", s, sub)
			}
		}
	}
	mustContain(log.String(), "only one of its keys is open", EnvMasterKeyPrevious)
	// A third key may not start while the rekey is unfinished.
	if err := v.Rekey(ctx, newKey(t)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "unfinished") {
		t.Errorf("another key during a rekey: %v", err)
	}
	v.Close()

	// Both keys: everything opens; a wrong key is still refused.
	v = mustOpen(bothEnv, nil)
	if n := f.opens(t, v); n != sealedCount {
		t.Errorf("%d secrets open with both keys", n)
	}
	for _, env := range []map[string]string{
		{EnvMasterKey: b64(newKey(t))},
		{EnvMasterKey: b64(newKey(t)), EnvMasterKeyPrevious: b64(newKey(t))},
	} {
		if _, err := open(env, nil); !errors.Is(err, ErrWrongMasterKey) {
			t.Errorf("a wrong key opened the vault: %v", err)
		}
	}
	// The new key alone cannot open what the old one still seals (the
	// audit key among them): the vault refuses to open.
	if _, err := open(newEnv, nil); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("the new key alone during the rekey: %v", err)
	}

	// Finish it: the vault holds the new key, so none need be given.
	if err := v.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	f.sealedWith(t, v, masterKeyID(nextKey))
	v.Close()

	if _, err := open(oldEnv, nil); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("the old key after the rekey: %v", err)
	}
	v = mustOpen(newEnv, nil)
	if n := f.opens(t, v); n != sealedCount {
		t.Errorf("%d secrets open with the new key", n)
	}
	v.Close()
	log = &testutil.Buffer{}
	v = mustOpen(bothEnv, log)
	mustContain(log.String(), "ignoring a master key this store does not know")
	if n := f.opens(t, v); n != sealedCount || v.prev != nil {
		t.Errorf("%d secrets open; prev %v", n, v.prev)
	}
	// Rekey with the key in use: nothing to do.
	if err := v.Rekey(ctx, nextKey); err != nil {
		t.Errorf("rekey to the current key: %v", err)
	}
}
