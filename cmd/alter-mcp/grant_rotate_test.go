//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// TestGrantRotate rotates a grant's key in moto, which checks every
// signature; the vault reaches it through AWS_ENDPOINT_URL.
func TestGrantRotate(t *testing.T) {
	t.Parallel()
	endpoint, admin := motoserver.StartWithAdmin(t, "admin")
	adminCreds := sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	iam := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "iam"}
	ctx := context.Background()
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	for _, form := range []url.Values{
		{"Action": {"CreateUser"}, "UserName": {"ci"}},
		{"Action": {"PutUserPolicy"}, "UserName": {"ci"}, "PolicyName": {"all"}, "PolicyDocument": {motoserver.AdminPolicyDocument}},
		{"Action": {"CreateAccessKey"}, "UserName": {"ci"}},
	} {
		form.Set("Version", "2010-05-08")
		if err := iam.Call(ctx, adminCreds, form, &key); err != nil {
			t.Fatal(err)
		}
	}

	env := vaultEnv(t)
	env["AWS_ENDPOINT_URL"] = endpoint
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = key.ID, key.Secret
	delete(env, "AWS_SESSION_TOKEN")
	id := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "ci", "--from-env").stdout)

	r := mustRun(t, env, "", "grant", "rotate", "ci")
	if !regexp.MustCompile(`^AKIA[A-Z0-9]{16}\n$`).MatchString(r.stdout) {
		t.Fatalf("grant rotate printed %q, want the new access key id alone", r.stdout)
	}
	newID := strings.TrimSpace(r.stdout)
	if newID == key.ID {
		t.Fatal("the key did not change")
	}
	for _, step := range []string{"created", "verified", "current", "deactivated", "deleted", "done", newID} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("stderr lacks step %q:\n%s", step, r.stderr)
		}
	}
	var g vault.Grant
	r = mustRun(t, env, "", "grant", "show", "--json", "--offline", id)
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil || g.ID != id || g.AccessKeyID != newID {
		t.Errorf("after rotate: %v %+v", err, g)
	}
	keys, err := iam.ListAccessKeys(ctx, adminCreds, "ci")
	if err != nil || len(keys) != 1 || keys[0].AccessKeyID != newID {
		t.Errorf("IAM keys %+v, %v; want only %s", keys, err, newID)
	}

	// --json, and a second rotation of the rotated key.
	r = mustRun(t, env, "", "grant", "rotate", "--json", id)
	var res vault.RotateResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.GrantID != id || res.OldAccessKeyID != newID || res.NewAccessKeyID == newID ||
		!strings.HasSuffix(res.UserARN, ":user/ci") {
		t.Errorf("grant rotate --json: %v %s", err, r.stdout)
	}

	// Temporary credentials cannot be rotated; a missing argument is a usage error.
	tenv := vaultEnv(t)
	mustRun(t, tenv, "", "grant", "add", "--name", "temp", "--from-env")
	r = runCLI(t, tenv, "", "grant", "rotate", "temp")
	if r.code != exitError || !strings.Contains(r.stderr, "temporary credentials") || r.stdout != "" {
		t.Errorf("temporary credentials: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, tenv, "", "grant", "rotate")
	if r.code != exitUsage || !strings.Contains(r.stderr, "accepts 1 arg") {
		t.Errorf("no argument: exit %d, stderr %q", r.code, r.stderr)
	}
}
