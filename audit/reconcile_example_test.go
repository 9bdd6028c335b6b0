package audit_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/alter-mcp/alter-mcp/audit"
)

// A Reconciler joins audited calls with CloudTrail's events: an event of a
// grant's key that no audited call explains is a leak.
func ExampleReconciler() {
	r := audit.Reconciler{Keys: audit.TrailKeys{AccessKeys: map[string][]string{"AKIAIOSFODNN7EXAMPLE": {"reports"}}}}
	// The audit side: usually r.ReadAudit(ctx, log).
	r.AddEntry(audit.Entry{ID: "aud_1", Decision: audit.DecisionAllow, GrantName: "reports",
		EventSource: "s3.amazonaws.com", Operation: "ListBuckets", RequestID: "REQ1", Outcome: audit.OutcomeOK})
	// The trail side: usually r.ReadTrailPath(ctx, "trail/"), streamed.
	trail := `{"Records": [
	  {"eventTime": "2027-01-31T09:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "requestID": "REQ1",
	   "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}},
	  {"eventTime": "2027-01-31T09:05:00Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "requestID": "REQ2",
	   "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0",
	   "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}}]}`
	err := audit.ReadTrail(context.Background(), strings.NewReader(trail), func(ev *audit.TrailEvent) error {
		r.Event(ev, "example.json")
		return nil
	})
	if err != nil {
		panic(err)
	}
	res := r.Result()
	fmt.Println("matched:", res.Matched, "clean:", res.Clean())
	for _, l := range res.Leaks {
		fmt.Println("leak:", l.Grants, l.EventName, l.SourceIPAddress, l.UserAgent)
	}
	// Output:
	// matched: 1 clean: false
	// leak: [reports] CreateUser 203.0.113.7 aws-cli/2.15.0
}
