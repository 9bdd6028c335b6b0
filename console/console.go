// Package console serves the audit console: a web page over a vault's
// audit trail, for auditors and operators. It shows the calls agents made
// (who, with which grant, why, what AWS answered), each call's detail, the
// refusals, the activity per grant and per caller, and whether the hash
// chain verifies; the one thing it changes is the writes held for approval,
// which a signed-in operator approves or rejects (approvals.go).
//
// Nothing is shown without signing in: the console makes a one-time login
// token at start (LoginURL, printed by `alter-mcp console`, as notebook
// servers do); opening it sets a session cookie and spends the token. The
// page and its stylesheet are embedded in the binary.
package console

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alter-mcp/alter-mcp/vault"
)

//go:embed assets
var assets embed.FS

// SessionCookie names the cookie of a signed-in browser.
const SessionCookie = "alter_console"

// sessionTTL is how long a signed-in browser stays signed in.
const sessionTTL = 12 * time.Hour

// Options configure a Console.
type Options struct {
	Vault  *vault.Vault
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Operator names who decides approvals in this console, in the audit
	// ("alice" is recorded "alice (console)"); "" means "operator".
	Operator string
}

// Console is the audit console's HTTP handler and its sign-in state.
type Console struct {
	v    *vault.Vault
	log  *slog.Logger
	now  func() time.Time
	tmpl *template.Template
	// operator decides approvals; csrfKey makes each session's CSRF token.
	operator string
	csrfKey  [32]byte

	mu       sync.Mutex
	token    string               // the one-time login token; "" once spent
	sessions map[string]time.Time // session cookie values → expiry
	// The last verification of the chain, and when it was made; verifyMu
	// keeps one walk of the chain at a time, apart from sign-in's mu.
	verifyMu  sync.Mutex
	lastChain chainStatus
	verified  time.Time
}

// New makes a console over o.Vault with a fresh one-time login token.
func New(o Options) (*Console, error) {
	if o.Vault == nil {
		return nil, errors.New("console: Options.Vault is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	t, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	c := &Console{v: o.Vault, log: o.Logger, now: o.Now, tmpl: t, token: randomHex(), sessions: map[string]time.Time{},
		operator: strings.TrimSpace(o.Operator)}
	if c.operator == "" {
		c.operator = "operator"
	}
	_, _ = rand.Read(c.csrfKey[:])
	return c, nil
}

// LoginURL is the URL that signs a browser in, once, on a console served at
// base (http://127.0.0.1:8788).
func (c *Console) LoginURL(base string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.TrimRight(base, "/") + "/login?token=" + url.QueryEscape(c.token)
}

// Handler serves the console.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", c.login)
	mux.Handle("GET /assets/", http.FileServerFS(assets))
	mux.Handle("GET /{$}", c.signedIn(c.timeline))
	mux.Handle("GET /calls/{id}", c.signedIn(c.detail))
	mux.Handle("GET /approvals", c.signedIn(c.approvals))
	mux.Handle("GET /approvals/{id}", c.signedIn(c.approval))
	mux.Handle("POST /approvals/{id}", c.signedIn(c.decide))
	return secured(mux)
}

// login spends the one-time token for a session cookie, then goes to next
// (a path of this console) or the timeline.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	got := r.URL.Query().Get("token")
	c.mu.Lock()
	ok := c.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) == 1
	var sid string
	if ok {
		c.token = "" // one time only
		sid = randomHex()
		c.sessions[sid] = c.now().Add(sessionTTL)
	}
	c.mu.Unlock()
	if !ok {
		c.log.Warn("console: login refused: the token is wrong or already used", "remote", r.RemoteAddr)
		c.render(w, http.StatusUnauthorized, "login.html", nil)
		return
	}
	c.log.Info("console: signed in", "remote", r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: int(sessionTTL.Seconds())})
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signedIn serves h to signed-in browsers, and the sign-in page to others.
func (c *Console) signedIn(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(SessionCookie)
		ok := false
		if err == nil {
			c.mu.Lock()
			exp, found := c.sessions[ck.Value]
			ok = found && c.now().Before(exp)
			if found && !ok {
				delete(c.sessions, ck.Value)
			}
			c.mu.Unlock()
		}
		if !ok {
			c.render(w, http.StatusUnauthorized, "login.html", nil)
			return
		}
		h(w, r)
	})
}

// secured sets the headers every answer carries, and refuses Host names
// that are not loopback ones when the request came over loopback (DNS
// rebinding).
func secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && net.ParseIP(host).IsLoopback() && !loopbackHost(r.Host) {
			http.Error(w, "forbidden Host", http.StatusForbidden)
			return
		}
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer") // the login URL's token goes nowhere
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Console) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.tmpl.ExecuteTemplate(w, name, data); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
	}
}

func randomHex() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
