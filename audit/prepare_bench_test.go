package audit

import (
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkPrepare is what every audit record costs before the store sees
// it: the entry's JSON, made canonical, split where seq goes. The entry is
// an s3_list call's end record.
//
//	go test -run '^$' -bench BenchmarkPrepare -benchmem ./audit/
func BenchmarkPrepare(b *testing.B) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	e := &Entry{
		ID: NewID(), Time: at, Caller: "agent", Client: "claude-code/2.1", SessionID: "mcp-session-0123456789abcdef",
		Tool: "s3_list", Reason: "list the reports of last quarter", Context: json.RawMessage(`{"ticket":"OPS-1234","step":2}`),
		GrantID: "grt_0123456789abcdefghij", GrantName: "reports-reader", Decision: "allow",
		Service: "s3", Region: "eu-central-1", Operation: "ListObjectsV2", EventSource: "s3.amazonaws.com", Action: "s3:ListBucket", ReadOnly: true,
		Method: "GET", URL: "https://reports.s3.eu-central-1.amazonaws.com/?list-type=2&prefix=2026%2Fq3%2F&max-keys=100",
		Status: 200, RequestID: "4442587FB7D0A2F9", AmzID2: "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=",
		ResponseBytes: 4817, DurationMS: 23,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := prepare(KindEnd, e, at); err != nil {
			b.Fatal(err)
		}
	}
}
