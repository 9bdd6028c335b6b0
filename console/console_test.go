package console

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// testConsole serves a console over a vault with three calls against moto:
// a list and a read AWS answered, and a delete the read-only policy
// refused. It returns the request id AWS gave the read.
func testConsole(t *testing.T) (*Console, *httptest.Server, string) {
	t.Helper()
	endpoint, admin := motoserver.StartWithAdmin(t, "console")
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	v := testvault.Open(t, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	testvault.Grant(t, v, "admin", policy.Policy{}, key)
	testvault.Grant(t, v, "reader", policy.Policy{ReadOnly: true}, key)
	var readID string
	for _, c := range []vault.Call{
		{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/reports", Grant: "admin", Reason: "make the bucket", CallerLabel: "setup"},
		{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/reports/q1.csv", Body: []byte("a,b\n1,2\n"), Grant: "admin", Reason: "put the q1 figures", CallerLabel: "setup"},
		{URL: "https://s3.us-east-1.amazonaws.com/reports?list-type=2", Reason: "list the quarterly reports", Caller: "", CallerLabel: "alice-agent", Tool: "s3_list", SessionID: "sess-a"},
		{URL: "https://s3.us-east-1.amazonaws.com/reports/q1.csv", Reason: "read the q1 figures", CallerLabel: "alice-agent", Tool: "s3_get", SessionID: "sess-a", File: "downloads/q1.csv"},
		{Method: "DELETE", URL: "https://s3.us-east-1.amazonaws.com/reports/q1.csv", Reason: "tidy up old reports", CallerLabel: "bob-agent", Tool: "aws_request", SessionID: "sess-b"},
	} {
		if c.Grant == "" {
			c.Grant = "reader"
		}
		resp, err := v.Request(t.Context(), c)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", c.Method, c.URL, resp.StatusCode)
			}
			if c.Tool == "s3_get" {
				readID = cmp.Or(resp.Header.Get("x-amz-request-id"), resp.Header.Get("x-amzn-RequestId"))
			}
		}
	}
	if readID == "" {
		t.Fatal("moto gave the read no request id")
	}
	con, err := New(Options{Vault: v, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(con.Handler())
	t.Cleanup(ts.Close)
	return con, ts, readID
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestConsoleSignIn: without signing in nothing is shown; the login URL
// signs in once and shows the calls with their reasons; it does not work a
// second time.
func TestConsoleSignIn(t *testing.T) {
	con, ts, readID := testConsole(t)
	code, page := get(t, ts.Client(), ts.URL+"/")
	if code != http.StatusUnauthorized || strings.Contains(page, "quarterly") || !strings.Contains(page, `id="login"`) {
		t.Fatalf("without signing in: %d\n%s", code, page)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	login := con.LoginURL(ts.URL)
	code, page = get(t, browser, login)
	if code != http.StatusOK {
		t.Fatalf("login: %d\n%s", code, page)
	}
	for _, want := range []string{"list the quarterly reports", "read the q1 figures", "tidy up old reports", readID,
		"read_only", "chain verified", "5 calls, 1 refused", "ListObjectsV2", `id="by-grant"`, `id="by-caller"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	other := &http.Client{}
	if code, page := get(t, other, login); code != http.StatusUnauthorized || strings.Contains(page, "quarterly") {
		t.Errorf("the login URL worked twice: %d", code)
	}
	// Filters narrow the list.
	_, page = get(t, browser, ts.URL+"/?decision=deny")
	if !strings.Contains(page, "tidy up old reports") || strings.Contains(page, "read the q1 figures") {
		t.Errorf("decision=deny shows:\n%s", page)
	}
	_, page = get(t, browser, ts.URL+"/?session=sess-a&tool=s3_get")
	if !strings.Contains(page, "read the q1 figures") || strings.Contains(page, "list the quarterly reports") || strings.Contains(page, `class="call deny"`) {
		t.Errorf("session and tool filter shows:\n%s", page)
	}
	_, page = get(t, browser, ts.URL+"/?since=bogus")
	if !strings.Contains(page, `id="error"`) {
		t.Error("a bad since is not explained")
	}
	// Each call's detail.
	_, page = get(t, browser, ts.URL+"/?caller=bob-agent")
	i := strings.Index(page, `href="/calls/`)
	if i < 0 {
		t.Fatalf("no call link:\n%s", page)
	}
	id := page[i+len(`href="/calls/`):]
	id = id[:strings.IndexByte(id, '"')]
	_, page = get(t, browser, ts.URL+"/calls/"+id)
	for _, want := range []string{"tidy up old reports", "deny read_only", "DeleteObject", "bob-agent"} {
		if !strings.Contains(page, want) {
			t.Errorf("the detail of %s lacks %q", id, want)
		}
	}
	// A call that saved into the files folder names the file.
	_, page = get(t, browser, ts.URL+"/?tool=s3_get")
	if i = strings.Index(page, `href="/calls/`); i < 0 {
		t.Fatalf("no s3_get call:\n%s", page)
	}
	id = page[i+len(`href="/calls/`):]
	id = id[:strings.IndexByte(id, '"')]
	if _, page = get(t, browser, ts.URL+"/calls/"+id); !strings.Contains(page, `<td id="file">downloads/q1.csv</td>`) {
		t.Errorf("the detail of the s3_get does not name its file:\n%s", page)
	}
}

// TestConsoleHeaders: every answer forbids framing, referrers and caching,
// and a loopback request with a foreign Host is refused (DNS rebinding).
func TestConsoleHeaders(t *testing.T) {
	_, ts, _ := testConsole(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/", nil)
	req.Host = "evil.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d", resp.StatusCode)
	}
}
