package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

var hash64 = strings.Repeat("0123456789abcdef", 4)

func TestParseAnchor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want store.AuditHead
		ok   bool
	}{
		{"96:" + hash64, store.AuditHead{Seq: 96, Hash: hash64}, true},
		{"  1:" + hash64 + "\n", store.AuditHead{Seq: 1, Hash: hash64}, true},
		{"0:" + hash64, store.AuditHead{}, false},
		{"-3:" + hash64, store.AuditHead{}, false},
		{"x:" + hash64, store.AuditHead{}, false},
		{hash64, store.AuditHead{}, false},
		{"96:" + hash64[:63], store.AuditHead{}, false},
		{"96:" + hash64 + "0", store.AuditHead{}, false},
		{"96:" + strings.ToUpper(hash64), store.AuditHead{}, false},
		{"96:" + hash64[:62] + ":f", store.AuditHead{}, false},
		{"seq 96 hash " + hash64, store.AuditHead{}, false},
		{"", store.AuditHead{}, false},
	} {
		got, err := audit.ParseAnchor(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseAnchor(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "SEQ:HASH") {
			t.Errorf("ParseAnchor(%q): %v does not say how to write it", tc.in, err)
		}
	}
}

// TestCheckAnchor walks every path of CheckAnchor: the head itself, an
// older record, a record past the end (truncated), another hash at the
// anchor's seq (rewritten), and a chain that is broken before.
func TestCheckAnchor(t *testing.T) {
	t.Parallel()
	s, path := openStore(t)
	l := openLog(t, s, audit.Options{})
	for i := range 3 {
		call(t, l, &audit.Entry{Caller: fmt.Sprintf("c%d", i)})
	}
	head := mustVerify(t, l).Head
	recs := records(t, s)
	for i := range 2 {
		call(t, l, &audit.Entry{Caller: fmt.Sprintf("later%d", i)})
	}
	ctx := t.Context()
	check := func(anchor store.AuditHead) *audit.Report {
		t.Helper()
		rep := mustVerify(t, l)
		if err := l.CheckAnchor(ctx, rep, anchor); err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// An anchor of an earlier head holds while records are added after it,
	// and so does the current head and any record's own hash.
	for _, a := range []store.AuditHead{head, mustVerify(t, l).Head, {Seq: 1, Hash: recs[0].Hash}, {Seq: 4, Hash: recs[3].Hash}} {
		if rep := check(a); rep.Problem != nil {
			t.Errorf("anchor %d:%s…: %v", a.Seq, a.Hash[:8], rep)
		}
	}
	// Past the end.
	last := mustVerify(t, l).Head
	rep := check(store.AuditHead{Seq: last.Seq + 3, Hash: hash64})
	if p := rep.Problem; p == nil || p.Kind != audit.ProblemTruncated || p.Seq != last.Seq+1 ||
		!strings.Contains(p.Detail, fmt.Sprintf("records %d to %d (at least) were removed", last.Seq+1, last.Seq+3)) {
		t.Errorf("anchor past the end: %v", rep)
	}
	// Another hash where the anchor points: the chain was rewritten with
	// the key from there on. The problem names the record found there.
	rep = check(store.AuditHead{Seq: 4, Hash: hash64})
	if p := rep.Problem; p == nil || p.Kind != audit.ProblemChanged || p.Seq != 4 || p.RecordID != recs[3].ID || p.EntryID != recs[3].EntryID ||
		!strings.Contains(p.Detail, "rewritten") {
		t.Errorf("anchor with another hash: %v", rep)
	}
	if !strings.HasPrefix(rep.String(), "audit chain broken at seq 4") {
		t.Errorf("report %q", rep)
	}

	// A chain broken before the anchor keeps its first problem.
	l.Close()
	execSQL(t, tamperDB(t, path), `UPDATE audit SET caller = 'someone' WHERE seq = 2`)
	l2 := openLog(t, s, audit.Options{})
	rep, err := l2.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := rep.Problem
	if first == nil {
		t.Fatal("the tampered chain verifies")
	}
	if err := l2.CheckAnchor(ctx, rep, store.AuditHead{Seq: last.Seq + 9, Hash: hash64}); err != nil || rep.Problem != first || rep.Problem.Seq != 2 {
		t.Errorf("a broken chain's problem became %v (%v)", rep.Problem, err)
	}
}

// TestAnchorFromFileSink is the habit the README recommends: serve
// --audit-file keeps every record outside the store, so its newest line is
// an anchor; records then cut from the store's end verify by themselves,
// and not against it.
func TestAnchorFromFileSink(t *testing.T) {
	t.Parallel()
	s, path := openStore(t)
	file := filepath.Join(t.TempDir(), "audit.jsonl")
	fs, err := audit.OpenFileSink(file, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	l := openLog(t, s, audit.Options{Sinks: []audit.Sink{fs}})
	for i := range 5 {
		call(t, l, &audit.Entry{Caller: fmt.Sprintf("c%d", i)})
	}
	l.Close()
	fs.Close()
	anchor, err := audit.ReadAnchorFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l = openLog(t, s, audit.Options{})
	if head := mustVerify(t, l).Head; anchor != head {
		t.Fatalf("the file's anchor %v is not the chain's head %v", anchor, head)
	}
	l.Close()

	execSQL(t, tamperDB(t, path), fmt.Sprintf(`DELETE FROM audit WHERE seq > %d`, anchor.Seq-4))
	l = openLog(t, s, audit.Options{})
	rep := mustVerify(t, l) // by itself, nothing to see
	if err := l.CheckAnchor(t.Context(), rep, anchor); err != nil {
		t.Fatal(err)
	}
	if rep.Problem == nil || rep.Problem.Kind != audit.ProblemTruncated {
		t.Errorf("4 records cut from the end, against the file's anchor: %v", rep)
	}
}

func TestReadAnchorFile(t *testing.T) {
	t.Parallel()
	line := func(seq int, h string) string {
		return fmt.Sprintf(`{"caller":"x","hash":%q,"prev_hash":"","seq":%d}`+"\n", h, seq)
	}
	other := strings.Repeat("f", 64)
	long := fmt.Sprintf(`{"context":{"note":%q},"hash":%q,"seq":7}`+"\n", strings.Repeat("n", 200<<10), other)
	for _, tc := range []struct {
		name, content string
		want          store.AuditHead
		err           string
	}{
		{"one line", line(1, hash64), store.AuditHead{Seq: 1, Hash: hash64}, ""},
		{"the last line", line(1, hash64) + line(2, other), store.AuditHead{Seq: 2, Hash: other}, ""},
		{"a line cut short by a crash", line(1, hash64) + line(2, other)[:30], store.AuditHead{Seq: 1, Hash: hash64}, ""},
		{"blank lines after", line(3, other) + "\n\n", store.AuditHead{Seq: 3, Hash: other}, ""},
		{"a line longer than a block", line(1, hash64) + long, store.AuditHead{Seq: 7, Hash: other}, ""},
		{"a long line before", long + line(8, hash64), store.AuditHead{Seq: 8, Hash: hash64}, ""},
		{"empty", "", store.AuditHead{}, "no complete record"},
		{"only a cut line", line(1, hash64)[:20], store.AuditHead{}, "no complete record"},
		{"only blank lines", "\n\n", store.AuditHead{}, "no record"},
		{"not JSON", "hello\n", store.AuditHead{}, "not an audit record"},
		{"no hash", `{"seq":3}` + "\n", store.AuditHead{}, "SEQ:HASH"},
	} {
		p := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := audit.ReadAnchorFile(p)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, %v; want %v, error %q", tc.name, got, err, tc.want, tc.err)
		}
	}
	if _, err := audit.ReadAnchorFile(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing file gave an anchor")
	}
}
