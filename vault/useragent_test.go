package vault_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Every request the vault sends names alter-mcp, its version and the
// grant in its User-Agent (CloudTrail's userAgent), which is never signed:
// an agent's "user-agent" header, in any spelling, is replaced, and the
// fake AWS checks each signature with aws-sdk-go-v2's signer.
func TestUserAgent(t *testing.T) {
	var mu sync.Mutex
	var got []http.Header
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("X-Amz-Request-Id", "REQ1")
		io.WriteString(w, "<ListAllMyBucketsResult/>")
	})
	h := routedHarness(t, f, nil)
	h.addGrant(t, "reports", policy.Policy{})
	for _, header := range []http.Header{nil, {"user-agent": {"evil/1.0"}}, {"User-Agent": {"agent/2"}}} {
		resp, err := h.v.Request(t.Context(), vault.Call{URL: "https://s3.us-east-1.amazonaws.com/", Grant: "reports", Header: header})
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 200 {
			t.Fatalf("%v: %d %s", header, resp.StatusCode, body)
		}
	}
	want := "alter-mcp/" + vault.Version() + " (grant reports)"
	if vault.UserAgent("reports") != want || !strings.HasPrefix(vault.Version(), "v") && vault.Version() != "dev" {
		t.Errorf("UserAgent %q, Version %q", vault.UserAgent("reports"), vault.Version())
	}
	if len(got) != 3 {
		t.Fatalf("%d requests reached AWS", len(got))
	}
	for i, hd := range got {
		if ua := hd.Values("User-Agent"); len(ua) != 1 || ua[0] != want {
			t.Errorf("request %d: User-Agent %q, want %q", i, ua, want)
		}
		if auth := hd.Get("Authorization"); strings.Contains(strings.ToLower(auth), "user-agent") {
			t.Errorf("request %d signs the User-Agent: %s", i, auth)
		}
	}
}
