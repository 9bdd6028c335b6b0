//go:build unix

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
)

// TestDoctor runs doctor against moto: a working grant passes with its
// identity and key age, a grant whose secret is wrong fails with what to do,
// and the routing to the emulator is reported.
func TestDoctor(t *testing.T) {
	t.Parallel()
	endpoint, admin := motoserver.StartWithAdmin(t, "doctor-user")
	env := vaultEnv(t)
	env["AWS_ENDPOINT_URL"] = endpoint
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = admin.AccessKeyID, admin.SecretAccessKey, ""
	mustRun(t, env, "", "grant", "add", "--name", "good", "--from-env")
	mustRun(t, env, "wrong-secret-0123456789\n", "grant", "add", "--name", "bad", "--access-key-id", admin.AccessKeyID, "--secret-access-key-stdin")
	mustRun(t, env, "", "grant", "add", "--name", "gone", "--from-env")
	mustRun(t, env, "", "grant", "revoke", "gone")

	r := runCLI(t, env, "", "doctor")
	if r.code != exitError || !strings.Contains(r.stderr, "1 of ") {
		t.Fatalf("doctor: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	for _, want := range []string{
		"OK    home",
		"OK    master key               mk_",
		"WARN  routing                  AWS_ENDPOINT_URL sends calls for AWS hosts to " + endpoint,
		"OK    grant good               arn:aws:iam::123456789012:user/doctor-user",
		"OK    grant good key           " + admin.AccessKeyID + " is Active, 0 days old",
		"FAIL  grant bad                ",
		"update-credential bad",
		"SKIP  grant gone               revoked",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, admin.SecretAccessKey) || strings.Contains(r.stdout+r.stderr, "wrong-secret-0123456789") {
		t.Error("doctor printed a secret")
	}

	r = runCLI(t, env, "", "doctor", "--json", "--offline")
	var checks []checkResult
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &checks) != nil {
		t.Fatalf("doctor --json --offline: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	skipped := 0
	for _, c := range checks {
		if c.Status == "skip" {
			skipped++
		}
		if c.Status == "fail" {
			t.Errorf("offline check failed: %+v", c)
		}
	}
	if skipped != 3 {
		t.Errorf("--offline skipped %d grants, want 3: %+v", skipped, checks)
	}

	// grant show asks IAM about the key.
	r = mustRun(t, env, "", "grant", "show", "good")
	for _, want := range []string{"key created:", "key status:", "Active", "iam user:", "doctor-user"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("grant show lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDoctorWrongMasterKey(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	mustRun(t, env, "", "grant", "add", "--name", "g", "--from-env")
	env["ALTER_MCP_MASTER_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	r := runCLI(t, env, "", "doctor")
	if r.code != exitError || !strings.Contains(r.stdout, "FAIL  vault") || !strings.Contains(r.stdout, "master key") {
		t.Errorf("doctor with a wrong master key: exit %d\n%s", r.code, r.stdout)
	}
}
