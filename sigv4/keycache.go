package sigv4

import (
	"crypto/sha256"
	"encoding"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultKeyCacheSize bounds the signing keys a KeyCache holds when its Size is zero.
const DefaultKeyCacheSize = 1024

// KeyCache holds derived SigV4 signing keys. A signing key depends on the
// secret, the day, the region and the service, so an entry is found by key id,
// day, region and service and used only when its secret is the very secret
// being signed with: a rotated secret never reuses a stale key.
//
// An entry keeps the secret it was derived from (the caller's string, not a
// copy) to make that comparison, and no longer than the entry lives: when a
// key is derived, the entries of the same key id under another secret and
// those more than a day older go, and Purge drops everything.
//
// The zero value is ready to use and holds at most DefaultKeyCacheSize keys.
// A KeyCache is safe for concurrent use.
type KeyCache struct {
	// Size bounds the number of keys held; 0 means DefaultKeyCacheSize.
	Size int

	last    atomic.Pointer[keyEntry] // the key used last: most signers use one key all day
	mu      sync.RWMutex
	entries map[keyID]*keyEntry
	v4a     map[string]*v4aEntry
}

type keyID struct {
	accessKeyID string
	day         int32 // yyyymmdd
	region      string
	service     string
}

type keyEntry struct {
	id     keyID
	secret string
	key    [32]byte
	// inner and outer are SHA-256 states after the HMAC key's ipad and opad
	// blocks, so a signature hashes two blocks less.
	inner, outer []byte
	// prefix is the inner state after the string to sign's first lines
	// too, for the second they name; see (*state).mac.
	prefix atomic.Pointer[prefixState]
}

// prefixState is the HMAC inner state after ipad and the whole 64-byte
// blocks of "ALGORITHM\nDATE\nSCOPE\n", the part of a string to sign before
// the canonical request's hash. Requests signed in the same second with the
// same key share it, which saves one SHA-256 block per signature (of the
// eight an S3 GET would hash).
type prefixState struct {
	date  string // X-Amz-Date
	skip  int    // the bytes of the string to sign that state covers: whole blocks
	rest  []byte // the rest of the fixed lines, after skip
	state []byte // a marshaled sha256 state; nil when it could not be made
}

// defaultKeys serves every Signer whose Keys field is nil.
var defaultKeys KeyCache

// signingKey returns the signing key for the credentials, day, region and
// service, deriving and caching it on a miss.
func (c *KeyCache) signingKey(creds *Credentials, date string, day int32, region, service string) *keyEntry {
	id := keyID{creds.AccessKeyID, day, region, service}
	if e := c.last.Load(); e != nil && e.id == id && e.secret == creds.SecretAccessKey {
		return e
	}
	c.mu.RLock()
	e := c.entries[id]
	c.mu.RUnlock()
	if e != nil && e.secret == creds.SecretAccessKey {
		c.last.Store(e)
		return e
	}
	e = newKeyEntry(id, creds.SecretAccessKey, deriveSigningKey(creds.SecretAccessKey, date[:8], region, service))
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[keyID]*keyEntry)
	}
	c.dropStaleLocked(id, creds.SecretAccessKey, previousDay(date))
	if _, present := c.entries[id]; !present && len(c.entries) >= c.limit() {
		c.evictLocked(id.day)
	}
	c.entries[id] = e
	c.mu.Unlock()
	c.last.Store(e)
	return e
}

func newKeyEntry(id keyID, secret string, key [32]byte) *keyEntry {
	e := &keyEntry{id: id, secret: secret, key: key}
	var pad [64]byte
	for i := range pad {
		pad[i] = 0x36
	}
	for i, b := range key {
		pad[i] ^= b
	}
	h := sha256.New()
	h.Write(pad[:])
	e.inner, _ = h.(encoding.BinaryAppender).AppendBinary(nil)
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	e.outer, _ = h.(encoding.BinaryAppender).AppendBinary(nil)
	return e
}

func (c *KeyCache) limit() int {
	if c.Size <= 0 {
		return DefaultKeyCacheSize
	}
	return c.Size
}

// dropStaleLocked removes, when a key is derived, the entries that will not
// be used again, so that the secrets they were checked against are not held
// either: those of id's access key under another secret (it was rotated),
// and those older than the day before id's (a signature's date is minutes
// from now, never two days).
func (c *KeyCache) dropStaleLocked(id keyID, secret string, before int32) {
	for k, e := range c.entries {
		if k.day < before || (k.accessKeyID == id.accessKeyID && e.secret != secret) {
			delete(c.entries, k)
		}
	}
}

// previousDay returns the day before date (yyyymmdd...) as yyyymmdd, or 0
// when date does not parse.
func previousDay(date string) int32 {
	t, err := time.Parse("20060102", date[:8])
	if err != nil {
		return 0
	}
	y, m, d := t.AddDate(0, 0, -1).Date()
	return int32(y*10000 + int(m)*100 + d)
}

// evictLocked frees room for one entry: keys of other days go first (they are
// of no more use once the day has turned), otherwise an arbitrary one.
func (c *KeyCache) evictLocked(today int32) {
	var victim keyID
	found := false
	for id := range c.entries {
		if id.day != today {
			delete(c.entries, id)
			return
		}
		if !found {
			victim, found = id, true
		}
	}
	if found {
		delete(c.entries, victim)
	}
}

// Len reports how many keys the cache holds.
func (c *KeyCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Purge drops every cached key, for example after credentials were revoked.
func (c *KeyCache) Purge() {
	c.mu.Lock()
	clear(c.entries)
	clear(c.v4a)
	c.last.Store(nil)
	c.mu.Unlock()
}

// deriveSigningKey computes kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request").
func deriveSigningKey(secret, day, region, service string) [32]byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(append(k, "AWS4"...), secret...)
	kDate := hmacString(k, day)
	clear(k)
	kRegion := hmacString(kDate[:], region)
	kService := hmacString(kRegion[:], service)
	return hmacString(kService[:], "aws4_request")
}
