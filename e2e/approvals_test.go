package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
)

// TestSDKv2Approvals: the TypeScript SDK v2 client, as an MCP client that
// shows URLs but no forms, writes on a confirm_writes grant through the
// built binary over streamable HTTP, in both protocol eras; the server
// sends it to the console's approval page and holds the call, and this test,
// as the operator, finds the write with `alter-mcp approvals` and approves
// it with `alter-mcp approve` in another process: the write reaches moto. A
// write whose page the user declines is refused.
func TestSDKv2Approvals(t *testing.T) {
	nodeBin := node(t)
	endpoint, admin := motoserver.StartWithAdmin(t, "alter-e2e-approve")
	env := baseEnv(t, "ALTER_MCP_HOME="+t.TempDir(), "AWS_ENDPOINT_URL="+endpoint)
	withKey := append(env[:len(env):len(env)], "AWS_ACCESS_KEY_ID="+admin.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+admin.SecretAccessKey)
	run(t, withKey, "", "grant", "add", "--name", "admin", "--from-env")
	run(t, withKey, "", "grant", "add", "--name", "confirm", "--from-env", "--confirm-writes")
	run(t, withKey, "", "grant", "add", "--name", "reader", "--from-env", "--read-only")
	key := strings.TrimSpace(run(t, env, "", "caller", "add", "e2e-approve", "--grants", "admin,confirm,reader"))
	const console = "http://127.0.0.1:8788"
	srv := startServer(t, env, "--approval-url", console+"/", "--approval-wait", "90s")
	prefix := fmt.Sprintf("alter-e2e-approve-%d", time.Now().UnixNano()%1e9)

	for _, era := range []string{"legacy", "2026-07-28"} {
		t.Run(era, func(t *testing.T) {
			cmd := exec.Command(nodeBin, "approve_v2.mjs")
			cmd.Env = append(env[:len(env):len(env)], "E2E_ERA="+era, "E2E_HTTP_URL="+srv.url, "E2E_API_KEY="+key,
				"E2E_ADMIN_GRANT=admin", "E2E_CONFIRM_GRANT=confirm", "E2E_READER_GRANT=reader", "E2E_PREFIX="+prefix,
				"E2E_CONSOLE_URL="+console)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			done := make(chan error, 1)
			go func() { done <- runFor(cmd, 2*time.Minute) }()

			// The operator: wait for the held write, then approve it.
			var approved string
			for deadline := time.Now().Add(60 * time.Second); approved == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				var pending []struct {
					ID, Operation, CallerName, Summary string
				}
				if err := json.Unmarshal([]byte(run(t, env, "", "approvals", "--json")), &pending); err != nil {
					t.Fatal(err)
				}
				for _, a := range pending {
					if a.Operation != "s3:PutObject" || !strings.Contains(a.Summary, "approved-"+era) {
						t.Errorf("the held write: %+v", a)
					}
					run(t, env, "", "approve", a.ID, "--operator", "e2e-operator")
					approved = a.ID
				}
			}
			if approved == "" {
				t.Fatalf("no write was held for approval; the client's stderr: %s\nserver: %s", stderr.String(), srv.stderr.String())
			}
			if err := <-done; err != nil {
				t.Fatalf("approve_v2.mjs %s: %v\nstdout: %s\nstderr: %s", era, err, stdout.String(), stderr.String())
			}
			var report struct {
				clientReport
				URLs     []struct{ Mode, URL, ID string } `json:"urls"`
				Approval string                           `json:"approval"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("approve_v2.mjs %s printed no report: %v\n%s", era, err, stdout.String())
			}
			if report.Failed != "" || len(report.Checks) < 5 {
				t.Fatalf("approve_v2.mjs %s: check %q failed: %v (%d checks)", era, report.Failed, report.Detail, len(report.Checks))
			}
			if len(report.URLs) != 2 || report.Approval != approved {
				t.Errorf("the client was sent to %+v; the approved write was %s", report.URLs, approved)
			}
			t.Logf("approve_v2.mjs %s: %d checks passed; approved %s", era, len(report.Checks), approved)
		})
	}
	var decided []struct{ Status, DecidedBy string }
	if err := json.Unmarshal([]byte(run(t, env, "", "approvals", "--decided", "--json")), &decided); err != nil {
		t.Fatal(err)
	}
	var sent, refused int
	for _, a := range decided {
		switch {
		case a.Status == "sent" && a.DecidedBy == "e2e-operator (cli)":
			sent++
		case a.Status == "rejected" && strings.HasPrefix(a.DecidedBy, "the user of e2e-approve-v2"):
			refused++
		}
	}
	if sent != 2 || refused != 2 {
		t.Errorf("decided approvals: %+v; want 2 sent by e2e-operator (cli), 2 declined by the client's user", decided)
	}
}
