package urlparse

import (
	"errors"
	"net/url"
	"strings"
)

// parts are the pieces of a URL that Parse reads.
type parts struct {
	scheme   string // lower case
	host     string // host[:port] as written (url.URL.Host)
	path     string // decoded
	rawPath  string // as written
	rawQuery string
	userinfo bool
	opaque   bool
}

// split splits a URL the way net/url does. Plain URLs (https://host/path?query
// with nothing net/url would treat specially) take a fast path that does not
// allocate; everything else goes through url.Parse. A fuzz test holds the fast
// path to url.Parse's answers, so that what urlparse approves is what an HTTP
// client built on net/url sends.
func split(raw string) (parts, error) {
	if p, ok := splitFast(raw); ok {
		return p, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return parts{}, err
	}
	p := parts{
		scheme:   u.Scheme,
		host:     u.Host,
		path:     u.Path,
		rawPath:  u.RawPath,
		rawQuery: u.RawQuery,
		userinfo: u.User != nil,
		opaque:   u.Opaque != "",
	}
	if p.rawPath == "" {
		p.rawPath = u.EscapedPath()
	}
	return p, nil
}

// splitFast handles URLs made only of: http:// or https://, a host of
// letters, digits, dots and hyphens with an optional numeric port, a path of
// RFC 3986 path characters with well-formed percent escapes, and a query of
// printable ASCII. No userinfo, IPv6 literal, fragment or backslash.
func splitFast(raw string) (parts, bool) {
	var p parts
	switch {
	case strings.HasPrefix(raw, "https://"):
		p.scheme, raw = "https", raw[len("https://"):]
	case strings.HasPrefix(raw, "http://"):
		p.scheme, raw = "http", raw[len("http://"):]
	default:
		return p, false
	}
	i := 0
	colon := -1
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == '/' || c == '?' {
			break
		}
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.':
			if colon >= 0 && (c < '0' || c > '9') {
				return p, false // a port is digits
			}
		case c == ':' && colon < 0:
			colon = i
		default:
			return p, false
		}
	}
	if i == 0 || colon == 0 || colon == i-1 {
		return p, false // no host, or host: with an empty port
	}
	p.host, raw = raw[:i], raw[i:]
	path, query, hasQuery := strings.Cut(raw, "?")
	escapes := false
	for j := 0; j < len(path); j++ {
		c := path[j]
		if chars[c]&pathChar != 0 {
			continue
		}
		if c != '%' || j+2 >= len(path) || chars[path[j+1]]&hexChar == 0 || chars[path[j+2]]&hexChar == 0 {
			return p, false
		}
		escapes = true
		j += 2
	}
	for j := 0; j < len(query); j++ {
		if chars[query[j]]&queryChar == 0 {
			return p, false
		}
	}
	p.path, p.rawPath = path, path
	if escapes {
		dec, err := url.PathUnescape(path)
		if err != nil {
			return p, false
		}
		p.path = dec
	}
	if hasQuery {
		p.rawQuery = query
	}
	return p, true
}

// Character classes for splitFast and checkHost.
const (
	pathChar  = 1 << iota // may appear unescaped in a path: RFC 3986 pchar and '/', not '%'
	queryChar             // printable ASCII other than '#'
	hexChar
	hostChar // a-z 0-9 - : what a lower-case DNS label may hold
)

var chars = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if alnum || strings.IndexByte("-._~!$&'()*+,;=:@/", byte(c)) >= 0 {
			t[c] |= pathChar
		}
		if c > ' ' && c < 0x7f && c != '#' {
			t[c] |= queryChar
		}
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			t[c] |= hexChar
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			t[c] |= hostChar
		}
	}
	return t
}()

// urlError turns url.Parse's error into an *Error without repeating the URL
// (url.Error's message includes the query, which may hold a signature).
func urlError(rawURL string, err error) error {
	reason := "not a valid URL"
	var ue *url.Error
	if errors.As(err, &ue) {
		reason += ": " + printable(ue.Err.Error())
	}
	if strings.Contains(rawAuthority(rawURL), "%") {
		reason = "the host is percent-encoded: write the hostname in plain letters, digits, hyphens and dots"
	}
	return &Error{URL: redact(rawURL), Reason: reason, Kind: ErrMalformed}
}
