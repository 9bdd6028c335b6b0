package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
)

// TestApproveFromAnotherProcess: serve over stdio, with an MCP client that
// cannot ask its user, holds a write of a confirm_writes grant; another
// process lists it (alter-mcp approvals) and approves it (alter-mcp approve
// ID --as alice): the call goes out once, and its result comes back. A
// second write is rejected (alter-mcp reject), and nothing is sent.
func TestApproveFromAnotherProcess(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var puts []string
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead { // s3_put asks the bucket's region first
			w.Header().Set("x-amz-bucket-region", "us-east-1")
			return
		}
		mu.Lock()
		puts = append(puts, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("ETag", `"e1"`)
		w.Header().Set("x-amz-request-id", "REQ-APPROVE-1")
	}))
	t.Cleanup(aws.Close)
	sent := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), puts...)
	}
	env := vaultEnv(t)
	env["AWS_ENDPOINT_URL"] = aws.URL
	mustRun(t, env, "", "grant", "add", "--name", "confirm", "--from-env", "--confirm-writes")
	p := startProgram(t, env, "serve", "--approval-wait", "60s")
	p.call("initialize", `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"no-elicitation","version":"1"}}`)
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

	for _, approve := range []bool{true, false} {
		key := fmt.Sprintf("report-%v.csv", approve)
		before := len(sent())
		p.nextID++
		id := p.nextID
		p.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"s3_put","arguments":`+
			`{"grant_id":"confirm","bucket":"reports","key":%q,"content":"a,b","reason":"publish the report"}}}`, id, key))

		// Another process sees it waiting.
		var apr string
		for deadline := time.Now().Add(30 * time.Second); apr == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			r := mustRun(t, env, "", "approvals")
			if m := regexp.MustCompile(`(apr_[a-z2-7]{26})  pending  s3:PutObject on grant confirm, asked by no-elicitation`).FindStringSubmatch(r.stdout); m != nil {
				apr = m[1]
				if !strings.Contains(r.stdout, key) || !strings.Contains(r.stdout, "publish the report") || !strings.Contains(r.stdout, "alter-mcp approve "+apr) {
					t.Errorf("approvals shows:\n%s", r.stdout)
				}
			}
		}
		if apr == "" {
			t.Fatalf("the write of %s was never listed as waiting; stderr:\n%s", key, p.stderr.String())
		}
		if got := sent(); len(got) != before {
			t.Fatalf("sent before any decision: %v", got[before:])
		}
		verb, want := "reject", "rejected "+apr
		if approve {
			verb, want = "approve", "approved "+apr
		}
		if r := mustRun(t, env, "", verb, apr, "--operator", "alice"); !strings.HasPrefix(r.stdout, want) {
			t.Errorf("%s: %q", verb, r.stdout)
		}
		if r := runCLI(t, env, "", "approve", apr); r.code == exitOK || !strings.Contains(r.stderr, "no longer pending") || !strings.Contains(r.stderr, "alice (cli)") {
			t.Errorf("deciding twice: exit %d, %q", r.code, r.stderr)
		}

		res := p.answer(id)
		sc, _ := res["structuredContent"].(map[string]any)
		if approve {
			if res["isError"] == true || sc["etag"] == nil {
				t.Errorf("the approved write: %v", res)
			}
			if got := sent(); len(got) != 1 || got[0] != "PUT /reports/"+key && got[0] != "PUT /"+key {
				t.Errorf("sent after approval: %v", got)
			}
		} else if res["isError"] != true || sc["error"] != "rejected" || !strings.Contains(fmt.Sprint(sc["message"]), "alice (cli)") {
			t.Errorf("the rejected write: %v", res)
		}
	}
	if got := sent(); len(got) != 1 {
		t.Errorf("sent in all: %v, want the approved write only", got)
	}

	var all []vault.Approval
	r := mustRun(t, env, "", "approvals", "--decided", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all) != 2 {
		t.Fatalf("approvals --decided --json: %v\n%s", err, r.stdout)
	}
	if all[0].Status != vault.ApprovalRejected || all[1].Status != vault.ApprovalSent || all[1].DecidedBy != "alice (cli)" {
		t.Errorf("decided: %+v", all)
	}
	if r := runCLI(t, env, "", "approve", "apr_nothing"); r.code == exitOK || !strings.Contains(r.stderr, "alter-mcp approvals") {
		t.Errorf("approving an unknown id: exit %d, %q", r.code, r.stderr)
	}
	if r := mustRun(t, env, "", "approvals"); !strings.Contains(r.stderr, "no writes wait") {
		t.Errorf("approvals with none waiting: %q %q", r.stdout, r.stderr)
	}
}
