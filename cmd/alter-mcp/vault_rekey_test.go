package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var keyIDFormat = regexp.MustCompile(`^mk_[0-9a-f]{12}\n$`)

func TestVaultRekeyKeyFile(t *testing.T) {
	t.Parallel()
	env := vaultEnv(t)
	id := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "g", "--from-env").stdout)
	keyPath := filepath.Join(env["ALTER_MCP_HOME"], "master.key")
	before, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, env, "", "vault", "rekey")
	if !keyIDFormat.MatchString(r.stdout) || !strings.Contains(r.stderr, "sealed with the new master key") {
		t.Fatalf("vault rekey: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	after, _ := os.ReadFile(keyPath)
	if bytes.Equal(before, after) || len(after) == 0 {
		t.Error("master.key did not change")
	}
	if _, err := os.Stat(keyPath + ".next"); err == nil {
		t.Error("master.key.next is left")
	}
	if g := showGrant(t, env, id); g.AccessKeyID != testKeyID {
		t.Errorf("grant after rekey: %+v", g)
	}
	r2 := mustRun(t, env, "", "vault", "rekey")
	if r2.stdout == r.stdout {
		t.Error("a second rekey kept the key")
	}

	// A key given on stdin.
	key := make([]byte, 32)
	rand.Read(key)
	mustRun(t, env, base64.StdEncoding.EncodeToString(key)+"\n", "vault", "rekey", "--new-key-stdin")
	after, _ = os.ReadFile(keyPath)
	if strings.TrimSpace(string(after)) != base64.StdEncoding.EncodeToString(key) {
		t.Error("master.key is not the key given on stdin")
	}
	showGrant(t, env, id)
}

func TestVaultRekeyEnvironment(t *testing.T) {
	t.Parallel()
	oldKey, newKey := make([]byte, 32), make([]byte, 32)
	rand.Read(oldKey)
	rand.Read(newKey)
	b64 := base64.StdEncoding.EncodeToString
	env := vaultEnv(t)
	env["ALTER_MCP_MASTER_KEY"] = b64(oldKey)
	id := strings.TrimSpace(mustRun(t, env, "", "grant", "add", "--name", "g", "--from-env").stdout)

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no new key", "", []string{"vault", "rekey"}, "--new-key-stdin"},
		{"empty stdin", "", []string{"vault", "rekey", "--new-key-stdin"}, "stdin is empty"},
		{"not base64", "not a key!\n", []string{"vault", "rekey", "--new-key-stdin"}, "not base64"},
		{"short key", b64(newKey[:16]) + "\n", []string{"vault", "rekey", "--new-key-stdin"}, "must be 32"},
		{"arguments", "", []string{"vault", "rekey", "extra"}, "unknown command"},
	} {
		r := runCLI(t, env, tc.stdin, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.name, r.code, r.stdout, r.stderr, tc.want)
		}
	}

	r := mustRun(t, env, b64(newKey)+"\n", "vault", "rekey", "--new-key-stdin")
	if !keyIDFormat.MatchString(r.stdout) || !strings.Contains(r.stderr, "ALTER_MCP_MASTER_KEY") {
		t.Errorf("vault rekey: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, b64(newKey)) {
		t.Error("the new key was printed")
	}
	if _, err := os.Stat(filepath.Join(env["ALTER_MCP_HOME"], "master.key.next")); err == nil {
		t.Error("a key file was written for a key kept in the environment")
	}
	r = runCLI(t, env, "", "grant", "show", id)
	if r.code != exitError || !strings.Contains(r.stderr, "wrong master key") {
		t.Errorf("the old key after the rekey: exit %d, stderr %q", r.code, r.stderr)
	}
	env["ALTER_MCP_MASTER_KEY"] = b64(newKey)
	if g := showGrant(t, env, id); g.AccessKeyID != testKeyID {
		t.Errorf("grant with the new key: %+v", g)
	}
}
