package ci_test

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPostgresIsThrowaway runs .ci/postgres as .ci/run does: it starts a
// PostgreSQL that answers at the URL it exports, on loopback only, and
// when the shell exits the server is stopped and its folder removed.
func TestPostgresIsThrowaway(t *testing.T) {
	if bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(bins) == 0 {
		msg := "no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql); .ci/run installs them"
		if os.Getenv("ALTER_MCP_REQUIRE_POSTGRES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := `set -euo pipefail
die() { echo "FAIL: $*" >&2; exit 1; }
. .ci/postgres
start_postgres >&2
echo "$ALTER_MCP_TEST_POSTGRES"
echo "$ALTER_MCP_PG_DIR"
read -r _ || true # until the test has looked
`
	cmd := exec.Command(bash, "-c", script)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir()}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 2 {
		cmd.Wait()
		t.Fatalf(".ci/postgres did not start a server:\n%s", stderr.String())
	}
	dsn, dir := lines[0], lines[1]
	u, err := url.Parse(dsn)
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Errorf("ALTER_MCP_TEST_POSTGRES = %q: want a URL on 127.0.0.1", dsn)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsn, err)
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("SELECT 1: %d, %v", one, err)
	}
	c.Close(ctx)

	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the shell exited with %v:\n%s", err, stderr.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder %s is still there after exit (%v)", dir, err)
	}
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Errorf("something still listens on %s after exit", u.Host)
	}
}
