package audit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store"
)

// BenchmarkAppend measures entries (a begin and an end record each) per
// second from 64 concurrent callers, with the store durable (SQLite WAL,
// synchronous=FULL: every commit is fsynced), with group commit and with
// every record committed on its own.
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		name     string
		maxBatch int
	}{{"group", 0}, {"single", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := openStore(b)
			l := openLog(b, s, audit.Options{MaxBatch: bc.maxBatch})
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism(64 / max(1, testingProcs()))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					e := &audit.Entry{
						Time: time.Now(), Caller: "bench", Client: "claude-desktop/1.0", Tool: "aws_request", GrantID: "grt_bench",
						Decision: audit.DecisionAllow, Service: "s3", Region: "us-east-1", Operation: "GetObject",
						EventSource: "s3.amazonaws.com", Action: "s3:GetObject", ReadOnly: true, Method: "GET",
						URL: "https://bucket.s3.us-east-1.amazonaws.com/reports/2024.csv", Reason: "summarize the report",
						Context: json.RawMessage(`{"task":"weekly"}`),
					}
					if err := l.Begin(ctx, e); err != nil {
						b.Fatal(err)
					}
					e.Status, e.Outcome, e.RequestID, e.ResponseBytes = 200, audit.OutcomeOK, "RID", 1234
					if err := l.End(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkEntryIDOrder is a group commit of 11 records (what 64 callers
// gather per commit) into a SQLite store that already holds 100,000, with
// NewID's time-ordered entry ids and, as the reference, the random ids it
// made before (26 random base32 characters): the index of entry ids takes
// each random one on a page of its own.
func BenchmarkEntryIDOrder(b *testing.B) {
	random := func() string {
		var r [17]byte
		rand.Read(r[:])
		return "aud_" + strings.ToLower(base32.StdEncoding.EncodeToString(r[:])[:26])
	}
	data := bytes.Repeat([]byte("x"), 900) // about a real record's size
	for _, ids := range []struct {
		name string
		make func() string
	}{{"random", random}, {"NewID", audit.NewID}} {
		b.Run(ids.name, func(b *testing.B) {
			s, _ := openStore(b)
			ctx := b.Context()
			records := func(n int) func(store.AuditHead) ([]store.AuditRecord, error) {
				return func(store.AuditHead) ([]store.AuditRecord, error) {
					recs := make([]store.AuditRecord, n)
					for i := range recs {
						id := ids.make()
						recs[i] = store.AuditRecord{ID: id + ".begin", Time: time.Now(), Kind: audit.KindBegin, EntryID: id,
							Caller: "agent", GrantID: "grt_bench", Tool: "s3_list", Decision: "allow",
							Operation: "s3:ListObjectsV2", Data: data, PrevHash: "p", Hash: "h"}
					}
					return recs, nil
				}
			}
			for range 100 {
				if _, err := s.AppendAudit(ctx, records(1000)); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := s.AppendAudit(ctx, records(11)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*11)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
