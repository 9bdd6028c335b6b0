package sigv4_test

// Fuzz targets for canonicalization. Each signs fuzzed requests through Sign
// and Presign and checks that nothing panics, that signing is deterministic
// (two clones signed at the same time give the same Authorization and URL),
// that the canonical request (Options.Trace) is well formed, and that what
// would be sent is what was signed. The seed corpora run as ordinary tests
// (go test), so they are kept small; run e.g.
//
//	go test -run '^$' -fuzz FuzzSignCanonical -fuzztime 1m ./sigv4/
//
// for a real fuzzing session.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

var fzTime = time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)

var fzServices = [4]string{"s3", "sts", "execute-api", "s3-object-lambda"}

// flags bits: 0-1 service; 2 session token; 3-4 payload mode (hash,
// bytes, body with GetBody, seekable body); 5 UnsignedSessionToken;
// 6 NormalizePath; 7 DisableDoubleEncoding.
const (
	fzToken      = 1 << 2
	fzUnsignedTk = 1 << 5
	fzNormalize  = 1 << 6
	fzNoDouble   = 1 << 7
)

type fzSeed struct {
	method, url, hname, hval string
	body                     []byte
	flags                    uint8
}

var fzSeeds = []fzSeed{
	{"GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg", "", "", nil, 0},
	{"GET", "https://examplebucket.s3.amazonaws.com/(a)/b c/%2F/%25/日本?x=a+b&y=1;2&&=&k", "X-Amz-Meta-Note", "  a   b  ", nil, 0},
	{"PUT", "https://examplebucket.s3.amazonaws.com/it's!*@$,;=:+&.jpg", "Content-Type", "text/plain", []byte("hello"), 0 | 2<<3},
	{"POST", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", "Content-Type", "application/x-www-form-urlencoded", []byte("Action=GetCallerIdentity"), 1 | fzToken | 1<<3},
	{"GET", "https://api.example.com/a/../b/./c//d/", "X-Foo", "tab\there", nil, 2 | fzNormalize},
	{"GET", "https://api.example.com/a%2Fb/%41%2f?%zz=%&a=%41%2f", "x-amz-date", "spoof", nil, 2},
	{"GET", "http://host:80/?b=2&a=1&a=0&a", "X-Amz-Security-Token", "stale", nil, 1 | fzToken | fzUnsignedTk},
	{"GET", "https://h:443//double//slash", "Authorization", "stale", nil, 3},
	{"DELETE", "https:////h/x", "", "", nil, 0},
	{"HEAD", "https://[::1]:443/x", "Host", "other", nil, 1},
	{"GET", "/relative/path?q", "Multi", "line1\r\n  line2\n\tline3", nil, 1},
	{"PATCH", "https://h/%E6%97%A5%e6%9c%ac?%E6%97%A5=%e6%9c%ac", "X-Amz-Grant-Full-Control", "id=1", []byte{0, 1, 2}, 0 | 3<<3},
	{"GET", "https://h/~user/a-b_c.d?~=~&-=_", "X-Amz-Expected-Bucket-Owner", "123", nil, 0 | fzToken},
	{"GET", "https://h/path;params?a=b=c", "X-Amz-Checksum-Mode", "ENABLED", nil, 0},
	{"PUT", "https://h/a%2", "Content-Md5", "", []byte(strings.Repeat("x", 100)), 2 | 2<<3 | fzNoDouble},
	{"", "https://sts.amazonaws.com", "", "", nil, 1},
	{"GET", "mailto:someone@example.com", "", "", nil, 1},
	{"GET", "https://h/?" + strings.Repeat("k=v&", 40), "X-Amz-Meta-A", strings.Repeat(" a", 50), nil, 0},
}

// fzTokenChar reports whether c may appear in a method or header name (an
// RFC 9110 token character); net/http refuses to send anything else.
func fzTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func fzIsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !fzTokenChar(s[i]) {
			return false
		}
	}
	return true
}

type fzSeekBody struct{ *bytes.Reader }

func (fzSeekBody) Close() error { return nil }

// fzRequest builds a request and options from fuzz input; ok is false when
// the input is not something net/http could send at all.
func fzRequest(method, rawURL, hname, hval string, body []byte, flags uint8) (req *http.Request, creds sigv4.Credentials, opts sigv4.Options, ok bool) {
	if method != "" && !fzIsToken(method) {
		return nil, creds, opts, false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, creds, opts, false
	}
	if u.Host == "" && u.Opaque == "" {
		u.Host = "example.amazonaws.com"
	}
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	u.Fragment, u.RawFragment = "", "" // never sent
	if _, err := url.Parse(u.String()); err != nil {
		return nil, creds, opts, false // e.g. host "::" from "//::": Go's URL does not round-trip
	}
	req = &http.Request{Method: method, URL: u, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	if fzIsToken(hname) {
		req.Header[hname] = append(req.Header[hname], hval)
		if len(hval) > 0 && hval[0] == 'x' { // now and then a second value
			req.Header[hname] = append(req.Header[hname], hval[1:])
		}
	}
	creds = sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	if flags&fzToken != 0 {
		creds.SessionToken = "FQoGZXIvYXdzE+/token=="
	}
	opts = sigv4.Options{
		Region:                "us-east-1",
		Service:               fzServices[flags&3],
		Time:                  fzTime,
		UnsignedSessionToken:  flags&fzUnsignedTk != 0,
		NormalizePath:         flags&fzNormalize != 0,
		DisableDoubleEncoding: flags&fzNoDouble != 0,
	}
	switch (flags >> 3) & 3 {
	case 0:
		opts.PayloadHash = sigv4.HashBytes(body)
	case 1:
		opts.Payload = body
		if opts.Payload == nil {
			opts.Payload = []byte{}
		}
	case 2:
		if len(body) > 0 {
			b := slices.Clone(body)
			req.ContentLength = int64(len(b))
			req.Body = io.NopCloser(bytes.NewReader(b))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
	case 3:
		if len(body) > 0 {
			req.ContentLength = int64(len(body))
			req.Body = fzSeekBody{bytes.NewReader(slices.Clone(body))}
		}
	}
	return req, creds, opts, true
}

func fzClone(r *http.Request) *http.Request { return r.Clone(context.Background()) }

func fzIsHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// fzStrictEncoded reports whether s has only unreserved bytes, %XX escapes in
// upper-case hex, and the bytes in extra.
func fzStrictEncoded(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		case strings.IndexByte(extra, c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !strings.ContainsRune("0123456789ABCDEF", rune(s[i+1])) || !strings.ContainsRune("0123456789ABCDEF", rune(s[i+2])) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// fzSortedPairs sorts a canonical-form query string by key, then value, as
// SigV4 does, giving "k" a trailing "=".
func fzSortedPairs(raw string) string {
	var pairs [][2]string
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		pairs = append(pairs, [2]string{k, v})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

// fzCheckCanonical checks the invariants of a canonical request and returns
// its lines.
func fzCheckCanonical(t *testing.T, tr *sigv4.Trace, method string, opts sigv4.Options) []string {
	t.Helper()
	c := tr.CanonicalRequest
	lines := strings.Split(c, "\n")
	signed := strings.Split(tr.SignedHeaders, ";")
	nh := len(signed)
	if len(lines) != 6+nh {
		t.Fatalf("canonical request has %d lines for %d signed headers:\n%q", len(lines), nh, c)
	}
	if want := method; want == "" && lines[0] != "GET" || want != "" && lines[0] != want {
		t.Errorf("method line %q for method %q", lines[0], method)
	}
	if path := lines[1]; sigv4.IsS3Service(opts.Service) || !opts.DisableDoubleEncoding {
		if !fzStrictEncoded(path, "/") {
			t.Errorf("canonical path %q has bytes outside unreserved, '/' and %%XX", path)
		}
	}
	query := lines[2]
	if !fzStrictEncoded(query, "=&") {
		t.Errorf("canonical query %q has bytes outside unreserved, %%XX, '=' and '&'", query)
	}
	if query != "" {
		for _, p := range strings.Split(query, "&") {
			if strings.Count(p, "=") != 1 {
				t.Errorf("canonical query pair %q lacks exactly one '=' (query %q)", p, query)
			}
		}
		if s := fzSortedPairs(query); s != query {
			t.Errorf("canonical query not sorted by key then value:\n got: %q\nwant: %q", query, s)
		}
	}
	if !slices.Contains(signed, "host") {
		t.Errorf("host is not signed: %q", tr.SignedHeaders)
	}
	for i, h := range signed {
		if h == "" || h != strings.ToLower(h) {
			t.Errorf("signed header %q is empty or not lower case", h)
		}
		if i > 0 && signed[i-1] >= h {
			t.Errorf("signed headers not strictly sorted: %q", tr.SignedHeaders)
		}
		line := lines[3+i]
		v, ok := strings.CutPrefix(line, h+":")
		if !ok {
			t.Errorf("canonical header line %d %q is not for %q", i, line, h)
			continue
		}
		if strings.TrimLeft(v, " ") != v || strings.TrimRight(v, " ") != v || strings.Contains(v, "  ") || strings.ContainsAny(v, "\t\r\n\v\f") {
			t.Errorf("canonical header value %q is not trimmed and folded", v)
		}
	}
	if lines[3+nh] != "" {
		t.Errorf("no blank line after the canonical headers: %q", lines[3+nh])
	}
	if lines[4+nh] != tr.SignedHeaders {
		t.Errorf("signed headers line %q, trace %q", lines[4+nh], tr.SignedHeaders)
	}
	if p := lines[5+nh]; !fzIsHex(p) && p != sigv4.UnsignedPayload && p != sigv4.StreamingPayload {
		t.Errorf("payload line %q", p)
	}
	sum := sha256.Sum256([]byte(c))
	sts := strings.Split(tr.StringToSign, "\n")
	if len(sts) != 4 || sts[0] != "AWS4-HMAC-SHA256" || sts[1] != "20240229T235959Z" ||
		sts[2] != "20240229/us-east-1/"+opts.Service+"/aws4_request" || sts[3] != hex.EncodeToString(sum[:]) {
		t.Errorf("string to sign %q does not match the canonical request", tr.StringToSign)
	}
	if !fzIsHex(tr.Signature) {
		t.Errorf("signature %q", tr.Signature)
	}
	return lines
}

// fzWirePath is the path net/http sends for u.
func fzWirePath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

func fzSign(t *testing.T, method, rawURL, hname, hval string, body []byte, flags uint8) {
	base, creds, opts, ok := fzRequest(method, rawURL, hname, hval, body, flags)
	if !ok {
		return
	}
	r1, r2 := fzClone(base), fzClone(base)
	var tr1, tr2 sigv4.Trace
	o1, o2 := opts, opts
	o1.Trace, o2.Trace = &tr1, &tr2
	err1 := sigv4.Sign(r1, creds, o1)
	err2 := sigv4.Sign(r2, creds, o2)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("signing clones: %v, then %v", err1, err2)
	}
	if err1 != nil {
		if (flags>>3)&3 == 3 && errors.Is(err1, sigv4.ErrBodyNotHashed) {
			t.Fatalf("seekable body not hashed: %v", err1)
		}
		return
	}
	if a1, a2 := r1.Header.Get("Authorization"), r2.Header.Get("Authorization"); a1 != a2 || a1 == "" {
		t.Fatalf("Authorization differs between clones:\n%s\n%s", a1, a2)
	}
	if u1, u2 := r1.URL.String(), r2.URL.String(); u1 != u2 || r1.Host != r2.Host {
		t.Fatalf("URL differs between clones:\n%s (%s)\n%s (%s)", u1, r1.Host, u2, r2.Host)
	}
	if tr1 != tr2 {
		t.Fatalf("trace differs between clones:\n%+v\n%+v", tr1, tr2)
	}
	lines := fzCheckCanonical(t, &tr1, method, opts)
	scope := "20240229/us-east-1/" + opts.Service + "/aws4_request"
	if want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope + ", SignedHeaders=" + tr1.SignedHeaders + ", Signature=" + tr1.Signature; r1.Header.Get("Authorization") != want {
		t.Errorf("Authorization %q, want %q", r1.Header.Get("Authorization"), want)
	}

	// What is sent is what was signed: the query as sent, sorted, is the
	// canonical query; an S3 path as sent is the canonical path.
	if got := fzSortedPairs(r1.URL.RawQuery); got != lines[2] {
		t.Errorf("query sent %q (sorted %q) differs from the canonical query %q", r1.URL.RawQuery, got, lines[2])
	}
	if sigv4.IsS3Service(opts.Service) && r1.URL.Opaque == "" {
		if p := fzWirePath(r1.URL); p != lines[1] {
			t.Errorf("S3 path sent %q differs from the canonical path %q (Path %q RawPath %q)", p, lines[1], r1.URL.Path, r1.URL.RawPath)
		}
	}

	// Signing again changes nothing: the rewritten URL is a fixed point.
	r3 := fzClone(r1)
	var tr3 sigv4.Trace
	o3 := opts
	o3.Trace = &tr3
	if err := sigv4.Sign(r3, creds, o3); err != nil {
		t.Fatalf("re-signing: %v", err)
	}
	if tr3.CanonicalRequest != tr1.CanonicalRequest || r3.URL.String() != r1.URL.String() {
		t.Errorf("re-signing a signed request changed it:\n%q %s\n%q %s", tr1.CanonicalRequest, r1.URL, tr3.CanonicalRequest, r3.URL)
	}
}

func fzPresign(t *testing.T, method, rawURL, hname, hval string, body []byte, flags uint8, expSeconds int64) {
	base, creds, opts, ok := fzRequest(method, rawURL, hname, hval, body, flags)
	if !ok {
		return
	}
	expires := time.Duration(expSeconds) * time.Second
	if expSeconds < 0 || expSeconds > 1<<40 {
		expires = -1
	}
	before := fzClone(base)
	beforeURL := base.URL.String()
	r1, r2 := fzClone(base), fzClone(base)
	var tr1, tr2 sigv4.Trace
	o1, o2 := opts, opts
	o1.Trace, o2.Trace = &tr1, &tr2
	u1, h1, err1 := sigv4.Presign(r1, creds, o1, expires)
	u2, h2, err2 := sigv4.Presign(r2, creds, o2, expires)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("presigning clones: %v, then %v", err1, err2)
	}
	if expires < time.Second || expires > sigv4.MaxPresignExpiry {
		if !errors.Is(err1, sigv4.ErrExpiry) {
			t.Fatalf("expiry %v accepted (err %v)", expires, err1)
		}
		return
	}
	if err1 != nil {
		return
	}
	if u1 != u2 || !reflect.DeepEqual(h1, h2) || tr1 != tr2 {
		t.Fatalf("presigning clones differs:\n%s %v\n%s %v", u1, h1, u2, h2)
	}
	// Presign documents that req is not modified.
	if r1.URL.String() != beforeURL || r1.URL.RawPath != before.URL.RawPath || r1.Host != before.Host || !reflect.DeepEqual(r1.Header, before.Header) {
		t.Errorf("Presign modified the request: URL %s -> %s (RawPath %q -> %q), Host %q -> %q, headers %v -> %v",
			beforeURL, r1.URL, before.URL.RawPath, r1.URL.RawPath, before.Host, r1.Host, before.Header, r1.Header)
	}
	lines := fzCheckCanonical(t, &tr1, method, opts)

	// The URL's query is the canonical query plus the signature (and an
	// unsigned session token).
	q := u1[strings.LastIndexByte(u1, '?')+1:]
	rest, ok := strings.CutSuffix(q, "&X-Amz-Signature="+tr1.Signature)
	if !ok {
		t.Fatalf("presigned URL %s does not end with its signature %s", u1, tr1.Signature)
	}
	if creds.SessionToken != "" && opts.UnsignedSessionToken {
		rest, ok = strings.CutSuffix(rest, "&X-Amz-Security-Token="+url.QueryEscape(creds.SessionToken))
		if !ok {
			t.Errorf("presigned URL %s lacks the unsigned session token", u1)
		}
	}
	if rest != lines[2] {
		t.Errorf("presigned URL query %q differs from the canonical query %q", rest, lines[2])
	}
	for _, p := range []string{"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Date=20240229T235959Z", "X-Amz-Expires=", "X-Amz-SignedHeaders="} {
		if !strings.Contains(lines[2], p) {
			t.Errorf("canonical query %q lacks %s", lines[2], p)
		}
	}
	if sigv4.IsS3Service(opts.Service) && base.URL.Opaque == "" {
		pu, err := url.Parse(u1)
		if err != nil {
			t.Fatalf("presigned URL %q does not parse: %v", u1, err)
		}
		if p := fzWirePath(pu); p != lines[1] {
			t.Errorf("S3 presigned URL path %q differs from the canonical path %q", p, lines[1])
		}
	}
}

// FuzzSignCanonical fuzzes method, URL, one header and the body through Sign.
func FuzzSignCanonical(f *testing.F) {
	for _, s := range fzSeeds {
		f.Add(s.method, s.url, s.hname, s.hval, s.body, s.flags)
	}
	f.Fuzz(fzSign)
}

// FuzzPresignCanonical fuzzes the same input through Presign.
func FuzzPresignCanonical(f *testing.F) {
	for i, s := range fzSeeds {
		f.Add(s.method, s.url, s.hname, s.hval, s.body, s.flags, []int64{900, 1, 604800, 604801, 0, 3600}[i%6])
	}
	f.Fuzz(fzPresign)
}

// FuzzS3PathCanonical fuzzes S3 paths given decoded (URL.Path) and raw
// (parsed): the path sent must be the path signed, strictly encoded, and
// must still name the same object key.
func FuzzS3PathCanonical(f *testing.F) {
	for _, p := range []string{
		"/photos/2024/cat.jpg", "/(a)", "/it's!*@$,;=:+&.jpg", "/a b/c%2Fd", "/%", "/%25", "/%2F",
		"/日本語/😀", "//double//", "/a/./b/../c", "/~user", "/a%zz", "/a?b#c", "", "/\x00\x7f\xff",
		"/%41%2f%2F", "/%e6%97%a5",
	} {
		f.Add(p, true)
		f.Add(p, false)
	}
	f.Fuzz(func(t *testing.T, p string, decoded bool) {
		var u *url.URL
		if decoded {
			u = &url.URL{Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Path: p}
		} else {
			var err error
			if u, err = url.Parse("https://examplebucket.s3.amazonaws.com" + p); err != nil || u.Host != "examplebucket.s3.amazonaws.com" {
				return
			}
			u.Fragment, u.RawFragment = "", ""
		}
		keyBefore, err := url.PathUnescape(fzWirePath(u))
		if err != nil {
			t.Fatalf("EscapedPath %q does not unescape: %v", u.EscapedPath(), err)
		}
		if !strings.HasPrefix(keyBefore, "/") {
			keyBefore = "/" + keyBefore // a rootless path is signed and sent as the absolute path
		}
		creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
		opts := sigv4.Options{Region: "us-east-1", Service: "s3", Time: fzTime, PayloadHash: sigv4.UnsignedPayload}

		req := &http.Request{Method: "GET", URL: u, Header: http.Header{}}
		pre := fzClone(req)
		var tr sigv4.Trace
		opts.Trace = &tr
		if err := sigv4.Sign(req, creds, opts); err != nil {
			t.Fatal(err)
		}
		path := strings.Split(tr.CanonicalRequest, "\n")[1]
		if !fzStrictEncoded(path, "/") {
			t.Errorf("canonical S3 path %q is not strictly encoded", path)
		}
		if sent := fzWirePath(req.URL); sent != path {
			t.Errorf("S3 path sent %q differs from the path signed %q", sent, path)
		}
		if keyAfter, err := url.PathUnescape(fzWirePath(req.URL)); err != nil || keyAfter != keyBefore {
			t.Errorf("object key changed by signing: %q -> %q (%v)", keyBefore, keyAfter, err)
		}

		var ptr sigv4.Trace
		opts.Trace = &ptr
		before, beforeRaw := pre.URL.String(), pre.URL.RawPath
		pu, _, err := sigv4.Presign(pre, creds, opts, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if pp := strings.Split(ptr.CanonicalRequest, "\n")[1]; pp != path {
			t.Errorf("presign canonical path %q differs from Sign's %q", pp, path)
		}
		parsed, err := url.Parse(pu)
		if err != nil {
			t.Fatalf("presigned URL %q does not parse: %v", pu, err)
		}
		if sent := fzWirePath(parsed); sent != path {
			t.Errorf("presigned URL path %q differs from the path signed %q", sent, path)
		}
		if pre.URL.String() != before || pre.URL.RawPath != beforeRaw {
			t.Errorf("Presign modified req.URL: %s (RawPath %q) -> %s (RawPath %q)", before, beforeRaw, pre.URL, pre.URL.RawPath)
		}
	})
}
