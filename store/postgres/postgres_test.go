package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/pgtest"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/postgres"
	"github.com/alter-mcp/alter-mcp/store/storetest"
)

// open opens the store at u; t closes it.
func open(t testing.TB, u string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	pgtest.Admin(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(t.Context(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceShared runs the shared suite on two pools on one schema,
// as two replicas would use it.
func TestConformanceShared(t *testing.T) {
	pgtest.Admin(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		u := pgtest.URL(t)
		a, err := postgres.Open(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		b, err := postgres.Open(t.Context(), u)
		if err != nil {
			a.Close()
			t.Fatal(err)
		}
		return a, b
	})
}

// TestOpenByURL opens the store through the registry, under both schemes.
func TestOpenByURL(t *testing.T) {
	u := pgtest.URL(t)
	for _, scheme := range []string{"postgres", "postgresql"} {
		v := scheme + u[strings.Index(u, ":"):]
		s, err := store.Open(t.Context(), v)
		if err != nil {
			t.Fatalf("store.Open(%s): %v", scheme, err)
		}
		if _, ok := s.(*postgres.Store); !ok {
			t.Errorf("store.Open(%s) = %T", scheme, s)
		}
		s.Close()
	}
}

// TestMigrateTogether opens one new schema from several pools at once, as
// replicas starting together do: the advisory lock lets one migrate and the
// others find the work done.
func TestMigrateTogether(t *testing.T) {
	u := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), u)
			if err == nil {
				_, err = s.GetSetting(t.Context(), "x")
				if errors.Is(err, store.ErrNotFound) {
					err = nil
				}
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := open(t, u)
	info, err := s.Check(t.Context())
	if err != nil || !strings.Contains(info, "schema 4,") || !strings.Contains(info, "PostgreSQL") {
		t.Errorf("Check = %q, %v", info, err)
	}
}

// TestNewerSchema refuses a database that a newer alter-mcp migrated.
func TestNewerSchema(t *testing.T) {
	u := pgtest.URL(t)
	open(t, u).Close()
	pgtest.Exec(t, u, `INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)`)
	_, err := postgres.Open(t.Context(), u)
	if err == nil || !strings.Contains(err.Error(), "newer alter-mcp (schema 99, this build knows 4)") {
		t.Errorf("Open of a schema from the future: %v", err)
	}
}

// TestUnreachable: a database that does not answer fails Open at once,
// saying what to check and never showing the password.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	start := time.Now()
	_, err = store.Open(t.Context(), "postgres://alter:hunter2@"+addr+"/alter?connect_timeout=5")
	switch {
	case err == nil:
		t.Fatal("Open of a closed port succeeded")
	case !strings.Contains(err.Error(), "cannot reach PostgreSQL"), !strings.Contains(err.Error(), "alter:xxxxx@"+addr),
		strings.Contains(err.Error(), "hunter2"):
		t.Errorf("error %q: want it to say the database cannot be reached, with the URL redacted", err)
	case time.Since(start) > 5*time.Second:
		t.Errorf("Open took %v to fail", time.Since(start))
	}

	// A listener that never answers: the connect timeout ends the wait.
	l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start = time.Now()
	_, err = store.Open(t.Context(), "postgres://alter@"+l.Addr().String()+"/alter?connect_timeout=1")
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || time.Since(start) > 4*time.Second {
		t.Errorf("a silent server: %v after %v; want cannot reach, after about 1s", err, time.Since(start))
	}
}

// TestAppendWaitsForTheHead holds the chain's head row from another
// session: an append waits for it (statement_timeout bounds the wait, and
// it fails saying so, with nothing written), and goes through at once when
// the session holding it dies.
func TestAppendWaitsForTheHead(t *testing.T) {
	u := pgtest.URL(t)
	tu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := tu.Query()
	q.Set("statement_timeout", "300ms")
	tu.RawQuery = q.Encode()
	s := open(t, tu.String())

	holder, _ := pgtest.LockHead(t, u)
	one := func(head store.AuditHead) ([]store.AuditRecord, error) {
		return []store.AuditRecord{{ID: fmt.Sprint("r", head.Seq+1), Kind: "begin", PrevHash: head.Hash, Hash: fmt.Sprint("h", head.Seq+1)}}, nil
	}
	start := time.Now()
	_, err = s.AppendAudit(t.Context(), one)
	if err == nil || !strings.Contains(err.Error(), "statement_timeout") {
		t.Errorf("append while another session holds the head: %v; want a statement_timeout error", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("the append gave up after %v, want about the 300ms statement_timeout", d)
	}

	// The holder dies (its connection closes without a commit): the lock
	// goes with it.
	holder.PgConn().Conn().Close()
	recs, err := s.AppendAudit(t.Context(), one)
	if err != nil || len(recs) != 1 || recs[0].Seq != 1 {
		t.Fatalf("append after the holder died: %v %v; want Seq 1", recs, err)
	}
}

// TestConnectionsKilled ends every connection of the store's pool on the
// server's side, as a database restart or failover does: a call may fail
// (nothing is half written), and the pool then connects again.
func TestConnectionsKilled(t *testing.T) {
	u := pgtest.URL(t)
	tu, _ := url.Parse(u)
	q := tu.Query()
	q.Set("application_name", "alter-mcp-killed-"+q.Get("search_path"))
	tu.RawQuery = q.Encode()
	s := open(t, tu.String())
	appendOne := func() ([]store.AuditRecord, error) {
		return s.AppendAudit(t.Context(), func(head store.AuditHead) ([]store.AuditRecord, error) {
			return []store.AuditRecord{{ID: fmt.Sprint("r", head.Seq+1), Kind: "begin", PrevHash: head.Hash, Hash: fmt.Sprint("h", head.Seq+1)}}, nil
		})
	}
	if _, err := appendOne(); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, u, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, q.Get("application_name"))
	failures := 0
	for range 3 {
		if _, err := appendOne(); err != nil {
			failures++
			t.Logf("append on a killed connection: %v", err)
		}
	}
	if failures > 2 {
		t.Errorf("%d of 3 appends after the connections were killed failed; the pool does not reconnect", failures)
	}
	recs, err := s.ListAudit(t.Context(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) || (i > 0 && r.PrevHash != recs[i-1].Hash) {
			t.Fatalf("record %d: Seq %d, PrevHash %s: the chain broke", i, r.Seq, r.PrevHash)
		}
	}
	if len(recs) != 1+3-failures {
		t.Errorf("%d records, want %d", len(recs), 1+3-failures)
	}
}
