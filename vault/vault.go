package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Options configure Open. Zero fields take their defaults from the
// environment (Getenv) and then from built-in defaults.
type Options struct {
	// Home is the folder for the store and master key (0700):
	// ALTER_MCP_HOME, else $XDG_DATA_HOME/alter-mcp, else ~/.local/share/alter-mcp.
	// It is created only when something is kept in it.
	Home string
	// Store is the store's URL: ALTER_MCP_STORE, else sqlite://<home>/alter.db.
	// It is opened with store.Open, through the driver registered for its
	// scheme: the vault links none, so a program imports the ones it uses,
	// _ "github.com/alter-mcp/alter-mcp/store/sqlite" (sqlite:///abs/path)
	// or _ "github.com/alter-mcp/alter-mcp/store/postgres" (postgres://...,
	// for many replicas sharing one database).
	Store string
	// Backend, when set, is an open store to use instead of Store; Close
	// leaves it open.
	Backend store.Store
	// MasterKey is the 32-byte master key: ALTER_MCP_MASTER_KEY (base64),
	// else <home>/master.key, created 0600 on first use. Open copies it.
	MasterKey []byte
	// Custom endpoints the operator configured (emulators, proxies).
	Custom []urlparse.Custom
	// Transport sends requests; nil means a tuned http.Transport with
	// ConnectTimeout and ResponseHeaderTimeout.
	Transport http.RoundTripper
	// AuditSinks also receive every audit record once it is committed (a
	// JSONL file, stderr: copies for a SIEM; the store stays the source of
	// truth). Only for the vault's own audit log (Auditor nil).
	AuditSinks []audit.Sink
	// Auditor records every call; nil means the vault's audit log
	// (AuditLog), a hash chain in the store.
	Auditor Auditor
	Logger  *slog.Logger
	// Getenv reads the environment (ALTER_MCP_*, AWS_ENDPOINT_URL*); nil: os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil: time.Now.
	Now func() time.Time

	// MaxAttempts bounds the attempts of one call, the first included:
	// 0 means 3, 1 turns retries off.
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the backoff between attempts:
	// a random delay up to min(RetryMaxDelay, RetryBaseDelay·2^(attempt-1)).
	// Zero means 200ms and 10s.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// ConnectTimeout bounds connecting (TCP and TLS) and
	// ResponseHeaderTimeout waiting for the response headers once the
	// request is sent, for the default Transport. Zero means 10s and 5m
	// (a model call can think for minutes before it answers).
	ConnectTimeout        time.Duration
	ResponseHeaderTimeout time.Duration
}

// Vault holds grants and callers and makes calls with them. It is safe for
// concurrent use.
type Vault struct {
	// store is backend, behind a cache of grants and callers when the
	// backend keeps a data version (cache.go).
	store    store.Store
	backend  store.Store
	ownStore bool
	// holdMu serializes holding writes for approval (approvals.go), so
	// that a caller's count of pending ones is not raced past.
	holdMu    sync.Mutex
	sealer    *sealer
	keyID     string
	parser    *urlparse.Parser
	auditor   Auditor
	audit     *audit.Log
	transport http.RoundTripper
	// ownTransport is the transport Open made, whose idle connections
	// Close closes.
	ownTransport *http.Transport
	log          *slog.Logger
	getenv       func(string) string
	now          func() time.Time
	limiter      policy.Limiter
	// providers caches the credential providers of profile and assume-role grants.
	providers providers
	info      Info

	// prev is the other master key while a rekey is unfinished: it opens
	// what is still sealed with it, and sealer seals (rekey.go). keyFile is
	// <home>/master.key when the master key came from it, "" otherwise.
	prev    *sealer
	keyFile string
	// standby is the key a rekey run by another process moves to, held
	// before the store knows it (rekey.go): it only opens.
	standby *sealer
	// hooks are for tests of rotation and rekey; zero in use.
	hooks testHooks

	maxAttempts         int
	baseDelay, maxDelay time.Duration

	closeOnce sync.Once
	closeErr  error
}

// Environment variables Open reads.
const (
	EnvHome      = "ALTER_MCP_HOME"
	EnvStore     = "ALTER_MCP_STORE"
	EnvMasterKey = "ALTER_MCP_MASTER_KEY"
	// EnvMasterKeyPrevious is the old master key while a rekey of a vault
	// whose key is ALTER_MCP_MASTER_KEY is unfinished (see Rekey).
	EnvMasterKeyPrevious = "ALTER_MCP_MASTER_KEY_PREVIOUS"
)

// Open opens the vault: it finds the home folder, opens the store, loads (or
// makes, on first use) the master key and checks that it is the key the store
// was sealed with (ErrWrongMasterKey otherwise). While a rekey is unfinished
// it also takes the new key from <home>/master.key.next, or the old one from
// ALTER_MCP_MASTER_KEY_PREVIOUS, and logs a warning (see Rekey).
func Open(ctx context.Context, o Options) (*Vault, error) {
	v := &Vault{
		log:         o.Logger,
		getenv:      o.Getenv,
		now:         o.Now,
		maxAttempts: o.MaxAttempts,
		baseDelay:   o.RetryBaseDelay,
		maxDelay:    o.RetryMaxDelay,
		transport:   o.Transport,
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.getenv == nil {
		v.getenv = os.Getenv
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxAttempts <= 0 {
		v.maxAttempts = 3
	}
	if v.baseDelay <= 0 {
		v.baseDelay = 200 * time.Millisecond
	}
	if v.maxDelay <= 0 {
		v.maxDelay = 10 * time.Second
	}
	if v.transport == nil {
		t := newTransport(o.ConnectTimeout, o.ResponseHeaderTimeout)
		v.transport, v.ownTransport = t, t
	}
	v.parser = &urlparse.Parser{Custom: append([]urlparse.Custom(nil), o.Custom...)}
	if err := v.parser.Validate(); err != nil {
		return nil, fmt.Errorf("custom endpoints: %w", err)
	}

	home, err := resolveHome(o.Home, v.getenv)
	if err != nil {
		return nil, err
	}

	// The store.
	dsn := ""
	if o.Backend != nil {
		v.store = o.Backend
	} else {
		dsn = firstNonEmpty(o.Store, v.getenv(EnvStore))
		if dsn == "" {
			if err := makeHome(home); err != nil {
				return nil, err
			}
			dsn = "sqlite://" + filepath.Join(home, "alter.db")
		}
		if v.store, err = store.Open(ctx, dsn); err != nil {
			return nil, err
		}
		v.ownStore = true
	}
	v.backend = v.store
	if vs, ok := v.store.(store.Versioned); ok {
		v.store = newCachedStore(v.store, vs)
	}
	fail := func(err error) (*Vault, error) {
		if v.ownStore {
			v.backend.Close()
		}
		return nil, err
	}

	// The master key, checked against the store's check value.
	check, err := v.store.GetSetting(ctx, settingMasterCheck)
	switch {
	case errors.Is(err, store.ErrNotFound):
		check = nil
	case err != nil:
		return fail(fmt.Errorf("read the master key check from the store: %w", err))
	}
	key, where, err := loadMasterKey(o.MasterKey, home, v.getenv, check == nil)
	if err != nil {
		return fail(err)
	}
	v.sealer, err = newSealer(key)
	clear(key)
	if err != nil {
		return fail(fmt.Errorf("master key from %s: %w", where, err))
	}
	v.keyID = v.sealer.keyID
	if check == nil {
		value, err := v.sealer.checkValue()
		if err != nil {
			return fail(err)
		}
		// Created only if unset: of replicas starting together on a new
		// store, one key wins, and a replica given another key is refused
		// below rather than sealing with it.
		switch err := v.store.CreateSetting(ctx, settingMasterCheck, value); {
		case errors.Is(err, store.ErrConflict):
			if check, err = v.store.GetSetting(ctx, settingMasterCheck); err != nil {
				return fail(fmt.Errorf("read the master key check from the store: %w", err))
			}
		case err != nil:
			return fail(fmt.Errorf("store the master key check: %w", err))
		default:
			check = value
		}
	}
	// adoptKeys checks the key, and takes in the second key of an
	// unfinished rekey (rekey.go).
	if err := v.adoptKeys(ctx, home, where, dsn, check); err != nil {
		return fail(err)
	}
	v.info = Info{Home: home, Store: redactDSN(dsn), MasterKeySource: where, MasterKeyID: v.keyID}

	if v.audit, err = v.openAudit(ctx, o.AuditSinks); err != nil {
		return fail(err)
	}
	v.auditor = o.Auditor
	if v.auditor == nil {
		v.auditor = v.audit
	}
	return v, nil
}

// Close closes the store, if Open opened it. Calls in flight may fail.
func (v *Vault) Close() error {
	v.closeOnce.Do(func() {
		if v.audit != nil {
			v.closeErr = v.audit.Close() // before the store: it writes what is left
		}
		if v.ownStore {
			v.closeErr = errors.Join(v.closeErr, v.backend.Close())
		}
		if v.ownTransport != nil {
			v.ownTransport.CloseIdleConnections()
		}
	})
	return v.closeErr
}

// Store returns the vault's store, for the audit and other readers.
// Its ListAudit first waits for the end records the audit log has queued
// (audit.Log.EndLater), so that it holds every call that has returned.
func (v *Vault) Store() store.Store {
	if v.audit == nil {
		return v.backend
	}
	if c, ok := v.backend.(store.Checker); ok {
		return checkingView{storeView{v.backend, v.audit}, c}
	}
	return storeView{v.backend, v.audit}
}

// storeView is the store as Store returns it.
type storeView struct {
	store.Store
	audit *audit.Log
}

// ListAudit implements store.Store.
func (s storeView) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	if err := s.audit.Flush(ctx); err != nil && !errors.Is(err, audit.ErrClosed) {
		return nil, err
	}
	return s.Store.ListAudit(ctx, q)
}

// checkingView is a storeView of a store.Checker, which doctor asks.
type checkingView struct {
	storeView
	store.Checker
}

// redactDSN hides a password in a store URL such as postgres://user:pw@host/db.
func redactDSN(dsn string) string { return store.Redact(dsn) }

func storeName(dsn string) string {
	if dsn == "" {
		return ""
	}
	return " " + redactDSN(dsn)
}

// resolveHome returns the home folder, without creating it.
func resolveHome(home string, getenv func(string) string) (string, error) {
	if home == "" {
		home = getenv(EnvHome)
	}
	if home == "" {
		if xdg := getenv("XDG_DATA_HOME"); xdg != "" && filepath.IsAbs(xdg) {
			home = filepath.Join(xdg, "alter-mcp")
		}
	}
	if home == "" {
		dir, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home folder: %w; set %s", err, EnvHome)
		}
		home = filepath.Join(dir, ".local", "share", "alter-mcp")
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", fmt.Errorf("home folder %s: %w", home, err)
	}
	return abs, nil
}

// makeHome creates the home folder 0700 (and its parents) if needed, and
// refuses one that every user may write to: anyone could then replace the
// store or the master key under the vault.
func makeHome(home string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("create the home folder: %w", err)
	}
	info, err := os.Stat(home)
	if err != nil {
		return fmt.Errorf("home folder %s: %w", home, err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("home folder %s is writable by every user (mode %04o): anyone could replace the vault's store or master key. Make it yours alone (chmod 700 %s) or choose another ALTER_MCP_HOME",
			home, info.Mode().Perm(), home)
	}
	return nil
}

// newTransport is the default Transport: proxies from the environment,
// HTTP/2, bounded connect and response-header waits, and a pool of idle
// connections sized for many concurrent agents.
func newTransport(connect, header time.Duration) *http.Transport {
	if connect <= 0 {
		connect = 10 * time.Second
	}
	if header <= 0 {
		header = 5 * time.Minute
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = connect
	t.ResponseHeaderTimeout = header
	t.ExpectContinueTimeout = time.Second
	// A shared server's agents call the same few endpoints at once: keep
	// as many idle connections a host as calls are usually in flight to
	// it, so that the next ones reuse them instead of opening (a TLS
	// handshake each) and closing them again. At 64 clients, 16 a host
	// cost a quarter of the calls a second (BENCHMARKS.md).
	t.MaxIdleConnsPerHost = 128
	t.MaxIdleConns = 512
	// The vault reports what AWS sent; it does not ask for compression it
	// would then have to undo.
	t.DisableCompression = true
	return t
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
