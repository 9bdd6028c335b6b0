package sigv4

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"strconv"
)

// Canonical headers: which headers are signed, in what order, and how
// their values are written into the canonical request.

type canonicalHeader struct {
	key                string // as in the header map
	values             []string
	kind               uint8
	nameStart, nameEnd int32  // the lower-case name in state.headerNames
	prefix             uint64 // its first eight bytes, for sorting
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
// writes the SignedHeaders list. The headers listed in sc.own are set in
// req.Header on the way. With presign it returns the X-Amz-* headers
// that move to the query instead.
func (sc *state) collectHeaders(req *http.Request, presign, unsignedToken bool) []string {
	names := append(sc.headerNames[:0], "hostcontent-length"...)
	hs := sc.headers[:0]
	hs = append(hs, canonicalHeader{kind: hostHeader, nameStart: 0, nameEnd: 4})
	if req.ContentLength > 0 {
		if req.ContentLength != sc.contentLength || sc.contentLengthText == "" {
			sc.contentLength, sc.contentLengthText = req.ContentLength, strconv.FormatInt(req.ContentLength, 10)
		}
		hs = append(hs, canonicalHeader{kind: lengthHeader, nameStart: 4, nameEnd: 18})
	}
	hoisted := sc.hoistedHeaders[:0]
	for k, vs := range req.Header {
		switch k {
		case "Authorization":
			if len(vs) == 1 {
				sc.authSlot = vs // where Sign writes the new value
			}
			continue
		case "User-Agent":
			continue // ignored, in the spelling net/http and the SDKs use
		}
		if o := sc.ownHeader(k); o != nil {
			// A header Sign sets, there from an earlier signature: its
			// value is replaced in place, as the AWS SDK does, and its name
			// needs no lower-casing.
			o.found = true
			if len(vs) == 1 {
				vs[0] = o.value
			} else {
				vs = []string{o.value}
				req.Header[k] = vs
			}
			if o.signed {
				hs, names = appendOwn(hs, names, k, vs, o.name)
			}
			continue
		}
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
		hs = append(hs, canonicalHeader{key: k, values: vs, nameStart: int32(n0), nameEnd: int32(len(names)), prefix: namePrefix(name)})
	}
	for i := range sc.own {
		if o := &sc.own[i]; !o.found {
			vs := []string{o.value}
			req.Header[o.key] = vs
			if o.signed {
				hs, names = appendOwn(hs, names, o.key, vs, o.name)
			}
		}
	}
	// Insertion sort: requests carry a few headers, and it neither
	// allocates nor calls through a closure. Names are compared by their
	// first eight bytes first, which nearly always decides; headers that
	// arrive in order (the common case) are never moved.
	hs[0].prefix = hostPrefix
	if len(hs) > 1 && hs[1].kind == lengthHeader {
		hs[1].prefix = contentLengthPrefix
	}
	for i := 1; i < len(hs); i++ {
		if !headerLess(names, &hs[i], &hs[i-1]) {
			continue
		}
		e := hs[i]
		j := i
		for ; j > 0 && headerLess(names, &e, &hs[j-1]); j-- {
		}
		copy(hs[j+1:i+1], hs[j:i])
		hs[j] = e
	}
	sc.headers, sc.headerNames, sc.hoistedHeaders = hs, names, hoisted
	if len(hoisted) > 1 {
		sortStrings(hoisted)
	}

	b := sc.signedHeaderList[:0]
	for i := range hs {
		e := &hs[i]
		if i > 0 && sc.sameName(&hs[i-1], e) {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, names[e.nameStart:e.nameEnd]...)
	}
	sc.signedHeaderList = b
	return hoisted
}

// ownHeader is a header Sign sets itself (X-Amz-Date and the like), by its
// canonical key and lower-case name.
type ownHeader struct {
	key, name, value string
	signed           bool // false for a session token added outside the signature
	found            bool // already in the request's header map
}

// setOwn lists a header for collectHeaders to set.
func (sc *state) setOwn(key, name, value string, signed bool) {
	sc.own = append(sc.own, ownHeader{key: key, name: name, value: value, signed: signed})
}

func (sc *state) ownHeader(k string) *ownHeader {
	for i := range sc.own {
		if sc.own[i].key == k {
			return &sc.own[i]
		}
	}
	return nil
}

func appendOwn(hs []canonicalHeader, names []byte, key string, vs []string, name string) ([]canonicalHeader, []byte) {
	n0 := len(names)
	names = append(names, name...)
	return append(hs, canonicalHeader{key: key, values: vs, nameStart: int32(n0), nameEnd: int32(len(names)), prefix: namePrefix(names[n0:])}), names
}

func (sc *state) sameName(a, b *canonicalHeader) bool {
	return a.prefix == b.prefix && a.nameEnd-a.nameStart == b.nameEnd-b.nameStart &&
		string(sc.headerNames[a.nameStart:a.nameEnd]) == string(sc.headerNames[b.nameStart:b.nameEnd])
}

func headerLess(names []byte, a, b *canonicalHeader) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if c := bytes.Compare(names[a.nameStart:a.nameEnd], names[b.nameStart:b.nameEnd]); c != 0 {
		return c < 0
	}
	return a.key < b.key // two spellings of one name: a fixed order
}

// namePrefix packs the first eight bytes of a name, big-endian and
// zero-padded, so that comparing prefixes orders names as bytes.Compare does
// up to their eighth byte.
func namePrefix(name []byte) uint64 {
	if len(name) >= 8 {
		return binary.BigEndian.Uint64(name)
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(name) {
			p |= uint64(name[i])
		}
	}
	return p
}

// The prefixes of the two names collectHeaders starts from.
var (
	hostPrefix          = namePrefix([]byte("host"))
	contentLengthPrefix = namePrefix([]byte("content-length"))
)

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
