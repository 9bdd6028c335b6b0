package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/internal/testvault"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Test credentials: AWS's documented example key, never a real one.
const (
	testKeyID  = testvault.KeyID
	testSecret = testvault.Secret
)

// env is a fake environment for Options.Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// syncBuffer is a buffer that may be written and read concurrently.
type syncBuffer = testutil.Buffer

// harness is an open vault in a temporary home, with its logs captured.
type harness struct {
	v    *vault.Vault
	home string
	env  env
	logs *syncBuffer
}

// newHarness opens a vault in a fresh home with fast retries. Options can
// be adjusted by mod before Open.
func newHarness(t *testing.T, e env, mod func(*vault.Options)) *harness {
	t.Helper()
	if e == nil {
		e = env{}
	}
	h := &harness{home: filepath.Join(t.TempDir(), "home"), env: e, logs: &syncBuffer{}}
	h.v = testvault.Open(t, e, func(o *vault.Options) {
		o.Home = h.home
		o.Logger = slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if mod != nil {
			mod(o)
		}
	})
	return h
}

// addGrant adds a grant with the test key (or the given one) and policy.
func (h *harness) addGrant(t *testing.T, name string, p policy.Policy, creds ...vault.StaticCredentials) vault.Grant {
	t.Helper()
	return testvault.Grant(t, h.v, name, p, creds...)
}

// audit returns the audit entries of the store, decoded, in order.
func (h *harness) audit(t *testing.T) []auditRecord {
	t.Helper()
	recs, err := h.v.Store().ListAudit(t.Context(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]auditRecord, 0, len(recs))
	for _, r := range recs {
		var e audit.Entry
		if err := json.Unmarshal(r.Data, &e); err != nil {
			t.Fatalf("audit record %d: %v", r.Seq, err)
		}
		out = append(out, auditRecord{Kind: r.Kind, Entry: e, Raw: string(r.Data)})
	}
	return out
}

// lastEnd returns the newest end record.
func (h *harness) lastEnd(t *testing.T) audit.Entry {
	t.Helper()
	recs := h.audit(t)
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == audit.KindEnd {
			return recs[i].Entry
		}
	}
	t.Fatal("no end record in the audit")
	return audit.Entry{}
}

type auditRecord struct {
	Kind  string
	Entry audit.Entry
	Raw   string
}

// fakeAWS is an HTTP server that checks every signature with aws-sdk-go-v2's
// signer (internal/sigcheck) before answering with handler, and counts the
// requests that reach it.
type fakeAWS struct {
	*httptest.Server
	verifier *sigcheck.Verifier
	hits     atomic.Int64 // requests received, verified or not
	conns    atomic.Int64 // connections opened to it
}

func newFakeAWS(t *testing.T, handler http.HandlerFunc) *fakeAWS {
	t.Helper()
	f := &fakeAWS{verifier: sigcheck.NewLookup(sigcheck.Static(testKeyID, testSecret))}
	checked := f.verifier.Handler(handler)
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		checked.ServeHTTP(w, r)
	}))
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// routedHarness is a harness whose AWS calls go to f (AWS_ENDPOINT_URL).
func routedHarness(t *testing.T, f *fakeAWS, mod func(*vault.Options)) *harness {
	return newHarness(t, env{"AWS_ENDPOINT_URL": f.URL}, mod)
}

// readAll reads and closes a response body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatalf("close body: %v", err)
	}
	return string(b)
}

// do makes a call and fails the test on a Go error.
func do(t *testing.T, v *vault.Vault, c vault.Call) (*http.Response, string) {
	t.Helper()
	resp, err := v.Request(t.Context(), c)
	if err != nil {
		t.Fatalf("Request %s %s: %v", c.Method, c.URL, err)
	}
	return resp, readAll(t, resp)
}

// failingAuditor fails Begin, to prove that nothing is sent then.
type failingAuditor struct{ begins atomic.Int64 }

func (a *failingAuditor) Begin(context.Context, *audit.Entry) error {
	a.begins.Add(1)
	return errors.New("disk full")
}
func (a *failingAuditor) End(context.Context, *audit.Entry) error { return nil }

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q does not contain %q", s, sub)
		}
	}
}
