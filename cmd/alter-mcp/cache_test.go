//go:build unix

package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestChangesSeenAcrossProcesses: a server on the embedded store keeps
// grants, callers and policies in memory (vault/cache.go), yet a policy
// change, a grant revoked and a caller revoked by `alter-mcp` in other
// processes are refused at the server's very next call, with nothing sent
// to AWS. TestReplicas holds the same across replicas on PostgreSQL.
func TestChangesSeenAcrossProcesses(t *testing.T) {
	t.Parallel()
	aws := newFakeSTS(t)
	env := sharedEnv(t, "sqlite://"+filepath.Join(t.TempDir(), "alter.db"), aws.URL)
	mustRun(t, env, "", "grant", "add", "--name", "sts", "--from-env")
	key := strings.TrimSpace(mustRun(t, env, "", "caller", "add", "agent", "--grants", "sts").stdout)
	srv := startReplica(t, env, "server")
	c, err := mcpClient(t, srv.url, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{"warm-1", "warm-2"} { // the second is served from memory
		if err := whoamiCall(t.Context(), c, reason); err != nil {
			t.Fatal(err)
		}
	}
	sent := aws.requests.Load()

	mustRun(t, env, "", "grant", "set-policy", "sts", "--deny-services", "sts")
	if err := whoamiCall(t.Context(), c, "after-policy"); err == nil || !strings.Contains(err.Error(), "deny_services") {
		t.Errorf("after another process set a policy that denies sts: %v; want it refused by rule deny_services", err)
	}
	mustRun(t, env, "", "grant", "set-policy", "sts", "--reset")
	if err := whoamiCall(t.Context(), c, "after-policy-lifted"); err != nil {
		t.Errorf("after another process lifted the policy: %v", err)
	}
	sent++

	mustRun(t, env, "", "grant", "revoke", "sts")
	if err := whoamiCall(t.Context(), c, "after-revoke"); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("after another process revoked the grant: %v; want it refused", err)
	}
	mustRun(t, env, "", "caller", "revoke", "agent")
	if got := postInitialize(t, srv.url, map[string]string{"Authorization": "Bearer " + key}); got != http.StatusUnauthorized {
		t.Errorf("after another process revoked the caller, its next request: %d, want 401", got)
	}
	if got := aws.requests.Load(); got != sent {
		t.Errorf("AWS saw %d requests, want %d: a refused call was sent", got, sent)
	}
	verify(t, env)
}
