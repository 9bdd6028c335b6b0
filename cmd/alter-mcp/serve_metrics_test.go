package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeMetricsListen runs serve over stdio with --metrics-listen: the
// metrics are served on their own port, and count the stdio session and its
// tool calls.
func TestServeMetricsListen(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	env["ALTER_MCP_LOG_FORMAT"] = "json"
	env["ALTER_MCP_METRICS_LISTEN"] = "127.0.0.1:0"
	p := startProgram(t, env, "serve")
	url := waitForLog(t, p, "serving metrics")
	p.call("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"metrics-test","version":"1"}}`)
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	p.call("tools/call", `{"name":"list_grants","arguments":{}}`)

	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	for _, want := range []string{
		`alter_mcp_sessions{transport="stdio"} 1`,
		`alter_mcp_tool_requests_total{result="ok",tool="list_grants"} 1`,
	} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("the metrics lack %s:\n%s", want, b)
		}
	}
	p.stdin.Close()
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit %d after end of stdin", code)
	}
}

func TestServeMetricsListenUsage(t *testing.T) {
	t.Parallel()
	r := runCLI(t, vaultEnv(t), "", "serve", "--metrics-listen", "9464")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--metrics-listen") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// waitForLog returns the url of the first JSON log line whose msg is msg.
func waitForLog(t *testing.T, p *proc, msg string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg && rec.URL != "" {
				return rec.URL
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q log with a url:\n%s", msg, p.stderr.String())
	return ""
}
