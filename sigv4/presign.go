package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Presigned URLs: the parameters a presigned URL carries, the headers that
// move into its query, and the headers that must still be sent with it.

// Presign returns req's URL signed in its query string, valid for expires
// (1 second to 7 days), and the headers that were signed with it, which must
// be sent along with the same values (Host among them, as the AWS SDK returns it). X-Amz-* headers other than those S3 requires in
// headers are moved into the query, as the AWS SDKs do. req is not modified.
// S3 services default to UnsignedPayload when no payload is given.
func (s *Signer) Presign(req *http.Request, creds Credentials, opts Options, expires time.Duration) (string, http.Header, error) {
	if expires < time.Second || expires > MaxPresignExpiry {
		return "", nil, ErrExpiry
	}
	if opts.PayloadHash == "" && opts.Payload == nil && IsS3Service(opts.Service) {
		opts.PayloadHash = UnsignedPayload
	}
	if req.URL == nil {
		return "", nil, errNoURL
	}
	// Work on a copy: whatever signing rewrites (an S3 path's encoding, a
	// default port) lands in the URL returned, never in req. The request is
	// copied on the stack; the URL only when signing could rewrite it (a
	// path that is not plain, or lacks its leading slash), which is rare.
	r := *req
	u := req.URL
	copied := !plainURLPath(u)
	if copied {
		cu := *u
		u = &cu
	}
	r.URL = u
	req = &r
	sc, err := s.begin(req, &creds, &opts, true)
	if err != nil {
		return "", nil, err
	}
	defer sc.release()
	sc.plainPath = !copied // u is req.URL, and begin had nothing to fix in it

	hoisted := sc.collectHeaders(req, nil, true, opts.UnsignedSessionToken)

	// The parameters go into the canonical query encoded straight from
	// their parts, without building Go strings for them.
	extra := sc.presignParams[:0]
	extra = append(extra,
		queryParam{name: "X-Amz-Algorithm", value: sc.algorithm(), kind: paramPlain},
		queryParam{name: "X-Amz-Credential", value: creds.AccessKeyID, kind: paramCredential},
		queryParam{name: "X-Amz-Date", value: sc.date, kind: paramPlain},
		queryParam{name: "X-Amz-Expires", num: int64(expires / time.Second), kind: paramInt},
		queryParam{name: "X-Amz-SignedHeaders", kind: paramSignedHeaders},
	)
	if creds.SessionToken != "" && !opts.UnsignedSessionToken {
		extra = append(extra, queryParam{name: "X-Amz-Security-Token", value: creds.SessionToken, kind: paramString})
	}
	if sc.sigV4a {
		extra = append(extra, queryParam{name: "X-Amz-Region-Set", value: opts.RegionSet, kind: paramString})
	}
	for _, k := range hoisted {
		for _, v := range req.Header[k] {
			extra = append(extra, queryParam{name: hoistName(k), value: v, kind: paramHeader})
		}
	}
	sc.presignParams = extra
	query, _ := sc.canonicalQuery(req.URL.RawQuery, extra)
	if err := sc.finish(req, &creds, &opts, query); err != nil {
		return "", nil, err
	}

	// The URL is built in the pooled output buffer: the query goes after
	// the prefix that url.URL.String would write, or alone when the URL is
	// not one whose prefix is known here.
	fast := !copied && sc.simpleURL(u)
	b := sc.output[:0]
	if fast {
		b = append(b, u.Scheme...)
		b = append(b, "://"...)
		b = append(b, u.Host...)
		b = append(b, u.Path...)
		b = append(b, '?')
	}
	q0 := len(b)
	b = append(b, query...)
	if creds.SessionToken != "" && opts.UnsignedSessionToken {
		b = append(b, "&X-Amz-Security-Token="...)
		b = appendURIEncode(b, creds.SessionToken, false)
	}
	b = append(b, "&X-Amz-Signature="...)
	b = append(b, sc.signature...)
	sc.output = b
	var presigned string
	if fast {
		presigned = string(b)
	} else {
		if !copied {
			cu := *u
			u = &cu
		}
		u.RawQuery = string(b[q0:])
		u.ForceQuery = false
		presigned = u.String()
	}
	return presigned, sc.signedHeaders(), nil
}

// plainURLPath reports whether signing leaves u as it is: its path needs no
// encoding and starts with a slash (or is empty), so neither the leading
// slash nor an S3 re-encoding is written to it.
func plainURLPath(u *url.URL) bool {
	return u.Opaque == "" && u.RawPath == "" && (u.Path == "" || u.Path[0] == '/') && isPlainPath(u.Path)
}

// simpleURL reports whether u.String() is exactly scheme "://" host path
// "?" query once a query is set: no opaque part, user, fragment or host
// byte that String would write differently. The path must be plain
// (plainURLPath), so that EscapedPath returns it unchanged.
func (sc *state) simpleURL(u *url.URL) bool {
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" || u.User != nil || u.Fragment != "" {
		return false
	}
	if u.Host == sc.simpleHost {
		return true
	}
	for i := 0; i < len(u.Host); i++ {
		if !plainHost[u.Host[i]] {
			return false
		}
	}
	sc.simpleHost = u.Host
	return true
}

// plainHost marks the host bytes that url.URL.String writes as they are,
// from a conservative subset: letters, digits, "-._~", ':' (a port) and the
// brackets of an IPv6 literal.
var plainHost = func() (t [256]bool) {
	for c := range t {
		t[c] = unreserved[c]
	}
	t[':'], t['['], t[']'] = true, true, true
	return t
}()

// signedHeaders returns the headers a presigned URL was signed with, as
// they must be sent: the map and one slice holding every value.
func (sc *state) signedHeaders() http.Header {
	n, keys := 0, 0
	for i, e := range sc.headers {
		if i == 0 || !sc.sameName(&sc.headers[i-1], &sc.headers[i]) {
			keys++
		}
		if e.kind == mapHeader {
			n += len(sc.mapHeaders[e.src].values)
		} else {
			n++
		}
	}
	signed := make(http.Header, keys)
	vals := make([]string, 0, n)
	var last string // the key whose values end vals
	start := 0
	for _, e := range sc.headers {
		var ck string
		switch e.kind {
		case hostHeader:
			ck = "Host"
		case lengthHeader:
			ck = "Content-Length"
		default:
			ck = http.CanonicalHeaderKey(sc.key(&e))
		}
		if ck != last || len(vals) == 0 {
			if prev, ok := signed[ck]; ok {
				// A key seen before, but not just before: sorting by
				// name keeps the spellings of a key together, so this is
				// only a safeguard. Append as the map would.
				signed[ck] = append(prev[:len(prev):len(prev)], sc.mapValues(&e)...)
				continue
			}
			start = len(vals)
		}
		switch e.kind {
		case hostHeader:
			vals = append(vals, sc.host)
		case lengthHeader:
			vals = append(vals, sc.contentLengthText)
		default:
			vals = append(vals, sc.mapValues(&e)...)
		}
		if len(vals) == start {
			signed[ck] = nil // a header without values, as append leaves it
		} else {
			signed[ck] = vals[start:len(vals):len(vals)]
		}
		last = ck
	}
	return signed
}

// mapValues returns the values of a header from the map, nil for others.
func (sc *state) mapValues(e *canonicalHeader) []string {
	if e.kind != mapHeader {
		return nil
	}
	return sc.mapHeaders[e.src].values
}

// hoistName is the query name of a header moved into a presigned URL. S3
// reads these two only in lower case.
func hoistName(k string) string {
	switch {
	case strings.EqualFold(k, "X-Amz-Expected-Bucket-Owner"):
		return "x-amz-expected-bucket-owner"
	case strings.EqualFold(k, "X-Amz-Request-Payer"):
		return "x-amz-request-payer"
	}
	return k
}

// s3HeaderOnly lists X-Amz-* headers that S3 requires as headers, so a
// presigned URL signs them as headers instead of moving them to the query.
var s3HeaderOnly = []string{
	"X-Amz-Acl", "X-Amz-Copy-Source", "X-Amz-Copy-Source-If-Match",
	"X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-None-Match",
	"X-Amz-Copy-Source-If-Unmodified-Since", "X-Amz-Copy-Source-Range",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5",
	"X-Amz-Grant-Full-Control", "X-Amz-Grant-Read", "X-Amz-Grant-Read-Acp",
	"X-Amz-Grant-Write", "X-Amz-Grant-Write-Acp", "X-Amz-Metadata-Directive",
	"X-Amz-Mfa", "X-Amz-Server-Side-Encryption",
	"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Context",
	"X-Amz-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Server-Side-Encryption-Customer-Key",
	"X-Amz-Server-Side-Encryption-Customer-Key-Md5", "X-Amz-Storage-Class",
	"X-Amz-Website-Redirect-Location", "X-Amz-Content-Sha256", "X-Amz-Tagging",
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hoistable reports whether a presigned URL carries header k in its query.
func hoistable(k string) bool {
	if !hasPrefixFold(k, "X-Amz-") {
		return false
	}
	if hasPrefixFold(k, "X-Amz-Meta-") || hasPrefixFold(k, "X-Amz-Object-Lock-") ||
		(hasPrefixFold(k, "X-Amz-Checksum-") && !hasPrefixFold(k, "X-Amz-Checksum-Mode")) {
		return false
	}
	for _, h := range s3HeaderOnly {
		if strings.EqualFold(k, h) {
			return false
		}
	}
	return true
}
