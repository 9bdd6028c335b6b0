package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Payload hashes with a meaning of their own.
const (
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload leaves the body out of the signature (S3 and a few others accept it).
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload marks an aws-chunked body whose chunks are signed one by one.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
)

const (
	algorithmV4  = "AWS4-HMAC-SHA256"
	algorithmV4a = "AWS4-ECDSA-P256-SHA256"
	timeFormat   = "20060102T150405Z"

	// MaxPresignExpiry is the longest validity AWS accepts for a presigned URL.
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// Credentials are an AWS access key, with a session token for temporary ones.
// Formatting Credentials with fmt or slog never shows the secret or the token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expires is when temporary credentials stop working; zero for long-term keys.
	Expires time.Time
}

// String names the access key id and hides the secret and the token.
func (c Credentials) String() string {
	s := "Credentials{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: [redacted]"
	if c.SessionToken != "" {
		s += ", SessionToken: [redacted]"
	}
	return s + "}"
}

// GoString is String, so %#v hides the secret too.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps the secret and the token out of slog output.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key_id", c.AccessKeyID))
}

// Options say how one request is signed.
type Options struct {
	// Region is the signing region (the credential scope's region). For
	// global services it is us-east-1 (or the partition's global region).
	Region string
	// RegionSet, when set, signs with SigV4a (ECDSA P-256) for this
	// comma-separated list of regions ("*" for all); Region is then unused.
	RegionSet string
	// Service is the signing name, such as "s3", "sts" or "bedrock".
	Service string
	// Time is the signing time; zero means now.
	Time time.Time

	// PayloadHash is the hex SHA-256 of the body, or UnsignedPayload, or
	// StreamingPayload. When empty, Payload is hashed; when Payload is nil
	// too, the request body is hashed (through GetBody, or by seeking back a
	// body that is an io.ReadSeeker) without being held in memory.
	PayloadHash string
	// Payload is the body, when the caller has it in memory. Only nil
	// means "not given": an empty, non-nil slice is an empty body.
	Payload []byte

	// NormalizePath removes "." and ".." segments and duplicate slashes from
	// the canonical path. It is never applied to S3 services.
	NormalizePath bool
	// DisableDoubleEncoding uses the path as sent in the canonical request
	// instead of encoding it once more. It is implied for S3 services.
	DisableDoubleEncoding bool
	// UnsignedSessionToken adds the session token after signing, outside the
	// signature, as AWS IoT expects.
	UnsignedSessionToken bool

	// Trace, when not nil, receives the canonical request, the string to
	// sign and the signature, for debugging SignatureDoesNotMatch.
	Trace *Trace
}

// Trace is what a signature was computed from.
type Trace struct {
	CanonicalRequest string
	StringToSign     string
	SignedHeaders    string
	Signature        string
}

// Errors returned for unusable input; they wrap nothing secret.
var (
	ErrNoCredentials = errors.New("sigv4: no access key id or secret access key")
	ErrNoScope       = errors.New("sigv4: region and service are required")
	ErrBodyNotHashed = errors.New("sigv4: the request body can be read only once: set Options.PayloadHash or Options.Payload, give the request a GetBody, or use UnsignedPayload")
	ErrExpiry        = errors.New("sigv4: presign expiry must be between 1 second and 7 days")
	errNoURL         = errors.New("sigv4: request has no URL")
)

// IsS3Service reports whether service signs with S3's rules: the path goes
// into the canonical request as sent (encoded once), it is never normalized,
// and the payload hash travels in x-amz-content-sha256.
func IsS3Service(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3express", "s3-outposts":
		return true
	}
	return false
}

// Signer signs requests. The zero value is ready to use and shares one
// package-wide signing-key cache.
type Signer struct {
	// Keys caches derived signing keys; nil means a package-wide cache.
	Keys *KeyCache
}

func (s *Signer) keys() *KeyCache {
	if s == nil || s.Keys == nil {
		return &defaultKeys
	}
	return s.Keys
}

// Sign signs req in place with the zero Signer.
func Sign(req *http.Request, creds Credentials, opts Options) error {
	var s Signer
	return s.Sign(req, creds, opts)
}

// Presign returns a presigned URL for req, using the zero Signer.
func Presign(req *http.Request, creds Credentials, opts Options, expires time.Duration) (string, http.Header, error) {
	var s Signer
	return s.Presign(req, creds, opts, expires)
}

// Sign adds X-Amz-Date, X-Amz-Security-Token (temporary credentials),
// X-Amz-Content-Sha256 (S3), X-Amz-Region-Set (SigV4a) and Authorization to
// req. Every header present is signed except Authorization, User-Agent,
// X-Amzn-Trace-Id, Expect and Transfer-Encoding; add headers before signing.
// Host and Content-Length are signed from req.Host (else req.URL.Host) and
// req.ContentLength, which is what net/http sends; entries for them in
// req.Header are ignored, as net/http ignores them. A default port (:443 for
// https, :80 for http) is dropped from the signed host and from req.Host.
// Where the query or an S3 path is not in AWS's canonical encoding, req.URL is
// rewritten to it so that what is sent is exactly what was signed.
func (s *Signer) Sign(req *http.Request, creds Credentials, opts Options) error {
	sc, err := s.sign(req, &creds, &opts)
	if err != nil {
		return err
	}
	sc.release()
	return nil
}

// sign does the work of Sign and hands back its state, for callers (the
// streaming signer) that continue from the seed signature.
func (s *Signer) sign(req *http.Request, creds *Credentials, opts *Options) (*state, error) {
	sc, err := s.begin(req, creds, opts, false)
	if err != nil {
		return nil, err
	}

	h := req.Header
	if h == nil {
		h = make(http.Header)
		req.Header = h
	}
	setHeader(h, "X-Amz-Date", sc.date)
	if creds.SessionToken != "" {
		setHeader(h, "X-Amz-Security-Token", creds.SessionToken)
	}
	if sc.s3 {
		setHeader(h, "X-Amz-Content-Sha256", sc.payloadString())
	}
	if sc.v4a {
		setHeader(h, "X-Amz-Region-Set", opts.RegionSet)
	}

	sc.collectHeaders(req, false, opts.UnsignedSessionToken)
	query, rewrite := sc.canonicalQuery(req.URL.RawQuery, nil)
	if rewrite {
		req.URL.RawQuery = string(query)
	}
	if err := sc.finish(req, creds, opts, query); err != nil {
		sc.release()
		return nil, err
	}

	// One allocation: the Authorization value.
	b := sc.out[:0]
	b = append(b, sc.algorithm()...)
	b = append(b, " Credential="...)
	b = append(b, creds.AccessKeyID...)
	b = append(b, '/')
	b = append(b, sc.scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, sc.signed...)
	b = append(b, ", Signature="...)
	b = append(b, sc.sig...)
	sc.out = b
	setHeader(h, "Authorization", string(b))
	return sc, nil
}

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

	hoisted := sc.collectHeaders(req, true, opts.UnsignedSessionToken)

	// The parameters go into the canonical query encoded straight from
	// their parts, without building Go strings for them.
	extra := sc.extra[:0]
	extra = append(extra,
		param{name: "X-Amz-Algorithm", value: sc.algorithm(), kind: paramPlain},
		param{name: "X-Amz-Credential", value: creds.AccessKeyID, kind: paramCredential},
		param{name: "X-Amz-Date", value: sc.date, kind: paramPlain},
		param{name: "X-Amz-Expires", num: int64(expires / time.Second), kind: paramInt},
		param{name: "X-Amz-SignedHeaders", kind: paramSignedHeaders},
	)
	if creds.SessionToken != "" && !opts.UnsignedSessionToken {
		extra = append(extra, param{name: "X-Amz-Security-Token", value: creds.SessionToken, kind: paramString})
	}
	if sc.v4a {
		extra = append(extra, param{name: "X-Amz-Region-Set", value: opts.RegionSet, kind: paramString})
	}
	for _, k := range hoisted {
		for _, v := range req.Header[k] {
			extra = append(extra, param{name: hoistName(k), value: v, kind: paramHeader})
		}
	}
	sc.extra = extra
	query, _ := sc.canonicalQuery(req.URL.RawQuery, extra)
	if err := sc.finish(req, &creds, &opts, query); err != nil {
		return "", nil, err
	}

	// The URL is built in the pooled output buffer: the query goes after
	// the prefix that url.URL.String would write, or alone when the URL is
	// not one whose prefix is known here.
	fast := !copied && sc.simpleURL(u)
	b := sc.out[:0]
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
	b = append(b, sc.sig...)
	sc.out = b
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
	for i, e := range sc.hdrs {
		if i == 0 || !sc.sameName(sc.hdrs[i-1], e) {
			keys++
		}
		if e.kind == mapHeader {
			n += len(e.values)
		} else {
			n++
		}
	}
	signed := make(http.Header, keys)
	vals := make([]string, 0, n)
	var last string // the key whose values end vals
	start := 0
	for _, e := range sc.hdrs {
		var ck string
		switch e.kind {
		case hostHeader:
			ck = "Host"
		case lengthHeader:
			ck = "Content-Length"
		default:
			ck = http.CanonicalHeaderKey(e.key)
		}
		if ck != last || len(vals) == 0 {
			if prev, ok := signed[ck]; ok {
				// A key seen before, but not just before: sorting by
				// name keeps the spellings of a key together, so this is
				// only a safeguard. Append as the map would.
				signed[ck] = appendValues(prev, e)
				continue
			}
			start = len(vals)
		}
		switch e.kind {
		case hostHeader:
			vals = append(vals, sc.host)
		case lengthHeader:
			vals = append(vals, sc.clStr)
		default:
			vals = append(vals, e.values...)
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

func appendValues(vs []string, e hdr) []string {
	return append(vs[:len(vs):len(vs)], e.values...)
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

// param is a query parameter a presigned URL adds; canonicalQuery writes it
// in encoded form straight from its parts, as its kind says.
type param struct {
	name, value string
	num         int64
	kind        uint8
}

const (
	// paramString: name and value, both encoded.
	paramString = iota
	// paramHeader: a header moved to the query, name and value encoded.
	paramHeader
	// paramPlain: a constant name and a value that need no encoding.
	paramPlain
	// paramInt: a constant name and num in decimal.
	paramInt
	// paramCredential: a constant name and value (the access key id) "/"
	// the scope, encoded (and cached in the state, see encodedCredential).
	paramCredential
	// paramSignedHeaders: a constant name and the state's SignedHeaders list, encoded.
	paramSignedHeaders
)

type hdr struct {
	key    string // as in the header map
	values []string
	kind   uint8
	n0, n1 int32  // the lower-case name in state.names
	prefix uint64 // its first eight bytes, for sorting
}

const (
	mapHeader = iota
	hostHeader
	lengthHeader
)

// qpair locates one "k=v" pair in state.qbuf; prefix is its key's first
// eight bytes, for sorting.
type qpair struct {
	k0, k1, v0, v1 int32
	prefix         uint64
}

// state is the scratch space of one signature, pooled so that signing does
// not allocate in the steady state.
type state struct {
	keyCache *KeyCache
	v4a      bool
	s3       bool
	t        time.Time
	date     string // 20060102T150405Z
	day      int32  // the date as yyyymmdd
	scope    string // day/region/service/aws4_request
	host     string
	cl       int64
	clStr    string
	region   string

	payload    []byte // the payload hash as it goes into the canonical request
	payloadStr string // the same, when it was given as a string

	hdrs    []hdr
	names   []byte
	hoisted []string
	extra   []param
	pairs   []qpair
	qbuf    []byte
	query   []byte
	signed  []byte
	canon   []byte
	sts     []byte
	scratch []byte
	sig     []byte
	out     []byte
	scopeB  []byte
	scopeS  string
	// credEnc is credKeyID "/" credScope percent-encoded, for presigned URLs.
	credEnc              []byte
	credKeyID, credScope string
	// plainPath says that req.URL's path is known to need no encoding
	// (set by Presign, which has checked it).
	plainPath bool
	// simpleHost is the last URL host found to need no escaping.
	simpleHost string
	// what scopeS was built from
	scopeV4a                  bool
	scopeDay                  int32
	scopeRegion, scopeService string
	hin                       hash.Hash
	hout                      hash.Hash
	sum                       [32]byte
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func (sc *state) release() {
	for i := range sc.hdrs {
		sc.hdrs[i] = hdr{}
	}
	for i := range sc.extra {
		sc.extra[i] = param{}
	}
	sc.hoisted = sc.hoisted[:0]
	sc.payloadStr = ""
	sc.host = ""
	sc.plainPath = false
	statePool.Put(sc)
}

func (sc *state) algorithm() string {
	if sc.v4a {
		return algorithmV4a
	}
	return algorithmV4
}

func (sc *state) payloadString() string {
	if sc.payloadStr != "" {
		return sc.payloadStr
	}
	return string(sc.payload)
}

// dateCache holds the last formatted X-Amz-Date, so that requests signed in
// the same second share one string.
type dateCache struct {
	sec int64
	s   string
	day int32 // yyyymmdd
}

var lastDate atomic.Pointer[dateCache]

func amzDate(t time.Time) *dateCache {
	sec := t.Unix()
	if d := lastDate.Load(); d != nil && d.sec == sec {
		return d
	}
	y, m, day := t.Date()
	d := &dateCache{sec, t.Format(timeFormat), int32(y*10000 + int(m)*100 + day)}
	lastDate.Store(d)
	return d
}

// begin validates the input and fills in the time, scope, host and payload hash.
func (s *Signer) begin(req *http.Request, creds *Credentials, opts *Options, presign bool) (*state, error) {
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return nil, ErrNoCredentials
	}
	if opts.Service == "" || (opts.Region == "" && opts.RegionSet == "") {
		return nil, ErrNoScope
	}
	if req.URL == nil {
		return nil, errNoURL
	}
	if u := req.URL; u.Opaque == "" && u.Path != "" && u.Path[0] != '/' {
		// A path set by hand without its leading slash: net/http would
		// send an invalid request target, and no signature could match.
		u.Path = "/" + u.Path
		if u.RawPath != "" {
			u.RawPath = "/" + u.RawPath
		}
	}
	sc := statePool.Get().(*state)
	sc.keyCache = s.keys()
	sc.v4a = opts.RegionSet != ""
	sc.s3 = IsS3Service(opts.Service)
	t := opts.Time
	if t.IsZero() {
		t = time.Now()
	}
	sc.t = t.UTC()
	d := amzDate(sc.t)
	sc.date, sc.day = d.s, d.day
	sc.scope = sc.buildScope(opts)

	// The Host header Go sends: req.Host, else the URL's; a default port is
	// dropped (and req.Host set so) because AWS signs the bare name.
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if h, port, ok := splitPort(host); ok && ((port == "443" && strings.EqualFold(req.URL.Scheme, "https")) || (port == "80" && strings.EqualFold(req.URL.Scheme, "http"))) {
		host = h
		req.Host = h
	}
	sc.host = host
	if host == "" {
		sc.release()
		return nil, errors.New("sigv4: request has no host")
	}

	if err := sc.payloadHash(req, opts); err != nil {
		sc.release()
		return nil, err
	}
	return sc, nil
}

// buildScope returns day/region/service/aws4_request (SigV4) or
// day/service/aws4_request (SigV4a), reusing the last string when unchanged.
func (sc *state) buildScope(opts *Options) string {
	if sc.scopeS != "" && sc.scopeV4a == sc.v4a && sc.scopeDay == sc.day && sc.scopeRegion == opts.Region && sc.scopeService == opts.Service {
		return sc.scopeS // this pooled state signed for the same scope last time
	}
	sc.scopeV4a, sc.scopeDay, sc.scopeRegion, sc.scopeService = sc.v4a, sc.day, opts.Region, opts.Service
	b := sc.scopeB[:0]
	b = append(b, sc.date[:8]...)
	b = append(b, '/')
	if !sc.v4a {
		b = append(b, opts.Region...)
		b = append(b, '/')
	}
	b = append(b, opts.Service...)
	b = append(b, "/aws4_request"...)
	sc.scopeB = b
	if string(b) != sc.scopeS {
		sc.scopeS = string(b)
	}
	return sc.scopeS
}

func splitPort(hostport string) (host, port string, ok bool) {
	if n := len(hostport); n == 0 || hostport[n-1] < '0' || hostport[n-1] > '9' || strings.IndexByte(hostport, ':') < 0 {
		return hostport, "", false
	}
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.IndexByte(hostport[i:], ']') >= 0 {
		return hostport, "", false
	}
	return hostport[:i], hostport[i+1:], true
}

func (sc *state) payloadHash(req *http.Request, opts *Options) error {
	sc.payload = sc.payload[:0]
	switch {
	case opts.PayloadHash != "":
		sc.payloadStr = opts.PayloadHash
		sc.payload = append(sc.payload, opts.PayloadHash...)
		return nil
	case opts.Payload != nil:
		sum := sha256.Sum256(opts.Payload)
		sc.payload = appendHex(sc.payload, sum[:])
		return nil
	}
	if sc.s3 {
		if v := req.Header.Get("X-Amz-Content-Sha256"); v != "" {
			sc.payloadStr = v
			sc.payload = append(sc.payload, v...)
			return nil
		}
	}
	if req.Body == nil || req.Body == http.NoBody {
		sc.payloadStr = EmptyPayloadHash
		sc.payload = append(sc.payload, EmptyPayloadHash...)
		return nil
	}
	sum, err := hashBody(req)
	if err != nil {
		return err
	}
	sc.payload = appendHex(sc.payload, sum[:])
	return nil
}

// ignoredHeader reports, by lower-case name, the headers that proxies and
// clients change on the way and so are never signed, and the two whose value
// net/http takes from the request itself (req.Host, req.ContentLength).
func ignoredHeader(name []byte) bool {
	switch string(name) {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding",
		"host", "content-length":
		return true
	}
	return false
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

// collectHeaders gathers the headers to sign, sorted by lower-case name, and
// writes the SignedHeaders list. With presign it returns the X-Amz-* headers
// that move to the query instead.
func (sc *state) collectHeaders(req *http.Request, presign, unsignedToken bool) []string {
	names := append(sc.names[:0], "hostcontent-length"...)
	hs := sc.hdrs[:0]
	hs = append(hs, hdr{kind: hostHeader, n0: 0, n1: 4})
	if req.ContentLength > 0 {
		if req.ContentLength != sc.cl || sc.clStr == "" {
			sc.cl, sc.clStr = req.ContentLength, strconv.FormatInt(req.ContentLength, 10)
		}
		hs = append(hs, hdr{kind: lengthHeader, n0: 4, n1: 18})
	}
	hoisted := sc.hoisted[:0]
	for k, vs := range req.Header {
		n0 := len(names)
		names = appendLower(names, k)
		name := names[n0:]
		if ignoredHeader(name) || (unsignedToken && string(name) == "x-amz-security-token") {
			names = names[:n0]
			continue
		}
		if presign && hoistable(k) {
			names = names[:n0]
			hoisted = append(hoisted, k)
			continue
		}
		hs = append(hs, hdr{key: k, values: vs, n0: int32(n0), n1: int32(len(names))})
	}
	// Insertion sort: requests carry a few headers, and it neither
	// allocates nor calls through a closure. Names are compared by their
	// first eight bytes first, which nearly always decides.
	for i := range hs {
		hs[i].prefix = namePrefix(names[hs[i].n0:hs[i].n1])
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && headerLess(names, &hs[j], &hs[j-1]); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	sc.hdrs, sc.names, sc.hoisted = hs, names, hoisted
	if len(hoisted) > 1 {
		sortStrings(hoisted)
	}

	b := sc.signed[:0]
	for i, e := range hs {
		if i > 0 && sc.sameName(hs[i-1], e) {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, names[e.n0:e.n1]...)
	}
	sc.signed = b
	return hoisted
}

func (sc *state) sameName(a, b hdr) bool {
	return string(sc.names[a.n0:a.n1]) == string(sc.names[b.n0:b.n1])
}

func headerLess(names []byte, a, b *hdr) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if c := bytes.Compare(names[a.n0:a.n1], names[b.n0:b.n1]); c != 0 {
		return c < 0
	}
	return a.key < b.key // two spellings of one name: a fixed order
}

// namePrefix packs the first eight bytes of a name, big-endian and
// zero-padded, so that comparing prefixes orders names as bytes.Compare does
// up to their eighth byte.
func namePrefix(name []byte) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(name) {
			p |= uint64(name[i])
		}
	}
	return p
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// appendHeaderValue appends v with leading and trailing white space removed
// and every inner run of white space (including folded line breaks) turned
// into a single space.
func appendHeaderValue(b []byte, v string) []byte {
	if isTrimmed(v) {
		return append(b, v...)
	}
	space := false
	start := len(b)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isSpace[c] {
			space = true
			continue
		}
		if space && len(b) > start {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return b
}

var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// canonicalQuery returns the sorted canonical query string of raw plus
// extra, and whether raw was not already written in canonical encoding.
//
// Pairs are written to sc.qbuf as "k=v&" one after the other, the extra ones
// first: when they are in order already (the usual case, as the X-Amz-*
// parameters sort before lower-case names) the query is that buffer as it is.
func (sc *state) canonicalQuery(raw string, extra []param) ([]byte, bool) {
	qb := sc.qbuf[:0]
	pairs := sc.pairs[:0]
	rewrite := false
	for i := range extra {
		e := &extra[i]
		var p qpair
		p.k0 = int32(len(qb))
		if e.kind <= paramHeader {
			qb = appendURIEncode(qb, e.name, false)
		} else {
			qb = append(qb, e.name...) // a constant name, nothing to encode
		}
		p.k1 = int32(len(qb))
		qb = append(qb, '=')
		p.v0 = int32(len(qb))
		switch e.kind {
		case paramString, paramHeader:
			qb = appendURIEncode(qb, e.value, false)
		case paramPlain:
			qb = append(qb, e.value...)
		case paramInt:
			qb = strconv.AppendInt(qb, e.num, 10)
		case paramCredential:
			qb = append(qb, sc.encodedCredential(e.value)...)
		case paramSignedHeaders:
			qb = appendURIEncode(qb, sc.signed, false)
		}
		p.v1 = int32(len(qb))
		qb = append(qb, '&')
		p.prefix = keyPrefix(qb[p.k0:p.k1])
		pairs = append(pairs, p)
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			rewrite = true
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if !rewrite && (!isCanonicalComponent(k, false) || !isCanonicalComponent(v, false)) {
			rewrite = true
		}
		var p qpair
		p.k0 = int32(len(qb))
		qb = appendRecoded(qb, k, false)
		p.k1 = int32(len(qb))
		if replaced(qb[p.k0:p.k1], extra) {
			// A parameter the presigner sets itself (X-Amz-Expires, or
			// the signature of a URL presigned before): the new value wins.
			qb = qb[:p.k0]
			continue
		}
		qb = append(qb, '=')
		p.v0 = int32(len(qb))
		qb = appendRecoded(qb, v, false)
		p.v1 = int32(len(qb))
		qb = append(qb, '&')
		p.prefix = keyPrefix(qb[p.k0:p.k1])
		pairs = append(pairs, p)
	}
	// Insertion sort by encoded key, then encoded value: few pairs, no allocation.
	sorted := true
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairLess(qb, &pairs[j], &pairs[j-1]); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
			sorted = false
		}
	}
	sc.qbuf, sc.pairs = qb, pairs
	if sorted {
		if len(qb) == 0 {
			return qb, rewrite
		}
		return qb[:len(qb)-1], rewrite // without the last '&'
	}
	out := sc.query[:0]
	for i, p := range pairs {
		if i > 0 {
			out = append(out, '&')
		}
		out = append(out, qb[p.k0:p.v1]...) // key '=' value
	}
	sc.query = out
	return out, rewrite
}

// keyPrefix packs the first eight bytes of an encoded query key, as
// namePrefix does for header names.
func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	return namePrefix(k)
}

// encodedCredential returns akid "/" scope percent-encoded, the value of
// X-Amz-Credential, cached while the key id and the scope stay the same.
func (sc *state) encodedCredential(akid string) []byte {
	if len(sc.credEnc) == 0 || sc.credKeyID != akid || sc.credScope != sc.scope {
		b := appendURIEncode(sc.credEnc[:0], akid, false)
		b = append(b, "%2F"...)
		sc.credEnc = appendURIEncode(b, sc.scope, false)
		sc.credKeyID, sc.credScope = akid, sc.scope
	}
	return sc.credEnc
}

func replaced(key []byte, extra []param) bool {
	if len(extra) == 0 {
		return false
	}
	if string(key) == "X-Amz-Signature" {
		return true
	}
	for _, e := range extra {
		if string(key) == e.name {
			return true
		}
	}
	return false
}

func pairLess(qb []byte, a, b *qpair) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if c := bytes.Compare(qb[a.k0:a.k1], qb[b.k0:b.k1]); c != 0 {
		return c < 0
	}
	return bytes.Compare(qb[a.v0:a.v1], qb[b.v0:b.v1]) < 0
}

// finish builds the canonical request and the string to sign, and computes
// the signature into sc.sig.
func (sc *state) finish(req *http.Request, creds *Credentials, opts *Options, query []byte) error {
	c := sc.canon[:0]
	c = append(c, req.Method...)
	if req.Method == "" {
		c = append(c, "GET"...)
	}
	c = append(c, '\n')

	u := req.URL
	var path string
	plain := sc.plainPath || (u.Opaque == "" && u.RawPath == "" && isPlainPath(u.Path))
	if plain {
		path = u.Path // nothing to encode, the common case
		if path == "" {
			path = "/"
		}
	} else {
		path = escapedPath(u)
	}
	switch {
	case plain && !opts.NormalizePath:
		c = append(c, path...) // encoding once or twice changes nothing
	case sc.s3:
		start := len(c)
		c = appendRecoded(c, path, true)
		if string(c[start:]) != path && req.URL.Opaque == "" {
			req.URL.RawPath = string(c[start:])
		}
	case opts.DisableDoubleEncoding:
		if opts.NormalizePath {
			path = normalizePath(path)
		}
		c = append(c, path...)
	default:
		if opts.NormalizePath {
			path = normalizePath(path)
		}
		c = appendURIEncode(c, path, true)
	}
	c = append(c, '\n')
	c = append(c, query...)
	c = append(c, '\n')

	hs := sc.hdrs
	for i, e := range hs {
		if i > 0 && sc.sameName(hs[i-1], e) {
			// A second spelling of the same header: its values join the first.
			for _, v := range e.values {
				c = append(c, ',')
				c = appendHeaderValue(c, v)
			}
			continue
		}
		if i > 0 {
			c = append(c, '\n')
		}
		c = append(c, sc.names[e.n0:e.n1]...)
		c = append(c, ':')
		switch e.kind {
		case hostHeader:
			c = appendHeaderValue(c, sc.host)
		case lengthHeader:
			c = append(c, sc.clStr...)
		default:
			for j, v := range e.values {
				if j > 0 {
					c = append(c, ',')
				}
				c = appendHeaderValue(c, v)
			}
		}
	}
	c = append(c, '\n', '\n')
	c = append(c, sc.signed...)
	c = append(c, '\n')
	c = append(c, sc.payload...)
	sc.canon = c

	sum := sha256.Sum256(c)
	st := sc.sts[:0]
	st = append(st, sc.algorithm()...)
	st = append(st, '\n')
	st = append(st, sc.date...)
	st = append(st, '\n')
	st = append(st, sc.scope...)
	st = append(st, '\n')
	st = appendHex32(st, &sum)
	sc.sts = st

	if sc.v4a {
		sig, err := signV4a(creds, st, sc)
		if err != nil {
			return err
		}
		sc.sig = appendHex(sc.sig[:0], sig)
	} else {
		e := sc.keyCache.signingKey(creds, sc.date, sc.day, opts.Region, opts.Service)
		sc.sig = appendHex32(sc.sig[:0], sc.mac(e, st))
	}
	if opts.Trace != nil {
		*opts.Trace = Trace{
			CanonicalRequest: string(sc.canon),
			StringToSign:     string(sc.sts),
			SignedHeaders:    string(sc.signed),
			Signature:        string(sc.sig),
		}
	}
	return nil
}

// mac returns HMAC-SHA256(e.key, msg), resuming from the key's precomputed
// pad states.
func (sc *state) mac(e *keyEntry, msg []byte) *[32]byte {
	if sc.hin == nil {
		sc.hin, sc.hout = sha256.New(), sha256.New()
	}
	if sc.hin.(encoding.BinaryUnmarshaler).UnmarshalBinary(e.inner) != nil ||
		sc.hout.(encoding.BinaryUnmarshaler).UnmarshalBinary(e.outer) != nil {
		sc.sum = hmacSHA256(e.key[:], msg, &sc.scratch)
		return &sc.sum
	}
	sc.hin.Write(msg)
	sc.hout.Write(sc.hin.Sum(sc.sum[:0]))
	sc.hout.Sum(sc.sum[:0])
	return &sc.sum
}

// setHeader sets h[key] to v, reusing the value slice already there.
func setHeader(h http.Header, key, v string) {
	if cur := h[key]; len(cur) == 1 {
		cur[0] = v // the slot the previous signature used, as the AWS SDK does
		return
	}
	h[key] = []string{v}
}
