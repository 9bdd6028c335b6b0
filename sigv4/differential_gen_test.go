package sigv4_test

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// diffGen generates requests inside the region where the SDK is correct.
type diffGen struct{ r *rand.Rand }

func (g *diffGen) n(n int) int             { return g.r.IntN(n) }
func (g *diffGen) chance(p float64) bool   { return g.r.Float64() < p }
func diffPick[T any](g *diffGen, xs []T) T { return xs[g.r.IntN(len(xs))] }

var (
	diffMethods     = []string{"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"}
	diffS3Services  = []string{"s3", "s3", "s3", "s3-object-lambda", "s3-outposts"}
	diffOtherSvcs   = []string{"sts", "dynamodb", "execute-api", "sqs", "lambda", "es", "bedrock", "iam", "ec2", "kinesis", "monitoring", "secretsmanager"}
	diffRegions     = []string{"us-east-1", "us-west-2", "eu-west-2", "ap-southeast-1", "cn-north-1", "us-gov-west-1", "il-central-1"}
	diffAccessKeys  = []string{"AKIDEXAMPLE", "AKIAIOSFODNN7EXAMPLE", "ASIAXAMPLEXAMPLEXAMP", "AKIA0123456789ABCDEF"}
	diffTokenChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
	diffZones       = []*time.Location{time.UTC, time.FixedZone("UTC+14", 14*3600), time.FixedZone("UTC-12", -12*3600), time.FixedZone("UTC+5:30", 5*3600+1800)}
	diffBucketNames = []string{"examplebucket", "my.dotted.bucket", "bucket-with-dashes-123", "a1b"}

	// Decoded path material: reserved characters, percent characters,
	// spaces, multibyte UTF-8, dot segments.
	diffPathPieces = []string{
		"a", "photos", "2024", "cat.jpg", "Key", "x", "-", "_", ".", "~", "..",
		"!", "(", ")", "*", "'", "@", ":", "=", ";", "+", "$", ",", "&", "?", "#",
		"%", "%25", "%2F", "%2f", "%41", "%zz", " ", "  ", "[", "]", "\"", "<", ">",
		"\\", "^", "`", "{", "|", "}", "é", "日本語", "😀", "\u00a0", "ü", "\u200b",
	}
	// Raw (already-escaped) path material for url.Parse: valid escapes in
	// both cases, raw sub-delims, raw UTF-8.
	diffRawPathPieces = []string{
		"a", "b", "photos", "x.y", "-", "_", "~", ".", "..", "!", "(", ")", "*", "'", "@", ":", "=",
		";", "+", "$", ",", "&", "%20", "%2F", "%2f", "%25", "%41", "%7e", "%C3%A9", "%c3%a9",
		"%E6%97%A5", "é", "日本", "😀", "%2B", "%28a%29", "//",
	}
	// Decoded query material.
	diffQueryPieces = []string{
		"a", "b", "value", "1", "0", "-", "_", ".", "~", "+", ";", "&", "=", "%", "%25",
		"%2F", "/", "?", "!", "*", "'", "(", ")", "@", ":", "$", ",", " ", "  ", "#", "[",
		"]", "\"", "é", "日本語", "😀", "ключ", "\u00a0", "\t",
	}
	diffQueryKeys = []string{
		"a", "b", "A", "list-type", "prefix", "max-keys", "delimiter", "Action", "Version",
		"uploadId", "partNumber", "versionId", "acl", "", "x-amz-date", "X-AMZ-Expires",
		"X-Amz-date", "x-amz-security-token", "a b", "a+b", "a;b", "a&b", "a=b", "ключ",
		"k~", "%", "%41", "Z", "_", "response-content-type",
	}
	// Header values: inner, leading and trailing runs of spaces, commas,
	// quotes, UTF-8.
	diffValuePieces = []string{
		"text/plain", "application/json", "charset=utf-8", "value", "a", "b", "1", "0", ";",
		",", "\"etag\"", "=", ":", "/", "*", "é", "日本", " ", "  ", "   ", "bytes=0-1023",
		"DynamoDB_20120810.GetItem", "Wed, 21 Oct 2015 07:28:00 GMT", "gzip", "AES256", "+", "%20",
	}
)

// headerSpec is a header name that can be generated.
type headerSpec struct {
	name string
	// special is set for names on one of the SDK's case-sensitive lists
	// (ignored headers, headers S3 needs as headers, lower-cased hoisted
	// names): they are generated in canonical case only (exclusion f).
	special bool
	// noPresign excludes the name from presigning (exclusion d).
	noPresign bool
	values    []string // fixed values; nil means generated
}

var diffHeaders = []headerSpec{
	{name: "Content-Type", values: []string{"application/json", "  text/plain ;   charset=utf-8  ", "application/x-amz-json-1.0", "application/x-www-form-urlencoded; charset=utf-8"}},
	{name: "X-Amz-Target", values: []string{"DynamoDB_20120810.GetItem", "AWSSecurityTokenServiceV20110615.GetCallerIdentity"}},
	{name: "Content-Md5"}, {name: "Content-Encoding"}, {name: "Cache-Control"}, {name: "Range"},
	{name: "If-Match"}, {name: "If-None-Match"}, {name: "Accept"}, {name: "Accept-Encoding"},
	{name: "Content-Disposition"}, {name: "Expires"}, {name: "Content-Language"},
	{name: "X-Amz-Meta-"}, {name: "X-Amz-Meta-"}, {name: "x-amz-META-"},
	{name: "X-Amz-Acl", special: true}, {name: "X-Amz-Storage-Class", special: true},
	{name: "X-Amz-Server-Side-Encryption", special: true}, {name: "X-Amz-Tagging", special: true},
	{name: "X-Amz-Grant-Read", special: true}, {name: "X-Amz-Copy-Source", special: true},
	{name: "X-Amz-Grant-Full-Control", special: true, noPresign: true},
	{name: "X-Amz-Checksum-Crc32"}, {name: "X-Amz-Checksum-Mode"}, {name: "X-Amz-Object-Lock-Mode"},
	{name: "X-Amz-Expected-Bucket-Owner", special: true}, {name: "X-Amz-Request-Payer", special: true},
	{name: "X-Amz-User-Agent"}, {name: "X-Amz-"}, {name: "x-amz-"}, {name: "X-AMZ-"},
	{name: "X-Custom-"}, {name: "x-CUSTOM-"}, {name: "My_Header"}, {name: "X-Foo"}, {name: "Zz-Last"},
	{name: "Amz-Sdk-Invocation-Id"}, {name: "Amz-Sdk-Request", values: []string{"attempt=1; max=3"}},
	{name: "User-Agent", special: true}, {name: "X-Amzn-Trace-Id", special: true},
	{name: "Expect", special: true, values: []string{"100-continue"}}, {name: "Authorization", special: true},
	{name: "Transfer-Encoding", special: true, values: []string{"chunked"}},
	{name: "Host", special: true, values: []string{"ignored.example.com"}},
	{name: "Content-Length", special: true, values: []string{"999"}},
}

func (g *diffGen) concat(pieces []string, min, max int) string {
	var b strings.Builder
	for n := min + g.n(max-min+1); n > 0; n-- {
		b.WriteString(diffPick(g, pieces))
	}
	return b.String()
}

// word is a random header-name suffix in mixed case.
func (g *diffGen) word() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	n := 1 + g.n(8)
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[g.n(len(letters)-2)] // no leading '-' or '_' below
		if i > 0 {
			b[i] = letters[g.n(len(letters))]
		}
	}
	return string(b)
}

func (g *diffGen) headerValue() string {
	switch g.n(10) {
	case 0:
		return ""
	case 1:
		return strings.Repeat(" ", 1+g.n(3))
	}
	v := g.concat(diffValuePieces, 1, 6)
	if g.chance(0.3) {
		v = strings.Repeat(" ", 1+g.n(3)) + v
	}
	if g.chance(0.3) {
		v += strings.Repeat(" ", 1+g.n(3))
	}
	return v
}

// diffStrictEncode writes every byte outside A-Za-z0-9-._~ as upper-case %XX,
// keeping '/' when keepSlash is set: AWS's URI encoding.
func diffStrictEncode(s string, keepSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexUpper[c>>4])
			b.WriteByte(hexUpper[c&15])
		}
	}
	return b.String()
}

// queryEncode writes a decoded query component so that url.Query() decodes
// it back unchanged (exclusion a): '+', ';', '%', '&', '#', space and
// control bytes are always escaped; other bytes are raw or escaped (in
// upper or lower case) at random.
func (g *diffGen) queryEncode(s string, isKey bool) string {
	const hexUpper, hexLower = "0123456789ABCDEF", "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		raw := false
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			raw = g.chance(0.85)
		case strings.IndexByte("!*'():@/?,$[]\"", c) >= 0:
			raw = g.chance(0.5)
		case c == '=' && !isKey:
			raw = g.chance(0.5)
		case c >= 0x80:
			raw = g.chance(0.2)
		}
		if raw {
			b.WriteByte(c)
			continue
		}
		h := hexUpper
		if g.chance(0.2) {
			h = hexLower
		}
		b.WriteByte('%')
		b.WriteByte(h[c>>4])
		b.WriteByte(h[c&15])
	}
	return b.String()
}

func (g *diffGen) rawQuery() string {
	n := g.n(7)
	if n == 0 {
		return ""
	}
	var keys, vals []string
	parts := make([]string, 0, n)
	for range n {
		var k, v string
		switch {
		case len(keys) > 0 && g.chance(0.2): // a repeated key
			k = diffPick(g, keys)
		case g.chance(0.6):
			k = diffPick(g, diffQueryKeys)
		default:
			k = g.concat(diffQueryPieces, 1, 4)
		}
		switch {
		case len(vals) > 0 && g.chance(0.15): // a repeated value
			v = diffPick(g, vals)
		case g.chance(0.2):
			v = ""
		default:
			v = g.concat(diffQueryPieces, 1, 5)
		}
		keys, vals = append(keys, k), append(vals, v)
		ek, ev := g.queryEncode(k, true), g.queryEncode(v, false)
		switch {
		case v == "" && g.chance(0.5):
			parts = append(parts, ek) // "k" with no '='
		default:
			parts = append(parts, ek+"="+ev)
		}
	}
	return strings.Join(parts, "&")
}

func (g *diffGen) genCase() *diffCase {
	c := &diffCase{method: diffPick(g, diffMethods)}
	c.s3 = g.chance(0.45)
	if c.s3 {
		c.service = diffPick(g, diffS3Services)
	} else {
		c.service = diffPick(g, diffOtherSvcs)
	}
	c.region = diffPick(g, diffRegions)

	// Credentials (exclusion i: one secret per access key id).
	akid := diffPick(g, diffAccessKeys)
	c.creds = sigv4.Credentials{AccessKeyID: akid, SecretAccessKey: "secret/" + akid + "+wJalrXUtnFEMI/K7MDENG"}
	if g.chance(0.5) {
		tok := make([]byte, 16+g.n(300))
		for i := range tok {
			tok[i] = diffTokenChars[g.n(len(diffTokenChars))]
		}
		c.creds.SessionToken = string(tok)
	}

	// Time, in assorted zones, so the scope day is the UTC day.
	sec := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() + g.r.Int64N(30*365*24*3600)
	c.t = time.Unix(sec, int64(g.n(1e9))).In(diffPick(g, diffZones))
	c.expires = time.Duration(1+g.r.Int64N(int64(sigv4.MaxPresignExpiry/time.Second))) * time.Second

	// Host and scheme.
	scheme := "https"
	var host string
	switch {
	case c.s3 && g.chance(0.6):
		host = diffPick(g, diffBucketNames) + ".s3." + c.region + ".amazonaws.com"
	case c.s3:
		host = "s3." + c.region + ".amazonaws.com"
	case c.service == "execute-api":
		host = "abc123def4.execute-api." + c.region + ".amazonaws.com"
	default:
		host = c.service + "." + c.region + ".amazonaws.com"
	}
	switch g.n(10) {
	case 0:
		host += ":443"
	case 1:
		host += ":8443"
	case 2:
		scheme, host = "http", "localhost:4566"
	case 3:
		scheme, host = "http", host+":80"
	case 4:
		host = strings.ToUpper(host[:1]) + host[1:]
	}
	c.url = url.URL{Scheme: scheme, Host: host}
	if g.chance(0.1) {
		c.host = "virtual.example.com"
		if g.chance(0.5) {
			c.host += ":" + diffPick(g, []string{"443", "80", "9000"})
		}
	}

	// Path.
	if c.s3 {
		// Exclusion b: an already strictly encoded RawPath. Segments may hold
		// '/' (sent as %2F).
		var segs, raws []string
		for n := g.n(5); n > 0; n-- {
			s := g.concat(diffPathPieces, 0, 4)
			if g.chance(0.1) {
				s += "/" + g.concat(diffPathPieces, 1, 2)
			}
			segs = append(segs, s)
			raws = append(raws, diffStrictEncode(s, false))
		}
		if len(segs) > 0 || g.chance(0.5) {
			p, rp := "/"+strings.Join(segs, "/"), "/"+strings.Join(raws, "/")
			if len(segs) > 0 && g.chance(0.2) {
				p, rp = p+"/", rp+"/"
			}
			c.url.Path, c.url.RawPath = p, rp
			if g.chance(0.1) {
				c.url = url.URL{Scheme: scheme, Host: host, Opaque: "//" + host + rp}
			}
		}
	} else {
		switch g.n(4) {
		case 0, 1: // a decoded path; Go picks the wire encoding
			var segs []string
			for n := g.n(5); n > 0; n-- {
				segs = append(segs, g.concat(diffPathPieces, 0, 4))
			}
			if len(segs) > 0 || g.chance(0.5) {
				c.url.Path = "/" + strings.Join(segs, "/")
			}
		case 2: // a raw path through url.Parse: any Go-accepted path
			raw := "/" + g.concat(diffRawPathPieces, 0, 8)
			if u, err := url.Parse(scheme + "://" + host + raw); err == nil {
				c.url = *u
			}
		case 3: // an opaque "//host/path" with a pre-escaped path
			c.url.Opaque = "//" + host + "/" + g.concat(diffRawPathPieces, 0, 6)
			if g.chance(0.1) {
				c.url.Opaque = "//" + host // no path at all: "/"
			}
		}
	}
	c.url.RawQuery = g.rawQuery()

	// Headers (exclusions c, d, e, f, g).
	c.header = http.Header{}
	for n := g.n(7); n > 0; n-- {
		spec := diffPick(g, diffHeaders)
		dst := c.header
		if spec.noPresign {
			// Both forms are compared for every case; this one is left
			// out of the presigned form (exclusion d).
			if c.signOnly == nil {
				c.signOnly = http.Header{}
			}
			dst = c.signOnly
		}
		name := spec.name
		if strings.HasSuffix(name, "-") {
			name += g.word()
		} else if !spec.special && g.chance(0.2) {
			name = diffMixCase(g, name)
		}
		if name != spec.name && diffCaseSensitiveName(name) {
			continue // exclusions f and g
		}
		dup := false
		for _, h := range []http.Header{c.header, c.signOnly} {
			for k := range h {
				if strings.EqualFold(k, name) && k != name {
					dup = true // exclusion c
				}
			}
		}
		if dup {
			continue
		}
		m := 1 // number of values; repeated values now and then
		if g.chance(0.25) {
			m += 1 + g.n(2)
		}
		for ; m > 0; m-- {
			v := g.headerValue()
			if spec.values != nil && g.chance(0.7) {
				v = diffPick(g, spec.values)
			}
			dst[name] = append(dst[name], v)
		}
	}

	// Body and payload hash.
	if (c.method == "POST" || c.method == "PUT" || c.method == "PATCH") && g.chance(0.7) {
		c.body = make([]byte, 1+g.n(2048))
		for i := range c.body {
			c.body[i] = byte(g.n(256))
		}
	}
	sum := sha256.Sum256(c.body)
	bodyHash := hex.EncodeToString(sum[:])
	c.payloadMode = payloadMode(g.n(3))
	c.payloadHash = bodyHash
	if c.payloadMode == payloadHashGiven {
		switch {
		case c.s3 && g.chance(0.4):
			c.payloadHash = sigv4.UnsignedPayload
		case c.s3 && g.chance(0.1):
			c.payloadHash = sigv4.StreamingPayload
		case g.chance(0.1):
			c.payloadHash = sigv4.EmptyPayloadHash
		}
	}
	return c
}

// diffSDKListed are the names the SDK looks up case-sensitively where the
// case matters (its IgnoredHeaders, the X-Amz-* names of its
// RequiredSignedHeaders map, its lower-cased hoisted names) and the names
// either signer sets or skips itself. (The map's other names, such as
// Content-Type, only matter for hoisting, which needs an X-Amz- prefix.)
var diffSDKListed = []string{
	"Authorization", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding",
	"X-Amz-Acl", "X-Amz-Copy-Source", "X-Amz-Copy-Source-If-Match",
	"X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-None-Match",
	"X-Amz-Copy-Source-If-Unmodified-Since", "X-Amz-Copy-Source-Range",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5", "X-Amz-Grant-Full-Control",
	"X-Amz-Grant-Read", "X-Amz-Grant-Read-Acp", "X-Amz-Grant-Write", "X-Amz-Grant-Write-Acp",
	"X-Amz-Metadata-Directive", "X-Amz-Mfa", "X-Amz-Server-Side-Encryption",
	"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Context",
	"X-Amz-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Server-Side-Encryption-Customer-Key",
	"X-Amz-Server-Side-Encryption-Customer-Key-Md5", "X-Amz-Storage-Class",
	"X-Amz-Website-Redirect-Location", "X-Amz-Content-Sha256", "X-Amz-Tagging",
	"X-Amz-Expected-Bucket-Owner", "X-Amz-Request-Payer",
	"X-Amz-Date", "X-Amz-Security-Token", "Host", "Content-Length",
}

// diffCaseSensitiveName reports whether a generated (suffixed or
// mixed-case) name is a spelling of a listed name.
func diffCaseSensitiveName(name string) bool {
	for _, l := range diffSDKListed {
		if strings.EqualFold(name, l) {
			return true
		}
	}
	return false
}

// diffMixCase flips the case of some letters of a name.
func diffMixCase(g *diffGen, s string) string {
	b := []byte(s)
	for i, c := range b {
		if g.chance(0.4) {
			switch {
			case 'a' <= c && c <= 'z':
				b[i] = c - 32
			case 'A' <= c && c <= 'Z':
				b[i] = c + 32
			}
		}
	}
	return string(b)
}
