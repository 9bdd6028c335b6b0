package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// Transport names how clients reach the server.
type Transport string

const (
	Stdio Transport = "stdio" // newline-delimited JSON-RPC on stdin and stdout
	HTTP  Transport = "http"  // streamable HTTP at HTTPPath
	SSE   Transport = "sse"   // the 2024-11-05 HTTP+SSE transport at SSEPath and MessagePath
)

// Paths of the HTTP transports.
const (
	HTTPPath    = "/mcp"
	SSEPath     = "/sse"
	MessagePath = "/message"
	HealthPath  = "/healthz" // 200 without authentication, for load balancers
)

// Timeouts of the HTTP server. Streams (SSE, and streamable HTTP's GET) are
// long-lived, so there is no overall read or write timeout; a request body
// must arrive within bodyReadTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	bodyReadTimeout   = time.Minute
	// presizeMax: see readRequestBody. A 1 MiB piece in base64, in its message.
	presizeMax = 2 << 20
	// sseFlushGrace lets the SSE streams write the answers of the last calls
	// in flight before shutdown closes them: mcp-go queues an SSE answer on
	// the stream after the tool handler has returned.
	sseFlushGrace = 200 * time.Millisecond
)

// httpTransport is one HTTP transport's handler and what shutdown needs.
type httpTransport struct {
	handler http.Handler
	// closeSessions ends the long-lived streams, once no call is in flight.
	closeSessions func(ctx context.Context)
	// stop ends the transport's background work (session sweepers).
	stop func()
}

// Handler returns the http.Handler of transport t (HTTP or SSE) with
// authentication, DNS rebinding protection and the request size limit, for
// embedding in another server. Serve is the usual way to run it; a Handler
// keeps a background session sweeper until ctx is done.
func (s *Server) Handler(ctx context.Context, t Transport) (http.Handler, error) {
	ht, err := s.httpTransport(t)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, ht.stop)
	return ht.handler, nil
}

func (s *Server) httpTransport(t Transport) (*httpTransport, error) {
	var ht *httpTransport
	switch t {
	case HTTP:
		ht = s.streamable()
	case SSE:
		ht = s.sse()
	default:
		return nil, fmt.Errorf("server: %q is not an HTTP transport (want %s or %s)", t, HTTP, SSE)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	if s.o.OAuth != nil {
		// Clients read it before they have a token.
		for _, p := range s.o.OAuth.MetadataPaths() {
			mux.HandleFunc(p, s.o.OAuth.ServeMetadata)
		}
	}
	mux.Handle("/", s.authenticate(s.limitBody(ht.handler)))
	ht.handler = s.guard(mux)
	return ht, nil
}

// streamable is the streamable HTTP transport at HTTPPath.
func (s *Server) streamable() *httpTransport {
	opts := []mcpserver.StreamableHTTPOption{
		mcpserver.WithEndpointPath(HTTPPath),
		mcpserver.WithStreamableHTTPLogger(s.log),
		// guard checks Host and Origin, with the operator's allow lists.
		mcpserver.WithDisableLocalhostProtection(true),
	}
	var table *sessionTable
	if s.o.Stateless {
		opts = append(opts, mcpserver.WithStateLess(true))
	} else {
		table = newSessionTable(s.o.SessionIdleTTL)
		opts = append(opts, mcpserver.WithSessionIdManagerResolver(sessionResolver{table}))
		if s.o.SessionIdleTTL > 0 {
			// mcp-go's own sweeper frees its per-session state.
			opts = append(opts, mcpserver.WithSessionIdleTTL(s.o.SessionIdleTTL))
		}
	}
	h := mcpserver.NewStreamableHTTPServer(s.mcp, opts...)
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	inner := s.fastToolCalls(h)
	if table != nil {
		table.runSweeper(sweepCtx, func(ids []string) {
			s.log.Debug("idle HTTP sessions ended", "sessions", len(ids))
		})
		inner = s.checkSession(table, inner)
	}
	mux := http.NewServeMux()
	mux.Handle(HTTPPath, inner)
	return &httpTransport{
		handler: mux,
		closeSessions: func(ctx context.Context) {
			h.CloseSessions(ctx)
			if table != nil {
				table.endAll()
			}
		},
		stop: func() {
			stopSweep()
			_ = h.Shutdown(context.Background()) // stops mcp-go's sweeper; it serves no listener
		},
	}
}

// checkSession refuses a GET or DELETE that names a session its caller did
// not open (mcp-go checks POSTs through sessionResolver), so that no API key
// can listen to or end another's session.
func (s *Server) checkSession(table *sessionTable, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(mcpserver.HeaderKeySessionID)
		if id != "" && (r.Method == http.MethodGet || r.Method == http.MethodDelete) {
			caller, _ := r.Context().Value(callerKey{}).(string)
			if !table.use(id, caller) {
				http.Error(w, "alter-mcp: unknown or expired session; initialize again", http.StatusNotFound)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sseConn is one SSE stream: its caller, and how to end it.
type sseConn struct {
	caller string
	cancel context.CancelFunc
	id     string // set by the session id generator, on the stream's goroutine
}

type sseConnKey struct{}

// sse is the HTTP+SSE transport: a GET at SSEPath opens the stream, and
// messages are POSTed to MessagePath?sessionId=ID.
func (s *Server) sse() *httpTransport {
	table := newSessionTable(s.o.SessionIdleTTL)
	srv := mcpserver.NewSSEServer(s.mcp,
		mcpserver.WithSSEEndpoint(SSEPath),
		mcpserver.WithMessageEndpoint(MessagePath),
		mcpserver.WithSSEDisableLocalhostProtection(true),
		mcpserver.WithSessionIDGenerator(func(ctx context.Context, _ *http.Request) (string, error) {
			id := newID("sse-")
			if c, ok := ctx.Value(sseConnKey{}).(*sseConn); ok {
				c.id = id
				table.add(id, c.caller, c.cancel)
			}
			return id, nil
		}),
	)
	stream, message := srv.SSEHandler(), srv.MessageHandler()
	mux := http.NewServeMux()
	mux.HandleFunc(SSEPath, func(w http.ResponseWriter, r *http.Request) {
		caller, _ := r.Context().Value(callerKey{}).(string)
		ctx, cancel := context.WithCancel(r.Context())
		c := &sseConn{caller: caller, cancel: cancel}
		defer func() {
			cancel()
			if c.id != "" {
				table.remove(c.id)
			}
		}()
		stream.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sseConnKey{}, c)))
	})
	mux.HandleFunc(MessagePath, func(w http.ResponseWriter, r *http.Request) {
		caller, _ := r.Context().Value(callerKey{}).(string)
		if !table.use(r.URL.Query().Get("sessionId"), caller) {
			http.Error(w, "alter-mcp: unknown or expired session; open a new SSE stream", http.StatusNotFound)
			return
		}
		message.ServeHTTP(w, r)
	})
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	table.runSweeper(sweepCtx, func(ids []string) {
		s.log.Debug("idle SSE sessions ended", "sessions", len(ids))
	})
	return &httpTransport{
		handler: mux,
		closeSessions: func(ctx context.Context) {
			select {
			case <-time.After(sseFlushGrace):
			case <-ctx.Done():
			}
			table.endAll()
			srv.CloseSessions()
		},
		stop: stopSweep,
	}
}

// Serve serves transport t (HTTP or SSE) on l until ctx is done, then shuts
// down gracefully: it stops accepting, takes no new calls, lets the calls in
// flight finish for up to ShutdownTimeout (then cancels them), and closes
// the streams.
func (s *Server) Serve(ctx context.Context, l net.Listener, t Transport) error {
	s.served.Store(t)
	ht, err := s.httpTransport(t)
	if err != nil {
		return err
	}
	defer ht.stop()
	srv := &http.Server{
		Handler:           ht.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if s.o.TLSCertFile != "" || s.o.TLSKeyFile != "" {
			errc <- srv.ServeTLS(l, s.o.TLSCertFile, s.o.TLSKeyFile)
		} else {
			errc <- srv.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s on %s: %w", t, l.Addr(), err)
	case <-ctx.Done():
	}

	s.log.Info("shutting down", "transport", string(t), "deadline", s.o.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.o.ShutdownTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(shutdownCtx) }() // stops accepting; waits for requests
	if err := s.waitCalls(shutdownCtx); err != nil {
		s.log.Warn("shutdown", "error", err)
	}
	ht.closeSessions(shutdownCtx)
	if err := <-shut; err != nil {
		s.log.Warn("connections still open at the shutdown deadline were closed", "error", err)
		_ = srv.Close()
	}
	<-errc // http.ErrServerClosed
	s.log.Info("stopped")
	return nil
}

// guard is the DNS rebinding protection and CORS: it refuses requests whose
// Host or Origin is not allowed, and answers CORS preflights for allowed
// origins.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loopback := isLoopbackConn(r)
		if !s.hostAllowed(r.Host, loopback) {
			s.log.Warn("request refused: Host not allowed", "host", r.Host, "remote", r.RemoteAddr)
			http.Error(w, fmt.Sprintf("alter-mcp: Host %q is not allowed (DNS rebinding protection); the operator can allow it with --allowed-hosts", r.Host), http.StatusForbidden)
			return
		}
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !s.originAllowed(origin, loopback) {
			s.log.Warn("request refused: Origin not allowed", "origin", origin, "remote", r.RemoteAddr)
			http.Error(w, fmt.Sprintf("alter-mcp: Origin %q is not allowed; the operator can allow it with --allowed-origins", origin), http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "Mcp-Session-Id, WWW-Authenticate")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Last-Event-ID, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(&originWriter{ResponseWriter: w, origin: origin}, r)
	})
}

// originWriter sets Access-Control-Allow-Origin to the request's allowed
// origin, over mcp-go's SSE default of "*".
type originWriter struct {
	http.ResponseWriter
	origin string
	wrote  bool
}

func (o *originWriter) WriteHeader(code int) {
	if !o.wrote {
		o.wrote = true
		o.Header().Set("Access-Control-Allow-Origin", o.origin)
	}
	o.ResponseWriter.WriteHeader(code)
}

func (o *originWriter) Write(p []byte) (int, error) {
	if !o.wrote {
		o.WriteHeader(http.StatusOK)
	}
	return o.ResponseWriter.Write(p)
}

func (o *originWriter) Flush() {
	if !o.wrote {
		o.WriteHeader(http.StatusOK)
	}
	if f, ok := o.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (o *originWriter) Unwrap() http.ResponseWriter { return o.ResponseWriter }

// hostAllowed reports whether a request for host may be served. On a
// loopback connection, loopback names are always allowed and other names
// only when listed: a page whose DNS name was rebound to 127.0.0.1 sends its
// own name. On other connections every host is allowed unless a list is set.
func (s *Server) hostAllowed(host string, loopbackConn bool) bool {
	name := hostname(host)
	if loopbackConn && isLoopbackName(name) {
		return true
	}
	if len(s.o.AllowedHosts) == 0 {
		return !loopbackConn
	}
	for _, allowed := range s.o.AllowedHosts {
		allowed = strings.ToLower(allowed)
		if allowed == "*" || allowed == name {
			return true
		}
		if suffix, ok := strings.CutPrefix(allowed, "*."); ok && strings.HasSuffix(name, "."+suffix) {
			return true
		}
	}
	return false
}

// originAllowed reports whether a browser page of origin may call. Loopback
// origins are allowed on loopback connections; others only when listed.
func (s *Server) originAllowed(origin string, loopbackConn bool) bool {
	o := strings.TrimSuffix(strings.ToLower(origin), "/")
	for _, allowed := range s.o.AllowedOrigins {
		allowed = strings.TrimSuffix(strings.ToLower(allowed), "/")
		if allowed == "*" || allowed == o {
			return true
		}
	}
	if !loopbackConn {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return isLoopbackName(u.Hostname())
}

// hostname is host without its port, brackets and case.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.Trim(host, "[]"))
}

// isLoopbackName reports whether name is localhost or a loopback address.
func isLoopbackName(name string) bool {
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(name)
	return err == nil && ip.Unmap().IsLoopback()
}

// IsLoopbackAddress reports whether a listen address such as
// "127.0.0.1:8787" or "localhost:8787" is on the loopback interface only.
func IsLoopbackAddress(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackName(strings.ToLower(host))
}

// isLoopbackConn reports whether r arrived on a loopback address.
func isLoopbackConn(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok || addr == nil {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// authenticate establishes the caller of a request from its API key
// (Authorization: Bearer alter_key_…) or, when OAuth is on, its access
// token (authenticateToken), or refuses it with 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// One message: its reads of grants and callers, the key's
			// included, check the store's version once (a GET's stream
			// lives too long to hold one).
			r = r.WithContext(vault.OneVersionCheck(r.Context()))
		}
		header := r.Header.Get("Authorization")
		if header == "" && s.o.InsecureNoAuth && isLoopbackConn(r) {
			next.ServeHTTP(w, r.WithContext(withCaller(r.Context(), s.o.Caller)))
			return
		}
		scheme, key, _ := strings.Cut(header, " ")
		key = strings.TrimSpace(key)
		if header == "" || !strings.EqualFold(scheme, "Bearer") || key == "" {
			s.unauthorized(w, r, "", s.credentialsNeeded())
			return
		}
		if s.o.OAuth != nil && !strings.HasPrefix(key, vault.APIKeyPrefix) {
			s.authenticateToken(w, r, key, next)
			return
		}
		c, err := s.o.Vault.Authenticate(r.Context(), key)
		switch {
		case errors.Is(err, vault.ErrCallerNotFound) || errors.Is(err, vault.ErrCallerRevoked):
			// The vault's message names no secret: it says what is wrong and
			// what to do.
			s.unauthorized(w, r, "invalid_token", err.Error())
			return
		case err != nil:
			s.log.Error("could not check an API key", "error", err)
			http.Error(w, "alter-mcp could not check the API key; the server log has the details", http.StatusServiceUnavailable)
			return
		}
		ctx := context.WithValue(withCaller(r.Context(), c.Name), authenticatedKey{}, true)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, code, msg string) {
	challenge := `Bearer realm="alter-mcp"`
	switch {
	case s.o.OAuth != nil:
		challenge = s.o.OAuth.Challenge(code, msg)
	case code != "":
		challenge += fmt.Sprintf(`, error=%q, error_description=%q`, code, strings.ReplaceAll(msg, `"`, "'"))
	}
	s.log.Warn("request refused: not authenticated", "remote", r.RemoteAddr, "reason", msg)
	w.Header().Set("WWW-Authenticate", challenge)
	http.Error(w, msg, http.StatusUnauthorized)
}

// limitBody reads a request's body, up to MaxRequestBytes (413 beyond), so
// that no request can hold more memory than that.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		max := s.o.MaxRequestBytes
		if r.ContentLength > max {
			s.tooLarge(w, r)
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
		body, err := readRequestBody(http.MaxBytesReader(w, r.Body, max), r.ContentLength)
		_ = rc.SetReadDeadline(time.Time{})
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				s.tooLarge(w, r)
				return
			}
			http.Error(w, "alter-mcp: could not read the request body", http.StatusBadRequest)
			return
		}
		b := &bufferedBody{data: body}
		b.Reset(body)
		r.Body = b
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// readRequestBody reads r to its end into one buffer of the declared length
// (when there is one, and one byte more to see EOF without growing), so
// that a large message is not copied as io.ReadAll's buffer doubles. The
// length only sizes the buffer, up to presizeMax, so that a header alone
// cannot make the server hold more than that: what r holds is what is read.
// bufferedBody is a request body limitBody read whole; the fast tools/call
// path parses its data without a copy.
type bufferedBody struct {
	bytes.Reader
	data []byte
}

func (*bufferedBody) Close() error { return nil }

func readRequestBody(r io.Reader, declared int64) ([]byte, error) {
	if declared < 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(declared, presizeMax)+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // a body longer than declared: grow
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("request refused: body too large", "remote", r.RemoteAddr, "limit", s.o.MaxRequestBytes)
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("alter-mcp: the request body is larger than %d bytes (--max-request-bytes)", s.o.MaxRequestBytes), http.StatusRequestEntityTooLarge)
}
