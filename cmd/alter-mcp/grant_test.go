package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/vault"
)

const (
	testKeyID     = "AKIAIOSFODNN7EXAMPLE"
	testSecret    = "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"
	testKeyID2    = "AKIAI44QH8DHBEXAMPLE"
	testSecret2   = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbSECOND2zzz"
	testToken     = "FwoGZXIvYXdzEXAMPLESESSIONTOKENzz"
	grantIDFormat = `^grt_[a-z0-9]+\n$`
)

// vaultEnv is an environment with a fresh vault home and AWS credentials.
func vaultEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"ALTER_MCP_HOME":        filepath.Join(t.TempDir(), "home"),
		"AWS_ACCESS_KEY_ID":     testKeyID,
		"AWS_SECRET_ACCESS_KEY": testSecret,
		"AWS_SESSION_TOKEN":     testToken,
	}
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	r := runCLI(t, env, stdin, args...)
	if r.code != exitOK {
		t.Fatalf("alter-mcp %s: exit %d\nstdout %q\nstderr %q", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func showGrant(t *testing.T, env map[string]string, id string) vault.Grant {
	t.Helper()
	var g vault.Grant
	r := mustRun(t, env, "", "grant", "show", "--json", "--offline", id)
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil {
		t.Fatalf("grant show --json: %v\n%s", err, r.stdout)
	}
	return g
}

func TestGrantLifecycle(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	r := mustRun(t, env, "", "grant", "add", "--name", "s3-reader", "--description", "reads reports",
		"--from-env", "--allow-services", "s3", "--allow-regions", "us-east-1,eu-*", "--read-only")
	if !regexp.MustCompile(grantIDFormat).MatchString(r.stdout) {
		t.Fatalf("grant add printed %q, want the grant id alone", r.stdout)
	}
	id := strings.TrimSpace(r.stdout)

	g := showGrant(t, env, "s3-reader") // by name
	if g.ID != id || g.Name != "s3-reader" || g.Description != "reads reports" || g.AccessKeyID != testKeyID ||
		!g.HasSessionToken || g.Source != "static" || g.Revoked {
		t.Errorf("grant show: %+v", g)
	}
	if !g.Policy.ReadOnly || strings.Join(g.Policy.AllowServices, ",") != "s3" || strings.Join(g.Policy.AllowRegions, ",") != "us-east-1,eu-*" {
		t.Errorf("policy %+v, want read-only s3 in us-east-1,eu-*", g.Policy)
	}

	var list []vault.Grant
	r = mustRun(t, env, "", "grant", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("grant list --json: %v %s", err, r.stdout)
	}
	r = mustRun(t, env, "", "grant", "list")
	if !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "read-only services=s3") || !strings.Contains(r.stdout, "active") {
		t.Errorf("grant list:\n%s", r.stdout)
	}

	// set-policy changes only what it is given; --reset starts over.
	mustRun(t, env, "", "grant", "set-policy", id, "--deny-actions", "s3:Delete*", "--require-reason")
	g = showGrant(t, env, id)
	if !g.Policy.ReadOnly || !g.Policy.RequireReason || strings.Join(g.Policy.DenyActions, ",") != "s3:Delete*" {
		t.Errorf("after set-policy: %+v", g.Policy)
	}
	mustRun(t, env, "", "grant", "set-policy", id, "--reset", "--allow-services", "sts")
	g = showGrant(t, env, id)
	if g.Policy.ReadOnly || g.Policy.RequireReason || strings.Join(g.Policy.AllowServices, ",") != "sts" {
		t.Errorf("after set-policy --reset: %+v", g.Policy)
	}

	// A policy file replaces the policy; flags given beside it change it.
	file := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(file, []byte(`{"allow_actions":["dynamodb:GetItem"],"max_body_bytes":1024}`), 0o600)
	mustRun(t, env, "", "grant", "set-policy", id, "--policy-file", file, "--read-only")
	g = showGrant(t, env, id)
	if len(g.Policy.AllowServices) != 0 || strings.Join(g.Policy.AllowActions, ",") != "dynamodb:GetItem" || g.Policy.MaxBodyBytes != 1024 || !g.Policy.ReadOnly {
		t.Errorf("after set-policy --policy-file: %+v", g.Policy)
	}

	// Rotating the key by hand keeps the id.
	mustRun(t, env, testSecret2+"\n", "grant", "update-credential", id, "--access-key-id", testKeyID2, "--secret-access-key-stdin")
	g = showGrant(t, env, id)
	if g.ID != id || g.AccessKeyID != testKeyID2 || g.HasSessionToken {
		t.Errorf("after update-credential: id %s key %s token %v", g.ID, g.AccessKeyID, g.HasSessionToken)
	}

	mustRun(t, env, "", "grant", "revoke", id)
	if g = showGrant(t, env, id); !g.Revoked {
		t.Error("grant not revoked")
	}
	r = mustRun(t, env, "", "grant", "show", "--offline", id)
	if !strings.Contains(r.stdout, "revoked") {
		t.Errorf("grant show:\n%s", r.stdout)
	}

	// A second grant may not take the name.
	r = runCLI(t, env, "", "grant", "add", "--name", "s3-reader", "--from-env")
	if r.code != exitError || !strings.Contains(r.stderr, "s3-reader") {
		t.Errorf("duplicate name: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, env, "", "grant", "show", "grt_doesnotexist")
	if r.code != exitError || !strings.Contains(r.stderr, "grant not found") {
		t.Errorf("unknown grant: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestGrantStdinCredentials(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	r := mustRun(t, env, "\n"+testSecret2+"\n"+testToken+"\n", "grant", "add", "--name", "temp",
		"--access-key-id", testKeyID2, "--secret-access-key-stdin", "--credentials-expire", "2099-01-01T00:00:00Z", "--expires", "30d")
	g := showGrant(t, env, strings.TrimSpace(r.stdout))
	if g.AccessKeyID != testKeyID2 || !g.HasSessionToken || g.CredentialsExpire.Year() != 2099 || g.Expires.IsZero() {
		t.Errorf("grant %+v", g)
	}
}

func TestGrantUsageErrors(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"allow_servces":["s3"]}`), 0o600)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no name", "", []string{"grant", "add", "--from-env"}, "--name is required"},
		{"no credentials", "", []string{"grant", "add", "--name", "x"}, "give credentials"},
		{"both sources", "", []string{"grant", "add", "--name", "x", "--from-env", "--access-key-id", testKeyID, "--secret-access-key-stdin"}, "not both"},
		{"secret as argument", "", []string{"grant", "add", "--name", "x", "--access-key-id", testKeyID}, "never taken as arguments"},
		{"empty stdin", "", []string{"grant", "add", "--name", "x", "--access-key-id", testKeyID, "--secret-access-key-stdin"}, "stdin is empty"},
		{"bad expires", "", []string{"grant", "add", "--name", "x", "--from-env", "--expires", "soon"}, "is not a time"},
		{"bad action", "", []string{"grant", "add", "--name", "x", "--from-env", "--allow-actions", "GetObject"}, "policy:"},
		{"unknown policy field", "", []string{"grant", "add", "--name", "x", "--from-env", "--policy-file", bad}, "allow_servces"},
		{"missing policy file", "", []string{"grant", "add", "--name", "x", "--from-env", "--policy-file", "/nonexistent.json"}, "--policy-file"},
		{"set-policy with nothing", "", []string{"grant", "set-policy", "x"}, "say what to change"},
		{"show without id", "", []string{"grant", "show"}, "accepts 1 arg"},
		{"caller add without name", "", []string{"caller", "add"}, "accepts 1 arg"},
	} {
		r := runCLI(t, env, tc.stdin, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.name, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

func TestCallerLifecycle(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	id := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "g1", "--from-env").stdout)
	r := mustRun(t, env, "", "caller", "add", "ci-agent", "--grants", id+",g1")
	if !regexp.MustCompile(`^alter_key_[A-Za-z0-9_-]{20,}\n$`).MatchString(r.stdout) {
		t.Fatalf("caller add printed %q, want the API key alone", r.stdout)
	}
	key := strings.TrimSpace(r.stdout)

	var cs []vault.Caller
	r = mustRun(t, env, "", "caller", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil || len(cs) != 1 || cs[0].Name != "ci-agent" || len(cs[0].Grants) == 0 || cs[0].Grants[0] != id {
		t.Errorf("caller list --json: %v %s", err, r.stdout)
	}
	if strings.Contains(r.stdout, key) || strings.Contains(r.stdout, key[len("alter_key_"):]) {
		t.Error("caller list shows the API key")
	}
	mustRun(t, env, "", "caller", "revoke", "ci-agent")
	r = mustRun(t, env, "", "caller", "list")
	if !strings.Contains(r.stdout, "revoked") {
		t.Errorf("caller list after revoke:\n%s", r.stdout)
	}
	r = runCLI(t, env, "", "caller", "add", "other", "--grants", "grt_missing")
	if r.code != exitError || !strings.Contains(r.stderr, "grt_missing") {
		t.Errorf("caller with an unknown grant: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	env["ALTER_MCP_MASTER_KEY"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
	mustRun(t, env, "", "grant", "add", "--name", "g", "--from-env")
	other := make([]byte, 32)
	other[0] = 1
	env["ALTER_MCP_MASTER_KEY"] = base64.StdEncoding.EncodeToString(other)
	r := runCLI(t, env, "", "grant", "list")
	if r.code != exitError || !strings.Contains(r.stderr, "master key") {
		t.Errorf("wrong master key: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestVaultCommandsNeverPrintSecrets runs every grant and caller command with
// debug logs in both formats, through successes and failures, and looks for
// the secrets in all output and in every file of the vault's home.
func TestVaultCommandsNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	for _, logFormat := range []string{"text", "json"} {
		env := vaultEnv(t)
		var out strings.Builder
		run := func(stdin string, args ...string) result {
			r := runCLI(t, env, stdin, append([]string{"--log-format", logFormat, "--log-level", "debug"}, args...)...)
			out.WriteString(r.stdout + r.stderr)
			return r
		}
		id := strings.TrimSpace(run("", "grant", "add", "--name", "g", "--from-env").stdout)
		run("", "grant", "add", "--name", "g", "--from-env") // duplicate: fails
		run(testSecret2+"\n"+testToken+"\n", "grant", "add", "--name", "h", "--access-key-id", testKeyID2, "--secret-access-key-stdin")
		run(testSecret2+"\n", "grant", "add", "--name", "i", "--access-key-id", "not-a-key", "--secret-access-key-stdin") // fails
		run("", "grant", "list")
		run("", "grant", "list", "--json")
		run("", "grant", "show", "--offline", id)
		run("", "grant", "show", "--json", "--offline", "h")
		run(testSecret2+"\n", "grant", "update-credential", id, "--access-key-id", testKeyID2, "--secret-access-key-stdin")
		run("", "grant", "set-policy", id, "--read-only")
		run("", "caller", "add", "c", "--grants", id)
		run("", "caller", "list", "--json")
		run("", "grant", "revoke", id)
		for _, secret := range []string{testSecret, testSecret2, testToken} {
			if strings.Contains(out.String(), secret) {
				t.Errorf("%s logs: a secret was printed:\n%s", logFormat, out.String())
			}
		}
		filepath.WalkDir(env["ALTER_MCP_HOME"], func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, _ := os.ReadFile(path)
			for _, secret := range []string{testSecret, testSecret2, testToken} {
				if strings.Contains(string(data), secret) {
					t.Errorf("%s holds a secret in the clear", path)
				}
			}
			return nil
		})
	}
}

func TestGrantProfileAndRoleSources(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	r := mustRun(t, env, "", "grant", "add", "--name", "dev", "--profile", "dev-sso")
	g := showGrant(t, env, strings.TrimSpace(r.stdout))
	if g.Source != "profile" || g.Profile != "dev-sso" || g.AccessKeyID != "" {
		t.Errorf("profile grant: %+v", g)
	}
	base := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "base", "--from-env").stdout)
	policyFile := filepath.Join(t.TempDir(), "session.json")
	os.WriteFile(policyFile, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), 0o600)
	r = mustRun(t, env, "", "grant", "add", "--name", "reports", "--source-grant", "base",
		"--role-arn", "arn:aws:iam::123456789012:role/reports", "--external-id", "4711", "--duration", "1h", "--session-policy-file", policyFile)
	g = showGrant(t, env, strings.TrimSpace(r.stdout))
	if g.Source != "assume_role" || g.RoleARN != "arn:aws:iam::123456789012:role/reports" || g.SourceGrant != base {
		t.Errorf("role grant: %+v", g)
	}
	r = mustRun(t, env, "", "grant", "show", "--offline", "reports")
	if !strings.Contains(r.stdout, "role:") || !strings.Contains(r.stdout, base) {
		t.Errorf("grant show:\n%s", r.stdout)
	}
	r = mustRun(t, env, "", "grant", "add", "--name", "scoped", "--source-grant", "base",
		"--role-arn", "arn:aws:iam::123456789012:role/reports", "--session-policy-from-grant", "--allow-services", "s3")
	if g = showGrant(t, env, strings.TrimSpace(r.stdout)); !g.SessionPolicyFromGrant || g.SessionName != "alter-mcp-scoped" {
		t.Errorf("--session-policy-from-grant: %+v", g)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", "p", "--from-env"}, "give one credential source"},
		{[]string{"--role-arn", "arn:aws:iam::123456789012:role/x"}, "needs both --role-arn and --source-grant"},
		{[]string{"--from-env", "--external-id", "x"}, "--external-id applies only with --role-arn"},
		{[]string{"--source-grant", "base", "--role-arn", "arn:aws:iam::123456789012:role/x", "--session-policy-file", "/nonexistent"}, "--session-policy-file"},
		{[]string{"--source-grant", "base", "--role-arn", "arn:aws:iam::123456789012:role/x", "--session-policy-file", "p.json", "--session-policy-from-grant"}, "not both"},
		{[]string{"--from-env", "--session-policy-from-grant"}, "--session-policy-from-grant applies only with --role-arn"},
	} {
		r := runCLI(t, env, "", append([]string{"grant", "add", "--name", "x"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r = runCLI(t, env, "", "grant", "add", "--name", "x", "--source-grant", "missing", "--role-arn", "arn:aws:iam::123456789012:role/x")
	if r.code != exitError || !strings.Contains(r.stderr, "grant not found") {
		t.Errorf("unknown source grant: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestGrantOptInFlags: --issue-credentials and --allow-customer-hosts set
// the policy's opt-ins, from flags or the environment, and show in list.
func TestGrantOptInFlags(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	id := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "issuer", "--from-env", "--issue-credentials",
		"--allow-customer-hosts", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com,**.lambda-url.eu-west-1.on.aws").stdout)
	g := showGrant(t, env, id)
	if !g.Policy.IssueCredentials || strings.Join(g.Policy.AllowCustomerHosts, ",") != "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com,**.lambda-url.eu-west-1.on.aws" {
		t.Errorf("policy %+v, want issue_credentials and two customer hosts", g.Policy)
	}
	r := mustRun(t, env, "", "grant", "list")
	if !strings.Contains(r.stdout, "customer-hosts=a1b2c3d4e5.execute-api.us-east-1.amazonaws.com,**.lambda-url.eu-west-1.on.aws issues credentials") {
		t.Errorf("grant list:\n%s", r.stdout)
	}
	r = mustRun(t, env, "", "grant", "show", "--offline", id)
	if !strings.Contains(r.stdout, `"issue_credentials": true`) || !strings.Contains(r.stdout, `"allow_customer_hosts": [`) {
		t.Errorf("grant show:\n%s", r.stdout)
	}

	// set-policy changes them alone; an empty list clears one.
	mustRun(t, env, "", "grant", "set-policy", id, "--allow-customer-hosts", "")
	g = showGrant(t, env, id)
	if !g.Policy.IssueCredentials || len(g.Policy.AllowCustomerHosts) != 0 {
		t.Errorf("after clearing customer hosts: %+v", g.Policy)
	}
	mustRun(t, env, "", "grant", "set-policy", id, "--issue-credentials=false", "--allow-customer-hosts", "**.execute-api.us-east-1.amazonaws.com")
	g = showGrant(t, env, id)
	if g.Policy.IssueCredentials || strings.Join(g.Policy.AllowCustomerHosts, ",") != "**.execute-api.us-east-1.amazonaws.com" {
		t.Errorf("after set-policy: %+v", g.Policy)
	}

	// The environment, one list entry per line.
	envOpt := map[string]string{"ALTER_MCP_ISSUE_CREDENTIALS": "true", "ALTER_MCP_ALLOW_CUSTOMER_HOSTS": "a.execute-api.us-east-1.amazonaws.com\nb.execute-api.us-east-1.amazonaws.com"}
	for k, v := range env {
		envOpt[k] = v
	}
	id = strings.TrimSpace(mustRun(t, envOpt, "", "grant", "add", "--name", "from-env", "--from-env").stdout)
	g = showGrant(t, env, id)
	if !g.Policy.IssueCredentials || len(g.Policy.AllowCustomerHosts) != 2 {
		t.Errorf("from the environment: %+v", g.Policy)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"read-only issuer", []string{"--read-only", "--issue-credentials"}, "read-only grant never issues credentials"},
		{"every customer host", []string{"--allow-customer-hosts", "**"}, "name the hosts"},
		{"customer host URL", []string{"--allow-customer-hosts", "https://a.lambda-url.us-east-1.on.aws/"}, "without scheme or path"},
	} {
		r := runCLI(t, env, "", append([]string{"grant", "add", "--name", "bad", "--from-env"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tc.name, r.code, r.stderr, tc.want)
		}
	}
}

// TestGrantUnlockUsage: grant add --mfa-serial makes a grant that grant
// show names the device of, and grant unlock refuses what it cannot do
// before asking AWS (the unlock itself is vault's TestUnlockMFA, against
// moto).
func TestGrantUnlockUsage(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "base", "--from-env")
	r := mustRun(t, env, "", "grant", "add", "--name", "breakglass", "--source-grant", "base",
		"--role-arn", "arn:aws:iam::123456789012:role/breakglass", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice")
	if g := showGrant(t, env, strings.TrimSpace(r.stdout)); g.MFASerial != "arn:aws:iam::123456789012:mfa/alice" {
		t.Errorf("grant %+v", g)
	}
	r = mustRun(t, env, "", "grant", "show", "--offline", "breakglass")
	mustContain(t, r.stdout, "session name", "alter-mcp-breakglass", "MFA device", "alter-mcp grant unlock breakglass")
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"base"}, "123456\n", "does not assume a role that requires MFA"},
		{[]string{"breakglass"}, "", "no MFA code was given"},
		{[]string{"breakglass"}, "12345\n", "6 digits"},
	} {
		r := runCLI(t, env, tc.stdin, append([]string{"grant", "unlock"}, tc.args...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("unlock %v: exit %d, stderr %q; want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if r := runCLI(t, env, "", "grant", "add", "--name", "x", "--from-env", "--mfa-serial", "arn:aws:iam::123456789012:mfa/a"); r.code != exitUsage {
		t.Errorf("--mfa-serial without a role: exit %d", r.code)
	}
}
