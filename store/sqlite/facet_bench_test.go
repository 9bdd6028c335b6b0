package sqlite

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/store"
)

// BenchmarkListAuditFiltered is the console's and `audit list`'s filtered
// queries on an audit of 100,000 records (a grant of 30, a caller of 5, one
// call in a hundred refused): the newest 100 of a grant, of the refusals,
// and of a caller's calls of one tool, and the oldest 100 of a grant. It is
// what audit_facet's blocks cost a reader, where indexes on the table
// cost every commit:
//
//	go test -run '^$' -bench ListAuditFiltered ./store/sqlite/
func BenchmarkListAuditFiltered(b *testing.B) {
	s, _ := openTemp(b)
	ctx := b.Context()
	data := bytes.Repeat([]byte(`{"k":"v"}`), 60)
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const total, batch = 100_000, 100
	for lo := 0; lo < total; lo += batch {
		_, err := s.AppendAudit(ctx, func(head store.AuditHead) ([]store.AuditRecord, error) {
			recs := make([]store.AuditRecord, batch)
			for i := range recs {
				k := lo + i
				decision := "allow"
				if k%100 == 37 {
					decision = "deny"
				}
				recs[i] = store.AuditRecord{
					ID: fmt.Sprintf("aud_%07d", k), Time: base.Add(time.Duration(k) * time.Millisecond), Kind: "begin",
					EntryID: fmt.Sprintf("ent_%07d", k), Caller: fmt.Sprintf("cal_%d", k%5), GrantID: fmt.Sprintf("grt_%02d", k%30),
					Tool: []string{"s3_list", "s3_get", "aws_request"}[k%3], Decision: decision, Operation: "s3:ListObjectsV2",
					Data: data, Hash: fmt.Sprint(k),
				}
			}
			return recs, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		q    store.AuditQuery
	}{
		{"grant", store.AuditQuery{GrantID: "grt_07", Limit: 100, Newest: true}},
		{"refusals", store.AuditQuery{Decision: "deny", Limit: 100, Newest: true}},
		{"caller+tool", store.AuditQuery{Caller: "cal_3", Tool: "s3_get", Limit: 100, Newest: true}},
		{"grant/oldest", store.AuditQuery{GrantID: "grt_07", Limit: 100}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				recs, err := s.ListAudit(ctx, c.q)
				if err != nil || len(recs) != 100 {
					b.Fatalf("%d records, %v", len(recs), err)
				}
			}
		})
	}
}

// BenchmarkIndexFacets is what the commit that completes a block of 128
// records adds to its transaction, against migration 5's statement (one
// read of the records for each column, not prepared) in the same run:
//
//	go test -run '^$' -bench IndexFacets ./store/sqlite/
func BenchmarkIndexFacets(b *testing.B) {
	s, _ := openTemp(b)
	ctx := b.Context()
	s.facetDue.Store(math.MaxInt64) // the benchmark indexes, not the appends
	data := bytes.Repeat([]byte(`{"k":"v"}`), 60)
	_, err := s.AppendAudit(ctx, func(store.AuditHead) ([]store.AuditRecord, error) {
		recs := make([]store.AuditRecord, 128)
		for k := range recs {
			recs[k] = store.AuditRecord{
				ID: fmt.Sprintf("aud_%03d", k), Time: time.Unix(int64(k), 0), Kind: []string{"begin", "end"}[k%2],
				EntryID: fmt.Sprintf("ent_%03d", k/2), Caller: "claude", GrantID: []string{"grt_a", "grt_b"}[k/64],
				Tool: []string{"s3_list", "s3_get"}[k/2%2], Decision: "allow", Operation: []string{"s3:ListObjectsV2", "s3:GetObject"}[k/2%2],
				Data: data, Hash: fmt.Sprint(k),
			}
		}
		return recs, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	st, err := s.prepareFacets(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		index func(tx *sql.Tx) error
	}{
		{"one read", func(tx *sql.Tx) error {
			_, err := indexFacets(ctx, tx, st, 127)
			return err
		}},
		{"migration 5's statement", func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, indexFacetsSQL("128"))
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				tx, err := s.write.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				err = c.index(tx)
				var n int
				if err == nil {
					err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_facet`).Scan(&n)
				}
				tx.Rollback()
				if err != nil || n != 8 { // a caller, two grants, two tools, a decision, two operations
					b.Fatalf("%d entries, %v; want 8", n, err)
				}
			}
		})
	}
}
