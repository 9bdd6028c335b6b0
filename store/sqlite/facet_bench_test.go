package sqlite

import (
	"bytes"
	"fmt"
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
