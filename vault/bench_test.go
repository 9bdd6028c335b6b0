package vault_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// BenchmarkRequest is one S3 GetObject through vault.Request on the
// embedded store, for a registered caller, with a durable begin record,
// against a local endpoint: what the vault adds to a call (alter-bench
// measures the whole program from outside).
func BenchmarkRequest(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	b.Cleanup(srv.Close)
	v := testvault.Open(b, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, nil)
	testvault.Grant(b, v, "g", policy.Policy{})
	if _, _, err := v.AddCaller(b.Context(), "agent", []string{"g"}); err != nil {
		b.Fatal(err)
	}
	call := vault.Call{URL: s3URL, Grant: "g", Caller: "agent", Tool: "bench"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := v.Request(b.Context(), call)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
