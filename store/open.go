package store

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Driver opens a store from its URL. A backend registers one for each
// scheme it serves (store/sqlite: sqlite and file; store/postgres: postgres
// and postgresql), in an init function, so that a program links only the
// backends it imports:
//
//	import _ "github.com/alter-mcp/alter-mcp/store/sqlite"
type Driver func(ctx context.Context, url string) (Store, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available under a URL scheme (lower case, no
// colon). It panics when the scheme is taken, as database/sql does: two
// backends claiming one scheme is a programming error.
func Register(scheme string, d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if d == nil {
		panic("store: Register of a nil driver for " + scheme)
	}
	if _, dup := drivers[scheme]; dup {
		panic("store: Register called twice for scheme " + scheme)
	}
	drivers[scheme] = d
}

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	s := make([]string, 0, len(drivers))
	for k := range drivers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Open opens the store that rawURL names (sqlite:///var/lib/alter/alter.db,
// postgres://alter@db.internal/alter), with the driver registered for its
// scheme. Its own errors name the URL with the password hidden (Redact);
// a driver's errors are returned as they are, and name the store the way
// the driver does (a file's path, the URL redacted).
func Open(ctx context.Context, rawURL string) (Store, error) {
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("store %q: not a URL: write sqlite:///path/to/alter.db or postgres://user@host/db", Redact(rawURL))
	}
	driversMu.RLock()
	d := drivers[strings.ToLower(scheme)]
	driversMu.RUnlock()
	if d == nil {
		return nil, fmt.Errorf("store %s: no driver for %q in this program (it has: %s); a Go program links one with import _ \"github.com/alter-mcp/alter-mcp/store/%s\"",
			Redact(rawURL), scheme, orNothing(strings.Join(Schemes(), ", ")), driverPackage(scheme))
	}
	return d(ctx, rawURL)
}

// driverPackage guesses the package of a scheme's driver, for the message
// of a program that did not link it.
func driverPackage(scheme string) string {
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return "postgres"
	case "file":
		return "sqlite"
	}
	return strings.ToLower(scheme)
}

func orNothing(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// passwordParam matches a password given as a parameter: password=... in
// a URL's query or in a key=value connection string, quoted or not. Compiled at its first use, not at every start.
var passwordParam = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)
})

// Redact returns a store URL fit for logs and errors: a password, in the
// URL's user info or as a password parameter, becomes "xxxxx".
func Redact(rawURL string) string {
	out := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			out = u.String()
		}
	} else if err != nil {
		// Not a URL that parses (a key=value string, or a password with
		// characters a URL does not allow): hide what follows user: up to
		// the last @ of the authority.
		if scheme, rest, ok := strings.Cut(rawURL, "://"); ok {
			host, path, hasPath := strings.Cut(rest, "/")
			if at := strings.LastIndex(host, "@"); at >= 0 {
				if user, _, hasPW := strings.Cut(host[:at], ":"); hasPW {
					host = user + ":xxxxx" + host[at:]
				}
			}
			out = scheme + "://" + host
			if hasPath {
				out += "/" + path
			}
		}
	}
	return passwordParam().ReplaceAllString(out, "${1}xxxxx")
}
