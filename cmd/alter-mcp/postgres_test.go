//go:build unix

package main

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/pgtest"
)

// TestReplicaFailsClosed: a replica whose begin record cannot be written
// sends nothing. With the chain's head locked longer than the store's
// statement_timeout, a call is refused and AWS sees no request; with the
// database out of reach, requests are refused (503) and the log says why;
// once it is back, calls go through again.
func TestReplicaFailsClosed(t *testing.T) {
	t.Parallel()
	pg := pgtest.URL(t)
	proxy := newTCPProxy(t, pg)
	aws := newFakeSTS(t)
	env := sharedEnv(t, proxy.url+"&statement_timeout=500ms", aws.URL)
	mustRun(t, env, "", "grant", "add", "--name", "sts", "--from-env")
	key := strings.TrimSpace(mustRun(t, env, "", "caller", "add", "agent", "--grants", "sts").stdout)
	r := startReplica(t, env, "r")
	c, err := mcpClient(t, r.url, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := whoamiCall(t.Context(), c, "first"); err != nil {
		t.Fatal(err)
	}

	// Another session holds the head: the begin record cannot be written.
	_, tx := pgtest.LockHead(t, pg)
	err = whoamiCall(t.Context(), c, "while locked")
	if err == nil || !strings.Contains(err.Error(), "audit") {
		t.Errorf("a call whose begin record cannot be written: %v; want it refused, naming the audit", err)
	}
	if n := aws.requests.Load(); n != 1 {
		t.Errorf("AWS saw %d requests, want 1: a call was sent without its begin record", n)
	}
	tx.Rollback(t.Context())
	if err := whoamiCall(t.Context(), c, "unlocked"); err != nil {
		t.Errorf("after the lock is gone: %v", err)
	}

	// The database goes away.
	// The first call may meet a pooled connection that broke, the next
	// ones dial and find nothing there; the log says which.
	proxy.cut()
	waitUntil(t, 10*time.Second, "the log to say the database cannot be reached", func() bool {
		if err := whoamiCall(t.Context(), c, "unreachable"); err == nil {
			t.Error("a call with the database out of reach succeeded")
		}
		return strings.Contains(r.stderr.String(), "cannot reach PostgreSQL")
	})
	if n := aws.requests.Load(); n != 2 {
		t.Errorf("AWS saw %d requests, want 2", n)
	}
	proxy.resume()
	if err := whoamiCall(t.Context(), c, "back"); err != nil {
		// The pool may hand out one connection that died with the proxy.
		if err := whoamiCall(t.Context(), c, "back again"); err != nil {
			t.Errorf("with the database back: %v", err)
		}
	}
	verify(t, env)
}

// TestDoctorPostgres: doctor names the database and its version, warns when
// replicas could not share the master key, and fails, without the
// password, when the database cannot be reached.
func TestDoctorPostgres(t *testing.T) {
	t.Parallel()
	pg := pgtest.URL(t)
	env := sharedEnv(t, pg, "")
	delete(env, "AWS_ENDPOINT_URL")
	r := mustRun(t, env, "", "doctor", "--offline")
	for _, want := range []string{"OK    store                    postgres://", "PostgreSQL 1", "schema 4", "round trip"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "WARN  master key") {
		t.Errorf("doctor warns about a master key from the environment:\n%s", r.stdout)
	}

	fileKey := map[string]string{"ALTER_MCP_STORE": pgtest.URL(t), "ALTER_MCP_HOME": t.TempDir() + "/home"}
	r = mustRun(t, fileKey, "", "doctor", "--offline")
	if !strings.Contains(r.stdout, "WARN  master key") || !strings.Contains(r.stdout, "ALTER_MCP_MASTER_KEY") {
		t.Errorf("doctor does not warn that replicas need the key in ALTER_MCP_MASTER_KEY:\n%s", r.stdout)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env["ALTER_MCP_STORE"] = "postgres://alter:hunter2@" + addr + "/alter?connect_timeout=2"
	r = runCLI(t, env, "", "doctor", "--offline")
	if r.code != exitError || !strings.Contains(r.stdout, "FAIL  vault") || !strings.Contains(r.stdout, "cannot reach PostgreSQL") ||
		strings.Contains(r.stdout+r.stderr, "hunter2") {
		t.Errorf("doctor with the database out of reach: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// tcpProxy forwards connections to the database, and can be cut and
// resumed on the same address, as a network failure would.
type tcpProxy struct {
	t      *testing.T
	target string // host:port of the database
	addr   string
	url    string // the database's URL, through the proxy

	mu    sync.Mutex
	l     net.Listener
	conns []net.Conn
}

func newTCPProxy(t *testing.T, dbURL string) *tcpProxy {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: u.Host}
	p.listen("127.0.0.1:0")
	u.Host = p.addr
	p.url = u.String()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) listen(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.l, p.addr = l, l.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

// cut closes the listener and every connection through it.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// resume listens again on the same address.
func (p *tcpProxy) resume() { p.listen(p.addr) }
