package vault

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/alter-mcp/alter-mcp/store"
)

func TestSealBindsGrantAndKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := newSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	v := &Vault{sealer: s, keyID: s.keyID}
	c := StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}
	blob, _, err := v.sealSecret("grt_a", c)
	if err != nil {
		t.Fatal(err)
	}
	if blob[0] != sealVersion || bytes.Contains(blob, []byte("secret")) || bytes.Contains(blob, []byte("token")) {
		t.Fatalf("sealed blob %x", blob)
	}
	got, err := v.openSecret("grt_a", s.keyID, c.AccessKeyID, blob)
	if err != nil || got.SecretAccessKey != "secret" || got.SessionToken != "token" || got.AccessKeyID != c.AccessKeyID {
		t.Fatalf("open: %v %v", got, err)
	}
	// Moved to another grant, tampered with, or opened with another key:
	// an error, never garbage.
	if _, err := v.openSecret("grt_b", s.keyID, c.AccessKeyID, blob); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("another grant: %v", err)
	}
	bad := bytes.Clone(blob)
	bad[len(bad)-1] ^= 1
	if _, err := v.openSecret("grt_a", s.keyID, c.AccessKeyID, bad); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("tampered: %v", err)
	}
	bad = bytes.Clone(blob)
	bad[0] = 2
	if _, err := v.openSecret("grt_a", s.keyID, c.AccessKeyID, bad); err == nil {
		t.Error("unknown version opened")
	}
	other, _ := newSealer(bytes.Repeat([]byte{8}, 32))
	v2 := &Vault{sealer: other, keyID: other.keyID}
	if _, err := v2.openSecret("grt_a", s.keyID, c.AccessKeyID, blob); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("other key: %v", err)
	}
	if other.keyID == s.keyID {
		t.Error("two keys share an id")
	}

	check, _ := s.checkValue()
	if id, ok := s.verifyCheck(check); !ok || id != s.keyID {
		t.Error("check value does not verify")
	}
	if id, ok := other.verifyCheck(check); ok || id != s.keyID {
		t.Errorf("another key verified the check (stored id %q)", id)
	}
}

func TestRandomIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id, err := newGrantID()
		if err != nil || len(id) != 24 || seen[id] {
			t.Fatalf("grant id %q %v", id, err)
		}
		seen[id] = true
		for _, c := range id[4:] {
			if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
				t.Fatalf("grant id %q", id)
			}
		}
	}
}

func TestSealedSetting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := make([]byte, 32)
	v, err := Open(ctx, Options{Home: dir, MasterKey: key, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// Open made the audit key.
	if made, err := v.getSealedSetting(ctx, settingAuditKey); err != nil || len(made) != auditKeySize {
		t.Fatalf("audit key after Open: %d bytes, %v", len(made), err)
	}
	if _, err := v.getSealedSetting(ctx, "vault.never_set"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unset: %v, want store.ErrNotFound", err)
	}
	if err := v.putSealedSetting(ctx, settingAuditKey, []byte("chain key")); err != nil {
		t.Fatal(err)
	}
	got, err := v.getSealedSetting(ctx, settingAuditKey)
	if err != nil || string(got) != "chain key" {
		t.Fatalf("got %q, %v", got, err)
	}
	raw, _ := v.store.GetSetting(ctx, settingAuditKey)
	if bytes.Contains(raw, []byte("chain key")) {
		t.Error("the setting is stored in the clear")
	}
	if err := v.putSealedSetting(ctx, "vault.unlisted", nil); err == nil {
		t.Error("an unlisted name was accepted; rekey would miss it")
	}
	// Bound to its name: moved under another name, it does not open.
	sealedSettings = append(sealedSettings, "vault.other")
	defer func() { sealedSettings = sealedSettings[:len(sealedSettings)-1] }()
	v.store.PutSetting(ctx, "vault.other", raw)
	if _, err := v.getSealedSetting(ctx, "vault.other"); !errors.Is(err, ErrWrongMasterKey) {
		t.Errorf("a value moved to another name opened: %v", err)
	}
}
