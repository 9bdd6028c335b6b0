package urlparse

import (
	"net/url"
	"strings"
)

// A presigned URL carries its own credential scope in X-Amz-Credential:
//
//	AKID/YYYYMMDD/REGION/SERVICE/aws4_request   SigV4
//	AKID/YYYYMMDD/SERVICE/aws4_request          SigV4a, with X-Amz-Region-Set
//
// The scope is what the signature covers, so it wins over the host:
// SigningRegion (or RegionSet) and SigningName come from it.

const (
	credentialParam = "X-Amz-Credential"
	regionSetParam  = "X-Amz-Region-Set"
	algorithmParam  = "X-Amz-Algorithm"
	algorithmV4     = "AWS4-HMAC-SHA256"
	algorithmV4a    = "AWS4-ECDSA-P256-SHA256"
	credentialForm  = "X-Amz-Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request (SigV4), or ACCESS_KEY_ID/YYYYMMDD/SERVICE/aws4_request with X-Amz-Region-Set (SigV4a)"
)

// credential applies a presigned URL's credential scope, if it has one.
func (p *parse) credential(rawQuery string) {
	if rawQuery == "" || !strings.Contains(rawQuery, credentialParam) {
		return
	}
	q := scanQuery(rawQuery)
	if q.credentials == 0 {
		return
	}
	if q.credentials > 1 {
		p.fail(ErrCredential, "X-Amz-Credential appears more than once in the query")
		return
	}
	alg := q.algorithm
	// Split the scope without decoding it whole and without echoing any of
	// it in errors: its first part is an access key id.
	var buf [6]string
	parts, ok := splitScope(q.credential, buf[:0])
	if !ok {
		p.fail(ErrCredential, "X-Amz-Credential is not valid percent-encoding; %s", credentialForm)
		return
	}
	var region, service, regionSet string
	switch {
	case len(parts) == 5 && (alg == "" || alg == algorithmV4):
		region, service = parts[2], parts[3]
		if !isToken(region, false) {
			p.fail(ErrCredential, "the region in X-Amz-Credential is not a region name; %s", credentialForm)
			return
		}
	case len(parts) == 4 && (alg == "" || alg == algorithmV4a):
		service = parts[2]
		rs := q.regionSet
		if strings.IndexByte(rs, '%') >= 0 {
			var err error
			if rs, err = url.QueryUnescape(rs); err != nil {
				rs = ""
			}
		}
		if q.regionSets != 1 || !validRegionSet(rs) {
			p.fail(ErrCredential, "a SigV4a X-Amz-Credential needs one X-Amz-Region-Set of comma-separated regions or *; %s", credentialForm)
			return
		}
		regionSet = rs
	default:
		p.fail(ErrCredential, "%s", credentialForm)
		return
	}
	if parts[0] == "" || !validDate(parts[1]) || parts[len(parts)-1] != "aws4_request" {
		p.fail(ErrCredential, "%s", credentialForm)
		return
	}
	if !isSigningName(service) {
		p.fail(ErrCredential, "the service in X-Amz-Credential is not a signing name; %s", credentialForm)
		return
	}
	e := &p.ep
	e.SigningName = service
	e.SigningRegion, e.RegionSet = region, regionSet
	e.FromCredential = true
}

// splitScope splits a raw (still query-escaped) credential scope at "/" or
// its escape %2F, and decodes only the parts that hold other escapes. It
// returns false for more than six parts or a bad escape.
func splitScope(raw string, out []string) ([]string, bool) {
	start := 0
	for i := 0; i <= len(raw); {
		sep := 0
		switch {
		case i == len(raw):
			sep = 1
		case raw[i] == '/':
			sep = 1
		case raw[i] == '%' && i+2 < len(raw) && raw[i+1] == '2' && (raw[i+2] == 'F' || raw[i+2] == 'f'):
			sep = 3
		}
		if sep == 0 {
			i++
			continue
		}
		if len(out) == cap(out) {
			return out, false
		}
		part := raw[start:i]
		if strings.IndexByte(part, '%') >= 0 || strings.IndexByte(part, '+') >= 0 {
			dec, err := url.QueryUnescape(part)
			if err != nil {
				return out, false
			}
			part = dec
		}
		out = append(out, part)
		i += sep
		start = i
	}
	return out, true
}

// presignQuery holds the presigning parameters of a query, still escaped.
type presignQuery struct {
	credential, algorithm, regionSet string
	credentials, regionSets          int // how many times each appears
}

// scanQuery finds the presigning parameters in one pass over a raw query,
// without decoding the whole query and without allocating.
func scanQuery(rawQuery string) presignQuery {
	var q presignQuery
	for rest := rawQuery; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		if len(kv) < len("X-Amz-") || kv[:len("X-Amz-")] != "X-Amz-" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case credentialParam:
			q.credential = v
			q.credentials++
		case algorithmParam:
			q.algorithm = v
		case regionSetParam:
			q.regionSet = v
			q.regionSets++
		}
	}
	return q
}

func validDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validRegionSet: "*" or comma-separated regions, which may use * wildcards.
func validRegionSet(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range strings.Split(s, ",") {
		if r == "" {
			return false
		}
		for i := 0; i < len(r); i++ {
			if c := r[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '*') {
				return false
			}
		}
	}
	return true
}
