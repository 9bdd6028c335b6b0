//go:build unix

package credsrc_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// isolate clears every variable the AWS credential chain reads, so the
// machine's own configuration cannot leak into a test. Tests that call it
// cannot run in parallel.
func isolate(t *testing.T) string {
	home := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "BOTO_CONFIG"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", write(t, home, "config", ""))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", write(t, home, "credentials", ""))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "us-east-1")
	return home
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProfileSharedCredentials(t *testing.T) {
	home := isolate(t)
	write(t, home, "credentials", "[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = devsecret/value\n")
	p := &credsrc.Profile{Name: "dev"}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "AKIADEVEXAMPLE000001" || c.SecretAccessKey != "devsecret/value" || !strings.Contains(p.Source(), "SharedConfigCredentials") {
		t.Errorf("got %v from %q", c, p.Source())
	}
	// An explicit profile wins over the environment, as with aws --profile.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	p = &credsrc.Profile{Name: "dev"}
	if c, _ = p.Retrieve(context.Background()); c.AccessKeyID != "AKIADEVEXAMPLE000001" {
		t.Errorf("named profile with env keys set: got %s", c.AccessKeyID)
	}
	// The default chain takes the environment first.
	p = &credsrc.Profile{}
	if c, _ = p.Retrieve(context.Background()); c.AccessKeyID != "AKIAENVEXAMPLE000001" {
		t.Errorf("default chain: got %s, want the environment's key", c.AccessKeyID)
	}

	_, err = (&credsrc.Profile{Name: "missing"}).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "missing") || strings.Contains(err.Error(), "devsecret") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestProfileCredentialProcess(t *testing.T) {
	home := isolate(t)
	script := write(t, home, "creds.sh", `#!/bin/sh
printf '{"Version":1,"AccessKeyId":"ASIAPROCEXAMPLE00001","SecretAccessKey":"procsecret","SessionToken":"proctoken","Expiration":"2099-01-01T00:00:00Z"}'
`)
	os.Chmod(script, 0o700)
	write(t, home, "config", "[profile proc]\ncredential_process = "+script+"\n")
	p := &credsrc.Profile{Name: "proc"}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIAPROCEXAMPLE00001" || c.SessionToken != "proctoken" || c.Expires.Year() != 2099 {
		t.Errorf("credential_process gave %v expiring %v", c, c.Expires)
	}
}

// TestProfileAssumeRoleChain resolves an assume-role profile (source_profile,
// external_id, role_session_name, duration_seconds) against moto, with
// signatures and the role's trust policy checked.
func TestProfileAssumeRoleChain(t *testing.T) {
	home := isolate(t)
	endpoint := motoserver.Start(t, motoserver.WithAuth(motoserver.AdminSetupActions))
	admin := motoserver.CreateAdminUser(t, endpoint, "admin")
	adminCreds := sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	iam := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "iam"}
	var out struct{}
	if err := iam.Call(context.Background(), adminCreds, map[string][]string{
		"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"agent"}, "AssumeRolePolicyDocument": {trustPolicy},
	}, &out); err != nil {
		t.Fatal(err)
	}
	write(t, home, "credentials", "[base]\naws_access_key_id = "+admin.AccessKeyID+"\naws_secret_access_key = "+admin.SecretAccessKey+"\n")
	write(t, home, "config", `[profile agent]
role_arn = arn:aws:iam::123456789012:role/agent
source_profile = base
external_id = ticket-4711
role_session_name = from-profile
duration_seconds = 1200
region = us-east-1
`)
	// The SDK sends the profile's AssumeRole to moto; in config v1.33 the STS
	// client it builds for credentials honours AWS_ENDPOINT_URL_STS but not
	// the global AWS_ENDPOINT_URL.
	t.Setenv("AWS_ENDPOINT_URL_STS", endpoint)
	p := &credsrc.Profile{Name: "agent"}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SessionToken == "" || c.Expires.IsZero() {
		t.Fatalf("assume-role profile gave %v", c)
	}
	id, err := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "sts"}.CallerIdentity(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(id.ARN, "assumed-role/agent/from-profile") {
		t.Errorf("identity %s, want the role's session from-profile", id.ARN)
	}
}

func TestProfileDefaultFallsBackToBoto(t *testing.T) {
	home := isolate(t)
	boto := write(t, home, "boto.cfg", "# legacy\n[Boto]\ndebug = 0\n[Credentials]\nAWS_Access_Key_ID: AKIABOTOEXAMPLE00001\naws_secret_access_key = botosecret\n")
	getenv := func(k string) string {
		if k == "BOTO_CONFIG" {
			return boto
		}
		return os.Getenv(k)
	}
	p := &credsrc.Profile{Getenv: getenv}
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "AKIABOTOEXAMPLE00001" || c.SecretAccessKey != "botosecret" || p.Source() != "boto config "+boto {
		t.Errorf("got %s from %q, want the boto file's key", c.AccessKeyID, p.Source())
	}
	// The shared credentials file comes before boto.
	write(t, home, "credentials", "[default]\naws_access_key_id = AKIASHAREDEXAMPLE001\naws_secret_access_key = shared\n")
	p = &credsrc.Profile{Getenv: getenv}
	if c, _ = p.Retrieve(context.Background()); c.AccessKeyID != "AKIASHAREDEXAMPLE001" {
		t.Errorf("shared file and boto: got %s, want the shared file's", c.AccessKeyID)
	}
}

func TestProfileNothingFound(t *testing.T) {
	isolate(t)
	_, err := (&credsrc.Profile{Getenv: func(string) string { return "" }}).Retrieve(context.Background())
	if err == nil {
		t.Fatal("no credentials anywhere, yet Retrieve succeeded")
	}
}

func TestReadBoto(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	etc := write(t, dir, "etc.cfg", "[Credentials]\naws_access_key_id = AKIAETC\naws_secret_access_key = etcsecret\n")
	user := write(t, dir, "user.boto", "[Credentials]\naws_access_key_id = AKIAUSER\naws_secret_access_key = usersecret\n")
	half := write(t, dir, "half.cfg", "[Credentials]\naws_access_key_id = AKIAHALF\n")
	bad := write(t, dir, "bad.cfg", "[Credentials\n")
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{etc, user}, "AKIAETC"},                           // the first file with both keys wins, as in botocore
		{[]string{filepath.Join(dir, "absent"), user}, "AKIAUSER"}, // missing files are skipped
		{[]string{half, user}, "AKIAUSER"},                         // a file with only the key id does not count
		{[]string{filepath.Join(dir, "absent"), half}, ""},         // none
	} {
		c, _, ok, err := credsrc.ReadBoto(tc.files)
		if err != nil || ok != (tc.want != "") || c.AccessKeyID != tc.want {
			t.Errorf("%v: got %q ok=%v err=%v, want %q", tc.files, c.AccessKeyID, ok, err, tc.want)
		}
	}
	if _, _, _, err := credsrc.ReadBoto([]string{bad}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("malformed file: %v", err)
	}
	env := map[string]string{"HOME": "/home/me"}
	if got := credsrc.BotoFiles(func(k string) string { return env[k] }); strings.Join(got, ",") != "/etc/boto.cfg,/home/me/.boto" {
		t.Errorf("BotoFiles = %v", got)
	}
	env["BOTO_CONFIG"] = "/opt/boto.cfg"
	if got := credsrc.BotoFiles(func(k string) string { return env[k] }); strings.Join(got, ",") != "/opt/boto.cfg" {
		t.Errorf("BotoFiles with BOTO_CONFIG = %v", got)
	}
}
