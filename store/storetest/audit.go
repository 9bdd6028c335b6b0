package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// listAll is the whole log.
func listAll(t *testing.T, s store.Store) []store.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(t.Context(), store.AuditQuery{})
	must(t, "ListAudit", err)
	return recs
}

// appendN appends n chained records and returns them.
func appendN(t *testing.T, s store.Store, n int) []store.AuditRecord {
	t.Helper()
	recs, err := s.AppendAudit(t.Context(), chained(n, func(i int) []byte { return fmt.Appendf(nil, `{"i":%d}`, i) }))
	must(t, "AppendAudit", err)
	return recs
}

func testAuditEmpty(t *testing.T, s store.Store) {
	if recs := listAll(t, s); len(recs) != 0 {
		t.Errorf("ListAudit on an empty store: %d records", len(recs))
	}
	recs, err := s.ListAudit(t.Context(), store.AuditQuery{Limit: 10, Newest: true})
	must(t, "ListAudit", err)
	if len(recs) != 0 {
		t.Errorf("ListAudit newest on an empty store: %d records", len(recs))
	}
	_, err = s.AppendAudit(t.Context(), func(head store.AuditHead) ([]store.AuditRecord, error) {
		if head != (store.AuditHead{}) {
			t.Errorf("head of an empty log = %+v, want the zero value", head)
		}
		return nil, nil
	})
	must(t, "AppendAudit", err)
}

// testAuditAppend checks Seq assignment and that build sees the last
// record as the head.
func testAuditAppend(t *testing.T, s store.Store) {
	ctx := t.Context()
	var last store.AuditHead
	want := int64(1)
	for _, n := range []int{1, 3, 1, 5} {
		var seen store.AuditHead
		build := chained(n, func(i int) []byte { return fmt.Appendf(nil, "data %d", want+int64(i)) })
		recs, err := s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
			seen = head
			recs, err := build(head)
			for i := range recs {
				recs[i].Seq = 1000 // the store assigns Seq, whatever build says
			}
			return recs, err
		})
		must(t, "AppendAudit", err)
		if seen != last {
			t.Errorf("build got head %+v, want the last record's %+v", seen, last)
		}
		if len(recs) != n {
			t.Fatalf("AppendAudit returned %d records, want %d", len(recs), n)
		}
		for i, r := range recs {
			if r.Seq != want+int64(i) {
				t.Errorf("appended record %d has Seq %d, want %d", i, r.Seq, want+int64(i))
			}
		}
		want += int64(n)
		last = store.AuditHead{Seq: recs[n-1].Seq, Hash: recs[n-1].Hash}
	}
	all := listAll(t, s)
	if len(all) != 10 {
		t.Fatalf("ListAudit: %d records, want 10", len(all))
	}
	checkChain(t, all)
}

func testAuditRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := []store.AuditRecord{
		{
			ID: "aud_1", Time: at, Kind: "begin", EntryID: "ent_1", Caller: "claude",
			GrantID: "grt_1", Tool: "aws_request", Decision: "allow", Operation: "s3:GetObject",
			Data: allBytes, PrevHash: "", Hash: "h1",
		},
		{ID: "aud_2", Time: at.Add(time.Nanosecond), Kind: "end", Data: []byte(`{"status":200}`), PrevHash: "h1", Hash: "h2"},
		{ID: "aud_3", Hash: "h3", PrevHash: "h2"}, // zero time, no data
	}
	out, err := s.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
		return slices.Clone(in), nil
	})
	must(t, "AppendAudit", err)
	got := listAll(t, s)
	if len(got) != len(in) || len(out) != len(in) {
		t.Fatalf("AppendAudit returned %d and ListAudit %d records, want %d", len(out), len(got), len(in))
	}
	for i := range in {
		want := in[i]
		want.Seq = int64(i + 1)
		same(t, fmt.Sprintf("returned record %d", i), out[i], want)
		same(t, fmt.Sprintf("listed record %d", i), got[i], want)
	}
}

func testAuditEmptyBatch(t *testing.T, s store.Store) {
	appendN(t, s, 2)
	for _, empty := range [][]store.AuditRecord{nil, {}} {
		recs, err := s.AppendAudit(t.Context(), func(store.AuditHead) ([]store.AuditRecord, error) { return empty, nil })
		must(t, "AppendAudit of nothing", err)
		if len(recs) != 0 {
			t.Errorf("AppendAudit of nothing returned %d records", len(recs))
		}
	}
	recs := appendN(t, s, 1)
	if recs[0].Seq != 3 {
		t.Errorf("after empty batches the next Seq is %d, want 3", recs[0].Seq)
	}
	checkChain(t, listAll(t, s))
}

func testAuditBuildError(t *testing.T, s store.Store) {
	appendN(t, s, 2)
	errBuild := errors.New("entry did not serialize")
	recs, err := s.AppendAudit(t.Context(), func(head store.AuditHead) ([]store.AuditRecord, error) {
		r, _ := chained(3, func(int) []byte { return nil })(head)
		return r, errBuild // records and an error: nothing may be stored
	})
	wantErr(t, "AppendAudit with a failing build", err, errBuild)
	if len(recs) != 0 {
		t.Errorf("failed AppendAudit returned %d records", len(recs))
	}
	if n := len(listAll(t, s)); n != 2 {
		t.Fatalf("after a failed build the log has %d records, want 2", n)
	}
	// The lock is free and no Seq was used up.
	recs = appendN(t, s, 1)
	if recs[0].Seq != 3 {
		t.Errorf("after a failed build the next Seq is %d, want 3", recs[0].Seq)
	}
	checkChain(t, listAll(t, s))
}

// testAuditBuildPanic checks that a panicking build lets the panic through,
// stores nothing and leaves the chain's lock free.
func testAuditBuildPanic(t *testing.T, s store.Store) {
	appendN(t, s, 1)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("AppendAudit with a panicking build: recovered %v, want the panic", r)
			}
		}()
		s.AppendAudit(t.Context(), func(store.AuditHead) ([]store.AuditRecord, error) { panic("boom") })
	}()
	recs, err := s.AppendAudit(deadline(t), chained(1, func(int) []byte { return []byte("after") }))
	must(t, "AppendAudit after a panic", err)
	if recs[0].Seq != 2 {
		t.Errorf("after a panicking build the next Seq is %d, want 2", recs[0].Seq)
	}
	checkChain(t, listAll(t, s))
}

// testAuditCancelled cancels the context while build runs: the batch is
// stored whole or not at all, and the store stays usable.
func testAuditCancelled(t *testing.T, s store.Store) {
	appendN(t, s, 1)
	ctx, cancel := context.WithCancel(t.Context())
	recs, err := s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
		cancel()
		return chained(5, func(i int) []byte { return []byte{byte(i)} })(head)
	})
	n := len(listAll(t, s))
	switch {
	case err != nil && n != 1:
		t.Errorf("cancelled AppendAudit failed (%v) but the log has %d records, want 1", err, n)
	case err == nil && (n != 6 || len(recs) != 5):
		t.Errorf("cancelled AppendAudit succeeded with %d records but the log has %d, want 6", len(recs), n)
	}
	appendN(t, s, 1)
	checkChain(t, listAll(t, s))
}

// testAuditBatchIsolation reads the log while batches are appended: a
// reader sees whole batches only.
func testAuditBatchIsolation(t *testing.T, s store.Store) {
	const batch, batches = 16, 15
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		defer done.Store(true)
		for range batches {
			if _, err := s.AppendAudit(t.Context(), chained(batch, func(i int) []byte { return []byte{byte(i)} })); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for reads := 0; !done.Load() || reads == 0; reads++ {
		recs, err := s.ListAudit(t.Context(), store.AuditQuery{})
		if err != nil {
			t.Error(err)
			break
		}
		if len(recs)%batch != 0 {
			t.Errorf("a reader saw %d records: part of a batch", len(recs))
			break
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	all := listAll(t, s)
	if len(all) != batch*batches {
		t.Fatalf("log has %d records, want %d", len(all), batch*batches)
	}
	checkChain(t, all)
}

// testAuditQuery checks each AuditQuery field against a model filter.
func testAuditQuery(t *testing.T, s store.Store) {
	ctx := t.Context()
	var (
		callers   = []string{"claude", "cursor", "ci"}
		grants    = []string{"grt_a", "grt_b"}
		tools     = []string{"aws_request", "s3_get_object", "bedrock_invoke", "aws_request"}
		decisions = []string{"allow", "allow", "deny"}
		ops       = []string{"s3:GetObject", "sts:GetCallerIdentity", "s3:PutObject", "bedrock:InvokeModel", "s3:GetObject"}
	)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var want []store.AuditRecord
	for i := range 30 {
		kind := "begin"
		if i%2 == 1 {
			kind = "end"
		}
		want = append(want, store.AuditRecord{
			ID:        fmt.Sprintf("aud_%02d", i),
			Time:      base.Add(time.Duration(i)*time.Second + time.Duration(i)*time.Nanosecond),
			Kind:      kind,
			EntryID:   fmt.Sprintf("ent_%02d", i/2), // begin and end share an entry
			Caller:    callers[i%len(callers)],
			GrantID:   grants[i%len(grants)],
			Tool:      tools[i%len(tools)],
			Decision:  decisions[i%len(decisions)],
			Operation: ops[i%len(ops)],
			Data:      fmt.Appendf(nil, `{"n":%d}`, i),
			Hash:      fmt.Sprintf("h%02d", i),
		})
	}
	// Appended in a few batches of different sizes.
	for lo := 0; lo < len(want); {
		hi := min(len(want), lo+1+lo%7)
		_, err := s.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
			return slices.Clone(want[lo:hi]), nil
		})
		must(t, "AppendAudit", err)
		lo = hi
	}
	for i := range want {
		want[i].Seq = int64(i + 1)
	}
	tm := func(i int) time.Time { return want[i].Time }

	queries := []struct {
		name string
		q    store.AuditQuery
		seqs []int64 // checked as well as the model, where spelled out
	}{
		{"all", store.AuditQuery{}, nil},
		{"after seq", store.AuditQuery{AfterSeq: 27}, []int64{28, 29, 30}},
		{"after last seq", store.AuditQuery{AfterSeq: 30}, []int64{}},
		{"since, inclusive", store.AuditQuery{Since: tm(27)}, []int64{28, 29, 30}},
		{"since, one nanosecond later", store.AuditQuery{Since: tm(27).Add(time.Nanosecond)}, []int64{29, 30}},
		{"since, another zone", store.AuditQuery{Since: tm(28).In(time.FixedZone("-0700", -7*3600))}, []int64{29, 30}},
		{"until, exclusive", store.AuditQuery{Until: tm(2)}, []int64{1, 2}},
		{"until, one nanosecond later", store.AuditQuery{Until: tm(2).Add(time.Nanosecond)}, []int64{1, 2, 3}},
		{"since and until", store.AuditQuery{Since: tm(10), Until: tm(13)}, []int64{11, 12, 13}},
		{"until before all", store.AuditQuery{Until: base.Add(-time.Hour)}, []int64{}},
		{"since long ago", store.AuditQuery{Since: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
		{"until far ahead", store.AuditQuery{Until: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
		{"entry", store.AuditQuery{EntryID: "ent_07"}, []int64{15, 16}},
		{"kind", store.AuditQuery{Kind: "end"}, nil},
		{"caller", store.AuditQuery{Caller: "cursor"}, nil},
		{"grant", store.AuditQuery{GrantID: "grt_b"}, nil},
		{"tool", store.AuditQuery{Tool: "aws_request"}, nil},
		{"decision", store.AuditQuery{Decision: "deny"}, nil},
		{"operation", store.AuditQuery{Operation: "s3:GetObject"}, nil},
		{"no match", store.AuditQuery{Caller: "nobody"}, []int64{}},
		{"every field", store.AuditQuery{
			AfterSeq: 2, Since: tm(3), Until: tm(29), Kind: "begin", Caller: "claude",
			GrantID: "grt_a", Decision: "allow", Tool: "aws_request", Operation: "s3:GetObject",
		}, []int64{25}},
		{"limit", store.AuditQuery{Limit: 4}, []int64{1, 2, 3, 4}},
		{"limit over count", store.AuditQuery{Limit: 100}, nil},
		{"newest", store.AuditQuery{Limit: 4, Newest: true}, []int64{27, 28, 29, 30}},
		{"newest without limit", store.AuditQuery{Newest: true}, nil},
		{"newest filtered", store.AuditQuery{Caller: "ci", Limit: 3, Newest: true}, []int64{24, 27, 30}},
		{"oldest filtered", store.AuditQuery{Caller: "ci", Limit: 3}, []int64{3, 6, 9}},
		{"newest after seq", store.AuditQuery{AfterSeq: 28, Limit: 5, Newest: true}, []int64{29, 30}},
		{"limit after seq", store.AuditQuery{AfterSeq: 10, Limit: 2}, []int64{11, 12}},
	}
	for _, c := range queries {
		got, err := s.ListAudit(ctx, c.q)
		if err != nil {
			t.Errorf("%s: ListAudit: %v", c.name, err)
			continue
		}
		model := filter(want, c.q)
		if c.seqs != nil && fmt.Sprint(seqs(model)) != fmt.Sprint(c.seqs) {
			t.Fatalf("%s: the suite's model gives %v, the case says %v", c.name, seqs(model), c.seqs)
		}
		if fmt.Sprint(seqs(got)) != fmt.Sprint(seqs(model)) {
			t.Errorf("%s: ListAudit(%+v) = seqs %v, want %v", c.name, c.q, seqs(got), seqs(model))
			continue
		}
		for i := range got {
			same(t, fmt.Sprintf("%s: record %d", c.name, got[i].Seq), got[i], model[i])
		}
	}
}

// filter is the meaning of AuditQuery, spelled out.
func filter(recs []store.AuditRecord, q store.AuditQuery) []store.AuditRecord {
	out := []store.AuditRecord{}
	for _, r := range recs {
		if r.Seq > q.AfterSeq &&
			(q.Since.IsZero() || !r.Time.Before(q.Since)) &&
			(q.Until.IsZero() || r.Time.Before(q.Until)) &&
			(q.EntryID == "" || r.EntryID == q.EntryID) &&
			(q.Kind == "" || r.Kind == q.Kind) &&
			(q.Caller == "" || r.Caller == q.Caller) &&
			(q.GrantID == "" || r.GrantID == q.GrantID) &&
			(q.Tool == "" || r.Tool == q.Tool) &&
			(q.Decision == "" || r.Decision == q.Decision) &&
			(q.Operation == "" || r.Operation == q.Operation) {
			out = append(out, r)
		}
	}
	if q.Limit > 0 && len(out) > q.Limit {
		if q.Newest {
			out = out[len(out)-q.Limit:]
		} else {
			out = out[:q.Limit]
		}
	}
	return out
}

func seqs(recs []store.AuditRecord) []int64 {
	s := []int64{}
	for _, r := range recs {
		s = append(s, r.Seq)
	}
	return s
}

func testAuditChain(t *testing.T, s store.Store) {
	chainRace(t, []store.Store{s})
}

// chainRace appends from 8 goroutines, 50 batches of 1 to 3 records each,
// spread over the handles, and checks that the log is one chain with
// every record in it.
func chainRace(t *testing.T, handles []store.Store) {
	const goroutines, appends = 8, 50
	ctx := deadline(t)
	var wg sync.WaitGroup
	want := 0
	for g := range goroutines {
		s := handles[g%len(handles)]
		for i := range appends {
			want += 1 + i%3
		}
		wg.Go(func() {
			for i := range appends {
				n := 1 + i%3
				var head store.AuditHead
				build := chained(n, func(j int) []byte { return fmt.Appendf(nil, "g%d i%d j%d", g, i, j) })
				recs, err := s.AppendAudit(ctx, func(h store.AuditHead) ([]store.AuditRecord, error) {
					head = h
					return build(h)
				})
				if err != nil {
					t.Errorf("goroutine %d append %d: %v", g, i, err)
					return
				}
				for j, r := range recs {
					if r.Seq != head.Seq+1+int64(j) {
						t.Errorf("goroutine %d: record %d got Seq %d after head %d", g, j, r.Seq, head.Seq)
					}
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, s := range handles {
		all := listAll(t, s)
		if len(all) != want {
			t.Fatalf("handle %d: log has %d records, want %d", i, len(all), want)
		}
		checkChain(t, all)
		seen := map[string]bool{}
		for _, r := range all {
			if seen[string(r.Data)] {
				t.Fatalf("record %q stored twice", r.Data)
			}
			seen[string(r.Data)] = true
		}
	}
}
