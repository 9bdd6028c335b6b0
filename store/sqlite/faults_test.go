package sqlite

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
)

// TestStoreFullOrReadOnly: a vault on a store that cannot be written (the
// disk is full: SQLITE_FULL, here from max_page_count; the file became
// read-only: query_only) fails closed: the call is refused with an error
// that says the audit could not be written and nothing was sent, AWS sees
// nothing, and once the store takes writes again the same vault serves.
func TestStoreFullOrReadOnly(t *testing.T) {
	for _, tc := range []struct {
		name, fault, heal, want string
	}{
		{"full", "PRAGMA max_page_count = 1", "PRAGMA max_page_count = 1073741823", "full"},
		{"read-only", "PRAGMA query_only = 1", "PRAGMA query_only = 0", "readonly"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			var hits atomic.Int64
			aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Write([]byte("ok"))
			}))
			t.Cleanup(aws.Close)
			s, err := Open(ctx, filepath.Join(t.TempDir(), "alter.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			env := map[string]string{"AWS_ENDPOINT_URL": aws.URL}
			v, err := vault.Open(ctx, vault.Options{Home: filepath.Join(t.TempDir(), "home"), Backend: s,
				Getenv: func(k string) string { return env[k] }, RetryBaseDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { v.Close() })
			g, err := v.AddGrant(ctx, vault.GrantSpec{Name: "g", Static: &vault.StaticCredentials{
				AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
			if err != nil {
				t.Fatal(err)
			}
			call := func() error {
				resp, err := v.Request(ctx, vault.Call{URL: "https://reports.s3.us-east-1.amazonaws.com/k", Grant: g.ID})
				if err == nil {
					resp.Body.Close()
				}
				return err
			}
			if err := call(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.write.ExecContext(ctx, tc.fault); err != nil {
				t.Fatal(err)
			}
			// SQLite keeps max_page_count at least the pages in use, so the
			// store is full once the next record needs a page: call until
			// then; each call must be refused or sent, never sent unaudited.
			var before int64
			for range 500 {
				before = hits.Load()
				if err = call(); err != nil {
					break
				}
			}
			if !errors.Is(err, vault.ErrAudit) || !strings.Contains(err.Error(), "nothing was sent") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("a call with the store %s: %v; want ErrAudit saying nothing was sent, and why", tc.name, err)
			}
			if got := hits.Load(); got != before {
				t.Errorf("AWS got %d requests with the store %s", got-before, tc.name)
			}
			if _, err := s.write.ExecContext(ctx, tc.heal); err != nil {
				t.Fatal(err)
			}
			if err := call(); err != nil {
				t.Errorf("once the store takes writes again: %v", err)
			}
			if rep, err := v.AuditLog().Verify(ctx); err != nil || rep.Problem != nil {
				t.Errorf("audit verify: %v, %v", rep, err)
			}
		})
	}
}
