// Package storetest is the conformance suite for store backends. A backend's
// tests call Run with a function that opens a fresh, empty store, and
// RunShared with one that opens two handles on one fresh database, the way
// two replicas would share it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "alter.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite closes the stores it opens. Its subtests run in parallel, so
// open must be safe to call from several goroutines. It knows nothing of any
// backend: what it checks is the contract written on store.Store.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/store"
)

// Run runs the conformance suite, each subtest on a store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.f(t, s)
		})
	}
}

// RunShared runs the tests that need two handles on one database, such as
// two processes or replicas: what one writes the other reads, and appends
// through both still form one chain.
func RunShared(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	for _, tc := range sharedTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			t.Cleanup(func() {
				if err := errors.Join(a.Close(), b.Close()); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.f(t, a, b)
		})
	}
}

var tests = []struct {
	name string
	f    func(t *testing.T, s store.Store)
}{
	{"Grant/RoundTrip", testGrantRoundTrip},
	{"Grant/Times", testGrantTimes},
	{"Grant/CreateConflict", testGrantCreateConflict},
	{"Grant/NotFound", testGrantNotFound},
	{"Grant/List", testGrantList},
	{"Grant/Update", testGrantUpdate},
	{"Grant/UpdateConflict", testGrantUpdateConflict},
	{"Grant/UpdateRace", testGrantUpdateRace},

	{"Caller/RoundTrip", testCallerRoundTrip},
	{"Caller/CreateConflict", testCallerCreateConflict},
	{"Caller/WithoutKey", testCallerWithoutKey},
	{"Caller/NotFound", testCallerNotFound},
	{"Caller/List", testCallerList},
	{"Caller/Update", testCallerUpdate},
	{"Caller/UpdateConflict", testCallerUpdateConflict},
	{"Caller/OAuthSubject", testCallerOAuthSubject},

	{"Audit/Empty", testAuditEmpty},
	{"Audit/Append", testAuditAppend},
	{"Audit/RoundTrip", testAuditRoundTrip},
	{"Audit/EmptyBatch", testAuditEmptyBatch},
	{"Audit/BuildError", testAuditBuildError},
	{"Audit/BuildPanic", testAuditBuildPanic},
	{"Audit/Cancelled", testAuditCancelled},
	{"Audit/BatchIsolation", testAuditBatchIsolation},
	{"Audit/Query", testAuditQuery},
	{"Audit/Chain", testAuditChain},

	{"Rotation", testRotation},
	{"Rotation/UnknownGrant", testRotationUnknownGrant},
	{"Setting", testSetting},
	{"Version", testVersion},

	{"Approval/RoundTrip", testApprovalRoundTrip},
	{"Approval/Move", testApprovalMove},
	{"Approval/List", testApprovalList},
}

var sharedTests = []struct {
	name string
	f    func(t *testing.T, a, b store.Store)
}{
	{"Visibility", testSharedVisibility},
	{"CreateRace", testSharedCreateRace},
	{"UpdateConflict", testSharedUpdateConflict},
	{"Chain", testSharedChain},
	{"Version", testSharedVersion},
	{"ApprovalRace", testSharedApprovalRace},
}

// at is a time with nanoseconds, away from UTC: stores must keep the
// instant exactly and return it in UTC.
var at = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("+0530", 5*3600+1800))

// allBytes is every byte value, zeros and invalid UTF-8 included.
var allBytes = func() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// deadline bounds one call that could hang if a backend leaked its lock.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// wantErr fails t unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// must fails t at once on an error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// same fails t where got and want (records of one type, or pointers to
// them) differ; see diff.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	for _, d := range diff(got, want) {
		t.Errorf("%s: %s", what, d)
	}
}

// found returns a check that a lookup found want: no error (else t stops),
// and a record the same as want. It returns what the lookup found.
func found[T any](t *testing.T, what string, want T) func(T, error) T {
	return func(got T, err error) T {
		t.Helper()
		must(t, what, err)
		same(t, what, got, want)
		return got
	}
}

// notFound returns a check that a lookup found nothing: store.ErrNotFound.
func notFound(t *testing.T, what string) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		wantErr(t, what, err, store.ErrNotFound)
	}
}

// listed returns a check that a list holds records whose keys are want, in
// that order. It returns the records.
func listed[T any](t *testing.T, what string, key func(T) string, want []string) func([]T, error) []T {
	return func(recs []T, err error) []T {
		t.Helper()
		must(t, what, err)
		var keys []string
		for _, r := range recs {
			keys = append(keys, key(r))
		}
		if fmt.Sprint(keys) != fmt.Sprint(want) {
			t.Errorf("%s order %q, want %q", what, keys, want)
		}
		return recs
	}
}

// diff lists the fields where got differs from want. Times compare as
// instants, and a non-zero time read back must be in UTC; byte slices and
// string slices compare by content, nil and empty alike.
func diff(got, want any) []string {
	gv, wv := reflect.Indirect(reflect.ValueOf(got)), reflect.Indirect(reflect.ValueOf(want))
	if !gv.IsValid() || !wv.IsValid() {
		if gv.IsValid() != wv.IsValid() {
			return []string{fmt.Sprintf("got %v, want %v", got, want)}
		}
		return nil
	}
	var out []string
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		switch g := gv.Field(i).Interface().(type) {
		case time.Time:
			w := wv.Field(i).Interface().(time.Time)
			switch {
			case !g.Equal(w) || g.IsZero() != w.IsZero():
				out = append(out, fmt.Sprintf("%s = %s, want %s", name, fmtTime(g), fmtTime(w)))
			case !g.IsZero() && g.Location() != time.UTC:
				out = append(out, fmt.Sprintf("%s = %s, want it in UTC", name, fmtTime(g)))
			}
		case []byte:
			if w := wv.Field(i).Bytes(); !bytes.Equal(g, w) {
				out = append(out, fmt.Sprintf("%s = %q, want %q", name, text.Clip(string(g), 40), text.Clip(string(w), 40)))
			}
		case []string:
			if w := wv.Field(i).Interface().([]string); !slices.Equal(g, w) {
				out = append(out, fmt.Sprintf("%s = %q, want %q", name, g, w))
			}
		default:
			if w := wv.Field(i).Interface(); !reflect.DeepEqual(g, w) {
				out = append(out, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
			}
		}
	}
	return out
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.Format(time.RFC3339Nano + " MST")
}

// chainHash is the hash the suite's records carry: SHA-256 of the previous
// record's hash and this record's data, so any fork or gap shows.
func chainHash(prev string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// chained returns a build function that chains n records carrying data to
// the head, and checks that head against the one the store last reported.
func chained(n int, data func(i int) []byte) func(store.AuditHead) ([]store.AuditRecord, error) {
	return func(head store.AuditHead) ([]store.AuditRecord, error) {
		recs := make([]store.AuditRecord, n)
		prev := head.Hash
		for i := range recs {
			d := data(i)
			recs[i] = store.AuditRecord{
				ID:       fmt.Sprintf("rec-%d", head.Seq+1+int64(i)),
				Time:     at.Add(time.Duration(head.Seq+int64(i)) * time.Millisecond),
				Kind:     "begin",
				Data:     d,
				PrevHash: prev,
				Hash:     chainHash(prev, d),
			}
			prev = recs[i].Hash
		}
		return recs, nil
	}
}

// checkChain fails t unless recs are the whole log: Seq 1, 2, 3, ... with
// each record chained to the one before it.
func checkChain(t *testing.T, recs []store.AuditRecord) {
	t.Helper()
	prev := ""
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has Seq %d, want %d: the log has a gap or is out of order", i, r.Seq, i+1)
		}
		if r.PrevHash != prev {
			t.Fatalf("record %d: PrevHash %.12s, want %.12s (the previous record's Hash): the chain forked", r.Seq, r.PrevHash, prev)
		}
		if h := chainHash(r.PrevHash, r.Data); r.Hash != h {
			t.Fatalf("record %d: Hash %.12s, want %.12s", r.Seq, r.Hash, h)
		}
		prev = r.Hash
	}
}
