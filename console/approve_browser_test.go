package console

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/tools"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestApproveInChromium: an agent's write on a confirm_writes grant, from
// an MCP client that cannot ask its user, is held; an operator signs in to
// the console in headless Chromium, finds it among the approvals, and
// clicks Approve; the held call is released, the object written at moto,
// and the call's audit entry names the console's operator. The held
// write's page shows nothing to a browser that did not sign in.
func TestApproveInChromium(t *testing.T) {
	browser := chromium(t)
	endpoint, admin := motoserver.StartWithAdmin(t, "console-approve")
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	v := testvault.Open(t, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	rw := testvault.Grant(t, v, "admin", policy.Policy{}, key)
	testvault.Grant(t, v, "confirm", policy.Policy{ConfirmWrites: true}, key)
	const bucket = "console-approve"
	send := func(method, path string) int {
		resp, err := v.Request(t.Context(), vault.Call{Method: method, URL: "https://s3.us-east-1.amazonaws.com/" + bucket + path, Grant: rw.ID})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("PUT", ""); code != 200 {
		t.Fatalf("CreateBucket: %d", code)
	}

	// The agent's MCP client: no elicitation capability.
	s := server.NewMCPServer("alter-mcp-test", "0.0.0", server.WithToolHandlerMiddleware(func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return next(tools.WithSession(ctx, tools.Session{Name: "ci-bot", Client: "bot/1.0"}), req)
		}
	}))
	closer, err := tools.Register(s, tools.Deps{Vault: v, Approvals: tools.Approvals{Wait: 90 * time.Second}}, tools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	agent, err := client.NewInProcessClient(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Close() })
	if err := agent.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Initialize(t.Context(), mcp.InitializeRequest{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan *mcp.CallToolResult, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "s3_put"
		req.Params.Arguments = map[string]any{"grant_id": "confirm", "bucket": bucket, "key": "approved-in-the-browser.txt",
			"content": "hello", "reason": "publish the weekly report"}
		res, err := agent.CallTool(t.Context(), req)
		if err != nil {
			t.Errorf("s3_put: %v", err)
		}
		done <- res
	}()
	var held vault.Approval
	for deadline := time.Now().Add(30 * time.Second); held.ID == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if as, err := v.Approvals(t.Context(), vault.ApprovalPending, 0); err == nil && len(as) == 1 {
			held = as[0]
		}
	}
	if held.ID == "" {
		t.Fatal("the write was never held for approval")
	}

	con, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler), Operator: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(con.Handler())
	t.Cleanup(ts.Close)
	if dom := dumpDOM(t, browser, ts.URL+"/approvals/"+held.ID); strings.Contains(dom, "weekly report") || !strings.Contains(dom, `id="login"`) {
		t.Errorf("without signing in, the held write's page shows:\n%s", dom)
	}

	actx, cancel := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	var listed, summary, decided string
	var shot []byte
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(con.LoginURL(ts.URL)+"&next="+url.QueryEscape("/approvals")),
		chromedp.WaitVisible(`#pending a.open`),
		into(&listed, chromedp.Text(`#pending`)),
		chromedp.Click(`#pending a.open`),
		chromedp.WaitVisible(`#approve`),
		into(&summary, chromedp.Text(`#summary`)),
		into(&shot, chromedp.FullScreenshot(100)), // 100: PNG
		chromedp.Click(`#approve`),
		chromedp.WaitVisible(`#decided-by`),
		into(&decided, chromedp.Text(`#decided-by`)),
	)
	if err != nil {
		t.Fatalf("in Chromium: %v", err)
	}
	// The held write's page as the operator sees it
	// (ALTER_MCP_APPROVAL_SCREENSHOT names a file to keep it in, for the
	// README).
	if len(shot) < 10000 {
		t.Errorf("screenshot of the approval page: %d bytes", len(shot))
	} else if keep := os.Getenv("ALTER_MCP_APPROVAL_SCREENSHOT"); keep != "" {
		if err := os.WriteFile(keep, shot, 0o644); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(listed, "ci-bot") || !strings.Contains(listed, "s3:PutObject") {
		t.Errorf("the approvals list shows: %q", listed)
	}
	if !strings.Contains(summary, "publish the weekly report") || !strings.Contains(summary, "approved-in-the-browser.txt") {
		t.Errorf("the held write's page shows: %q", summary)
	}
	if !strings.Contains(decided, "approved by alice (console)") {
		t.Errorf("after clicking Approve the page says: %q", decided)
	}

	var res *mcp.CallToolResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the approved call was not released")
	}
	if res == nil || res.IsError {
		t.Fatalf("the approved write: %+v", res)
	}
	if code := send("HEAD", "/approved-in-the-browser.txt"); code != 200 {
		t.Errorf("the approved object: HEAD %d", code)
	}
	var out struct {
		AuditID string `json:"audit_id"`
	}
	b, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(b, &out)
	e, _, err := v.AuditLog().Get(t.Context(), out.AuditID)
	if err != nil || e.Approval == nil || e.Approval.By != "alice (console)" || e.Approval.ID != held.ID || e.Outcome != "ok" {
		t.Errorf("the audit of the approved write: %+v %v", e, err)
	}
}

// into runs a and keeps its value in dst, so that one chromedp.Do runs a
// page's steps and still reads what they found.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}
