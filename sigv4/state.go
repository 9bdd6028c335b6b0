package sigv4

import (
	"crypto/sha256"
	"encoding"
	"errors"
	"hash"
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
