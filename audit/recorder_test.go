package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "alter.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecorderBeginEnd(t *testing.T) {
	s := openStore(t)
	r := audit.NewRecorder(s)
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r.Now = func() time.Time { return at }
	ctx := t.Context()

	e := &audit.Entry{
		Caller: "bot", GrantID: "grt_x", Tool: "aws_request", Decision: audit.DecisionAllow, Operation: "GetObject",
		Method: "GET", URL: "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Security-Token=tok&v=1",
		Context: json.RawMessage(`{"task":1}`),
	}
	if err := r.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.ID, "aud_") || len(e.ID) != 30 || !e.Time.Equal(at) {
		t.Errorf("Begin set id %q time %v", e.ID, e.Time)
	}
	e.Status, e.Outcome, e.ResponseBytes = 200, audit.OutcomeOK, 42
	if err := r.End(ctx, e); err != nil {
		t.Fatal(err)
	}

	recs, err := s.ListAudit(ctx, store.AuditQuery{EntryID: e.ID})
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for i, kind := range []string{audit.KindBegin, audit.KindEnd} {
		rec := recs[i]
		if rec.Kind != kind || rec.EntryID != e.ID || rec.ID != e.ID+"."+kind || rec.Caller != "bot" || rec.GrantID != "grt_x" ||
			rec.Tool != "aws_request" || rec.Decision != "allow" || rec.Operation != "GetObject" || !rec.Time.Equal(at) {
			t.Errorf("record %d: %+v", i, rec)
		}
		var got audit.Entry
		if err := json.Unmarshal(rec.Data, &got); err != nil {
			t.Fatal(err)
		}
		if got.URL != "https://b.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&v=1" {
			t.Errorf("record %d URL %q", i, got.URL)
		}
		if strings.Contains(string(rec.Data), "tok") || strings.Contains(string(rec.Data), "abc") {
			t.Errorf("record %d holds the signature or token: %s", i, rec.Data)
		}
	}
	var end audit.Entry
	json.Unmarshal(recs[1].Data, &end)
	if end.Status != 200 || end.ResponseBytes != 42 || string(end.Context) != `{"task":1}` {
		t.Errorf("end record %+v", end)
	}

	if err := r.End(ctx, &audit.Entry{}); err == nil {
		t.Error("End of an entry without id succeeded")
	}
}

type brokenStore struct{ store.Store }

func (brokenStore) AppendAudit(context.Context, func(store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	return nil, errors.New("disk full")
}

func TestRecorderError(t *testing.T) {
	r := audit.NewRecorder(brokenStore{})
	err := r.Begin(t.Context(), &audit.Entry{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "begin") {
		t.Errorf("err = %v", err)
	}
}
