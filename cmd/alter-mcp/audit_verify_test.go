package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAuditVerifyAnchorPaths: the anchor paths beside the plain one
// (TestAuditVerifyAnchor): an anchor file, as the audit file sink keeps
// one, by flag and by environment; several anchors at once, one of them any
// record an export holds; an anchor whose record the chain holds with
// another hash; and a file that holds no anchor.
func TestAuditVerifyAnchorPaths(t *testing.T) {
	t.Parallel()
	env, _, _ := auditFixture(t)
	seq, hash := verifiedHead(t, env)
	head := seq + ":" + hash

	// The sink's newest line is the head; its other members do not matter.
	file := filepath.Join(t.TempDir(), "audit.jsonl")
	line := `{"caller":"bot","hash":"` + hash + `","seq":` + seq + "}\n"
	if err := os.WriteFile(file, []byte(`{"seq":1,"hash":"older"}`+"\n"+line), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "", "audit", "verify", "--anchor-file", file)
	// Any record of an export is an anchor too.
	export := mustRun(t, env, "", "audit", "export", "--format", "jsonl").stdout
	mustRun(t, env, "", "audit", "verify", "--anchor", head, "--anchor", anchorOfLine(t, export), "--anchor-file", file)
	withFile := map[string]string{"ALTER_MCP_ANCHOR_FILE": file}
	for k, v := range env {
		withFile[k] = v
	}
	mustRun(t, withFile, "", "audit", "verify")

	// Another hash where an anchor points: rewritten with the key.
	other := "2:" + strings.Repeat("0", 64)
	if r := runCLI(t, env, "", "audit", "verify", "--anchor", head, "--anchor", other); r.code != exitError || !strings.Contains(r.stdout, "seq 2") || !strings.Contains(r.stdout, "rewritten") {
		t.Errorf("an anchor with another hash: exit %d\nstdout %q", r.code, r.stdout)
	}
	// A file without a record is a usage error, before the vault is opened.
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	for _, f := range []string{empty, filepath.Join(t.TempDir(), "missing.jsonl")} {
		if r := runCLI(t, env, "", "audit", "verify", "--anchor-file", f); r.code != exitUsage || !strings.Contains(r.stderr, "--anchor-file") {
			t.Errorf("--anchor-file %s: exit %d, %q", filepath.Base(f), r.code, r.stderr)
		}
	}

	// Cut the end: the chain verifies by itself, the file's anchor does not.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(env["ALTER_MCP_HOME"], "alter.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit WHERE seq = ?`, seq); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "", "audit", "verify")
	if r := runCLI(t, withFile, "", "audit", "verify"); r.code != exitError || !strings.Contains(r.stdout, "truncated") {
		t.Errorf("ALTER_MCP_ANCHOR_FILE after cutting the end: exit %d\nstdout %q", r.code, r.stdout)
	}
}

// anchorOfLine is the SEQ:HASH of the first record of a file of records.
func anchorOfLine(t *testing.T, records string) string {
	t.Helper()
	first, _, _ := strings.Cut(records, "\n")
	h := regexp.MustCompile(`"hash":"([0-9a-f]{64})"`).FindStringSubmatch(first)
	seq := regexp.MustCompile(`"seq":(\d+)`).FindStringSubmatch(first)
	if h == nil || seq == nil {
		t.Fatalf("no seq and hash in %q", first)
	}
	return seq[1] + ":" + h[1]
}
