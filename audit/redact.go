package audit

import (
	"net/url"
	"strings"
)

// Redacted replaces what RedactURL removes.
const Redacted = "REDACTED"

// sensitiveParam reports whether a query parameter may carry a secret or a
// signature: X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
// Signature and AWSAccessKeyId (S3's old presigned URLs), and any name that
// speaks of a signature, token, secret, password, credential or key.
func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "awsaccesskeyid", "sig", "key", "apikey", "api_key", "auth", "authorization":
		return true
	}
	for _, w := range [...]string{"signature", "token", "secret", "password", "credential", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactURL returns raw with the values of sensitive query parameters
// replaced by REDACTED, and without userinfo (an empty one where its "@"
// keeps an empty host from reading as part of the path) or fragment. The
// order and encoding of everything else is kept, so a redacted URL still
// reads like the request. A string that does not parse as a URL is cut at
// its first '?' or '#' and stripped of anything before an '@' in its host.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		if s, rest, ok := strings.Cut(raw, "://"); ok {
			host, path, _ := strings.Cut(rest, "/")
			if at := strings.LastIndex(host, "@"); at >= 0 {
				host = host[at+1:]
			}
			raw = s + "://" + host
			if path != "" {
				raw += "/" + path
			}
		}
		return raw
	}
	// Without its userinfo, "//@//evil.example/p" (no scheme, an empty
	// host, the path "//evil.example/p") would be written as its path
	// alone, which reads back as the host evil.example: the record would
	// name a host the request never had. Such a URL keeps an empty
	// userinfo, which holds no secret, to keep its empty host.
	if u.User != nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.EscapedPath(), "//") {
		u.User = url.User("")
	} else {
		u.User = nil
	}
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		u.RawQuery = redactQuery(u.RawQuery)
	}
	return u.String()
}

func redactQuery(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	for i, pair := range strings.Split(q, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(pair, "=")
		plain, err := url.QueryUnescape(name)
		if err != nil {
			plain = name
		}
		if sensitiveParam(plain) {
			b.WriteString(name)
			if hasValue {
				b.WriteString("=" + Redacted)
			}
			continue
		}
		b.WriteString(pair)
	}
	return b.String()
}

// RedactText removes secrets from free text kept in the audit, such as an
// AWS error message that repeats the canonical request it computed: the
// value after x-amz-security-token (a session token, in a header line or a
// query parameter) is replaced by REDACTED.
func RedactText(s string) string {
	lower := strings.ToLower(s)
	const name = "x-amz-security-token"
	if !strings.Contains(lower, name) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, name)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(name)
		b.WriteString(s[:j])
		if j < len(s) && (s[j] == ':' || s[j] == '=') {
			b.WriteByte(s[j])
			j++
			k := j
			for k < len(s) && !strings.ContainsRune("\n\r&\t <\"", rune(s[k])) {
				k++
			}
			if k > j {
				b.WriteString(Redacted)
			}
			j = k
		}
		s, lower = s[j:], lower[j:]
	}
}
