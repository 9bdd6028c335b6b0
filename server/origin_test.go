package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestOriginAndHost(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	s := newTestServer(t, v, nil, func(o *Options) {
		o.AllowedOrigins = []string{"https://app.example.com"}
	})
	base, _ := serveHTTP(t, s, HTTP)
	auth := "Bearer " + keys["alice"]
	port := base[strings.LastIndex(base, ":")+1:]
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no origin", map[string]string{}, http.StatusOK},
		{"loopback origin", map[string]string{"Origin": "http://localhost:6274"}, http.StatusOK},
		{"listed origin", map[string]string{"Origin": "https://app.example.com"}, http.StatusOK},
		{"other origin", map[string]string{"Origin": "https://evil.example.com"}, http.StatusForbidden},
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"rebound host", map[string]string{"Host": "evil.example.com:" + port}, http.StatusForbidden},
		{"rebound host and origin", map[string]string{"Host": "evil.example.com", "Origin": "http://evil.example.com"}, http.StatusForbidden},
		{"localhost host", map[string]string{"Host": "localhost:" + port}, http.StatusOK},
		{"ipv6 loopback host", map[string]string{"Host": "[::1]:" + port}, http.StatusOK},
	} {
		tc.header["Authorization"] = auth
		resp := post(t, base+HTTPPath, tc.header, initializeBody)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.want, readBody(t, resp))
		}
		if o := tc.header["Origin"]; tc.want == http.StatusOK && o != "" {
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != o {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.name, got, o)
			}
		}
	}
	// The Origin is checked before the key: a page cannot even learn
	// whether a key is good.
	if resp := post(t, base+HTTPPath, map[string]string{"Origin": "https://evil.example.com"}, initializeBody); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bad origin without a key: %d, want 403", resp.StatusCode)
	}

	// A preflight from an allowed origin is answered without a key.
	req, _ := http.NewRequest(http.MethodOptions, base+HTTPPath, nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestHostAndOriginRules(t *testing.T) {
	t.Parallel()
	s := &Server{o: Options{AllowedHosts: []string{"mcp.example.com", "*.corp.example"}}}
	for _, tc := range []struct {
		host     string
		loopback bool
		want     bool
	}{
		{"localhost:8787", true, true},
		{"127.0.0.1:8787", true, true},
		{"[::1]:8787", true, true},
		{"mcp.example.com", true, true},
		{"MCP.example.com:443", false, true},
		{"a.corp.example", false, true},
		{"corp.example", false, false},
		{"evil.example.com", true, false},
		{"evil.example.com", false, false},
	} {
		if got := s.hostAllowed(tc.host, tc.loopback); got != tc.want {
			t.Errorf("hostAllowed(%q, loopback %v) = %v, want %v", tc.host, tc.loopback, got, tc.want)
		}
	}
	open := &Server{}
	if !open.hostAllowed("anything.example", false) || open.hostAllowed("anything.example", true) {
		t.Error("without --allowed-hosts: any host on other connections, loopback names only on loopback")
	}
	for _, tc := range []struct {
		origin   string
		loopback bool
		want     bool
	}{
		{"http://localhost:3000", true, true},
		{"http://127.0.0.1", true, true},
		{"https://[::1]:8443", true, true},
		{"http://localhost:3000", false, false},
		{"file://localhost", true, false},
		{"http://localhost.evil.example", true, false},
		{"https://evil.example", true, false},
	} {
		if got := open.originAllowed(tc.origin, tc.loopback); got != tc.want {
			t.Errorf("originAllowed(%q, loopback %v) = %v, want %v", tc.origin, tc.loopback, got, tc.want)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:8787": true, "localhost:1": true, "[::1]:80": true, "0.0.0.0:8787": false, ":8787": false, "10.0.0.1:80": false, "127.0.0.1": false} {
		if got := IsLoopbackAddress(addr); got != want {
			t.Errorf("IsLoopbackAddress(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestSSEAllowOrigin checks that an SSE stream opened from an allowed page
// names that page's origin, not mcp-go's "*".
func TestSSEAllowOrigin(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	base, _ := serveHTTP(t, newTestServer(t, v, nil, nil), SSE)
	req, _ := http.NewRequest(http.MethodGet, base+SSEPath, nil)
	req.Header.Set("Authorization", "Bearer "+keys["alice"])
	req.Header.Set("Origin", "http://localhost:6274")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:6274" {
		t.Errorf("Access-Control-Allow-Origin %q, want the page's origin", got)
	}
}
