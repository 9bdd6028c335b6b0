package server

import (
	"strings"
	"testing"
)

// TestToolNameHeaderMustMatchBody: a 2026-07-28 request names its method
// and tool in headers (Mcp-Method, Mcp-Name) for edge filtering; a request
// whose header names another tool than its body is refused before any tool
// runs, so a gateway that filters on the header cannot be stepped around.
func TestToolNameHeaderMustMatchBody(t *testing.T) {
	t.Parallel()
	v, keys := testVault(t)
	stateful, _ := serveHTTP(t, newTestServer(t, v, nil, nil), HTTP)
	stateless, _ := serveHTTP(t, newTestServer(t, v, nil, func(o *Options) { o.Stateless = true }), HTTP)
	body := func(tool string) string {
		return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + tool + `","arguments":{},` +
			`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}}}`
	}
	headers := func(name string) map[string]string {
		h := bearer(keys["alice"])
		h["Mcp-Protocol-Version"] = "2026-07-28"
		h["Mcp-Method"] = "tools/call"
		if name != "" {
			h["Mcp-Name"] = name
		}
		return h
	}
	for _, tc := range []struct {
		name, header, tool string
		ok                 bool
	}{
		{"header and body agree", "list_grants", "list_grants", true},
		{"header names another tool", "list_grants", "aws_request", false},
		{"header names a harmless tool, body a write", "list_grants", "s3_put", false},
		{"header missing", "", "list_grants", false},
	} {
		for mode, base := range map[string]string{"stateful": stateful, "stateless": stateless} {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				resp := post(t, base+HTTPPath, headers(tc.header), body(tc.tool))
				out := readBody(t, resp)
				refused := resp.StatusCode >= 400 || strings.Contains(out, `"error":{`)
				if tc.ok && (refused || !strings.Contains(out, `"grants"`)) {
					t.Fatalf("status %d: %s", resp.StatusCode, out)
				}
				if !tc.ok && !refused {
					t.Fatalf("a request whose Mcp-Name header is %q and body names %q was served: %d %s", tc.header, tc.tool, resp.StatusCode, out)
				}
				if !tc.ok && strings.Contains(out, `"isError"`) {
					t.Errorf("the tool ran (a tool error came back), want the request refused: %s", out)
				}
			})
		}
	}
}
