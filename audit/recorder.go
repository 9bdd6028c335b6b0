package audit

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// Record kinds: every entry is written twice, a begin record before the call
// is sent and an end record once its answer is complete.
const (
	KindBegin = "begin"
	KindEnd   = "end"
)

// Recorder writes audit entries to a store. Each Begin and End is one
// durable append, so a begin record is on disk before the call it announces
// leaves the process.
//
// It does not chain records yet: PrevHash and Hash stay empty until the
// HMAC hash chain arrives.
type Recorder struct {
	store store.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewRecorder returns a Recorder that appends to s.
func NewRecorder(s store.Store) *Recorder { return &Recorder{store: s} }

// Begin writes e's begin record. It sets e.ID and e.Time when they are
// empty, and redacts e.URL.
func (r *Recorder) Begin(ctx context.Context, e *Entry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Time.IsZero() {
		e.Time = r.now()
	}
	return r.append(ctx, KindBegin, e.Time, e)
}

// End writes e's end record, stamped with the time it is written.
func (r *Recorder) End(ctx context.Context, e *Entry) error {
	if e.ID == "" {
		return errors.New("audit: End of an entry that has no id (Begin was not called)")
	}
	return r.append(ctx, KindEnd, r.now(), e)
}

func (r *Recorder) append(ctx context.Context, kind string, at time.Time, e *Entry) error {
	e.URL = RedactURL(e.URL)
	if e.Endpoint != "" {
		e.Endpoint = RedactURL(e.Endpoint)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode entry %s: %w", e.ID, err)
	}
	rec := store.AuditRecord{
		ID:        e.ID + "." + kind,
		Time:      at.UTC(),
		Kind:      kind,
		EntryID:   e.ID,
		Caller:    e.Caller,
		GrantID:   e.GrantID,
		Tool:      e.Tool,
		Decision:  e.Decision,
		Operation: e.Operation,
		Data:      data,
	}
	_, err = r.store.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
		return []store.AuditRecord{rec}, nil
	})
	if err != nil {
		return fmt.Errorf("audit: write %s record of %s: %w", kind, e.ID, err)
	}
	return nil
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a new entry id: "aud_" and 26 random base32 characters
// (130 bits), lower-case.
func NewID() string {
	var b [17]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return "aud_" + strings.ToLower(idEncoding.EncodeToString(b[:])[:26])
}
