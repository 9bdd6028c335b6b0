package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/vault"
)

// writeTrailFile writes records as a CloudTrail log file, named and placed
// as CloudTrail delivers it.
func writeTrailFile(t *testing.T, root, unique string, records ...map[string]any) {
	t.Helper()
	now := time.Now().UTC()
	dir := filepath.Join(root, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", now.Format("2006/01/02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(map[string]any{"Records": records})
	zw.Close()
	name := "123456789012_CloudTrail_us-east-1_" + now.Add(time.Minute).Format("20060102T1504Z") + "_" + unique + ".json.gz"
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func trailRecord(key, name, requestID string) map[string]any {
	return map[string]any{
		"eventVersion": "1.09", "eventTime": time.Now().UTC().Format(time.RFC3339),
		"eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
		"sourceIPAddress": "198.51.100.9", "userAgent": "curl/8.5.0", "requestID": requestID, "eventID": "e-" + requestID,
		"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/agent",
			"accountId": "123456789012", "accessKeyId": key},
	}
}

func TestAuditReconcile(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "reports", "--from-env")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Request-Id", "REQ-AUDITED")
		io.WriteString(w, "<ListAllMyBucketsResult/>")
	}))
	t.Cleanup(srv.Close)
	v, err := vault.Open(t.Context(), vault.Options{Home: env["ALTER_MCP_HOME"], Getenv: func(k string) string {
		return map[string]string{"AWS_ENDPOINT_URL": srv.URL}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := v.Request(t.Context(), vault.Call{URL: "https://s3.us-east-1.amazonaws.com/", Grant: "reports", Reason: "list"})
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	es, _ := v.AuditLog().List(t.Context(), audit.Query{Limit: 1})
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].RequestID != "REQ-AUDITED" || es[0].Operation != "ListBuckets" {
		t.Fatalf("the audited call: %+v", es)
	}

	clean := t.TempDir()
	writeTrailFile(t, clean, "a", trailRecord(testKeyID, "ListBuckets", "REQ-AUDITED"),
		trailRecord("AKIAOTHEREXAMPLE0000", "DeleteBucket", "REQ-OTHER"))
	r := mustRun(t, env, "", "audit", "reconcile", "--cloudtrail", clean, "--since", "1h")
	mustContain(t, r.stdout, "1 files, 2 events: 1 made with a grant's key, 1 of other principals",
		"1 calls sent; 1 found in CloudTrail, 0 not in it", "no leak")
	mustContain(t, r.stderr, "reading CloudTrail")

	leaky := t.TempDir()
	writeTrailFile(t, leaky, "a", trailRecord(testKeyID, "ListBuckets", "REQ-AUDITED"))
	writeTrailFile(t, leaky, "b", trailRecord(testKeyID, "DeleteBucket", "REQ-LEAKED"))
	r = runCLI(t, env, "", "audit", "reconcile", "--cloudtrail", leaky)
	if r.code != exitError {
		t.Fatalf("a leak: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, r.stdout, "LEAKS: 1 events", "reports", "s3.amazonaws.com:DeleteBucket", testKeyID, "198.51.100.9", "curl/8.5.0", "REQ-LEAKED")
	mustContain(t, r.stderr, "1 CloudTrail events used a grant's key outside alter-mcp")

	r = runCLI(t, env, "", "audit", "reconcile", "--cloudtrail", leaky, "--json")
	var res audit.Reconciliation
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != exitError {
		t.Fatalf("--json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if res.LeakCount != 1 || res.Leaks[0].RequestID != "REQ-LEAKED" || fmt.Sprint(res.Leaks[0].Grants) != "[reports]" || res.Matched != 1 {
		t.Errorf("--json: %+v", res)
	}

	if r := runCLI(t, env, "", "audit", "reconcile"); r.code != exitUsage || !strings.Contains(r.stderr, "--cloudtrail") {
		t.Errorf("without --cloudtrail: exit %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "", "audit", "reconcile", "--cloudtrail", "s3://trail/AWSLogs/"); r.code != exitUsage || !strings.Contains(r.stderr, "--cloudtrail-grant") {
		t.Errorf("s3:// without --cloudtrail-grant: exit %d %s", r.code, r.stderr)
	}
}
