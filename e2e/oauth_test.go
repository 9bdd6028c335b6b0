//go:build unix

package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/oauthtest"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// TestSDKClientOAuth signs in to serve --oauth-issuer with the official
// TypeScript SDK v2 client's client-credentials provider, against a real
// OpenID provider (oauth2-mock-server), over streamable HTTP, and checks
// that the call is made as the caller the token's subject maps to, that the
// audit names the token's issuer and subject, and that the token reached
// neither AWS nor the server's log.
func TestSDKClientOAuth(t *testing.T) {
	nodeBin := node(t)
	idp := oauthtest.Start(t)
	awsURL, atAWS := testutil.RecordingS3(t)

	env := baseEnv(t, "ALTER_MCP_HOME="+t.TempDir(), "AWS_ENDPOINT_URL="+awsURL)
	withKey := append(env[:len(env):len(env)], "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	run(t, withKey, "", "grant", "add", "--name", "e2e-oauth", "--from-env", "--allow-services", "s3", "--read-only")
	run(t, env, "", "caller", "add", "oauth-agent", "--grants", "e2e-oauth", "--oauth-subject", "e2e-machine", "--oauth-issuer", idp.Issuer)

	srv := startServer(t, env, "--oauth-issuer", idp.Issuer, "--oauth-scopes", "alter-mcp")
	cmd := exec.Command(nodeBin, "oauth_client.mjs")
	cmd.Env = append(env[:len(env):len(env)],
		"E2E_HTTP_URL="+srv.url, "E2E_ISSUER="+idp.Issuer, "E2E_CLIENT_ID=e2e-machine",
		"E2E_GRANT=e2e-oauth", "E2E_S3_URL=https://reports.s3.us-east-1.amazonaws.com/?list-type=2")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("oauth_client.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("oauth_client.mjs did not finish\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}
	var report clientReport
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || report.Failed != "" || len(report.Checks) < 8 {
		t.Fatalf("oauth_client.mjs: %v\n%s", err, stdout.String())
	}
	t.Logf("oauth_client.mjs: %d checks passed", len(report.Checks))
	srv.stop(t)

	var found bool
	for _, line := range strings.Split(strings.TrimSpace(run(t, env, "", "audit", "list", "--json", "--limit", "0")), "\n") {
		var e struct {
			Caller, Reason, Decision string
			TokenIssuer              string `json:"token_issuer"`
			TokenSubject             string `json:"token_subject"`
			TokenClientID            string `json:"token_client_id"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit list --json: %v: %s", err, line)
		}
		if strings.HasPrefix(e.Reason, "e2e oauth: ") {
			found = true
			if e.Caller != "oauth-agent" || e.TokenIssuer != idp.Issuer || e.TokenSubject != "e2e-machine" || e.TokenClientID != "e2e-machine" || e.Decision != "allow" {
				t.Errorf("audit entry %+v", e)
			}
		}
	}
	if !found {
		t.Error("the audit trail has no entry of the OAuth client's call")
	}
	sent := atAWS.String()
	if !strings.Contains(sent, "list-type=2") {
		t.Errorf("the call did not reach AWS: %q", sent)
	}
	// The token travels in "Authorization: Bearer eyJ…"; no JWT may appear
	// where the token must never go.
	for where, text := range map[string]string{"AWS": sent, "the server log": srv.stderr.String()} {
		if strings.Contains(text, "eyJ") {
			t.Errorf("%s holds something like a JWT", where)
		}
	}
}
