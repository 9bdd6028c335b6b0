package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// RequirePromtoolEnv, when set (CI sets it), makes the tests that need
// promtool fail rather than skip without it.
const RequirePromtoolEnv = "ALTER_MCP_REQUIRE_PROMTOOL"

// TestMetricsOfRealCalls serves MCP with metrics, makes calls that AWS
// answers 200 and 403 and one the policy refuses, then scrapes /metrics:
// each call is counted by tool, decision, rule, outcome, grant and caller,
// the allowed ones timed by service and operation, every audit record's
// commit timed, the session counted; and promtool finds the page clean.
func TestMetricsOfRealCalls(t *testing.T) {
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-request-id", "REQ1")
		if strings.Contains(r.URL.Path, "/secret/") {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<Error><Code>AccessDenied</Code><Message>no</Message></Error>`)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<ListBucketResult><Name>reports</Name></ListBucketResult>`)
	}))
	defer aws.Close()
	m := NewMetrics(MetricsOptions{})
	c, _ := readerSession(t, aws.URL, m, policy.Policy{ReadOnly: true}, func(o *Options) { o.Metrics = m })
	for _, args := range []map[string]any{
		{"grant_id": "reader", "url": "https://reports.s3.us-east-1.amazonaws.com/?list-type=2", "reason": "list"},
		{"grant_id": "reader", "url": "https://reports.s3.us-east-1.amazonaws.com/secret/a.txt", "reason": "read"},
		{"grant_id": "reader", "method": "DELETE", "url": "https://reports.s3.us-east-1.amazonaws.com/a.txt", "reason": "delete"},
	} {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "aws_request", args
		if _, err := c.CallTool(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	wants := []string{
		`alter_mcp_calls_total{caller="alice",decision="allowed",grant="reader",outcome="2xx",rule="none",tool="aws_request"} 1`,
		`alter_mcp_calls_total{caller="alice",decision="allowed",grant="reader",outcome="4xx",rule="none",tool="aws_request"} 1`,
		`alter_mcp_calls_total{caller="alice",decision="denied",grant="reader",outcome="denied",rule="read_only",tool="aws_request"} 1`,
		`alter_mcp_aws_call_duration_seconds_count{operation="ListObjectsV2",service="s3"} 1`,
		`alter_mcp_aws_call_duration_seconds_count{operation="GetObject",service="s3"} 1`,
		`alter_mcp_audit_commit_duration_seconds_count 6`,
		`alter_mcp_tool_requests_total{result="ok",tool="aws_request"} 1`,
		`alter_mcp_tool_requests_total{result="error",tool="aws_request"} 2`,
		`alter_mcp_sessions{transport="http"} 1`,
		`alter_mcp_sessions_opened_total{transport="http"} 1`,
	}
	// The end records are group-committed after the calls answer, and the
	// metrics come from the audit trail: wait for them to be counted.
	page := scrape(t, m)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		all := true
		for _, want := range wants {
			all = all && strings.Contains(page, want+"\n")
		}
		if all {
			break
		}
		page = scrape(t, m)
	}
	for _, want := range wants {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the metrics lack\n\t%s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", grepLines(page, "alter_mcp_"))
	}
	promtoolCheck(t, page)
}

// TestMetricsLabelsAreBounded: past MaxLabelValues values of a label, new
// ones are counted as "other", and the overflow is counted by label.
func TestMetricsLabelsAreBounded(t *testing.T) {
	m := NewMetrics(MetricsOptions{MaxLabelValues: 2})
	for i := range 5 {
		for _, kind := range []string{audit.KindBegin, audit.KindEnd} {
			m.Append(t.Context(), audit.Entry{Kind: kind, Tool: "s3_list", Decision: audit.DecisionAllow, Status: 200,
				GrantName: fmt.Sprintf("g%d", i), Caller: "alice", Attempts: 1, Service: "s3", Operation: "ListObjectsV2",
				RecordedAt: time.Now()})
		}
	}
	page := scrape(t, m)
	for _, want := range []string{
		`alter_mcp_calls_total{caller="alice",decision="allowed",grant="g0",outcome="2xx",rule="none",tool="s3_list"} 1`,
		`alter_mcp_calls_total{caller="alice",decision="allowed",grant="g1",outcome="2xx",rule="none",tool="s3_list"} 1`,
		`alter_mcp_calls_total{caller="alice",decision="allowed",grant="other",outcome="2xx",rule="none",tool="s3_list"} 3`,
		`alter_mcp_metrics_label_overflow_total{label="grant"} 3`,
	} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("the metrics lack\n\t%s\n%s", want, grepLines(page, "alter_mcp_calls_total"))
		}
	}
	if strings.Contains(page, `grant="g2"`) {
		t.Error("a third grant got its own series")
	}
}

// TestDecisionAndOutcome names each kind of audited end.
func TestDecisionAndOutcome(t *testing.T) {
	for _, c := range []struct {
		e                 audit.Entry
		decision, outcome string
	}{
		{audit.Entry{Decision: audit.DecisionAllow, Status: 204, Outcome: audit.OutcomeOK}, "allowed", "2xx"},
		{audit.Entry{Decision: audit.DecisionAllow, Status: 503, Outcome: audit.OutcomeAWSError}, "allowed", "5xx"},
		{audit.Entry{Decision: audit.DecisionAllow, Outcome: audit.OutcomeNetworkError}, "allowed", "network_error"},
		{audit.Entry{Decision: audit.DecisionAllow, Outcome: audit.OutcomeInterrupted}, "allowed", "interrupted"},
		{audit.Entry{Decision: audit.DecisionDeny, Rule: policy.RuleRate, Outcome: audit.OutcomeDenied}, "rate_limited", "denied"},
		{audit.Entry{Decision: audit.DecisionDeny, Rule: policy.RuleCallerRate, Outcome: audit.OutcomeDenied}, "rate_limited", "denied"},
		{audit.Entry{Decision: audit.DecisionDeny, Rule: "confirm_writes", Outcome: audit.OutcomeDenied}, "declined", "denied"},
		{audit.Entry{Decision: audit.DecisionDeny, Rule: policy.RuleDenyActions, Outcome: audit.OutcomeDenied}, "denied", "denied"},
	} {
		if d, o := decisionOf(c.e), outcomeOf(c.e); d != c.decision || o != c.outcome {
			t.Errorf("%+v: decision %s, outcome %s; want %s, %s", c.e, d, o, c.decision, c.outcome)
		}
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	ts := httptest.NewServer(m.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

// promtoolCheck runs `promtool check metrics` on page: it finds names,
// help, types and units that do not follow Prometheus's conventions.
func promtoolCheck(t *testing.T, page string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv(RequirePromtoolEnv) != "" {
			t.Fatalf("promtool is missing and %s is set (Debian: apt-get install prometheus)", RequirePromtoolEnv)
		}
		t.Skip("promtool is missing (Debian: apt-get install prometheus); the metrics page was not linted")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "check", "metrics")
	cmd.Stdin = strings.NewReader(page)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "metrics.txt"), []byte(page), 0o600)
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func grepLines(s, prefix string) string {
	var b strings.Builder
	re := regexp.MustCompile("^" + regexp.QuoteMeta(prefix))
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// readerSession serves MCP over HTTP from a test vault whose AWS is awsURL
// and whose audit also goes to sink, mod applied to the server's options,
// and connects as alice, a caller of the grant reader (policy p).
func readerSession(t *testing.T, awsURL string, sink audit.Sink, p policy.Policy, mod func(*Options)) (*client.Client, *vault.Vault) {
	t.Helper()
	v := testvault.Open(t, map[string]string{"AWS_ENDPOINT_URL": awsURL}, func(o *vault.Options) { o.AuditSinks = []audit.Sink{sink} })
	testvault.Grant(t, v, "reader", p)
	_, key, err := v.AddCaller(t.Context(), "alice", []string{"reader"})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveHTTP(t, newTestServer(t, v, nil, mod), HTTP)
	c, _, err := connect(t, HTTP, base, key, "2025-11-25")
	if err != nil {
		t.Fatal(err)
	}
	return c, v
}
