package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// TestMain lets the test binary run as the program itself (ALTER_MCP_TEST_MAIN=1),
// so that the serve tests drive a real process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("ALTER_MCP_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// stdioMu serializes in-process stdio runs: mcp-go keeps one stdio session
// per process.
var stdioMu sync.Mutex

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown transport", []string{"serve", "--transport", "ws"}, "must be one of stdio, http, sse"},
		{"insecure beyond loopback", []string{"serve", "--transport", "http", "--listen", "0.0.0.0:8787", "--insecure-no-auth"}, "only on a loopback --listen address"},
		{"cert without key", []string{"serve", "--transport", "http", "--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
		{"missing cert", []string{"serve", "--transport", "sse", "--tls-cert", "nope.pem", "--tls-key", "nope.key"}, "--tls-cert/--tls-key"},
		{"caller over http", []string{"serve", "--transport", "http", "--caller", "alice"}, "--caller applies to stdio"},
		{"bad listen", []string{"serve", "--transport", "http", "--listen", "8787"}, "write HOST:PORT"},
		{"unknown toolset", []string{"serve", "--toolsets", "ec2"}, `unknown toolset "ec2"`},
		{"no request size", []string{"serve", "--max-request-bytes", "0"}, "--max-request-bytes must be positive"},
		{"arguments", []string{"serve", "now"}, `unknown command "now"`},
		{"bad transport from env", nil, "invalid value for --transport from ALTER_MCP_TRANSPORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := vaultEnv(t)
			if tc.args == nil {
				env["ALTER_MCP_TRANSPORT"] = "carrier-pigeon"
				tc.args = []string{"serve"}
			}
			r := runCLI(t, env, "", tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr %q lacks %q", r.code, exitUsage, r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

func TestServeChecksNamesFirst(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--caller", "nobody"}, "alter-mcp caller add nobody"},
		{[]string{"serve", "--default-grant", "nothing"}, "--default-grant"},
	} {
		r := runCLI(t, env, "", tc.args...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want exit 1 naming %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

const initializeLine = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cli-test","version":"1"}}}`

// TestNoCommandServesStdio runs alter-mcp without a command: it serves MCP
// on stdin and stdout, and exits when stdin ends.
func TestNoCommandServesStdio(t *testing.T) {
	stdioMu.Lock()
	defer stdioMu.Unlock()
	env := vaultEnv(t)
	env["ALTER_MCP_LOG_FORMAT"] = "json"
	in := initializeLine + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n" +
		`{"jsonrpc":"2.0","id":3,"method":"ping"}` + "\n"
	r := runCLI(t, env, in)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	msgs := jsonRPCLines(t, r.stdout)
	ids := map[float64]bool{}
	for _, m := range msgs {
		if id, ok := m["id"].(float64); ok && m["result"] != nil {
			ids[id] = true
		}
	}
	if !ids[1] || !ids[2] || !ids[3] {
		t.Errorf("answers to initialize, tools/list and ping missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"name":"alter-mcp"`) {
		t.Errorf("initialize does not name the server:\n%s", r.stdout)
	}
	recs := jsonLines(t, r.stderr)
	if len(recs) == 0 || !strings.Contains(r.stderr, "serving MCP over stdio") {
		t.Errorf("stderr lacks the start log:\n%s", r.stderr)
	}
}

// jsonRPCLines fails unless every line of out is one JSON-RPC 2.0 message.
func jsonRPCLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	if out == "" {
		t.Fatal("stdout is empty")
	}
	var msgs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&m); err != nil || dec.More() {
			t.Fatalf("stdout line %d is not one JSON object: %q", i+1, line)
		}
		if m["jsonrpc"] != "2.0" || (m["method"] == nil && m["result"] == nil && m["error"] == nil) {
			t.Fatalf("stdout line %d is not JSON-RPC 2.0: %q", i+1, line)
		}
		msgs = append(msgs, m)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("stdout does not end with a newline")
	}
	return msgs
}

// proc is the program running as a child process.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stdout bytes.Buffer // everything read from stdout
	stderr testutil.Buffer
	mu     sync.Mutex
	nextID int
	exited chan error
}

// startProgram runs the program (this test binary as main) with env and args.
func startProgram(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"ALTER_MCP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 100), exited: make(chan error, 1), nextID: 100}
	cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.stdout.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("stderr of the program:\n%s", p.stderr.String())
		}
	})
	return p
}

func (p *proc) send(msg string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, msg+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

// call sends a request and returns its answer, skipping notifications.
func (p *proc) call(method, params string) map[string]any {
	p.t.Helper()
	p.nextID++
	id := p.nextID
	if params == "" {
		params = "{}"
	}
	p.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, id, method, params))
	return p.answer(id)
}

// answer returns the result of request id, skipping notifications and
// other lines; an error answer fails the test.
func (p *proc) answer(id int) map[string]any {
	p.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("request %d: stdout closed", id)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				p.t.Fatalf("stdout line is not JSON: %q", line)
			}
			if got, _ := m["id"].(float64); int(got) == id {
				if m["error"] != nil {
					p.t.Fatalf("request %d: error %v", id, m["error"])
				}
				return m["result"].(map[string]any)
			}
		case <-timeout:
			p.t.Fatalf("request %d: no answer", id)
		}
	}
}

func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	for range p.lines {
	}
	select {
	case err := <-p.exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			p.t.Fatal(err)
		}
		return 0
	case <-time.After(d):
		p.t.Fatalf("the program did not exit within %v", d)
		return -1
	}
}

const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"modern-test","version":"2"},"io.modelcontextprotocol/clientCapabilities":{}}`

// TestServeStdioProcess drives serve over a real process's stdin and stdout
// in both protocol eras, and proves that stdout carries nothing but JSON-RPC
// while the logs, at debug level, go to stderr.
func TestServeStdioProcess(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "reader", "--from-env", "--read-only")
	mustRun(t, env, "", "caller", "add", "desk", "--grants", "reader")
	env["ALTER_MCP_LOG_LEVEL"] = "debug"
	env["ALTER_MCP_CALLER"] = "desk"
	p := startProgram(t, env, "serve")

	res := p.call("initialize", `{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"proc-test","version":"1"}}`)
	if res["protocolVersion"] != "2024-11-05" {
		t.Errorf("initialize negotiated %v", res["protocolVersion"])
	}
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	tools := p.call("tools/list", "")["tools"].([]any)
	if len(tools) == 0 {
		t.Fatal("no tools")
	}
	for _, tl := range tools {
		if name := tl.(map[string]any)["name"]; name == "list_grants" {
			p.call("tools/call", `{"name":"list_grants","arguments":{}}`)
		}
	}
	p.call("logging/setLevel", `{"level":"debug"}`)
	p.call("ping", "")

	// The 2026-07-28 era on the same stream: no handshake, _meta on each request.
	d := p.call("server/discover", `{`+modernMeta+`}`)
	if vs, _ := d["supportedVersions"].([]any); len(vs) == 0 || vs[0] != "2026-07-28" {
		t.Errorf("server/discover: supported versions %v", d["supportedVersions"])
	}
	p.call("tools/list", `{`+modernMeta+`}`)

	p.stdin.Close()
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit %d after end of stdin", code)
	}
	p.mu.Lock()
	out := p.stdout.String()
	p.mu.Unlock()
	jsonRPCLines(t, out)
	if stderr := p.stderr.String(); !strings.Contains(stderr, "serving MCP over stdio") || !strings.Contains(stderr, "caller desk") {
		t.Errorf("stderr lacks the start log naming the caller:\n%s", stderr)
	}
}

// TestServeSignals stops serve with SIGTERM (stdio) and SIGINT (http): each
// exits 0.
func TestServeSignals(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	p := startProgram(t, env, "serve")
	p.call("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sig","version":"1"}}`)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(15 * time.Second); code != 0 {
		t.Errorf("stdio: exit %d after SIGTERM", code)
	}
}

// TestServeHTTPProcess runs serve --transport http: requests need a
// caller's API key and an allowed Origin, and SIGINT stops it.
func TestServeHTTPProcess(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "reader", "--from-env", "--read-only")
	key := strings.TrimSpace(mustRun(t, env, "", "caller", "add", "web", "--grants", "reader").stdout)
	env["ALTER_MCP_LOG_FORMAT"] = "json"
	p := startProgram(t, env, "serve", "--transport", "http", "--listen", "127.0.0.1:0")
	url := waitForURL(t, p)

	do := func(header map[string]string) int { return postInitialize(t, url, header) }
	if got := do(nil); got != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", got)
	}
	if got := do(map[string]string{"Authorization": "Bearer " + key}); got != http.StatusOK {
		t.Errorf("with the key: %d, want 200", got)
	}
	if got := do(map[string]string{"Authorization": "Bearer " + key, "Origin": "https://evil.example"}); got != http.StatusForbidden {
		t.Errorf("foreign Origin: %d, want 403", got)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(15 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGINT", code)
	}
	if strings.Contains(p.stderr.String(), key) {
		t.Error("the API key appears in the log")
	}
}

// waitForURL reads the server's URL from its JSON start log.
func waitForURL(t *testing.T, p *proc) string {
	t.Helper()
	return waitForLog(t, p, "serving MCP")
}

// postInitialize posts an initialize request to the MCP URL with header
// and returns the status; a 401 must say how to authenticate.
func postInitialize(t *testing.T, url string, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(initializeLine))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	return resp.StatusCode
}

// TestServeAuditFileError: an --audit-file that cannot be opened stops
// serve before it serves, with the path in the message.
func TestServeAuditFileError(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	r := runCLI(t, env, "", "serve", "--audit-file", "/nonexistent-dir/audit.jsonl")
	if r.code != exitError || !strings.Contains(r.stderr, "--audit-file") || !strings.Contains(r.stderr, "/nonexistent-dir/audit.jsonl") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
