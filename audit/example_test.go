package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/store/sqlite"
)

// A Log on its own store: a call's begin record is committed before the
// call is made, its end record once the answer is in, and Verify checks
// the chain. (The vault does all of this for every call it makes, with a
// key it keeps sealed.)
func Example() {
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "alter.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	l, err := audit.Open(ctx, s, audit.Options{Key: []byte("an HMAC key of at least 32 bytes")})
	if err != nil {
		panic(err)
	}
	defer l.Close()

	e := &audit.Entry{Caller: "ci", GrantID: "grt_example", Decision: audit.DecisionAllow,
		Operation: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Reason: "who am I"}
	if err := l.Begin(ctx, e); err != nil {
		return // fail closed: the call is not made
	}
	// ... make the call ...
	e.Status, e.Outcome, e.RequestID = 200, audit.OutcomeOK, "c6104cbe-af31-11e0-8154-cbc7ccf896c7"
	if err := l.End(ctx, e); err != nil {
		fmt.Println("end:", err)
	}

	rep, err := l.Verify(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Records, "records;", rep.Entries, "entry; problem:", rep.Problem)
	es, _ := l.List(ctx, audit.Query{Caller: "ci"})
	fmt.Println(es[0].Kind, es[0].Seq, es[0].Action, es[0].Outcome, es[0].RequestID)
	// Output:
	// 2 records; 1 entry; problem: <nil>
	// end 2 sts:GetCallerIdentity ok c6104cbe-af31-11e0-8154-cbc7ccf896c7
}
