package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/sqlite"
)

// testKey is the HMAC key of the tests' logs.
var testKey = bytes.Repeat([]byte("k"), 32)

// openStore opens a fresh SQLite store and returns it with its file's path.
func openStore(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alter.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// openLog opens a log on s, closed when the test ends.
func openLog(t testing.TB, s store.Store, o audit.Options) *audit.Log {
	t.Helper()
	if o.Key == nil {
		o.Key = testKey
	}
	l, err := audit.Open(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// call writes the begin and end records of one allowed call.
func call(t testing.TB, l *audit.Log, e *audit.Entry) {
	t.Helper()
	ctx := context.Background()
	if e.Decision == "" {
		e.Decision = audit.DecisionAllow
	}
	if err := l.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Outcome == "" {
		e.Status, e.Outcome = 200, audit.OutcomeOK
	}
	if err := l.End(ctx, e); err != nil {
		t.Fatal(err)
	}
}

func records(t testing.TB, s store.Store) []store.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(context.Background(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// mustVerify fails the test unless the chain verifies.
func mustVerify(t testing.TB, l *audit.Log) *audit.Report {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem != nil {
		t.Fatalf("verify: %v", rep)
	}
	return rep
}

func TestBeginEnd(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	at := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	l := openLog(t, s, audit.Options{Now: func() time.Time { return at }})
	ctx := t.Context()

	e := &audit.Entry{
		Caller: "bot", GrantID: "grt_x", Tool: "aws_request", Decision: audit.DecisionAllow, Operation: "GetObject",
		Method: "GET", URL: "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Security-Token=tok&v=1",
		Context: json.RawMessage(`{"task": 1}`),
	}
	if err := l.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.ID, "aud_") || len(e.ID) != 30 || !e.Time.Equal(at) {
		t.Errorf("Begin set id %q time %v", e.ID, e.Time)
	}
	if e.Seq != 1 || e.Kind != audit.KindBegin || e.PrevHash != "" || len(e.Hash) != 64 || !e.RecordedAt.Equal(at) {
		t.Errorf("after Begin: seq %d kind %q prev %q hash %q recorded %v", e.Seq, e.Kind, e.PrevHash, e.Hash, e.RecordedAt)
	}
	if w := e.Writer; w == nil || *w != l.Writer() || w.PID == 0 || w.Instance == "" {
		t.Errorf("writer %+v", e.Writer)
	}
	beginHash := e.Hash
	e.Status, e.Outcome, e.ResponseBytes = 200, audit.OutcomeOK, 42
	e.ErrorMessage = "x-amz-security-token:secret-token\n"
	if err := l.End(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Seq != 2 || e.Kind != audit.KindEnd || e.PrevHash != beginHash {
		t.Errorf("after End: seq %d kind %q prev %q", e.Seq, e.Kind, e.PrevHash)
	}

	recs := records(t, s)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	prev := ""
	for i, kind := range []string{audit.KindBegin, audit.KindEnd} {
		rec := recs[i]
		if rec.Seq != int64(i+1) || rec.Kind != kind || rec.EntryID != e.ID || rec.ID != e.ID+"."+kind || rec.Caller != "bot" ||
			rec.GrantID != "grt_x" || rec.Tool != "aws_request" || rec.Decision != "allow" || rec.Operation != "GetObject" || !rec.Time.Equal(at) {
			t.Errorf("record %d: %+v", i, rec)
		}
		// The hash is HMAC(key, prev || data), and data is canonical
		// JSON holding the record's own seq and kind.
		if rec.PrevHash != prev || rec.Hash != audit.Hash(testKey, prev, rec.Data) {
			t.Errorf("record %d: prev %q hash %q, want %q and the HMAC", i, rec.PrevHash, rec.Hash, prev)
		}
		prev = rec.Hash
		canon, err := audit.Canonicalize(rec.Data)
		if err != nil || !bytes.Equal(canon, rec.Data) {
			t.Errorf("record %d data is not canonical: %s", i, rec.Data)
		}
		var got audit.Entry
		if err := json.Unmarshal(rec.Data, &got); err != nil {
			t.Fatal(err)
		}
		if got.Seq != rec.Seq || got.Kind != kind || got.Hash != "" || got.PrevHash != "" || got.Writer == nil {
			t.Errorf("record %d data: %s", i, rec.Data)
		}
		if got.URL != "https://b.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&v=1" {
			t.Errorf("record %d URL %q", i, got.URL)
		}
		for _, secret := range []string{"tok&", "abc", "secret-token"} {
			if strings.Contains(string(rec.Data), secret) {
				t.Errorf("record %d holds %q: %s", i, secret, rec.Data)
			}
		}
	}
	var end audit.Entry
	json.Unmarshal(recs[1].Data, &end)
	if end.Status != 200 || end.ResponseBytes != 42 || string(end.Context) != `{"task":1}` || end.Outcome != "ok" {
		t.Errorf("end record %+v", end)
	}

	if err := l.End(ctx, &audit.Entry{}); err == nil {
		t.Error("End of an entry without id succeeded")
	}
	rep := mustVerify(t, l)
	if rep.Records != 2 || rep.Entries != 1 || rep.Open != 0 || rep.Head.Seq != 2 || rep.Head.Hash != recs[1].Hash {
		t.Errorf("report %+v", rep)
	}
}

func TestOpenNeedsKey(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	if _, err := audit.Open(t.Context(), s, audit.Options{Key: make([]byte, 16)}); err == nil {
		t.Error("Open with a 16-byte key succeeded")
	}
}

// failingStore fails every append.
type failingStore struct{ store.Store }

func (failingStore) AppendAudit(context.Context, func(store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	return nil, errors.New("disk full")
}

func TestBeginFailsClosed(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	l := openLog(t, failingStore{s}, audit.Options{})
	err := l.Begin(t.Context(), &audit.Entry{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "begin") {
		t.Errorf("err = %v", err)
	}
	// A context that ends while the record waits: Begin fails.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Begin(ctx, &audit.Entry{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Begin with a cancelled context: %v", err)
	}
	// Context JSON that does not encode: nothing is queued.
	if err := l.Begin(t.Context(), &audit.Entry{Context: json.RawMessage(`{bad`)}); err == nil {
		t.Error("Begin with invalid context JSON succeeded")
	}
}

// countingStore counts the transactions of the audit log.
type countingStore struct {
	store.Store
	appends atomic.Int64
}

func (c *countingStore) AppendAudit(ctx context.Context, build func(store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	c.appends.Add(1)
	return c.Store.AppendAudit(ctx, build)
}

// TestGroupCommit begins 1,000 calls at once: they share a few
// transactions, and every one of them is committed, in one chain, when its
// Begin returns.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	cs := &countingStore{Store: s}
	l := openLog(t, cs, audit.Options{})
	const n = 1000
	start := make(chan struct{})
	var wg sync.WaitGroup
	seqs := make([]int64, n)
	for i := range n {
		wg.Go(func() {
			<-start
			e := &audit.Entry{Caller: fmt.Sprintf("c%d", i), Decision: audit.DecisionAllow}
			if err := l.Begin(context.Background(), e); err != nil {
				t.Error(err)
				return
			}
			// Committed when Begin returns (checked on a sample: reads
			// under the race detector are slow).
			if i%25 == 0 {
				recs, err := s.ListAudit(context.Background(), store.AuditQuery{EntryID: e.ID})
				if err != nil || len(recs) != 1 || recs[0].Seq != e.Seq {
					t.Errorf("after Begin returned: %d records, %v", len(recs), err)
				}
			}
			seqs[i] = e.Seq
		})
	}
	close(start)
	wg.Wait()
	txs := cs.appends.Load()
	t.Logf("%d begin records in %d transactions", n, txs)
	if txs > n/10 {
		t.Errorf("%d begin records took %d transactions; group commit should need far fewer", n, txs)
	}
	seen := map[int64]bool{}
	for _, s := range seqs {
		if s < 1 || s > n || seen[s] {
			t.Fatalf("seq %d twice or out of range", s)
		}
		seen[s] = true
	}
	if rep := mustVerify(t, l); rep.Records != n || rep.Open != n {
		t.Errorf("report %v", rep)
	}
}

// TestSingleCommit: MaxBatch 1 turns group commit off.
func TestSingleCommit(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	cs := &countingStore{Store: s}
	l := openLog(t, cs, audit.Options{MaxBatch: 1})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { call(t, l, &audit.Entry{}) })
	}
	wg.Wait()
	if got := cs.appends.Load(); got != 40 {
		t.Errorf("%d transactions for 40 records, want one each", got)
	}
	mustVerify(t, l)
}

// TestCloseMarksOpenEntries: an entry begun and never ended (a response
// body never closed) is marked interrupted when the log closes.
func TestCloseMarksOpenEntries(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	l, err := audit.Open(t.Context(), s, audit.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ended := &audit.Entry{}
	call(t, l, ended)
	open := &audit.Entry{Caller: "leaky", Reason: "never closes bodies"}
	if err := l.Begin(t.Context(), open); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.End(t.Context(), open); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("End after Close: %v", err)
	}
	if err := l.Begin(t.Context(), &audit.Entry{}); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Begin after Close: %v", err)
	}
	recs := records(t, s)
	if len(recs) != 4 || recs[3].Kind != audit.KindInterrupted || recs[3].EntryID != open.ID || recs[3].Caller != "leaky" {
		t.Fatalf("records: %+v", recs)
	}
	var e audit.Entry
	json.Unmarshal(recs[3].Data, &e)
	if e.Outcome != audit.OutcomeInterrupted || e.Reason != "never closes bodies" || !strings.Contains(e.ErrorMessage, "before its audit log was closed") {
		t.Errorf("interrupted record %s", recs[3].Data)
	}
	l2 := openLog(t, s, audit.Options{})
	if rep := mustVerify(t, l2); rep.Interrupted != 1 || rep.Open != 0 {
		t.Errorf("report %v", rep)
	}
}

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) int {
	name, err := exec.LookPath("true")
	if err != nil {
		name = os.Args[0] // this test binary, which runs no test with -test.run=^$
	}
	cmd := exec.Command(name, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot start a process:", err)
	}
	return cmd.Process.Pid
}

// TestMarkInterrupted checks which unfinished entries a starting log
// takes for dead.
func TestMarkInterrupted(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	begin := func(l *audit.Log, caller string) *audit.Entry {
		t.Helper()
		e := &audit.Entry{Caller: caller}
		if err := l.Begin(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		return e
	}

	// A crashed process on this host, and one still running (this one).
	crashed := openLog(t, s, audit.Options{Now: clock})
	audit.SetPID(crashed, deadPID(t))
	begin(crashed, "crashed")
	audit.Abandon(crashed)
	alive := openLog(t, s, audit.Options{Now: clock})
	aliveEntry := begin(alive, "alive")
	// A Log of this process that is gone (never closed).
	gone := openLog(t, s, audit.Options{Now: clock})
	begin(gone, "gone")
	audit.Abandon(gone)
	// Other hosts: one that began long ago, one that began just now.
	old := openLog(t, s, audit.Options{Now: func() time.Time { return now.Add(-2 * time.Hour) }, Host: "host-a"})
	begin(old, "old")
	audit.Abandon(old)
	recent := openLog(t, s, audit.Options{Now: func() time.Time { return now.Add(-time.Minute) }, Host: "host-b"})
	begin(recent, "recent")
	audit.Abandon(recent)
	done := openLog(t, s, audit.Options{Now: clock})
	call(t, done, &audit.Entry{Caller: "done"})

	l := openLog(t, s, audit.Options{Now: clock}) // Open marks
	marked := map[string]string{}
	for _, r := range records(t, s) {
		if r.Kind == audit.KindInterrupted {
			var e audit.Entry
			json.Unmarshal(r.Data, &e)
			marked[r.Caller] = e.ErrorMessage
		}
	}
	if len(marked) != 3 || marked["crashed"] == "" || marked["gone"] == "" || marked["old"] == "" {
		t.Fatalf("marked %v; want crashed, gone and old", marked)
	}
	if !strings.Contains(marked["crashed"], "is gone") || !strings.Contains(marked["old"], "1h0m0s after it began") {
		t.Errorf("reasons %q", marked)
	}
	rep := mustVerify(t, l)
	if rep.Open != 2 || rep.Interrupted != 3 {
		t.Errorf("report %v; want alive and recent still open", rep)
	}
	// The scan resumes below the oldest entry still open.
	v, err := s.GetSetting(t.Context(), audit.SettingScanned)
	if err != nil || string(v) != fmt.Sprint(aliveEntry.Seq-1) {
		t.Errorf("scan mark %q, %v; want the seq before alive's begin record, %d", v, err, aliveEntry.Seq-1)
	}

	// An hour later the recent one is past the grace period too; the one
	// of this process still runs.
	later := openLog(t, s, audit.Options{Now: func() time.Time { return now.Add(time.Hour) }})
	if n, err := later.MarkInterrupted(t.Context()); err != nil || n != 0 {
		t.Errorf("MarkInterrupted again: %d, %v (Open already marked)", n, err)
	}
	if rep := mustVerify(t, later); rep.Open != 1 || rep.Interrupted != 4 {
		t.Errorf("report %v; want only alive open", rep)
	}
}

func TestSinks(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	var buf syncBuffer
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	fs, err := audit.OpenFileSink(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	l := openLog(t, s, audit.Options{Sinks: []audit.Sink{audit.NewWriterSink(&buf), fs}})
	for range 3 {
		call(t, l, &audit.Entry{Caller: "bot", URL: "https://sts.amazonaws.com/?X-Amz-Credential=AKIA/x"})
	}
	l.Close() // the sinks have everything once Close returns
	recs := records(t, s)
	for name, out := range map[string]string{"writer": buf.String(), "file": readFile(t, path)} {
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(recs) {
			t.Fatalf("%s sink: %d lines for %d records", name, len(lines), len(recs))
		}
		for i, line := range lines {
			checkLine(t, line, recs[i])
		}
	}
}

// checkLine checks that a line of a sink or an export is rec, verifiable
// on its own: without prev_hash and hash, its canonical form is the data
// the hash covers.
func checkLine(t *testing.T, line string, rec store.AuditRecord) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	canon, _ := audit.Canonicalize([]byte(line))
	if string(canon) != line {
		t.Errorf("line is not canonical JSON: %s", line)
	}
	if m["hash"] != rec.Hash || m["prev_hash"] != nonEmpty(rec.PrevHash) || m["seq"] != float64(rec.Seq) {
		t.Errorf("line %s is not record %d", line, rec.Seq)
	}
	delete(m, "hash")
	delete(m, "prev_hash")
	data, _ := audit.CanonicalJSON(m)
	if !bytes.Equal(data, rec.Data) || audit.Hash(testKey, rec.PrevHash, data) != rec.Hash {
		t.Errorf("line without its hashes\n%s\nis not the record's data\n%s", data, rec.Data)
	}
	if strings.Contains(line, "AKIA") {
		t.Errorf("line holds the credential: %s", line)
	}
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// syncBuffer is a buffer that may be written and read concurrently.
type syncBuffer = testutil.Buffer

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
