package sigv4

import (
	"net/url"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// unreserved marks the bytes that SigV4 leaves as they are: A-Z a-z 0-9 - . _ ~.
// Every other byte is percent-encoded with upper-case hex.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()

func appendEncodedByte(dst []byte, c byte) []byte {
	if unreserved[c] {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// appendURIEncode appends s with every byte outside the unreserved set
// percent-encoded; '/' is kept when keepSlash is set (paths). Runs of bytes
// that stay as they are are copied in one go.
func appendURIEncode[T string | []byte](dst []byte, s T, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		j := i
		for j < len(s) && unreserved[s[j]] {
			j++
		}
		if j > i {
			dst = append(dst, s[i:j]...)
			if i = j; i == len(s) {
				break
			}
		}
		c := s[i]
		if c == '/' && keepSlash {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendRecoded appends the canonical form of a query key, query value or S3
// path as it was sent: percent escapes are decoded and every byte is encoded
// again the SigV4 way (upper-case hex, unreserved bytes bare). A '+' is a
// literal plus (never a space), '=' and ';' are data, and a '%' that does not
// start a valid escape is a literal percent sign. With keepSlash a literal '/'
// stays bare while an encoded one (%2F) stays encoded.
func appendRecoded(dst []byte, raw string, keepSlash bool) []byte {
	for i := 0; i < len(raw); i++ {
		// Copy a run of bytes that stay as they are in one go.
		j := i
		for j < len(raw) && (unreserved[raw[j]] || (raw[j] == '/' && keepSlash)) {
			j++
		}
		if j > i {
			dst = append(dst, raw[i:j]...)
			if i = j; i == len(raw) {
				break
			}
		}
		c := raw[i]
		if c == '%' && i+2 < len(raw) {
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if ok1 && ok2 {
				dst = appendEncodedByte(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		if c == '/' && keepSlash {
			dst = append(dst, c)
			continue
		}
		dst = appendEncodedByte(dst, c)
	}
	return dst
}

// isCanonicalComponent reports whether raw is already in the form that
// appendRecoded would produce, so the wire form needs no rewriting.
func isCanonicalComponent(raw string, keepSlash bool) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if unreserved[c] || (c == '/' && keepSlash) {
			continue
		}
		if c != '%' || i+2 >= len(raw) {
			return false
		}
		hi, ok1 := unhex(raw[i+1])
		lo, ok2 := unhex(raw[i+2])
		if !ok1 || !ok2 || raw[i+1] >= 'a' || raw[i+2] >= 'a' || unreserved[hi<<4|lo] {
			return false
		}
		i += 2
	}
	return true
}

// escapedPath returns the path as it goes on the wire (what the request line
// carries), "/" when empty. An opaque URL contributes its path part.
func escapedPath(u *url.URL) string {
	var p string
	if u.Opaque != "" {
		p = u.Opaque
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if strings.HasPrefix(p, "//") {
			p = p[2:]
			if i := strings.IndexByte(p, '/'); i >= 0 {
				p = p[i:]
			} else {
				p = ""
			}
		}
	} else if u.RawPath == "" && isPlainPath(u.Path) {
		p = u.Path // the common case, without EscapedPath's second scan
	} else {
		p = u.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// normalizePath removes "." and ".." segments and empty segments (duplicate
// slashes), keeping a trailing slash, as AWS does for services that
// normalize. It is never applied to S3 paths, where "a//b" and "a/./b" are
// distinct object keys.
func normalizePath(p string) string {
	if !needsNormalizing(p) {
		return p
	}
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	n := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		n += "/"
	}
	return n
}

func needsNormalizing(p string) bool {
	if p == "" || p[0] != '/' {
		return true
	}
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}
