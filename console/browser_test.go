package console

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RequireChromiumEnv, when set (CI sets it), makes the browser tests fail
// rather than skip without Chromium.
const RequireChromiumEnv = "ALTER_MCP_REQUIRE_CHROMIUM"

// chromium returns the path of a headless-capable Chromium, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(RequireChromiumEnv) != "" {
		t.Fatalf("Chromium is missing and %s is set (Debian: apt-get install chromium)", RequireChromiumEnv)
	}
	t.Skip("Chromium is missing (Debian: apt-get install chromium); the console was not tried in a browser")
	return ""
}

// dumpDOM loads url in headless Chromium, with a fresh profile, and
// returns the DOM once the page has loaded (redirects and cookies
// followed).
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--dump-dom", url)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr)
	}
	return string(out)
}

// TestConsoleInChromium loads the console in a real browser over a vault
// with real calls: the login URL (going on to a filter) shows the calls
// that match with their reasons, and the page without it shows none.
func TestConsoleInChromium(t *testing.T) {
	browser := chromium(t)
	con, ts, _ := testConsole(t)
	// The browser must see a loopback Host: the test server's address is.
	if h, _, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://")); !loopbackHost(h) {
		t.Fatalf("test server at %s", ts.URL)
	}
	dom := dumpDOM(t, browser, ts.URL+"/")
	if strings.Contains(dom, "quarterly") || strings.Contains(dom, "tidy up") || !strings.Contains(dom, `id="login"`) {
		t.Errorf("without the login URL the page shows:\n%s", dom)
	}
	dom = dumpDOM(t, browser, con.LoginURL(ts.URL)+"&next="+url.QueryEscape("/?decision=deny"))
	if !strings.Contains(dom, "tidy up old reports") || !strings.Contains(dom, "read_only") {
		t.Errorf("signed in, the denied call is not shown:\n%s", dom)
	}
	if strings.Contains(dom, "read the q1 figures") {
		t.Errorf("the filter decision=deny shows an allowed call:\n%s", dom)
	}
	if !strings.Contains(dom, "chain verified") {
		t.Errorf("no chain status:\n%s", dom)
	}
	// A screenshot of the whole page, signed in again on a second console
	// over the same vault: the page renders (ALTER_MCP_CONSOLE_SCREENSHOT
	// names a file to keep it in, for the README).
	con2, err := New(Options{Vault: con.v, Logger: con.log})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(con2.Handler())
	defer ts2.Close()
	shot := filepath.Join(t.TempDir(), "console.png")
	if keep := os.Getenv("ALTER_MCP_CONSOLE_SCREENSHOT"); keep != "" {
		shot = keep
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,800", "--user-data-dir="+t.TempDir(),
		"--screenshot="+shot, con2.LoginURL(ts2.URL))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if png, err := os.ReadFile(shot); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 10000 {
		t.Errorf("screenshot: %d bytes, %v", len(png), err)
	}

	// The stylesheet is served from the binary.
	resp, err := http.Get(ts.URL + "/assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
