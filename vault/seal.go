package vault

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// Sealed secrets are sealVersion || nonce || AES-256-GCM(plaintext), with
// additional data that binds them to one grant and one master key:
// "alter-mcp/grant/v1" 0 grant-id 0 key-id. A blob moved to another grant, or
// opened with another key, fails to open instead of yielding garbage. The
// version byte lets a later format (or rekey) tell blobs apart.
const (
	sealVersion = 1
	nonceSize   = 12
)

// masterKeySize is the length of the master key: AES-256.
const masterKeySize = 32

// sealer encrypts with the master key. It keeps only the AES-GCM state, not
// the key bytes.
type sealer struct {
	aead  cipher.AEAD
	keyID string
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != masterKeySize {
		return nil, fmt.Errorf("the master key must be %d bytes, not %d", masterKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, keyID: masterKeyID(key)}, nil
}

// masterKeyID names a master key without revealing it: "mk_" and 12 hex
// digits of an HMAC keyed with it.
func masterKeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("alter-mcp master key id"))
	return "mk_" + hex.EncodeToString(m.Sum(nil)[:6])
}

func (s *sealer) seal(plaintext, ad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("seal: read random nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:1+nonceSize], plaintext, ad), nil
}

var errUnsealable = errors.New("sealed value cannot be opened")

func (s *sealer) open(blob, ad []byte) ([]byte, error) {
	if len(blob) < 1+nonceSize+s.aead.Overhead() || blob[0] != sealVersion {
		return nil, errUnsealable
	}
	pt, err := s.aead.Open(nil, blob[1:1+nonceSize], blob[1+nonceSize:], ad)
	if err != nil {
		return nil, errUnsealable
	}
	return pt, nil
}

func grantAD(grantID, keyID string) []byte {
	return []byte("alter-mcp/grant/v1\x00" + grantID + "\x00" + keyID)
}

// sealSecret seals the secret parts of c (secret access key, session token)
// for grant id, and returns the id of the master key that sealed it, to be
// stored beside it. The plaintext is wiped once sealed.
func (v *Vault) sealSecret(grantID string, c StaticCredentials) (sealed []byte, keyID string, err error) {
	pt := secretPlaintext(c.SecretAccessKey, c.SessionToken)
	defer clear(pt)
	s := v.sealer // one key for the blob and the id, even if a rekey swaps it
	sealed, err = s.seal(pt, grantAD(grantID, s.keyID))
	return sealed, s.keyID, err
}

// secretPlaintext is what a sealed secret holds: the secret access key and
// the session token, each preceded by its length (uvarint).
func secretPlaintext(secret, token string) []byte {
	pt := make([]byte, 0, 2*binary.MaxVarintLen64+len(secret)+len(token))
	pt = binary.AppendUvarint(pt, uint64(len(secret)))
	pt = append(pt, secret...)
	pt = binary.AppendUvarint(pt, uint64(len(token)))
	return append(pt, token...)
}

// parseSecretPlaintext reads what secretPlaintext wrote.
func parseSecretPlaintext(pt []byte) (secret, token string, ok bool) {
	s, rest, ok := readField(pt)
	t, rest2, ok2 := readField(rest)
	if !ok || !ok2 || len(rest2) != 0 {
		return "", "", false
	}
	return string(s), string(t), true
}

// sealerFor returns the open master key whose id is keyID: the key that
// seals, during an unfinished rekey the other one (prev), or the standby
// key of a rekey another process may run; nil for none.
func (v *Vault) sealerFor(keyID string) *sealer {
	switch {
	case keyID == v.keyID:
		return v.sealer
	case v.prev != nil && keyID == v.prev.keyID:
		return v.prev
	case v.standby != nil && keyID == v.standby.keyID:
		return v.standby
	}
	return nil
}

// openKeyIDs names the open master keys, for errors.
func (v *Vault) openKeyIDs() string {
	ids := v.keyID
	for _, s := range []*sealer{v.prev, v.standby} {
		if s != nil {
			ids += " and " + s.keyID
		}
	}
	return ids
}

// openSecret decrypts a grant's credentials for one signature. This is the
// only place a secret is decrypted; the caller drops the result as soon as
// the request is signed.
func (v *Vault) openSecret(grantID, keyID, accessKeyID string, blob []byte) (sigv4.Credentials, error) {
	s := v.sealerFor(keyID)
	if s == nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: the secret of grant %s was sealed with master key %s, not the open one (%s)", ErrWrongMasterKey, grantID, keyID, v.openKeyIDs())
	}
	pt, err := s.open(blob, grantAD(grantID, keyID))
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("%w: the secret of grant %s does not open with master key %s: the store was changed or the wrong key is in use", ErrWrongMasterKey, grantID, keyID)
	}
	defer clear(pt)
	secret, token, ok := parseSecretPlaintext(pt)
	if !ok {
		return sigv4.Credentials{}, fmt.Errorf("%w: the sealed secret of grant %s is malformed; set its credentials again", ErrCredentials, grantID)
	}
	return sigv4.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret, SessionToken: token}, nil
}

func readField(b []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// Check value: a known plaintext sealed with the master key, kept in the
// store's settings, so that opening a store with another key fails at once
// with ErrWrongMasterKey instead of failing on every grant later.
const (
	settingMasterCheck = "vault.master_key_check"
	checkPlaintext     = "alter-mcp master key check v1"
)

func checkAD(keyID string) []byte { return []byte("alter-mcp/check/v1\x00" + keyID) }

// checkValue is key-id 0 sealed-check.
func (s *sealer) checkValue() ([]byte, error) {
	sealed, err := s.seal([]byte(checkPlaintext), checkAD(s.keyID))
	if err != nil {
		return nil, err
	}
	return append([]byte(s.keyID+"\x00"), sealed...), nil
}

// verifyCheck reports whether value was made by this master key; when not,
// storedID is the id of the key that made it.
func (s *sealer) verifyCheck(value []byte) (storedID string, ok bool) {
	i := 0
	for i < len(value) && value[i] != 0 {
		i++
	}
	if i == len(value) {
		return "", false
	}
	storedID = string(value[:i])
	pt, err := s.open(value[i+1:], checkAD(storedID))
	return storedID, err == nil && storedID == s.keyID && string(pt) == checkPlaintext
}

// Random identifiers.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomBase32 returns n lower-case base32 characters from crypto/rand.
func randomBase32(n int) (string, error) {
	b := make([]byte, (n*5+7)/8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	s := b32.EncodeToString(b)
	lower := make([]byte, n)
	for i := range n {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return string(lower), nil
}

// newGrantID returns "grt_" and 20 random base32 characters (100 bits).
func newGrantID() (string, error) {
	r, err := randomBase32(20)
	if err != nil {
		return "", err
	}
	return grantIDPrefix + r, nil
}

// Sealed settings are small secrets the vault keeps for itself (the audit
// chain's HMAC key), stored in the store's settings as
// key-id 0 sealed-value, sealed with additional data that binds them to
// their name and the master key. Every name is listed in sealedSettings, so
// that a rekey re-seals them all.
const settingAuditKey = "vault.audit_hmac_key"

var sealedSettings = []string{settingAuditKey}

func settingAD(name, keyID string) []byte {
	return []byte("alter-mcp/setting/v1\x00" + name + "\x00" + keyID)
}

// putSealedSetting seals plaintext under the open master key and stores it.
func (v *Vault) putSealedSetting(ctx context.Context, name string, plaintext []byte) error {
	value, err := v.sealSetting(name, plaintext)
	if err != nil {
		return err
	}
	if err := v.store.PutSetting(ctx, name, value); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	return nil
}

// createSealedSetting is putSealedSetting for a name that must be unset:
// store.ErrConflict (wrapped) when another process set it first.
func (v *Vault) createSealedSetting(ctx context.Context, name string, plaintext []byte) error {
	value, err := v.sealSetting(name, plaintext)
	if err != nil {
		return err
	}
	if err := v.store.CreateSetting(ctx, name, value); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	return nil
}

func (v *Vault) sealSetting(name string, plaintext []byte) ([]byte, error) {
	if !slices.Contains(sealedSettings, name) {
		return nil, fmt.Errorf("sealed setting %q is not listed in sealedSettings", name)
	}
	s := v.sealer
	sealed, err := s.seal(plaintext, settingAD(name, s.keyID))
	if err != nil {
		return nil, err
	}
	return append(append([]byte(s.keyID), 0), sealed...), nil
}

// getSealedSetting reads and opens a sealed setting; store.ErrNotFound
// (wrapped) when it was never set.
func (v *Vault) getSealedSetting(ctx context.Context, name string) ([]byte, error) {
	value, err := v.store.GetSetting(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	keyID, sealed, ok := bytes.Cut(value, []byte{0})
	s := v.sealerFor(string(keyID))
	if !ok || s == nil {
		return nil, fmt.Errorf("%w: setting %s was sealed with master key %q, not the open one (%s)", ErrWrongMasterKey, name, keyID, v.openKeyIDs())
	}
	pt, err := s.open(sealed, settingAD(name, string(keyID)))
	if err != nil {
		return nil, fmt.Errorf("%w: setting %s does not open with master key %s", ErrWrongMasterKey, name, keyID)
	}
	return pt, nil
}
