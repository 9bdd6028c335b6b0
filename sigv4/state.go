package sigv4

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The state of one signature, from the validated input to the signature:
// time, scope, host and payload hash, then the canonical request, the
// string to sign and the signature itself.

// state is the scratch space of one signature, pooled so that signing does
// not allocate in the steady state.
type state struct {
	keyCache *KeyCache
	sigV4a   bool // signing with SigV4a (Options.RegionSet is set)
	s3Rules  bool // the service signs with S3's rules (IsS3Service)
	signedAt time.Time
	date     string // X-Amz-Date: 20060102T150405Z
	day      int32  // the date as yyyymmdd
	scope    string // day/region/service/aws4_request
	host     string // the Host header as sent, without a default port

	contentLength     int64
	contentLengthText string // contentLength in decimal, kept while it is unchanged

	payloadHash      []byte // the payload hash as it goes into the canonical request
	givenPayloadHash string // the same, when it was given as a string

	headers          []canonicalHeader // the headers to sign, sorted by name
	headerNames      []byte            // their lower-case names, one after the other
	hoistedHeaders   []string          // X-Amz-* headers a presigned URL moves to its query
	mapHeaders       []mapEntry        // the headers of the map to sign, in the order found
	own              ownHeaders        // the headers Sign sets
	ownOnly          bool              // no header to sign from the map: headers is empty, see appendOwnHeaders
	authSlot         []string          // the request's Authorization value, to be replaced
	presignParams    []queryParam      // the parameters a presigned URL adds
	queryPairs       []queryPair       // the pairs of queryBuf, sorted
	queryBuf         []byte            // encoded "k=v&" pairs, in the order written
	sortedQuery      []byte            // the canonical query, when queryBuf was not in order
	signedHeaderList []byte            // the SignedHeaders value: "host;x-amz-date"
	canonicalRequest []byte
	stringToSign     []byte
	hmacScratch      []byte
	signature        []byte // hex
	output           []byte // the Authorization value or the presigned URL
	scopeBuf         []byte
	cachedScope      string
	// credentialBuf is credentialKeyID "/" credentialScope percent-encoded,
	// for presigned URLs.
	credentialBuf                    []byte
	credentialKeyID, credentialScope string
	// plainPath says that req.URL's path is known to need no encoding
	// (set by Presign, which has checked it).
	plainPath bool
	// simpleHost is the last URL host found to need no escaping.
	simpleHost string
	// what cachedScope was built from
	cachedScopeV4a                        bool
	cachedScopeDay                        int32
	cachedScopeRegion, cachedScopeService string
	sha                                   rawSHA256
	// macTail is the end of the HMAC's inner message: the canonical
	// request's hash in hex at [64:128], the rest of the string to sign's
	// fixed lines before it, the padding after it (see mac).
	macTail [256]byte
	macSum  [32]byte
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func (sc *state) release() {
	// Drop the references to the request's headers (only where there are
	// any: each pointer cleared is a write barrier while the GC runs).
	if len(sc.mapHeaders) > 0 {
		clear(sc.mapHeaders)
		sc.mapHeaders = sc.mapHeaders[:0]
	}
	if sc.own.set != 0 {
		sc.own = ownHeaders{}
	}
	sc.authSlot = nil
	clear(sc.presignParams)
	sc.hoistedHeaders = sc.hoistedHeaders[:0]
	sc.givenPayloadHash = ""
	sc.host = ""
	sc.plainPath = false
	statePool.Put(sc)
}

func (sc *state) algorithm() string {
	if sc.sigV4a {
		return algorithmV4a
	}
	return algorithmV4
}

func (sc *state) payloadHashString() string {
	if sc.givenPayloadHash != "" {
		return sc.givenPayloadHash
	}
	return string(sc.payloadHash)
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
	hh, mm, ss := t.Clock()
	// timeFormat, written by hand: time.Format parses its layout each call.
	var b [16]byte
	put := func(i, v, n int) {
		for j := i + n - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	put(4, int(m), 2)
	put(6, day, 2)
	b[8] = 'T'
	put(9, hh, 2)
	put(11, mm, 2)
	put(13, ss, 2)
	b[15] = 'Z'
	str := string(b[:])
	if y < 0 || y > 9999 {
		str = t.Format(timeFormat)
	}
	d := &dateCache{sec, str, int32(y*10000 + int(m)*100 + day)}
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
	sc.sigV4a = opts.RegionSet != ""
	sc.s3Rules = IsS3Service(opts.Service)
	t := opts.Time
	if t.IsZero() {
		t = time.Now()
	}
	sc.signedAt = t.UTC()
	d := amzDate(sc.signedAt)
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

	if err := sc.hashPayload(req, opts); err != nil {
		sc.release()
		return nil, err
	}
	return sc, nil
}

// buildScope returns day/region/service/aws4_request (SigV4) or
// day/service/aws4_request (SigV4a), reusing the last string when unchanged.
func (sc *state) buildScope(opts *Options) string {
	if sc.cachedScope != "" && sc.cachedScopeV4a == sc.sigV4a && sc.cachedScopeDay == sc.day && sc.cachedScopeRegion == opts.Region && sc.cachedScopeService == opts.Service {
		return sc.cachedScope // this pooled state signed for the same scope last time
	}
	sc.cachedScopeV4a, sc.cachedScopeDay, sc.cachedScopeRegion, sc.cachedScopeService = sc.sigV4a, sc.day, opts.Region, opts.Service
	b := sc.scopeBuf[:0]
	b = append(b, sc.date[:8]...)
	b = append(b, '/')
	if !sc.sigV4a {
		b = append(b, opts.Region...)
		b = append(b, '/')
	}
	b = append(b, opts.Service...)
	b = append(b, "/aws4_request"...)
	sc.scopeBuf = b
	if string(b) != sc.cachedScope {
		sc.cachedScope = string(b)
	}
	return sc.cachedScope
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

func (sc *state) hashPayload(req *http.Request, opts *Options) error {
	sc.payloadHash = sc.payloadHash[:0]
	switch {
	case opts.PayloadHash != "":
		sc.givenPayloadHash = opts.PayloadHash
		sc.payloadHash = append(sc.payloadHash, opts.PayloadHash...)
		return nil
	case opts.Payload != nil:
		sum := sha256.Sum256(opts.Payload)
		sc.payloadHash = appendHex(sc.payloadHash, sum[:])
		return nil
	}
	if sc.s3Rules {
		if v := req.Header.Get("X-Amz-Content-Sha256"); v != "" {
			sc.givenPayloadHash = v
			sc.payloadHash = append(sc.payloadHash, v...)
			return nil
		}
	}
	if req.Body == nil || req.Body == http.NoBody {
		sc.givenPayloadHash = EmptyPayloadHash
		sc.payloadHash = append(sc.payloadHash, EmptyPayloadHash...)
		return nil
	}
	sum, err := hashBody(req)
	if err != nil {
		return err
	}
	sc.payloadHash = appendHex(sc.payloadHash, sum[:])
	return nil
}

// appendValues appends e's values, comma-separated, each trimmed; joining,
// after a comma of their own (e is a second spelling of the header before).
func (sc *state) appendValues(c []byte, e *canonicalHeader, joining bool) []byte {
	var one string
	var values []string
	switch e.kind {
	case hostHeader:
		one = sc.host
	case lengthHeader:
		one = sc.contentLengthText
	case ownHeader:
		one = sc.own.values[e.src]
	default:
		values = sc.mapHeaders[e.src].values
		for j, v := range values {
			if j > 0 || joining {
				c = append(c, ',')
			}
			c = appendHeaderValue(c, v)
		}
		return c
	}
	if joining {
		c = append(c, ',')
	}
	return appendHeaderValue(c, one)
}

// finish builds the canonical request and the string to sign, and computes
// the signature into sc.signature.
func (sc *state) finish(req *http.Request, creds *Credentials, opts *Options, query []byte) error {
	c := sc.canonicalRequest[:0]
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
	case sc.s3Rules:
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

	if sc.ownOnly {
		c = sc.appendOwnHeaders(c, req.ContentLength > 0)
	}
	hs := sc.headers
	for i := range hs {
		e := &hs[i]
		if i > 0 && sc.sameName(&hs[i-1], e) {
			// A second spelling of the same header: its values join the first.
			c = sc.appendValues(c, e, true)
			continue
		}
		if i > 0 {
			c = append(c, '\n')
		}
		c = append(c, sc.headerNames[e.nameStart:e.nameEnd]...)
		c = append(c, ':')
		c = sc.appendValues(c, e, false)
	}
	c = append(c, '\n', '\n')
	c = append(c, sc.signedHeaderList...)
	c = append(c, '\n')
	c = append(c, sc.payloadHash...)
	sc.canonicalRequest = c

	appendHex32(sc.macTail[64:64], sc.sumCanonical()) // where mac wants it
	if sc.sigV4a {
		sc.stringToSign = sc.appendStringToSign(sc.stringToSign[:0])
		sig, err := signV4a(creds, sc.stringToSign, sc)
		if err != nil {
			return err
		}
		sc.signature = appendHex(sc.signature[:0], sig)
	} else {
		e := sc.keyCache.signingKey(creds, sc.date, sc.day, opts.Region, opts.Service)
		sc.signature = appendHex32(sc.signature[:0], sc.mac(e))
	}
	if opts.Trace != nil {
		*opts.Trace = Trace{
			CanonicalRequest: string(sc.canonicalRequest),
			StringToSign:     string(sc.appendStringToSign(sc.stringToSign[:0])),
			SignedHeaders:    string(sc.signedHeaderList),
			Signature:        string(sc.signature),
		}
	}
	return nil
}

// appendFixedLines appends the lines of the string to sign before the
// canonical request's hash: "ALGORITHM\nDATE\nSCOPE\n".
func (sc *state) appendFixedLines(b []byte) []byte {
	b = append(b, sc.algorithm()...)
	b = append(b, '\n')
	b = append(b, sc.date...)
	b = append(b, '\n')
	b = append(b, sc.scope...)
	return append(b, '\n')
}

// appendStringToSign appends the string to sign, once finish has written the
// canonical request's hash.
func (sc *state) appendStringToSign(b []byte) []byte {
	return append(sc.appendFixedLines(b), sc.macTail[64:128]...)
}
