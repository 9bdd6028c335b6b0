// Package postgres is the shared store: one PostgreSQL database that many
// alter-mcp replicas use at once, through a pgx/v5 connection pool.
// Importing it registers the postgres:// and postgresql:// schemes with
// store.Open.
//
// What the replicas share lives in the database and nowhere else: grants,
// callers, rotations, settings and the audit chain, so a grant revoked
// through one replica is refused by every other at its next call. The audit
// chain stays one chain however many replicas append: AppendAudit locks the
// chain's head row (SELECT ... FOR UPDATE on audit_head), reads it, inserts
// the records chained to it and moves the head in one transaction, so
// appends from all replicas are serialized in the database, each gets the
// next Seq, and none can fork, lose or repeat a record. A replica that dies
// holding the lock loses its connection, and PostgreSQL rolls its
// transaction back.
//
// The URL is libpq's (postgres://user@host:5432/db?sslmode=verify-full, or
// key=value pairs), with pgx's pool settings (pool_max_conns, ...); a
// password may come from PGPASSWORD or ~/.pgpass instead of the URL.
// Unless the URL says otherwise, every connection gets statement_timeout
// 30s, idle_in_transaction_session_timeout 60s (a stuck replica cannot hold
// the chain's lock longer) and application_name alter-mcp, and connecting
// gives up after 10s. Times are kept as bigint nanoseconds, so that they
// come back exactly as written.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/store/internal/sqlcol"
)

// Defaults a URL can override.
const (
	DefaultConnectTimeout = 10 * time.Second
	// defaultSessionParams are set on every connection unless the URL sets them.
	defaultStatementTimeout   = "30s"
	defaultIdleInTxTimeout    = "60s"
	defaultApplicationName    = "alter-mcp"
	rollbackTimeout           = 5 * time.Second
	minPoolConns, connsPerCPU = 8, 2
)

// Store is a store.Store in a PostgreSQL database. It is safe for
// concurrent use, and any number of processes may share the database.
type Store struct {
	// Tables answers for grants, callers, approvals, rotations and
	// settings, as store/sqlite does, through engine.
	sqlcol.Tables
	pool *pgxpool.Pool
	// where names the database for errors: the URL with its password hidden.
	where string
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Checker = (*Store)(nil)
)

func init() {
	store.Register("postgres", openURL)
	store.Register("postgresql", openURL)
}

func openURL(ctx context.Context, url string) (store.Store, error) { return Open(ctx, url) }

// Open connects to the database that url names, checks that it answers,
// and brings its schema up to date (migrations run one process at a time,
// under an advisory lock). It fails, naming the database and never its
// password, when the database cannot be reached or was migrated by a newer
// alter-mcp.
func Open(ctx context.Context, url string) (*Store, error) {
	where := store.Redact(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message is redacted by pgx; ours names the URL redacted.
		return nil, fmt.Errorf("store %s: %w", where, err)
	}
	applyDefaults(cfg, url)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", where, err)
	}
	s := &Store{pool: pool, where: where}
	s.Tables = sqlcol.NewTables(engine{s})
	if err := s.ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store %s: %w", where, s.explain(err))
	}
	return s, nil
}

// applyDefaults sets what the URL leaves unset: session parameters, the
// connect timeout and the pool's size.
func applyDefaults(cfg *pgxpool.Config, url string) {
	rp := cfg.ConnConfig.RuntimeParams
	for k, v := range map[string]string{
		"statement_timeout":                   defaultStatementTimeout,
		"idle_in_transaction_session_timeout": defaultIdleInTxTimeout,
		"application_name":                    defaultApplicationName,
	} {
		if _, set := rp[k]; !set {
			rp[k] = v
		}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(minPoolConns, connsPerCPU*runtime.GOMAXPROCS(0)))
	}
}

// ping checks that the database answers, with an error that says what to
// check when it does not.
func (s *Store) ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store %s: %w", s.where, s.explain(err))
	}
	return nil
}

// Close closes the pool's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Check reports the server's version, the schema's version and how long a
// round trip takes, for doctor; it fails as the store's calls would.
func (s *Store) Check(ctx context.Context) (string, error) {
	start := time.Now()
	var version string
	var schema int
	err := s.pool.QueryRow(ctx, `SELECT current_setting('server_version'),
		(SELECT COALESCE(MAX(version), 0) FROM schema_migrations)`).Scan(&version, &schema)
	if err != nil {
		return "", fmt.Errorf("store %s: %w", s.where, s.explain(err))
	}
	st := s.pool.Stat()
	return fmt.Sprintf("PostgreSQL %s, schema %d, round trip %s, %d of %d connections open",
		version, schema, time.Since(start).Round(10*time.Microsecond), st.TotalConns(), st.MaxConns()), nil
}

// explain adds what a person should check to errors that mean the database
// is out of reach, refused the login or timed out; other errors are
// returned as they are, and so is an error explained already.
func (s *Store) explain(err error) error {
	var (
		pe *pgconn.PgError
		ce *pgconn.ConnectError
		oe *net.OpError
		h  *hint
	)
	switch {
	case err == nil || errors.As(err, &h):
		return err
	case errors.As(err, &pe):
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return &hint{"PostgreSQL refused the login: check the user and password (URL, PGPASSWORD or ~/.pgpass)", err}
		case "3D000": // invalid_catalog_name
			return &hint{"the database does not exist: create it (createdb) or fix the URL", err}
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return &hint{"the database ended the connection (a restart or failover?); the next call connects again", err}
		case "57014": // query_canceled: statement_timeout
			return &hint{"the database did not answer within statement_timeout", err}
		}
		return err
	case errors.As(err, &ce), pgconn.Timeout(err):
		return &hint{"cannot reach PostgreSQL (is it running, and does the URL name its host and port?)", err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.As(err, &oe):
		return &hint{"lost the connection to PostgreSQL (a network failure, or the server went away); the next call connects again", err}
	}
	return err
}

// hint is an error with what to check about it in front.
type hint struct {
	msg string
	err error
}

func (h *hint) Error() string { return h.msg + ": " + h.err.Error() }
func (h *hint) Unwrap() error { return h.err }

// inTx runs f in a transaction and commits it. The rollback that ends a
// failed (or panicking) f runs on a context of its own: a cancelled call
// must still release its locks at once.
func (s *Store) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.explain(err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
		defer cancel()
		_ = tx.Rollback(rctx) // a no-op after Commit
	}()
	if err := f(tx); err != nil {
		return err
	}
	return s.explain(tx.Commit(ctx))
}
