//go:build unix

package audit_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/vault"
)

// The environment of TestCrashChild: the vault's home, where its calls
// go, and the grant they use. Unset, that test does nothing.
const (
	crashHomeEnv     = "ALTER_MCP_TEST_AUDIT_CRASH_HOME"
	crashEndpointEnv = "ALTER_MCP_TEST_AUDIT_CRASH_ENDPOINT"
	crashGrantEnv    = "ALTER_MCP_TEST_AUDIT_CRASH_GRANT"
)

// TestCrash kills a process that makes calls through the vault from many
// goroutines with SIGKILL, then opens the vault again and checks that the
// chain verifies, that every call that reached the server had its begin
// record committed first, and that the calls the kill cut short are
// marked interrupted.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	// The fake AWS lives here, so it outlives the child: it notes each
	// request as it arrives, and answers a little later.
	var mu sync.Mutex
	arrived := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived[r.URL.Path] = true
		mu.Unlock()
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		w.Header().Set("X-Amzn-RequestId", "rid-"+r.URL.Path)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	e := env{"AWS_ENDPOINT_URL": srv.URL}
	home := t.TempDir()
	setup := openVault(t, home, e, nil)
	g, err := setup.AddGrant(t.Context(), vault.GrantSpec{Name: "crash",
		Static: &vault.StaticCredentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
	if err != nil {
		t.Fatal(err)
	}
	setup.Close()

	done := 0
	pid := testutil.KillChild(t, "TestCrashChild", []string{crashHomeEnv + "=" + home, crashEndpointEnv + "=" + srv.URL, crashGrantEnv + "=" + g.ID},
		30*time.Second, func(line string) bool {
			if line == "done" {
				done++
			}
			return done >= 100
		})

	// Reopening marks the calls that died with the child.
	v := openVault(t, home, e, nil)
	ctx := t.Context()
	rep, err := v.AuditLog().Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem != nil || rep.Open != 0 {
		t.Fatalf("after the crash: %v", rep)
	}
	entries, err := v.AuditLog().List(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	began := map[string]bool{}
	var ended, interrupted int
	for _, en := range entries {
		path := strings.TrimPrefix(en.URL, "https://crash-bucket.s3.us-east-1.amazonaws.com")
		began["/crash-bucket"+path] = true
		switch en.Kind {
		case audit.KindEnd:
			ended++
			if en.Outcome != audit.OutcomeOK || en.RequestID != "rid-/crash-bucket"+path {
				t.Errorf("ended entry %+v", en)
			}
		case audit.KindInterrupted:
			interrupted++
			if en.Outcome != audit.OutcomeInterrupted || en.Writer == nil || en.Writer.PID != pid ||
				!strings.Contains(en.ErrorMessage, fmt.Sprintf("process %d", pid)) {
				t.Errorf("interrupted entry %+v", en)
			}
		default:
			t.Errorf("entry %s is left as %s", en.ID, en.Kind)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for path := range arrived {
		if !began[path] {
			t.Errorf("a request for %s reached the server without a begin record", path)
		}
	}
	t.Logf("killed after %d calls: %d entries ended, %d interrupted, %d requests arrived", done, ended, interrupted, len(arrived))
	// A call returns once its begin record is durable and its end queued
	// (audit.Log.EndLater): a reported call whose end the kill lost is
	// marked interrupted, never left open or missing.
	if ended+interrupted < done || interrupted == 0 {
		t.Errorf("%d ended (the child reported %d), %d interrupted; want every reported call ended or interrupted, and some cut short", ended, done, interrupted)
	}
	// A second start has nothing left to mark.
	if n, err := v.AuditLog().MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("MarkInterrupted again: %d, %v", n, err)
	}
}

// TestCrashChild is the process TestCrash kills: 16 goroutines make calls
// through the vault, printing "done" after each, until it is killed.
func TestCrashChild(t *testing.T) {
	home := os.Getenv(crashHomeEnv)
	if home == "" {
		t.Skip("run by TestCrash")
	}
	v, err := vault.Open(context.Background(), vault.Options{Home: home, Getenv: env{"AWS_ENDPOINT_URL": os.Getenv(crashEndpointEnv)}.get})
	if err != nil {
		t.Fatal(err)
	}
	grant := os.Getenv(crashGrantEnv)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				resp, err := v.Request(context.Background(), vault.Call{Grant: grant, Reason: "crash test",
					URL: fmt.Sprintf("https://crash-bucket.s3.us-east-1.amazonaws.com/k-%d-%d", g, i)})
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				os.Stdout.WriteString("done\n")
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
