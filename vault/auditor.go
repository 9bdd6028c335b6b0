package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

// Auditor records calls: Begin before anything is sent (an error stops the
// call), End after the answer. The audit package implements it
// (audit.Log).
//
// A call refused before it is sent is recorded with Begin and End too, with
// Decision "deny" and Outcome "denied".
type Auditor interface {
	Begin(ctx context.Context, e *audit.Entry) error
	End(ctx context.Context, e *audit.Entry) error
}

// AuditLog returns the vault's audit log: the hash chain in its store,
// keyed with the vault's audit key, for reading (List, Get, Follow,
// Export) and checking (Verify). It records the vault's calls unless
// Options.Auditor replaced it, and is closed by Close.
func (v *Vault) AuditLog() *audit.Log { return v.audit }

// auditKeySize is the length of the audit chain's HMAC key.
const auditKeySize = 32

// openAudit opens the audit log on the vault's store with the audit key.
// Opening it marks interrupted the calls that died with their process.
func (v *Vault) openAudit(ctx context.Context, sinks []audit.Sink) (*audit.Log, error) {
	key, err := v.auditKey(ctx)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	l, err := audit.Open(ctx, v.store, audit.Options{Key: key, Logger: v.log, Now: v.now, Sinks: sinks})
	if err != nil {
		return nil, fmt.Errorf("open the audit log: %w", err)
	}
	return l, nil
}

// auditKey returns the audit chain's HMAC key, making it on first use: 32
// random bytes kept as a sealed setting, so that a rekey of the master key
// re-seals it and the chain written so far still verifies. (A key derived
// from the master key would change with it.)
func (v *Vault) auditKey(ctx context.Context) ([]byte, error) {
	key, err := v.getSealedSetting(ctx, settingAuditKey)
	switch {
	case err == nil:
		if len(key) != auditKeySize {
			return nil, fmt.Errorf("the audit key in the store is %d bytes, not %d", len(key), auditKeySize)
		}
		return key, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("read the audit key: %w", err)
	}
	key = make([]byte, auditKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make the audit key: %w", err)
	}
	defer clear(key)
	// Of two processes that make a key at once on a new store, exactly one
	// stores it; the other reads and uses that one.
	err = v.createSealedSetting(ctx, settingAuditKey, key)
	switch {
	case err == nil:
		return bytes.Clone(key), nil
	case !errors.Is(err, store.ErrConflict):
		return nil, fmt.Errorf("store the audit key: %w", err)
	}
	v.log.Info("another process made the audit key first; using its key")
	stored, err := v.getSealedSetting(ctx, settingAuditKey)
	if err != nil {
		return nil, fmt.Errorf("read the audit key: %w", err)
	}
	return stored, nil
}
