//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/pgtest"
)

// TestReplicas runs two replicas of serve --transport http --stateless (this
// program, in processes of their own) on one PostgreSQL database, with a
// home each and nothing else shared, and MCP clients calling tools through
// both at once, some directly and some through a round-robin load balancer
// (stateless: any replica answers any request of a client):
//
//  1. every call is audited exactly once (one begin and one end record,
//     each AWS request id once), audit verify is clean, and audit tail -f
//     shows the calls of both replicas;
//  2. a replica killed with SIGKILL under load, and started again, marks
//     the calls it died in interrupted, and the chain still verifies;
//  3. vault rekey runs while both replicas serve (they hold both keys),
//     and no call fails;
//  4. a grant re-policied or revoked (alter-mcp grant set-policy, revoke,
//     on the same store) is refused by both replicas at their next call,
//     and a revoked caller's next request is refused with 401.
func TestReplicas(t *testing.T) {
	t.Parallel()
	pg := pgtest.URL(t)
	aws := newFakeSTS(t)
	env := sharedEnv(t, pg, aws.URL)
	mustRun(t, env, "", "grant", "add", "--name", "sts", "--from-env")
	key := strings.TrimSpace(mustRun(t, env, "", "caller", "add", "agent", "--grants", "sts").stdout)

	a, b := startReplica(t, env, "a"), startReplica(t, env, "b")
	tail := startProgram(t, env, "audit", "tail", "-f", "--json", "--limit", "0", "--interval", "100ms")

	// 1. Both replicas at once: 4 clients on each, and 4 behind a
	// round-robin load balancer, whose requests alternate between them;
	// 20 calls each.
	const calls = 3 * 4 * 20
	aws.delay.Store(int64(10 * time.Millisecond))
	start := time.Now()
	ok, errs := load(t, key, "both", []string{a.url, b.url, roundRobin(t, a.url, b.url)}, 4, 20, nil)
	t.Logf("%d calls through two replicas in %v", len(ok), time.Since(start).Round(time.Millisecond))
	for _, err := range errs {
		t.Errorf("a call failed: %v", err)
	}
	if len(ok) != calls {
		t.Fatalf("%d calls succeeded, want %d", len(ok), calls)
	}
	tr := readTrail(t, pg)
	if n := tr.check(t, aws.requests.Load()); n != 0 {
		t.Errorf("%d entries interrupted with both replicas up", n)
	}
	for _, reason := range ok {
		er := tr.byReason[reason]
		if er == nil || len(er.end) != 1 || er.end[0].Outcome != audit.OutcomeOK || er.end[0].RequestID == "" {
			t.Errorf("call %s: %+v; want one begin and one ok end with AWS's request id", reason, er)
		}
	}
	if got := aws.requests.Load(); got != calls || len(tr.entries) != calls {
		t.Errorf("AWS saw %d requests and the audit holds %d entries, want %d each", got, len(tr.entries), calls)
	}
	balanced := map[int]int{} // calls of the balanced clients, by replica
	for reason, er := range tr.byReason {
		if strings.HasPrefix(reason, "both-2-") {
			balanced[er.begin[0].Writer.PID]++
		}
	}
	if balanced[a.cmd.Process.Pid] == 0 || balanced[b.cmd.Process.Pid] == 0 {
		t.Errorf("the balanced clients' calls were served by %v, want both replicas", balanced)
	}
	verify(t, env)
	waitTail(t, tail, a.cmd.Process.Pid, b.cmd.Process.Pid)

	// 2. Kill a replica with SIGKILL while its calls are in flight (AWS
	// takes 300ms to answer), then start it again.
	aws.delay.Store(int64(300 * time.Millisecond))
	stop := make(chan struct{})
	done := make(chan []string)
	go func() {
		ok, _ := load(t, key, "kill", []string{a.url, b.url}, 3, 4, stop)
		done <- ok
	}()
	// Each of the 6 clients' first two calls reached AWS: the second calls
	// of replica a's clients are then in flight, their begin records
	// committed (8 arrivals could all be b's, with a's second calls not yet
	// begun, and nothing of a's left to mark).
	waitUntil(t, 10*time.Second, "calls in flight", func() bool { return aws.requests.Load() >= calls+12 })
	deadPID := a.cmd.Process.Pid
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.wait(10 * time.Second)
	ok = <-done
	close(stop)
	a = startReplica(t, env, "a") // marks the dead replica's calls interrupted as it opens
	tr = readTrail(t, pg)
	interrupted := tr.check(t, aws.requests.Load())
	if interrupted == 0 {
		t.Error("no call of the killed replica was marked interrupted")
	}
	for _, er := range tr.entries {
		if len(er.interrupted) > 0 && er.begin[0].Writer.PID != deadPID {
			t.Errorf("entry %s of process %d marked interrupted; only the killed replica %d died", er.begin[0].ID, er.begin[0].Writer.PID, deadPID)
		}
	}
	for _, reason := range ok { // ended, or interrupted if the kill came before its end's commit
		if er := tr.byReason[reason]; er == nil || len(er.end)+len(er.interrupted) != 1 {
			t.Errorf("call %s succeeded but its entry is %+v", reason, er)
		}
	}
	t.Logf("kill -9: %d calls completed, %d interrupted, %d records in all", len(ok), interrupted, tr.records)
	verify(t, env)

	// 3. A rekey while both replicas serve: restarted with the new key in
	// ALTER_MCP_MASTER_KEY and the store's in ALTER_MCP_MASTER_KEY_PREVIOUS,
	// they open every grant at every step, and no call fails.
	oldKey := env["ALTER_MCP_MASTER_KEY"]
	env = sharedEnvWithKey(env, oldKey)
	for _, r := range []*replica{a, b} {
		r.cmd.Process.Signal(os.Interrupt)
		r.wait(15 * time.Second)
	}
	a, b = startReplica(t, env, "a"), startReplica(t, env, "b")
	aws.delay.Store(int64(5 * time.Millisecond))
	stop = make(chan struct{})
	type loaded struct {
		ok   []string
		errs []error
	}
	during := make(chan loaded)
	go func() {
		ok, errs := load(t, key, "rekey", []string{a.url, b.url}, 2, 1000, stop)
		during <- loaded{ok, errs}
	}()
	waitUntil(t, 10*time.Second, "calls before the rekey", func() bool { return aws.requests.Load() >= calls+40 })
	before := aws.requests.Load()
	rk := mustRun(t, env, "", "vault", "rekey")
	waitUntil(t, 10*time.Second, "calls after the rekey", func() bool { return aws.requests.Load() >= before+20 })
	close(stop)
	l := <-during
	for _, err := range l.errs {
		t.Errorf("a call during the rekey failed: %v", err)
	}
	t.Logf("rekey to %s while serving: %d calls, none failed", strings.TrimSpace(rk.stdout), len(l.ok))
	delete(env, "ALTER_MCP_MASTER_KEY_PREVIOUS")
	verify(t, env) // with the new key alone

	// 4. Revocation holds on every replica at once.
	cb, err := mcpClient(t, b.url, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := mcpClient(t, a.url, key)
	if err != nil {
		t.Fatal(err)
	}
	aws.delay.Store(0)
	if err := whoamiCall(t.Context(), cb, "before-revoke"); err != nil {
		t.Fatal(err)
	}
	// A new policy first: both refuse under it at their next call.
	mustRun(t, env, "", "grant", "set-policy", "sts", "--deny-services", "sts")
	for name, c := range map[string]*client.Client{"a": ca, "b": cb} {
		if err := whoamiCall(t.Context(), c, "after-policy-"+name); err == nil || !strings.Contains(err.Error(), "deny_services") {
			t.Errorf("replica %s under a policy that denies sts: %v; want it refused by rule deny_services", name, err)
		}
	}
	mustRun(t, env, "", "grant", "revoke", "sts")
	revoked := time.Now()
	for _, c := range []struct {
		name string
		err  func() error
	}{
		{"b", func() error { return whoamiCall(t.Context(), cb, "after-revoke-b") }},
		{"a", func() error { return whoamiCall(t.Context(), ca, "after-revoke-a") }},
	} {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("replica %s after the grant was revoked: %v; want it refused", c.name, err)
		}
	}
	if d := time.Since(revoked); d > time.Second {
		t.Errorf("the revocation took %v to hold on both replicas, want under 1s", d)
	}
	mustRun(t, env, "", "caller", "revoke", "agent")
	revoked = time.Now()
	if got := postInitialize(t, b.url, map[string]string{"Authorization": "Bearer " + key}); got != http.StatusUnauthorized || time.Since(revoked) > time.Second {
		t.Errorf("a revoked caller's request to the other replica: %d after %v, want 401 within 1s", got, time.Since(revoked))
	}
	verify(t, env)
}

// verify runs audit verify and fails t unless the chain is clean.
func verify(t *testing.T, env map[string]string) {
	t.Helper()
	r := runCLI(t, env, "", "audit", "verify")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "ok: ") {
		t.Fatalf("audit verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// waitTail waits until audit tail -f has shown entries written by each of pids.
func waitTail(t *testing.T, tail *proc, pids ...int) {
	t.Helper()
	seen := map[int]bool{}
	waitUntil(t, 10*time.Second, "tail -f to show both replicas' calls", func() bool {
		tail.mu.Lock()
		out := tail.stdout.String()
		tail.mu.Unlock()
		for _, line := range strings.Split(out, "\n") {
			var e audit.Entry
			if json.Unmarshal([]byte(line), &e) == nil && e.Writer != nil {
				seen[e.Writer.PID] = true
			}
		}
		for _, p := range pids {
			if !seen[p] {
				return false
			}
		}
		return true
	})
}

func waitUntil(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for !f() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s after %v", what, d)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
