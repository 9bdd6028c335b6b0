package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/vault"
)

func TestServeOAuthUsageErrors(t *testing.T) {
	t.Parallel()
	http := []string{"serve", "--transport", "http"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"scopes without issuer", append(http, "--oauth-scopes", "alter-mcp"), "--oauth-scopes needs --oauth-issuer"},
		{"plain http issuer", append(http, "--oauth-issuer", "http://idp.example.com"), "only https is trusted, or http on a loopback address"},
		{"unknown resource", append(http, "--listen", "0.0.0.0:0", "--oauth-issuer", "https://idp.example.com"), "name it with --oauth-resource"},
		{"bad claim rule", append(http, "--oauth-issuer", "https://idp.example.com", "--oauth-claim-caller", "groups"), "CLAIM=VALUE:CALLER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, vaultEnv(t), "", tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr %q lacks %q", r.code, exitUsage, r.stderr, tc.want)
			}
		})
	}
}

func TestCallerAddOAuthSubject(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "g1", "--from-env")
	r := mustRun(t, env, "", "caller", "add", "okta-agent", "--grants", "g1", "--oauth-subject", "0oa8f5j3", "--oauth-issuer", "https://example.okta.com/oauth2/default")
	if r.stdout != "" {
		t.Errorf("caller add --oauth-subject printed %q: such a caller has no API key", r.stdout)
	}
	mustRun(t, env, "", "caller", "add", "any-issuer", "--grants", "g1", "--oauth-subject", "svc-ci")
	r = mustRun(t, env, "", "caller", "list")
	if !strings.Contains(r.stdout, "0oa8f5j3@https://example.okta.com/oauth2/default") || !strings.Contains(r.stdout, "svc-ci") {
		t.Errorf("caller list:\n%s", r.stdout)
	}
	var cs []vault.Caller
	r = mustRun(t, env, "", "caller", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil || len(cs) != 2 || cs[1].OAuthSubject != "0oa8f5j3" || cs[0].OAuthIssuer != "" {
		t.Errorf("caller list --json: %v %s", err, r.stdout)
	}
	r = runCLI(t, env, "", "caller", "add", "dup", "--oauth-subject", "svc-ci")
	if r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("a taken subject: exit %d, stderr %q", r.code, r.stderr)
	}
}
