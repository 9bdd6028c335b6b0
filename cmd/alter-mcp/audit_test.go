package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/vault"
)

const auditBucketURL = "https://reports.s3.us-east-1.amazonaws.com/"

// auditFixture makes a vault with a grant (static credentials with a
// session token) through the CLI, then calls of every kind through the
// library against a fake S3 that repeats the session token in an error
// message, as S3 does with the canonical request. It returns the CLI's
// environment, the caller's API key, and the ids of the entries, oldest
// first.
func auditFixture(t *testing.T) (env map[string]string, apiKey string, ids []string) {
	t.Helper()
	env = vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "reports", "--from-env")
	mustRun(t, env, "", "grant", "add", "--name", "ro", "--from-env", "--read-only")
	apiKey = strings.TrimSpace(mustRun(t, env, "", "caller", "add", "bot", "--grants", "ro").stdout)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/denied.csv") {
			w.WriteHeader(403)
			io.WriteString(w, `<Error><Code>SignatureDoesNotMatch</Code><Message>canonical request: GET\n/denied.csv\n\nhost:x\nx-amz-security-token:`+
				r.Header.Get("X-Amz-Security-Token")+`\n</Message></Error>`)
			return
		}
		w.Header().Set("X-Amz-Request-Id", "REQ"+strings.ToUpper(strings.Trim(r.URL.Path, "/")))
		io.WriteString(w, "a,b\n")
	}))
	t.Cleanup(srv.Close)
	libEnv := map[string]string{"AWS_ENDPOINT_URL": srv.URL}
	v, err := vault.Open(t.Context(), vault.Options{Home: env["ALTER_MCP_HOME"], Getenv: func(k string) string { return libEnv[k] }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	call := func(c vault.Call, closeBody bool) {
		resp, err := v.Request(ctx, c)
		if err == nil && closeBody { // reading to the end would write the end record too
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		es, _ := v.AuditLog().List(ctx, audit.Query{Limit: 1})
		ids = append(ids, es[0].ID)
	}
	call(vault.Call{URL: auditBucketURL + "q1.csv", Grant: "reports", Reason: "summarize q1", Tool: "aws_request",
		Client: "claude-desktop/0.9", Context: map[string]any{"task": "weekly"}}, true)
	call(vault.Call{URL: auditBucketURL + "denied.csv", Grant: "reports", Reason: "see the error"}, true)
	call(vault.Call{Method: "PUT", URL: auditBucketURL + "q1.csv", Grant: "ro", Caller: "bot", Body: []byte("x")}, true)
	call(vault.Call{URL: auditBucketURL + "k?X-Amz-Security-Token=" + testToken + "&X-Amz-Signature=deadbeef", Grant: "reports"}, true)
	call(vault.Call{URL: auditBucketURL + "q2.csv", Grant: "ro", Caller: "bot", Reason: "\x1b[2Jclear the screen"}, false) // its body is never closed
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	return env, apiKey, ids
}

func TestAuditCommands(t *testing.T) {
	t.Parallel()
	env, apiKey, ids := auditFixture(t)
	masterKey, err := os.ReadFile(filepath.Join(env["ALTER_MCP_HOME"], "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	run := func(args ...string) result {
		t.Helper()
		r := mustRun(t, env, "", args...)
		all.WriteString(r.stdout + r.stderr)
		return r
	}

	r := run("audit", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "TIME ") {
		t.Fatalf("audit list:\n%s", r.stdout)
	}
	for i, want := range [][]string{
		{ids[0], "reports", "s3:GetObject", " ok ", "200", "REQREPORTS/Q1.CSV"},
		{ids[1], "s3:GetObject", "aws_error", "403"},
		{ids[2], "bot", "ro", "s3:PutObject", "denied:read_only"},
		{ids[3], "denied:invalid"},
		{ids[4], "bot", "interrupted"},
	} {
		mustContain(t, lines[i+1], want...)
	}

	r = run("audit", "list", "--json", "--limit", "2")
	var es []audit.Entry
	for line := range strings.Lines(r.stdout) {
		var e audit.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("list --json line %q: %v", line, err)
		}
		es = append(es, e)
	}
	if len(es) != 2 || es[0].ID != ids[3] || es[1].ID != ids[4] || es[1].Outcome != audit.OutcomeInterrupted || es[1].Hash == "" {
		t.Errorf("list --json --limit 2: %s", r.stdout)
	}

	// Filters.
	for _, tc := range []struct {
		args []string
		want []string // ids, in order
	}{
		{[]string{"--caller", "bot"}, []string{ids[2], ids[4]}},
		{[]string{"--grant", "reports"}, []string{ids[0], ids[1]}}, // the presigned URL is refused before its grant is read
		{[]string{"--decision", "deny"}, []string{ids[2], ids[3]}},
		{[]string{"--operation", "PutObject"}, []string{ids[2]}},
		{[]string{"--tool", "aws_request"}, []string{ids[0]}},
		{[]string{"--since", "1h", "--decision", "allow"}, []string{ids[0], ids[1], ids[4]}},
		{[]string{"--grant", "grt_unknown"}, nil},
		{[]string{"--since", "2099-01-01"}, nil},
	} {
		r := run(append([]string{"audit", "list", "--json"}, tc.args...)...)
		var got []string
		for line := range strings.Lines(r.stdout) {
			var e audit.Entry
			json.Unmarshal([]byte(line), &e)
			got = append(got, e.ID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("list %v: %v, want %v", tc.args, got, tc.want)
		}
	}
	// Filters from the environment, like every flag.
	envBot := map[string]string{"ALTER_MCP_CALLER": "bot"}
	for k, v := range env {
		envBot[k] = v
	}
	if r := mustRun(t, envBot, "", "audit", "tail", "--json"); strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stderr, "ALTER_MCP_CALLER") {
		t.Errorf("ALTER_MCP_CALLER=bot audit tail: %s\nstderr %s", r.stdout, r.stderr)
	}
	if r := mustRun(t, envBot, "", "audit", "tail", "--json", "--caller", ""); strings.Count(r.stdout, "\n") != 5 || r.stderr != "" {
		t.Errorf("--caller '' over ALTER_MCP_CALLER: %s\nstderr %s", r.stdout, r.stderr)
	}

	r = run("audit", "tail", "--limit", "1")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || !strings.Contains(lines[1], ids[4]) {
		t.Errorf("audit tail --limit 1:\n%s", r.stdout)
	}

	r = run("audit", "show", ids[0])
	mustContain(t, r.stdout, "id:", ids[0], "reason:", "summarize q1", "context:", `{"task":"weekly"}`, "client:", "claude-desktop/0.9",
		"operation:", "GetObject", "event_source:", "s3.amazonaws.com", "request_id:", "REQREPORTS/Q1.CSV", "outcome:", "ok",
		"records:", "seq 1", "begin", "seq 2", "end", "hash ")
	r = run("audit", "show", ids[4])
	mustContain(t, r.stdout, `"\x1b[2Jclear the screen"`, "interrupted", "before its audit log was closed")
	if strings.Contains(r.stdout, "\x1b") {
		t.Error("show printed an escape sequence an agent wrote")
	}
	r = run("audit", "show", "--json", ids[1])
	var shown struct {
		Entry   audit.Entry   `json:"entry"`
		Records []audit.Entry `json:"records"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.Entry.ErrorCode != "SignatureDoesNotMatch" || len(shown.Records) != 2 {
		t.Errorf("show --json: %v\n%s", err, r.stdout)
	}
	if r := runCLI(t, env, "", "audit", "show", "aud_nope"); r.code != exitError || !strings.Contains(r.stderr, "audit entry aud_nope not found") {
		t.Errorf("show of an unknown id: exit %d, %q", r.code, r.stderr)
	}

	r = run("audit", "export")
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Errorf("export: %d lines\n%s", n, r.stdout)
	}
	r = run("audit", "export", "--format", "csv", "--caller", "bot")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "seq" {
		t.Errorf("export csv: %v\n%s", err, r.stdout)
	}

	r = run("audit", "verify")
	if !strings.HasPrefix(r.stdout, "ok: 10 records verified (5 entries, 1 interrupted, 0 in flight); head seq 10 hash ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("verify: %q", r.stdout)
	}

	// No secret anywhere in what the commands printed: the secret key, the
	// session token (in an AWS error message and a URL), the presigned
	// URL's signature, the caller's API key, the master key.
	out := all.String()
	for _, secret := range []string{testSecret, testToken, "deadbeef", apiKey, strings.TrimSpace(string(masterKey))} {
		if strings.Contains(out, secret) {
			t.Errorf("audit output holds a secret (%.8s…)", secret)
		}
	}
	mustContain(t, out, "x-amz-security-token:REDACTED", "X-Amz-Security-Token=REDACTED", "X-Amz-Signature=REDACTED")
}

func TestAuditVerifyTampered(t *testing.T) {
	t.Parallel()
	env, _, ids := auditFixture(t)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(env["ALTER_MCP_HOME"], "alter.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit SET data = CAST(replace(CAST(data AS TEXT), '"summarize q1"', '"nothing to see"') AS BLOB) WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, env, "", "audit", "verify")
	want := "audit chain broken at seq 2 (entry " + ids[0] + ", record " + ids[0] + ".end): changed: "
	if r.code != exitError || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stderr, "does not verify") {
		t.Errorf("verify of a changed record: exit %d\nstdout %q\nstderr %q\nwant stdout starting %q", r.code, r.stdout, r.stderr, want)
	}
	if _, err := db.Exec(`DELETE FROM audit WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "", "audit", "verify")
	if r.code != exitError || !strings.Contains(r.stdout, "seq 3 (entry "+ids[1]) || !strings.Contains(r.stdout, "missing: the record at seq 2 is gone") {
		t.Errorf("verify of a removed record: exit %d\nstdout %q", r.code, r.stdout)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "list", "--since", "yesterday"}, `--since: "yesterday" is not a time`},
		{[]string{"audit", "list", "--decision", "maybe"}, "must be one of allow, deny"},
		{[]string{"audit", "list", "--operation", "s3:GetObject"}, "not the IAM action"},
		{[]string{"audit", "list", "--limit", "-1"}, "--limit -1"},
		{[]string{"audit", "list", "extra"}, "unknown command"},
		{[]string{"audit", "tail", "-f", "--interval", "0s"}, "--interval 0s"},
		{[]string{"audit", "show"}, "accepts 1 arg"},
		{[]string{"audit", "export", "--format", "xml"}, "must be one of jsonl, csv"},
		{[]string{"audit", "verify", "now"}, "unknown command"},
	} {
		r := runCLI(t, env, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// lockedBuffer is a buffer that may be written and read concurrently.
type lockedBuffer = testutil.Buffer

func TestAuditTailFollow(t *testing.T) {
	t.Parallel()
	env, _, ids := auditFixture(t)
	var stdout, stderr lockedBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	go func() { code <- a.run(ctx, []string{"audit", "tail", "-f", "--interval", "20ms", "--limit", "1"}) }()

	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stdout.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("tail -f did not show %q:\n%s\nstderr %s", s, stdout.String(), stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(ids[4])
	// Another process makes a call while tail follows.
	v, err := vault.Open(ctx, vault.Options{Home: env["ALTER_MCP_HOME"], Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	v.Request(ctx, vault.Call{URL: "https://example.com/", Grant: "reports", Reason: "refused"})
	es, _ := v.AuditLog().List(ctx, audit.Query{Limit: 1})
	v.Close()
	waitFor(es[0].ID)
	cancel()
	if c := <-code; c != exitOK {
		t.Errorf("tail -f ended with %d: %s", c, stderr.String())
	}
	if out := stdout.String(); !strings.HasPrefix(out, "TIME ") || !strings.Contains(out, "denied:not_aws") || strings.Contains(out, ids[3]) {
		t.Errorf("tail -f:\n%s", out)
	}
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q does not contain %q", s, sub)
		}
	}
}

// verifiedHead runs audit verify and returns the seq and hash of the head it
// prints.
func verifiedHead(t *testing.T, env map[string]string) (seq, hash string) {
	t.Helper()
	r := mustRun(t, env, "", "audit", "verify")
	m := regexp.MustCompile(`head seq (\d+) hash ([0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("verify printed no head: %q", r.stdout)
	}
	return m[1], m[2]
}

// TestAuditVerifyAnchor: records cut from the end of the chain verify by
// themselves, but not against the head an earlier verify printed.
func TestAuditVerifyAnchor(t *testing.T) {
	t.Parallel()
	env, _, _ := auditFixture(t)
	seq, hash := verifiedHead(t, env)
	anchor := seq + ":" + hash
	mustRun(t, env, "", "audit", "verify", "--anchor", anchor)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(env["ALTER_MCP_HOME"], "alter.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit WHERE seq >= ? - 1`, seq); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "audit", "verify"); r.code != exitOK {
		t.Fatalf("a chain cut at its end should verify by itself: exit %d %q", r.code, r.stdout)
	}
	r := runCLI(t, env, "", "audit", "verify", "--anchor", anchor)
	if r.code != exitError || !strings.Contains(r.stdout, "truncated") || !strings.Contains(r.stdout, "removed from its end") {
		t.Errorf("verify --anchor after cutting the end: exit %d\nstdout %q", r.code, r.stdout)
	}
	if r := runCLI(t, env, "", "audit", "verify", "--anchor", "12:nothex"); r.code != exitUsage || !strings.Contains(r.stderr, "SEQ:HASH") {
		t.Errorf("bad anchor: exit %d, %q", r.code, r.stderr)
	}
}
