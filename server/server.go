// Package server builds alter-mcp's MCP server and serves it over stdio,
// streamable HTTP or SSE. It establishes who is calling (the API key's vault
// caller on HTTP, the operator's --caller on stdio), hands that to every tool
// call as a tools.Session, and shuts down without cutting calls in flight.
//
// Identity never comes from tool arguments: what an agent writes in a
// "reason" is its claim; the caller is what the transport proved.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alter-mcp/alter-mcp/oauth"
	"github.com/alter-mcp/alter-mcp/prompts"
	"github.com/alter-mcp/alter-mcp/tools"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of the zero Options.
const (
	DefaultMaxRequestBytes = 10 << 20
	DefaultShutdownTimeout = 30 * time.Second
)

// Name is the server name reported to MCP clients.
const Name = "alter-mcp"

const instructions = `alter-mcp calls AWS for you without giving you an AWS key. The operator keeps keys in a
vault as grants; you name a grant (list_grants shows those you may use) and every call is
checked against that grant's policy, signed inside the vault and recorded in an audit trail.
Give a short, true reason with each call: it is recorded. A refused call says which rule
refused it; do not try to get around a refusal.`

// Options configure a Server. The zero value of each field but Vault is a
// sensible default.
type Options struct {
	Vault   *vault.Vault
	Version string // reported to clients as the server version
	Logger  *slog.Logger

	// Tools selects the tools offered (serve --toolsets, --tools,
	// --exclude-tools, --read-only).
	Tools tools.Options
	// DefaultGrant is used by tool calls that name no grant.
	DefaultGrant string
	// Approvals hold writes of confirm_writes grants for an operator when
	// the client cannot ask its user (serve --approval-wait, --approval-url);
	// zero refuses them.
	Approvals tools.Approvals
	// SpoolDir keeps truncated response bodies; "" lets the tools choose.
	SpoolDir string
	// FilesDir is the folder s3_put may upload files from and s3_get save
	// objects into (serve --files-dir, which allows it over stdio only: the
	// folder is the one agent's); "" refuses both.
	FilesDir string

	// Caller is the vault caller of stdio sessions, and of HTTP requests
	// that carry no API key when InsecureNoAuth is set. "" is the operator,
	// who may use every grant; the MCP client's name is still recorded.
	Caller string

	// AllowedOrigins are the browser origins ("https://app.example.com")
	// whose requests are served; requests without an Origin header are
	// served too. Empty: loopback origins only (http://localhost:*, ...).
	AllowedOrigins []string
	// AllowedHosts are the Host header values (without port) served.
	// Empty: on a loopback connection, loopback names only (DNS rebinding
	// protection); on other connections, any.
	AllowedHosts []string
	// InsecureNoAuth serves HTTP requests without an API key, as Caller.
	// It is refused on connections that are not loopback.
	InsecureNoAuth bool
	// MaxRequestBytes bounds the body of one HTTP request, and one stdio
	// message (answered with an error, the server reading on); 0 means
	// DefaultMaxRequestBytes.
	MaxRequestBytes int64
	// SessionIdleTTL ends HTTP sessions (streamable HTTP and SSE) that saw
	// no request for this long; 0 keeps them until the client ends them.
	SessionIdleTTL time.Duration
	// Stateless serves streamable HTTP without sessions, so that any replica
	// behind a load balancer can answer any request. Clients of the
	// initialize era are then not remembered between requests.
	Stateless bool
	// ShutdownTimeout bounds how long calls in flight may take to finish
	// once shutdown begins; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// ListChangedInterval is how often sessions are checked for grants that
	// changed, to send them notifications/tools/list_changed; 0 is
	// DefaultListChangedInterval.
	ListChangedInterval time.Duration
	// OAuth, when set, accepts OAuth access tokens on HTTP, beside API keys,
	// and serves the Protected Resource Metadata that points clients to
	// the authorization servers.
	OAuth *oauth.Verifier
	// TLSCertFile and TLSKeyFile make Serve speak HTTPS.
	TLSCertFile string
	TLSKeyFile  string
	// Metrics, when set, counts tool requests and sessions; its calls are
	// counted by the vault's audit log, which must have it as a sink.
	Metrics *Metrics
	// Tracing, when set, makes a span of every tool call and records its
	// trace in the audit; the spans of AWS calls are made by the vault's
	// audit log, which must have it as a sink.
	Tracing *Tracing
}

// Server is alter-mcp's MCP server: the tools, prompts and resources of one
// vault, served over one transport at a time.
type Server struct {
	o   Options
	log *slog.Logger
	mcp *mcpserver.MCPServer

	// Calls in flight, and the shutdown that waits for them.
	mu       sync.Mutex
	inflight int
	idle     chan struct{} // closed when inflight drops to 0 while draining
	draining atomic.Bool
	// hardStop is cancelled when the shutdown deadline passes: calls still
	// running are cancelled then.
	hardStop       context.Context
	cancelHardStop context.CancelFunc
	// tools removes what the tools keep on disk, at Close.
	tools *tools.Registered
	// watch tells sessions their tool lists changed (listchanged.go).
	watch watcher
	// served is the Transport being served, for the metrics of sessions.
	served atomic.Value
	// requestLog is the logger of mcp-go's lines per request and tool call,
	// which the fast tools/call path writes too (fastcall.go).
	requestLog *slog.Logger
	// noFastCalls leaves every message to mcp-go (tests compare the two);
	// fastCalls counts the calls the fast path answered.
	noFastCalls bool
	fastCalls   atomic.Int64
	// headerBinding holds, by tool name, whether a tool binds arguments to
	// headers (fastcall.go).
	headerBinding sync.Map
}

// Close removes what the server keeps on disk (the response spool). Call it
// once serving is over; a server is not served again after Close.
func (s *Server) Close() error {
	s.stopWatcher()
	if s.tools == nil {
		return nil
	}
	return s.tools.Close()
}

// New builds the MCP server: its tools and resources (tools.Register) and
// prompts (prompts.Register), with the middleware that gives every tool call
// its Session.
func New(o Options) (*Server, error) {
	if o.Vault == nil {
		return nil, errors.New("server: Options.Vault is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	s := &Server{o: o, log: o.Logger}
	s.hardStop, s.cancelHardStop = context.WithCancel(context.Background())

	s.watch = watcher{sessions: map[string]*watched{}, stop: make(chan struct{}), done: make(chan struct{})}
	s.requestLog = slog.New(requestLines{o.Logger.Handler()})
	hooks := &mcpserver.Hooks{}
	hooks.AddOnRegisterSession(s.watchSession)
	hooks.AddOnUnregisterSession(s.unwatchSession)
	if m := o.Metrics; m != nil {
		hooks.AddOnRegisterSession(func(_ context.Context, cs mcpserver.ClientSession) {
			if t, ok := s.served.Load().(Transport); ok && cs != nil {
				m.sessionOpened(cs.SessionID(), t)
			}
		})
		hooks.AddOnUnregisterSession(func(_ context.Context, cs mcpserver.ClientSession) {
			if cs != nil {
				m.sessionClosed(cs.SessionID())
			}
		})
	}
	hooks.AddAfterListTools(func(_ context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		res.SetCacheHints(toolListTTL.Milliseconds(), mcp.CacheScopePrivate)
	})
	hooks.AddAfterInitialize(func(ctx context.Context, _ any, req *mcp.InitializeRequest, res *mcp.InitializeResult) {
		s.log.Info("MCP client connected",
			"client", clientString(req.Params.ClientInfo),
			"protocol", res.ProtocolVersion,
			"caller", callerOrOperator(s.sessionOf(ctx)),
			"session", sessionID(ctx))
	})
	// The fast tools/call path runs none of mcp-go's hooks: with one that
	// a tool call would run, every call goes to mcp-go.
	s.noFastCalls = hooksOnToolCalls(hooks)
	s.mcp = mcpserver.NewMCPServer(Name, o.Version,
		mcpserver.WithInstructions(instructions),
		mcpserver.WithToolCapabilities(true), // notifications/tools/list_changed
		mcpserver.WithResourceCapabilities(false, false),
		mcpserver.WithPromptCapabilities(false),
		mcpserver.WithLogging(),
		mcpserver.WithLogger(s.requestLog),
		mcpserver.WithHooks(hooks),
		mcpserver.WithToolHandlerMiddleware(s.toolMiddleware),
		mcpserver.WithResourceHandlerMiddleware(s.resourceMiddleware),
	)
	spoolDir := o.SpoolDir
	if home := o.Vault.Info().Home; spoolDir == "" && home != "" {
		spoolDir = filepath.Join(home, "spool")
	}
	var err error
	s.tools, err = tools.Register(s.mcp, tools.Deps{
		Vault:        o.Vault,
		DefaultGrant: o.DefaultGrant,
		SpoolDir:     spoolDir,
		SessionOf:    s.sessionNoted,
		Logger:       o.Logger,
		Approvals:    o.Approvals,
		FilesDir:     o.FilesDir,
	}, o.Tools)
	if err != nil {
		return nil, err
	}
	prompts.Register(s.mcp)
	interval := o.ListChangedInterval
	if interval <= 0 {
		interval = DefaultListChangedInterval
	}
	go s.runWatcher(interval)
	return s, nil
}

// MCP returns the underlying mcp-go server, for tests and embedders that add
// their own tools.
func (s *Server) MCP() *mcpserver.MCPServer { return s.mcp }

// callerKey carries the caller a transport established, in a request's context.
type callerKey struct{}

// withCaller returns ctx carrying the vault caller of its request.
func withCaller(ctx context.Context, caller string) context.Context {
	return context.WithValue(ctx, callerKey{}, caller)
}

// sessionOf assembles the tools.Session of a request: the caller from the
// transport, the client's name and version from the initialize handshake (or,
// from 2026-07-28 on, from the request's own _meta, which names the client
// but never the caller), and the MCP session id.
//
// The caller an API key authenticated is that registered caller. Any other
// name (--caller, or the MCP client's name on stdio without it) is resolved
// against the vault (vault.ResolveCaller): a registered caller of that name
// limits the session to its grants, any other name is the operator recorded
// by that name. On stdio this happens once, at the session's first call, and
// holds for the whole session.
func (s *Server) sessionOf(ctx context.Context) tools.Session {
	caller, _ := ctx.Value(callerKey{}).(string)
	_, authenticated := ctx.Value(authenticatedKey{}).(bool)
	var client mcp.Implementation
	if info := mcpserver.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientInfo != nil {
		client = *info.ClientInfo
	} else if cs, ok := mcpserver.ClientSessionFromContext(ctx).(mcpserver.SessionWithClientInfo); ok {
		client = cs.GetClientInfo()
	}
	sess := tools.Session{Client: clientString(client), SessionID: sessionID(ctx)}
	switch st, stdio := ctx.Value(stdioSessionKey{}).(*stdioSession); {
	case authenticated:
		sess.Caller, sess.Name = caller, caller
		sess.OAuth, _ = ctx.Value(tokenKey{}).(vault.OAuthIdentity)
	case stdio:
		name := caller
		if name == "" {
			name = client.Name
			if cs, ok := mcpserver.ClientSessionFromContext(ctx).(mcpserver.SessionWithClientInfo); ok && cs.GetClientInfo().Name != "" {
				name = cs.GetClientInfo().Name // the handshake's, where there was one
			}
		}
		sess.Caller, sess.Name, sess.Err = st.pin(ctx, s.o.Vault, name)
	default:
		sess.Name = caller
		sess.Caller, sess.Err = s.o.Vault.ResolveCaller(ctx, caller)
	}
	return sess
}

// authenticatedKey marks a request whose caller an API key or an access
// token authenticated.
type authenticatedKey struct{}

func sessionID(ctx context.Context) string {
	if cs := mcpserver.ClientSessionFromContext(ctx); cs != nil {
		if st, ok := ctx.Value(stdioSessionKey{}).(*stdioSession); ok && cs.SessionID() == "stdio" {
			return st.id // mcp-go names every stdio session "stdio"; ours are unique
		}
		return cs.SessionID()
	}
	return ""
}

// stdioSessionKey carries the *stdioSession of a ServeStdio.
type stdioSessionKey struct{}

// stdioSession is what a stdio session keeps for its whole life: its id and
// who its calls are made as.
type stdioSession struct {
	id   string
	mu   sync.Mutex
	done bool
	name string // --caller, or the client's name taken at the first call
	// caller is name resolved against the vault; "" is the operator.
	caller string
}

// pin returns the session's caller and name: name, resolved, the first time
// it is asked, and the same ever after. A failure to resolve (a revoked
// caller, the store unreadable) is returned and tried again next time, with
// the name already fixed.
func (st *stdioSession) pin(ctx context.Context, v *vault.Vault, name string) (caller, fixed string, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.done {
		if st.name == "" {
			st.name = name
		}
		if st.caller, err = v.ResolveCaller(ctx, st.name); err != nil {
			return "", st.name, err
		}
		st.done = true
	}
	return st.caller, st.name, nil
}

func clientString(c mcp.Implementation) string {
	switch {
	case c.Name == "":
		return ""
	case c.Version == "":
		return c.Name
	default:
		return c.Name + "/" + c.Version
	}
}

func callerOrOperator(sess tools.Session) string {
	switch {
	case sess.Caller != "":
		return sess.Caller
	case sess.Name != "":
		return sess.Name + " (operator)"
	}
	return "(operator)"
}

// toolMiddleware wraps every tool call: it refuses new calls once shutdown
// has begun, counts the call in flight, gives it its Session, keeps it
// running through a graceful shutdown until the deadline, and turns a panic
// into an error that names no secret.
func (s *Server) toolMiddleware(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		if !s.begin() {
			return mcp.NewToolResultError("alter-mcp is shutting down and takes no new calls; call again when it is back"), nil
		}
		defer s.end()
		ctx, cancel := s.callContext(vault.OneVersionCheck(ctx))
		defer cancel()
		sess := s.sessionNoted(ctx)
		if s.o.Tracing != nil {
			var span trace.Span
			ctx, span = s.o.Tracing.startToolCall(ctx, req, sess.SessionID)
			if sc := span.SpanContext(); sc.IsValid() {
				sess.TraceID = sc.TraceID().String()
				if sc.IsSampled() { // the AWS calls' spans need a recorded parent
					sess.SpanID = sc.SpanID().String()
				}
			}
			defer func() { endToolCall(span, res, err) }()
		}
		ctx = tools.WithSession(ctx, sess)
		defer func() {
			if p := recover(); p != nil {
				// The panic value may hold anything; only its type and the
				// stack go to the log, never to the client.
				s.log.Error("tool panicked", "tool", req.Params.Name, "panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
				res, err = mcp.NewToolResultError(fmt.Sprintf("internal error in %s; the server log has the details", req.Params.Name)), nil
			}
			if s.o.Metrics != nil {
				s.o.Metrics.toolRequest(req.Params.Name, err != nil || res == nil || res.IsError)
			}
		}()
		return next(ctx, req)
	}
}

// resourceMiddleware gives resource reads (alter://responses/{id}) their
// Session, so that a caller reads only what its own calls spooled.
func (s *Server) resourceMiddleware(next mcpserver.ResourceHandlerFunc) mcpserver.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return next(tools.WithSession(ctx, s.sessionOf(ctx)), req)
	}
}

// begin counts a call in flight, or returns false once shutdown has begun.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining.Load() {
		return false
	}
	s.inflight++
	return true
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	if s.inflight == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// callContext detaches a call from its transport's cancellation while the
// server drains: a call cancelled by its client is cancelled, but one whose
// connection or stdin is closing because the server shuts down runs on until
// it ends or the shutdown deadline passes.
func (s *Server) callContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stopParent := context.AfterFunc(parent, func() {
		if !s.draining.Load() {
			cancel()
		}
	})
	stopHard := context.AfterFunc(s.hardStop, cancel)
	return ctx, func() {
		stopParent()
		stopHard()
		cancel()
	}
}

// drain begins shutdown: no new tool calls are taken. It returns a channel
// closed once no call is in flight.
func (s *Server) drain() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draining.Store(true)
	done := make(chan struct{})
	if s.inflight == 0 {
		close(done)
	} else if s.idle == nil {
		s.idle = done
	} else {
		done = s.idle
	}
	return done
}

// inFlight reports how many tool calls are running.
func (s *Server) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight
}

// waitCalls begins shutdown and waits until no call is in flight or ctx is
// done; then, if calls are still running, it cancels them.
func (s *Server) waitCalls(ctx context.Context) error {
	if n := s.inFlight(); n > 0 {
		s.log.Info("shutting down: waiting for calls in flight", "calls", n)
	}
	select {
	case <-s.drain():
		return nil
	case <-ctx.Done():
		n := s.inFlight()
		s.cancelHardStop()
		s.log.Warn("shutdown deadline passed: cancelling calls in flight", "calls", n)
		return fmt.Errorf("%d calls still in flight at the shutdown deadline were cancelled", n)
	}
}

// newID returns prefix and 16 random bytes in hex.
func newID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
