package console

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
)

// TestDecideApprovals: only a signed-in browser posting its session's
// CSRF token decides; a decision is recorded as the console's operator,
// once; the summary an agent wrote is shown as text, never as markup.
func TestDecideApprovals(t *testing.T) {
	con, ts, _ := testConsole(t)
	ctx := t.Context()
	held := func(summary string) vault.Approval {
		a, err := con.v.HoldApproval(ctx, vault.HoldInput{Call: vault.Call{Caller: "", Tool: "s3_put"}, Preview: vault.Preview{Grant: vault.Grant{ID: "grt_1", Name: "prod"}},
			Name: "ci-bot", Summary: summary, Digest: "d", TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := held(`PUT https://b.s3.amazonaws.com/k <script>alert(1)</script>`)
	b := held("DELETE https://b.s3.amazonaws.com/other")

	post := func(c *http.Client, id string, form url.Values) (int, string) {
		t.Helper()
		resp, err := c.PostForm(ts.URL+"/approvals/"+id, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status := func(id string) string {
		cur, err := con.v.Approval(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return cur.Status
	}

	// Not signed in: nothing shown, nothing decided.
	if code, page := get(t, ts.Client(), ts.URL+"/approvals/"+a.ID); code != http.StatusUnauthorized || strings.Contains(page, "b.s3.amazonaws.com") {
		t.Errorf("the page of a held write without signing in: %d\n%s", code, page)
	}
	if code, _ := post(ts.Client(), a.ID, url.Values{"decision": {"approve"}}); code != http.StatusUnauthorized || status(a.ID) != vault.ApprovalPending {
		t.Errorf("an approval without signing in: %d, %s", code, status(a.ID))
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if code, _ := get(t, browser, con.LoginURL(ts.URL)); code != http.StatusOK {
		t.Fatalf("login: %d", code)
	}
	code, page := get(t, browser, ts.URL+"/approvals")
	if code != http.StatusOK || !strings.Contains(page, a.ID) || !strings.Contains(page, b.ID) || !strings.Contains(page, "ci-bot") {
		t.Fatalf("the approvals list: %d\n%s", code, page)
	}
	if _, page := get(t, browser, ts.URL+"/"); !strings.Contains(page, "approvals (2 waiting)") {
		t.Errorf("the timeline does not point at the 2 waiting writes")
	}
	_, page = get(t, browser, ts.URL+"/approvals/"+a.ID)
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the agent's summary is not escaped:\n%s", page)
	}
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the form:\n%s", page)
	}
	token := m[1]

	// Signed in, but without this session's token (a form another site
	// would post): refused.
	for _, bad := range []url.Values{{"decision": {"approve"}}, {"decision": {"approve"}, "csrf": {strings.Repeat("0", 64)}}} {
		if code, _ := post(browser, a.ID, bad); code != http.StatusForbidden || status(a.ID) != vault.ApprovalPending {
			t.Errorf("a decision with csrf %q: %d, %s", bad.Get("csrf"), code, status(a.ID))
		}
	}
	if code, _ := post(browser, a.ID, url.Values{"decision": {"maybe"}, "csrf": {token}}); code != http.StatusBadRequest {
		t.Errorf("decision maybe: %d", code)
	}
	if code, page := post(browser, a.ID, url.Values{"decision": {"approve"}, "csrf": {token}}); code != http.StatusOK || !strings.Contains(page, "approved by operator (console)") {
		t.Errorf("approving: %d\n%s", code, page)
	}
	if st := status(a.ID); st != vault.ApprovalApproved {
		t.Errorf("after approving: %s", st)
	}
	// Decided once: a second decision is refused and says by whom.
	if code, page := post(browser, a.ID, url.Values{"decision": {"reject"}, "csrf": {token}}); code != http.StatusConflict || !strings.Contains(page, "operator (console)") {
		t.Errorf("a second decision: %d\n%s", code, page)
	}
	// The held call takes its approval (it is then sent): the page still
	// says who approved it.
	if _, err := con.v.AwaitApproval(ctx, a.ID, "", "d"); err != nil || status(a.ID) != vault.ApprovalSent {
		t.Fatalf("the held call taking its approval: %s %v", status(a.ID), err)
	}
	if _, page := get(t, browser, ts.URL+"/approvals/"+a.ID); !strings.Contains(page, "approved by operator (console)") {
		t.Errorf("the page of an approved write whose call was sent:\n%s", page)
	}
	if code, _ := post(browser, b.ID, url.Values{"decision": {"reject"}, "csrf": {token}}); code != http.StatusOK || status(b.ID) != vault.ApprovalRejected {
		t.Errorf("rejecting: %d %s", code, status(b.ID))
	}
	if code, _ := post(browser, "apr_nothing", url.Values{"decision": {"reject"}, "csrf": {token}}); code != http.StatusNotFound {
		t.Errorf("deciding an unknown approval: %d", code)
	}
	_, page = get(t, browser, ts.URL+"/approvals")
	if !strings.Contains(page, "No writes are waiting.") || !strings.Contains(page, "rejected") {
		t.Errorf("the list after deciding:\n%s", page)
	}
}
