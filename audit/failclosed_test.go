package audit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestFailClosed: when the store cannot take the begin record, the vault
// sends nothing and says so.
func TestFailClosed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	s, _ := openStore(t)
	fs := &switchableStore{failingStore: failingStore{s}}
	v := openVault(t, t.TempDir(), env{"AWS_ENDPOINT_URL": srv.URL}, func(o *vault.Options) { o.Backend = fs })
	g, err := v.AddGrant(t.Context(), vault.GrantSpec{Name: "g",
		Static: &vault.StaticCredentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})
	if err != nil {
		t.Fatal(err)
	}
	fs.fail.Store(true)
	_, err = v.Request(t.Context(), vault.Call{URL: "https://reports.s3.us-east-1.amazonaws.com/k", Grant: g.ID})
	if !errors.Is(err, vault.ErrAudit) || !strings.Contains(err.Error(), "nothing was sent") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want ErrAudit saying nothing was sent, and why", err)
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests were sent without a begin record", hits.Load())
	}
	fs.fail.Store(false)
	resp, err := v.Request(t.Context(), vault.Call{URL: "https://reports.s3.us-east-1.amazonaws.com/k", Grant: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("%d requests sent once the store works again", hits.Load())
	}
	mustVerify(t, v.AuditLog())
}

// switchableStore fails appends while fail is set.
type switchableStore struct {
	failingStore
	fail atomic.Bool
}

func (s *switchableStore) AppendAudit(ctx context.Context, build func(store.AuditHead) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	if s.fail.Load() {
		return s.failingStore.AppendAudit(ctx, build)
	}
	return s.failingStore.Store.AppendAudit(ctx, build)
}

// env is a fake environment for vault.Options.Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func openVault(t *testing.T, home string, e env, mod func(*vault.Options)) *vault.Vault {
	t.Helper()
	return testvault.Open(t, e, func(o *vault.Options) {
		o.Home = home
		if mod != nil {
			mod(o)
		}
	})
}
