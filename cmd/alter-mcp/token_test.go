package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/bearer"
)

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	env["AWS_SESSION_TOKEN"] = ""
	// From the environment, and decoded back.
	r := mustRun(t, env, "", "token", "bedrock", "--from-env", "--region", "us-west-2", "--expires", "1h")
	tok := strings.TrimSpace(r.stdout)
	info, err := bearer.Decode(tok)
	if err != nil || info.Kind != "bedrock" || info.Region != "us-west-2" || info.AccessKeyID != testKeyID || info.Expires.Sub(info.Issued) != time.Hour {
		t.Fatalf("token bedrock: %+v, %v", info, err)
	}
	r = mustRun(t, env, "", "token", "decode", tok)
	for _, want := range []string{"kind:          bedrock", "region:        us-west-2", "access key id: " + testKeyID, "valid for 59m", "X-Amz-Signature=REDACTED"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("token decode lacks %q:\n%s", want, r.stdout)
		}
	}
	r = mustRun(t, env, tok+"\n", "token", "decode", "--json", "-")
	var decoded struct {
		Kind        string `json:"kind"`
		SecondsLeft int64  `json:"seconds_left"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &decoded); err != nil || decoded.Kind != "bedrock" || decoded.SecondsLeft < 3500 {
		t.Errorf("decode --json: %s", r.stdout)
	}

	// From a grant, audited, under its policy.
	mustRun(t, env, "", "grant", "add", "--name", "models", "--from-env", "--allow-services", "aws-external-anthropic")
	mustRun(t, env, "", "grant", "add", "--name", "locked", "--from-env", "--deny-presign")
	r = mustRun(t, env, "", "token", "anthropic", "--grant", "models", "--region", "eu-central-1", "--json", "--reason", "nightly eval")
	var out struct {
		Token, Kind, Region string
		Expires             time.Time
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !strings.HasPrefix(out.Token, "aws-external-anthropic-api-key-") || out.Region != "eu-central-1" {
		t.Fatalf("token anthropic --grant: %s", r.stdout)
	}
	r = runCLI(t, env, "", "token", "bedrock", "--grant", "locked", "--region", "us-east-1")
	if r.code != exitError || !strings.Contains(r.stderr, "deny_presign") {
		t.Errorf("deny_presign grant: exit %d, %s", r.code, r.stderr)
	}
	r = mustRun(t, env, "", "audit", "list", "--json")
	if !strings.Contains(r.stdout, `"operation":"IssueBearerToken"`) || !strings.Contains(r.stdout, "nightly eval") || strings.Contains(r.stdout, out.Token[40:80]) {
		t.Errorf("audit after issuing:\n%s", r.stdout)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "bedrock", "--from-env"}, "--region is required"},
		{[]string{"token", "bedrock", "--from-env", "--profile", "p", "--region", "us-east-1"}, "give one of"},
		{[]string{"token", "bedrock", "--from-env", "--region", "us-east-1", "--expires", "13h"}, "--expires"},
		{[]string{"token", "decode", "not-a-token"}, "not a token"},
		{[]string{"presign", "--expires", "200h", "https://b.s3.amazonaws.com/k"}, "1s to 168h"},
	} {
		r := runCLI(t, env, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestPresignCommand(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	env["AWS_SESSION_TOKEN"] = ""
	mustRun(t, env, "", "grant", "add", "--name", "reports", "--from-env", "--read-only")
	r := mustRun(t, env, "", "presign", "--expires", "1h", "https://my-bucket.s3.eu-west-1.amazonaws.com/q3.csv")
	u := strings.TrimSpace(r.stdout)
	for _, want := range []string{"https://my-bucket.s3.eu-west-1.amazonaws.com/q3.csv?", "X-Amz-Expires=3600", "X-Amz-Credential=" + testKeyID + "%2F", "%2Feu-west-1%2Fs3%2Faws4_request", "X-Amz-Signature="} {
		if !strings.Contains(u, want) {
			t.Errorf("presigned URL lacks %q: %s", want, u)
		}
	}
	r = runCLI(t, env, "", "presign", "-X", "PUT", "https://my-bucket.s3.eu-west-1.amazonaws.com/q3.csv")
	if r.code != exitError || !strings.Contains(r.stderr, "read_only") {
		t.Errorf("PUT through a read-only grant: exit %d, %s", r.code, r.stderr)
	}
	mustRun(t, env, "", "grant", "add", "--name", "second", "--from-env")
	r = runCLI(t, env, "", "presign", "https://my-bucket.s3.eu-west-1.amazonaws.com/q3.csv")
	if r.code != exitUsage || !strings.Contains(r.stderr, "choose one with --grant") {
		t.Errorf("two grants, none named: exit %d, %s", r.code, r.stderr)
	}
	r = mustRun(t, env, "", "audit", "list", "--json")
	if !strings.Contains(r.stdout, `"operation":"Presign"`) || strings.Contains(r.stdout, u[strings.Index(u, "X-Amz-Signature=")+16:]) {
		t.Errorf("audit after presigning:\n%s", r.stdout)
	}
}
