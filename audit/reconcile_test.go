package audit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

const (
	trailAccount = "123456789012"
	grantKey     = "AKIAGRANTEXAMPLE0001"
	otherKey     = "AKIAOTHEREXAMPLE0001"
	oldKey       = "AKIAOLDEXAMPLE000001"
	roleARN      = "arn:aws:iam::123456789012:role/agents/deploy"
	sessionARN   = "arn:aws:sts::123456789012:assumed-role/deploy/alter-mcp-deploy"
)

var trailT0 = time.Date(2027, 1, 31, 9, 0, 0, 0, time.UTC)

// rec is one CloudTrail record in the documented format
// (cloudtrail-event-reference-record-contents), with the fields a real
// one has around those reconciliation reads.
func rec(at time.Time, source, name, requestID string, who map[string]any) map[string]any {
	return map[string]any{
		"eventVersion": "1.09", "userIdentity": who, "eventTime": at.Format(time.RFC3339),
		"eventSource": source, "eventName": name, "awsRegion": "us-east-1",
		"sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0",
		"requestParameters": map[string]any{"bucketName": "b"}, "responseElements": nil,
		"requestID": requestID, "eventID": "ev-" + requestID, "readOnly": true,
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": trailAccount,
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3"},
	}
}

func iamUser(key string) map[string]any {
	return map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::123456789012:user/agent",
		"accountId": trailAccount, "accessKeyId": key, "userName": "agent"}
}

func roleSession(arn string) map[string]any {
	return map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLE:alter-mcp-deploy", "arn": arn,
		"accountId": trailAccount, "accessKeyId": "ASIATEMPEXAMPLE00001",
		"sessionContext": map[string]any{
			"sessionIssuer":  map[string]any{"type": "Role", "arn": roleARN, "accountId": trailAccount, "userName": "deploy"},
			"sourceIdentity": "alter-mcp:alice",
			"attributes":     map[string]any{"creationDate": trailT0.Format(time.RFC3339), "mfaAuthenticated": "false"},
		}}
}

// writeTrail writes records as one gzip log file where CloudTrail puts it.
func writeTrail(t testing.TB, root string, delivered time.Time, unique string, records []map[string]any) string {
	t.Helper()
	dir := filepath.Join(root, "AWSLogs", trailAccount, "CloudTrail", "us-east-1", delivered.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s_CloudTrail_us-east-1_%s_%s.json.gz", trailAccount, delivered.Format("20060102T1504Z"), unique)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": records}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func keys() audit.TrailKeys {
	return audit.TrailKeys{
		AccessKeys: map[string][]string{grantKey: {"reader", "reader-ro"}},
		Sessions:   []audit.RoleSession{{Grant: "deploy", RoleARN: roleARN, SessionName: "alter-mcp-deploy"}},
	}
}

func TestReconcile(t *testing.T) {
	s, _ := openStore(t)
	l := openLog(t, s, audit.Options{})
	at := func(m int) time.Time { return trailT0.Add(time.Duration(m) * time.Minute) }
	entry := func(m int, grant, source, op, reqID string) *audit.Entry {
		return &audit.Entry{Time: at(m), GrantName: grant, Caller: "alice", EventSource: source, Operation: op,
			RequestID: reqID, DurationMS: 1500, Attempts: 1}
	}
	call(t, l, entry(0, "reader", "s3.amazonaws.com", "ListBuckets", "REQ-LIST"))
	retried := entry(1, "reader-ro", // another grant of the same key
		"dynamodb.amazonaws.com", "Scan", "REQ-SCAN-2")
	retried.Attempts = 2
	call(t, l, retried)
	call(t, l, entry(2, "deploy", "lambda.amazonaws.com", "ListFunctions20150331", "REQ-ROLE"))
	call(t, l, entry(3, "reader", "s3.amazonaws.com", "GetObject", "REQ-DATA")) // a data event: not in the trail
	presign := entry(4, "reader", "s3.amazonaws.com", "Presign", "")
	presign.Expires = at(19)
	call(t, l, presign)
	denied := entry(5, "reader", "iam.amazonaws.com", "CreateUser", "")
	denied.Decision, denied.Outcome = audit.DecisionDeny, audit.OutcomeDenied
	call(t, l, denied)
	call(t, l, entry(90, "reader", "s3.amazonaws.com", "ListBuckets", "REQ-LATE")) // not delivered yet
	// Signed with the grant's key before it was rotated: the audit names the key.
	old := entry(11, "reader", "s3.amazonaws.com", "ListBuckets", "REQ-OLD")
	old.AccessKeyID = oldKey
	call(t, l, old)

	root := t.TempDir()
	presigned := rec(at(10), "s3.amazonaws.com", "GetObject", "REQ-PRESIGNED", iamUser(grantKey))
	presigned["additionalEventData"] = map[string]any{"AuthenticationMethod": "QueryString", "SignatureVersion": "SigV4"}
	writeTrail(t, root, at(15), "aaa", []map[string]any{
		rec(at(0), "s3.amazonaws.com", "ListBuckets", "REQ-LIST", iamUser(grantKey)),
		rec(at(1), "dynamodb.amazonaws.com", "Scan", "REQ-SCAN-1", iamUser(grantKey)), // the first attempt
		rec(at(1), "dynamodb.amazonaws.com", "Scan", "REQ-SCAN-2", iamUser(grantKey)),
		rec(at(6), "iam.amazonaws.com", "CreateAccessKey", "REQ-LEAK", iamUser(grantKey)),
		rec(at(7), "s3.amazonaws.com", "ListBuckets", "REQ-OTHER", iamUser(otherKey)),
		presigned,
	})
	writeTrail(t, root, at(20), "bbb", []map[string]any{
		rec(at(2), "lambda.amazonaws.com", "ListFunctions20150331", "REQ-ROLE", roleSession(sessionARN)),
		rec(at(8), "ec2.amazonaws.com", "RunInstances", "REQ-ROLE-LEAK", roleSession(sessionARN)),
		rec(at(9), "ec2.amazonaws.com", "RunInstances", "REQ-ROLE-OTHER", roleSession("arn:aws:sts::123456789012:assumed-role/deploy/someone-else")),
		rec(at(11), "s3.amazonaws.com", "ListBuckets", "REQ-OLD", iamUser(oldKey)),
		rec(at(12), "s3.amazonaws.com", "DeleteBucket", "REQ-OLD-LEAK", iamUser(oldKey)),
	})
	// Digest files are JSON too, with no Records; they are left out.
	digest := filepath.Join(root, "AWSLogs", trailAccount, "CloudTrail-Digest", "us-east-1")
	os.MkdirAll(digest, 0o755)
	os.WriteFile(filepath.Join(digest, "x.json.gz"), []byte("not gzip"), 0o644)

	var progress []audit.TrailProgress
	r := audit.Reconciler{Keys: keys(), Progress: func(p audit.TrailProgress) { progress = append(progress, p) }}
	ctx := context.Background()
	if err := r.ReadAudit(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadTrailPath(ctx, root); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	want := audit.Reconciliation{Files: 2, Events: 11, GrantEvents: 9, OtherEvents: 2, Audited: 6, Matched: 4,
		Presigned: 1, LeakCount: 3, UnloggedCount: 1, Pending: 1}
	got := *res
	got.Leaks, got.Unlogged, got.Newest = nil, nil, time.Time{}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if res.Clean() {
		t.Error("Clean with leaks")
	}
	if len(res.Leaks) != 3 || res.Leaks[0].RequestID != "REQ-LEAK" || fmt.Sprint(res.Leaks[0].Grants) != "[reader reader-ro]" ||
		res.Leaks[0].SourceIPAddress != "203.0.113.7" || res.Leaks[0].UserAgent != "aws-cli/2.15.0" ||
		res.Leaks[0].UserIdentity.AccessKeyID != grantKey || !strings.HasSuffix(res.Leaks[0].File, "_aaa.json.gz") {
		t.Errorf("leaks: %+v", res.Leaks)
	}
	if len(res.Leaks) == 3 && (res.Leaks[2].RequestID != "REQ-OLD-LEAK" || fmt.Sprint(res.Leaks[2].Grants) != "[reader]") {
		t.Errorf("the rotated key's leak: %+v", res.Leaks[2])
	}
	if len(res.Leaks) == 3 && (res.Leaks[1].RequestID != "REQ-ROLE-LEAK" || fmt.Sprint(res.Leaks[1].Grants) != "[deploy]" ||
		res.Leaks[1].UserIdentity.SessionContext.SourceIdentity != "alter-mcp:alice") {
		t.Errorf("role leak: %+v", res.Leaks[1])
	}
	if len(res.Unlogged) != 1 || res.Unlogged[0].RequestID != "REQ-DATA" || res.Unlogged[0].Operation != "GetObject" {
		t.Errorf("unlogged: %+v", res.Unlogged)
	}
	if len(progress) != 2 || progress[1] != (audit.TrailProgress{Files: 2, FilesTotal: 2, Events: 11, Leaks: 3}) {
		t.Errorf("progress: %+v", progress)
	}

	// Since leaves out the files delivered before it, by their names, and
	// the events and calls before it.
	r = audit.Reconciler{Keys: keys(), Since: at(16)}
	r.ReadAudit(ctx, l)
	if err := r.ReadTrailPath(ctx, root); err != nil {
		t.Fatal(err)
	}
	if res := r.Result(); res.Files != 1 || res.Events != 0 || res.LeakCount != 0 {
		t.Errorf("since: %+v", res)
	}
}

func TestAssumedRoleARN(t *testing.T) {
	for _, c := range []struct{ role, want string }{
		{roleARN, sessionARN},
		{"arn:aws-cn:iam::123456789012:role/r", "arn:aws-cn:sts::123456789012:assumed-role/r/alter-mcp-deploy"},
		{"not an arn", ""},
	} {
		if got := (audit.RoleSession{RoleARN: c.role, SessionName: "alter-mcp-deploy"}).AssumedRoleARN(); got != c.want {
			t.Errorf("%s: %q, want %q", c.role, got, c.want)
		}
	}
}

// A trail of 100,000 events is streamed: the heap it needs does not grow
// with the trail, only with the audit it is joined to.
func TestReconcileLargeTrailBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 events")
	}
	const files, perFile = 20, 5000
	root := t.TempDir()
	var r audit.Reconciler
	r.Keys = keys()
	for i := range 1000 {
		r.AddEntry(audit.Entry{ID: fmt.Sprintf("aud_%d", i), Decision: audit.DecisionAllow, GrantName: "reader",
			EventSource: "s3.amazonaws.com", Operation: "ListBuckets", RequestID: fmt.Sprintf("REQ-%d", i),
			Time: trailT0, Outcome: audit.OutcomeOK})
	}
	n := 0
	for f := range files {
		recs := make([]map[string]any, 0, perFile)
		for range perFile {
			key, id := otherKey, fmt.Sprintf("OTHER-%d", n)
			if n%100 == 0 {
				key, id = grantKey, fmt.Sprintf("REQ-%d", n/100)
			}
			recs = append(recs, rec(trailT0.Add(time.Duration(n)*time.Millisecond), "s3.amazonaws.com", "ListBuckets", id, iamUser(key)))
			n++
		}
		writeTrail(t, root, trailT0.Add(time.Duration(f)*time.Minute), fmt.Sprintf("f%02d", f), recs)
	}
	var res *audit.Reconciliation
	var err error
	base, peak := testutil.PeakHeap(func() {
		err = r.ReadTrailPath(context.Background(), root)
		res = r.Result()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != files*perFile || res.Matched != 1000 || res.LeakCount != 0 || res.UnloggedCount != 0 || res.OtherEvents != 99000 {
		t.Fatalf("%+v", res)
	}
	grew := int64(peak) - int64(base)
	t.Logf("100,000 events: heap %d KiB before, peak %d KiB (+%d KiB)", base>>10, peak>>10, grew>>10)
	if grew > 16<<20 {
		t.Errorf("the heap grew by %d MiB reading the trail; it should stay bounded", grew>>20)
	}
}

func FuzzReadTrail(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventTime":"2027-01-31T09:00:00Z","eventName":"X","userIdentity":{"accessKeyId":"AKIA"}}]}`))
	f.Add([]byte(`{"logFiles":[],"Records":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		audit.ReadTrail(context.Background(), bytes.NewReader(data), func(ev *audit.TrailEvent) error { return nil })
	})
}

func TestTrailFileWanted(t *testing.T) {
	since := time.Date(2027, 1, 31, 9, 0, 0, 0, time.UTC)
	for name, want := range map[string]bool{
		"AWSLogs/123456789012/CloudTrail/us-east-1/2027/01/31/123456789012_CloudTrail_us-east-1_20270131T0905Z_a.json.gz":               true,
		"AWSLogs/123456789012/CloudTrail/us-east-1/2027/01/31/123456789012_CloudTrail_us-east-1_20270131T0855Z_a.json.gz":               false, // delivered before since
		"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2027/01/31/123456789012_CloudTrail-Digest_us-east-1_x_20270131T1000Z.json.gz": false,
		"AWSLogs/123456789012/CloudTrail/us-east-1/2027/01/31/notes.txt":                                                                false,
		"trail.json": true,
	} {
		if got := audit.TrailFileWanted(name, since); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// BenchmarkReconcileEvent is the cost of one CloudTrail record: decoding
// it and joining it with the audit.
func BenchmarkReconcileEvent(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"Records":[`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		key := otherKey
		if i%10 == 0 {
			key = grantKey
		}
		rb, _ := json.Marshal(rec(trailT0, "s3.amazonaws.com", "ListBuckets", fmt.Sprintf("REQ-%d", i), iamUser(key)))
		sb.Write(rb)
	}
	sb.WriteString(`]}`)
	data := sb.String()
	r := audit.Reconciler{Keys: keys()}
	for i := 0; i < 1000; i += 10 {
		r.AddEntry(audit.Entry{ID: fmt.Sprint(i), Decision: audit.DecisionAllow, GrantName: "reader", RequestID: fmt.Sprintf("REQ-%d", i)})
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		audit.ReadTrail(context.Background(), strings.NewReader(data), func(ev *audit.TrailEvent) error {
			r.Event(ev, "f")
			return nil
		})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
}
