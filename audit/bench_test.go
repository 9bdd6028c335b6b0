package audit_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
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
