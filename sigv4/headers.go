package sigv4

import (
	"bytes"
	"net/http"
	"strconv"
)

// Canonical headers: which headers are signed, in what order, and how
// their values are written into the canonical request.

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
