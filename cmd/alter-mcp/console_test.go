package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"
)

// TestConsoleProcess runs alter-mcp console: it prints a login URL that
// signs in once, and stops on SIGINT.
func TestConsoleProcess(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	p := startProgram(t, env, "console", "--listen", "127.0.0.1:0")
	var login string
	timeout := time.After(20 * time.Second)
	for login == "" {
		select {
		case line := <-p.lines:
			if s := strings.TrimSpace(line); strings.HasPrefix(s, "http://") {
				login = s
			}
		case <-timeout:
			t.Fatalf("no login URL; stderr:\n%s", p.stderr.String())
		}
	}
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(login)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="calls"`) {
		t.Errorf("login: %d\n%s", resp.StatusCode, b)
	}
	if resp, err := http.Get(login); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("second login: %v %v", resp, err)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(15 * time.Second); code != 0 {
		t.Errorf("exit %d after SIGINT", code)
	}
}

func TestConsoleRefusesRemoteListen(t *testing.T) {
	t.Parallel()
	r := runCLI(t, vaultEnv(t), "", "console", "--listen", "0.0.0.0:8788")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--allow-remote") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
