package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// What Verify found wrong with a record.
const (
	ProblemChanged   = "changed"   // its data, hash or an indexed column is not what was written
	ProblemMissing   = "missing"   // records before it are gone
	ProblemInserted  = "inserted"  // it was not written by the chain (or is a copy of a record)
	ProblemReordered = "reordered" // it is genuine but out of its place
)

// Problem is the first place the chain breaks.
type Problem struct {
	Kind string // ProblemChanged, ProblemMissing, ProblemInserted, ProblemReordered
	// Seq is where the record was found (its row in the store), RecordID
	// and EntryID name it as the store holds it.
	Seq      int64
	RecordID string
	EntryID  string
	Detail   string
}

func (p *Problem) Error() string {
	name := p.EntryID
	if name == "" {
		name = p.RecordID
	}
	if name == "" {
		name = "(no id)"
	}
	return fmt.Sprintf("seq %d (entry %s, record %s): %s: %s", p.Seq, name, orNone(p.RecordID), p.Kind, p.Detail)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Report is what Verify found.
type Report struct {
	Records     int64 // records that verified
	Entries     int64 // begin records among them
	Interrupted int64 // interrupted records among them
	Open        int64 // entries begun without an end or interrupted record (calls in flight)
	// Head is the last record that verified: a later Verify that finds it
	// again knows nothing before it was cut or rewritten.
	Head    store.AuditHead
	Problem *Problem // nil when the whole chain verifies
}

// String is the report in one line.
func (r *Report) String() string {
	if r.Problem != nil {
		return fmt.Sprintf("audit chain broken at %v (%d records verified before it)", r.Problem, r.Records)
	}
	if r.Records == 0 {
		return "ok: the audit log is empty"
	}
	return fmt.Sprintf("ok: %d records verified (%d entries, %d interrupted, %d in flight); head seq %d hash %s",
		r.Records, r.Entries, r.Interrupted, r.Open, r.Head.Seq, r.Head.Hash)
}

// verifyPage is how many records Verify reads at a time, and lookAhead how
// far past a record out of place it looks for the one that belongs there.
const (
	verifyPage = 2000
	lookAhead  = 10000
)

// Verify walks the chain from its first record and checks every record:
// its hash against the previous hash and its data, its place (seq) against
// the one it says it has, and its indexed columns against its data. It
// stops at the first record that fails and names it in Report.Problem. An
// error is returned only when the store cannot be read.
func (l *Log) Verify(ctx context.Context) (*Report, error) {
	v := verifier{store: l.store, mac: hmac.New(sha256.New, l.key), open: map[string]bool{}}
	rep := &Report{}
	var after int64
	for {
		recs, err := l.store.ListAudit(ctx, store.AuditQuery{AfterSeq: after, Limit: verifyPage})
		if err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
		for i := range recs {
			r := &recs[i]
			d, why := v.check(r)
			if why != "" {
				p, err := v.classify(ctx, r, d, why, recs[i+1:])
				if err != nil {
					return nil, err
				}
				rep.Problem = p
				return rep.finish(&v), nil
			}
			rep.Records++
			switch d.Kind {
			case KindBegin:
				rep.Entries++
				v.open[d.ID] = true
			case KindInterrupted:
				rep.Interrupted++
				delete(v.open, d.ID)
			default:
				delete(v.open, d.ID)
			}
			v.prev, v.next = r.Hash, r.Seq+1
			rep.Head = store.AuditHead{Seq: r.Seq, Hash: r.Hash}
		}
		if len(recs) < verifyPage {
			return rep.finish(&v), nil
		}
		after = recs[len(recs)-1].Seq
	}
}

func (r *Report) finish(v *verifier) *Report {
	r.Open = int64(len(v.open))
	return r
}

type verifier struct {
	store store.Store
	mac   hash.Hash
	prev  string // hash of the last record that verified
	next  int64  // the seq the next record must have, 0 meaning 1
	open  map[string]bool
}

// recordFields are the parts of a record's data that Verify checks.
type recordFields struct {
	Seq        int64     `json:"seq"`
	Kind       string    `json:"kind"`
	ID         string    `json:"id"`
	RecordedAt time.Time `json:"recorded_at"`
	Caller     string    `json:"caller"`
	GrantID    string    `json:"grant_id"`
	Tool       string    `json:"tool"`
	Decision   string    `json:"decision"`
	Operation  string    `json:"operation"`
}

func (v *verifier) genuineAfter(prev string, r *store.AuditRecord) bool {
	return hmacEqual(chainHash(v.mac, prev, r.Data), r.Hash)
}

func hmacEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

func (v *verifier) expected() int64 { return max(v.next, 1) }

// check returns r's fields and, when r is not the record the chain
// expects next, why not.
func (v *verifier) check(r *store.AuditRecord) (recordFields, string) {
	var d recordFields
	err := json.Unmarshal(r.Data, &d)
	switch {
	case !v.genuineAfter(v.prev, r):
		return d, "hash"
	case err != nil:
		return d, "its data is not JSON: " + err.Error()
	case r.Seq != v.expected():
		return d, "seq"
	case d.Seq != r.Seq:
		return d, fmt.Sprintf("its row is seq %d but the record says %d", r.Seq, d.Seq)
	case r.PrevHash != v.prev:
		return d, "its prev_hash column is not the previous record's hash"
	}
	var bad []string
	for _, c := range [...]struct{ col, got, want string }{
		{"id", r.ID, d.ID + "." + d.Kind}, {"kind", r.Kind, d.Kind}, {"entry_id", r.EntryID, d.ID},
		{"caller", r.Caller, d.Caller}, {"grant_id", r.GrantID, d.GrantID}, {"tool", r.Tool, d.Tool},
		{"decision", r.Decision, d.Decision}, {"operation", r.Operation, d.Operation},
	} {
		if c.got != c.want {
			bad = append(bad, fmt.Sprintf("%s %q (the record says %q)", c.col, c.got, c.want))
		}
	}
	if !r.Time.Equal(d.RecordedAt) {
		bad = append(bad, fmt.Sprintf("time %s (the record says %s)", r.Time.Format(time.RFC3339Nano), d.RecordedAt.Format(time.RFC3339Nano)))
	}
	if len(bad) > 0 {
		return d, "its indexed columns do not match its data: " + strings.Join(bad, ", ")
	}
	return d, ""
}

// classify tells what happened to r, the first record that failed check,
// given the records after it in the page.
func (v *verifier) classify(ctx context.Context, r *store.AuditRecord, d recordFields, why string, rest []store.AuditRecord) (*Problem, error) {
	p := &Problem{Seq: r.Seq, RecordID: r.ID, EntryID: r.EntryID}
	want := v.expected()
	if why != "hash" && why != "seq" {
		p.Kind, p.Detail = ProblemChanged, why
		return p, nil
	}
	if why == "seq" { // genuine, chained to the previous record, but its row moved
		p.Kind = ProblemChanged
		p.Detail = fmt.Sprintf("its row is seq %d where seq %d belongs; the rows were renumbered", r.Seq, want)
		return p, nil
	}
	genuine := v.genuineAfter(r.PrevHash, r) && d.Seq > 0
	switch {
	case genuine && d.Seq < want:
		p.Kind = ProblemInserted
		p.Detail = fmt.Sprintf("it is a copy of the record at seq %d", d.Seq)
		return p, nil
	case genuine && d.Seq > want:
		at, err := v.find(ctx, r, rest, want)
		if err != nil {
			return nil, err
		}
		if at > 0 {
			p.Kind = ProblemReordered
			p.Detail = fmt.Sprintf("it is the chain's seq %d, found where seq %d belongs; seq %d is at row %d", d.Seq, want, want, at)
			return p, nil
		}
		p.Kind = ProblemMissing
		if d.Seq == want+1 {
			p.Detail = fmt.Sprintf("the record at seq %d is gone; the chain resumes here with seq %d", want, d.Seq)
		} else {
			p.Detail = fmt.Sprintf("the records at seq %d to %d are gone; the chain resumes here with seq %d", want, d.Seq-1, d.Seq)
		}
		return p, nil
	case genuine:
		p.Kind = ProblemChanged
		p.Detail = "it does not follow the record before it (that record was replaced)"
		return p, nil
	}
	// Not genuine: forged into the chain if the next record chains to the
	// previous one as if it were not there, else changed in place.
	if len(rest) == 0 {
		var err error
		if rest, err = v.store.ListAudit(ctx, store.AuditQuery{AfterSeq: r.Seq, Limit: 1}); err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
	}
	if len(rest) > 0 && v.genuineAfter(v.prev, &rest[0]) {
		p.Kind = ProblemInserted
		p.Detail = "it was not written by the chain: the record after it follows the one before it"
		return p, nil
	}
	p.Kind = ProblemChanged
	p.Detail = "its data or hash is not what was written (its hash does not match)"
	if v.prev == "" && r.Seq == 1 {
		p.Detail += "; if no record verifies, the log was written with another audit key"
	}
	return p, nil
}

// find looks after r for the record whose data says it is seq want, and
// returns its row, or 0.
func (v *verifier) find(ctx context.Context, r *store.AuditRecord, rest []store.AuditRecord, want int64) (int64, error) {
	after, seen := r.Seq, 0
	for seen < lookAhead {
		for _, x := range rest {
			var d struct {
				Seq int64 `json:"seq"`
			}
			if json.Unmarshal(x.Data, &d) == nil && d.Seq == want && v.genuineAfter(v.prev, &x) {
				return x.Seq, nil
			}
			after = x.Seq
			seen++
		}
		var err error
		rest, err = v.store.ListAudit(ctx, store.AuditQuery{AfterSeq: after, Limit: verifyPage})
		if err != nil {
			return 0, fmt.Errorf("audit: verify: %w", err)
		}
		if len(rest) == 0 {
			break
		}
	}
	return 0, nil
}
