package urlparse

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Kinds of refusal. Every error Parse returns is an *Error whose Kind is one
// of these, so callers can tell them apart with errors.Is.
var (
	// ErrMalformed: not a well-formed absolute URL, or a host or bucket name
	// that breaks DNS or S3 naming rules (empty or overlong labels, a trailing
	// dot, percent-encoding, characters other than a-z 0-9 - .).
	ErrMalformed = errors.New("malformed URL")
	// ErrScheme: a scheme other than https (http only for a configured
	// custom endpoint).
	ErrScheme = errors.New("scheme not allowed")
	// ErrUserinfo: user@ or user:password@ before the host.
	ErrUserinfo = errors.New("userinfo not allowed")
	// ErrPort: an AWS host with a port other than 443.
	ErrPort = errors.New("port not allowed")
	// ErrIPLiteral: an IP address instead of a hostname, in any notation
	// (1.2.3.4, [::1], 2130706433, 0x7f.1, 0177.0.0.1).
	ErrIPLiteral = errors.New("IP address not allowed")
	// ErrNotAWS: a host outside every AWS DNS suffix, or a suffix alone.
	ErrNotAWS = errors.New("not an AWS host")
	// ErrUnrecognized: a host under an AWS DNS suffix that is not an AWS API
	// endpoint urlparse knows, such as customer resources (load balancers,
	// EC2 instances, S3 website endpoints).
	ErrUnrecognized = errors.New("not a recognized AWS endpoint")
	// ErrRegion: the label where the region belongs is not a region of the
	// host's partition.
	ErrRegion = errors.New("unknown region")
	// ErrCredential: a presigned URL's X-Amz-Credential (or
	// X-Amz-Region-Set) is malformed.
	ErrCredential = errors.New("malformed X-Amz-Credential")
	// ErrConfig: a Parser's Custom endpoints are misconfigured.
	ErrConfig = errors.New("invalid custom endpoint")
)

// Error says why a URL was refused.
type Error struct {
	// URL is the refused URL reduced to scheme://host/path: never its
	// userinfo, query or fragment, which may carry secrets
	// (X-Amz-Signature, X-Amz-Security-Token).
	URL string
	// Reason says why, in words a person or an LLM agent can act on.
	Reason string
	// Kind is one of the Err* values.
	Kind error
}

func (e *Error) Error() string { return "urlparse: " + e.Reason }

// Unwrap returns Kind, so errors.Is(err, urlparse.ErrNotAWS) works.
func (e *Error) Unwrap() error { return e.Kind }

// maxShown bounds how much of a URL an error repeats.
const maxShown = 200

// redact reduces a raw URL to scheme://host/path, without userinfo, query or
// fragment, for error messages. It works on strings url.Parse refused too.
func redact(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		auth := raw[i+3:]
		end := strings.IndexByte(auth, '/')
		if end < 0 {
			end = len(auth)
		}
		if at := strings.LastIndexByte(auth[:end], '@'); at >= 0 {
			raw = raw[:i+3] + auth[at+1:]
		}
	}
	return printable(raw)
}

// printable truncates s and replaces control characters and invalid UTF-8
// with U+FFFD, so that an error message cannot break a log line or a
// terminal.
func printable(s string) string {
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

// rawAuthority returns the authority (userinfo@host:port) of a raw URL as
// written, before url.Parse decodes it.
func rawAuthority(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	i := strings.Index(raw, "//")
	if i < 0 {
		return ""
	}
	auth := raw[i+2:]
	if j := strings.IndexByte(auth, '/'); j >= 0 {
		auth = auth[:j]
	}
	return auth
}
