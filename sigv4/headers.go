package sigv4

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"strconv"
)

// Canonical headers: which headers are signed, in what order, and how
// their values are written into the canonical request.

// canonicalHeader is one header to sign. It holds no pointers, so that
// collecting and sorting headers writes no pointers either (which costs a
// write barrier each while the garbage collector runs): a header from the
// map is found by index in state.mapHeaders, one Sign sets by its ownKind.
type canonicalHeader struct {
	nameStart, nameEnd int32  // the lower-case name in state.headerNames
	prefix             uint64 // its first eight bytes, for sorting
	kind               uint8
	src                int32 // mapHeader: the index in state.mapHeaders; ownHeader: the ownKind
}

const (
	mapHeader = iota
	hostHeader
	lengthHeader
	ownHeader // one of the headers Sign sets (ownKind)
)

// mapHeader is a header from the request's map, by its key as in the map.
type mapEntry struct {
	key    string
	values []string
}

// ownKind is one of the headers Sign sets itself.
type ownKind uint8

const (
	ownDate ownKind = iota
	ownToken
	ownContentSHA
	ownRegionSet
	numOwn
)

// The canonical keys and lower-case names of the headers Sign sets.
var (
	ownKeys  = [numOwn]string{"X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "X-Amz-Region-Set"}
	ownNames = [numOwn]string{"x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-region-set"}
)

// ownHeaders are the headers Sign sets: their values, which of them to set
// and which of them to sign (a session token for AWS IoT is set unsigned).
type ownHeaders struct {
	values      [numOwn]string
	set, signed uint8 // bit k: ownKind k
}

func (o *ownHeaders) add(k ownKind, value string, signed bool) {
	o.values[k] = value
	o.set |= 1 << k
	if signed {
		o.signed |= 1 << k
	}
}

// kindOf returns the ownKind whose canonical key is k.
func (o *ownHeaders) kindOf(k string) (ownKind, bool) {
	for i := range numOwn {
		if o.set&(1<<i) != 0 && ownKeys[i] == k {
			return i, true
		}
	}
	return 0, false
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

// collectHeaders gathers the headers to sign, sorted by lower-case name, and
// writes the SignedHeaders list. The headers in own (nil when presigning)
// are set in req.Header on the way. With presign it returns the X-Amz-*
// headers that move to the query instead.
func (sc *state) collectHeaders(req *http.Request, own *ownHeaders, presign, unsignedToken bool) []string {
	names := append(sc.headerNames[:0], "hostcontent-length"...)
	hs := sc.headers[:0]
	hs = append(hs, canonicalHeader{kind: hostHeader, nameStart: 0, nameEnd: 4, prefix: hostPrefix})
	if req.ContentLength > 0 {
		if req.ContentLength != sc.contentLength || sc.contentLengthText == "" {
			sc.contentLength, sc.contentLengthText = req.ContentLength, strconv.FormatInt(req.ContentLength, 10)
		}
		hs = append(hs, canonicalHeader{kind: lengthHeader, nameStart: 4, nameEnd: 18, prefix: contentLengthPrefix})
	}
	hoisted := sc.hoistedHeaders[:0]
	var found uint8 // the own headers already in the map
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
		if own != nil {
			if o, ok := own.kindOf(k); ok {
				// A header Sign sets, there from an earlier signature:
				// its value is replaced in place, as the AWS SDK does.
				found |= 1 << o
				if len(vs) == 1 {
					vs[0] = own.values[o]
				} else {
					req.Header[k] = []string{own.values[o]}
				}
				if own.signed&(1<<o) != 0 {
					hs, names = appendOwn(hs, names, o)
				}
				continue
			}
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
		sc.mapHeaders = append(sc.mapHeaders, mapEntry{k, vs})
		hs = append(hs, canonicalHeader{kind: mapHeader, src: int32(len(sc.mapHeaders) - 1),
			nameStart: int32(n0), nameEnd: int32(len(names)), prefix: namePrefix(name)})
	}
	if own != nil {
		for o := range numOwn {
			if own.set&^found&(1<<o) != 0 {
				req.Header[ownKeys[o]] = []string{own.values[o]}
				if own.signed&(1<<o) != 0 {
					hs, names = appendOwn(hs, names, o)
				}
			}
		}
	}
	// Insertion sort: requests carry a few headers, and it neither
	// allocates nor calls through a closure. Names are compared by their
	// first eight bytes first, which nearly always decides; headers that
	// arrive in order (the common case) are never moved.
	for i := 1; i < len(hs); i++ {
		if !sc.headerLess(names, &hs[i], &hs[i-1]) {
			continue
		}
		e := hs[i]
		j := i
		for ; j > 0 && sc.headerLess(names, &e, &hs[j-1]); j-- {
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

func appendOwn(hs []canonicalHeader, names []byte, o ownKind) ([]canonicalHeader, []byte) {
	n0 := len(names)
	names = append(names, ownNames[o]...)
	return append(hs, canonicalHeader{kind: ownHeader, src: int32(o), nameStart: int32(n0), nameEnd: int32(len(names)),
		prefix: ownPrefixes[o]}), names
}

var ownPrefixes = func() (p [numOwn]uint64) {
	for i, n := range ownNames {
		p[i] = namePrefix([]byte(n))
	}
	return p
}()

// key returns e's key as in the header map.
func (sc *state) key(e *canonicalHeader) string {
	switch e.kind {
	case mapHeader:
		return sc.mapHeaders[e.src].key
	case ownHeader:
		return ownKeys[e.src]
	case hostHeader:
		return "Host"
	}
	return "Content-Length"
}

func (sc *state) sameName(a, b *canonicalHeader) bool {
	return a.prefix == b.prefix && a.nameEnd-a.nameStart == b.nameEnd-b.nameStart &&
		string(sc.headerNames[a.nameStart:a.nameEnd]) == string(sc.headerNames[b.nameStart:b.nameEnd])
}

func (sc *state) headerLess(names []byte, a, b *canonicalHeader) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if c := bytes.Compare(names[a.nameStart:a.nameEnd], names[b.nameStart:b.nameEnd]); c != 0 {
		return c < 0
	}
	return sc.key(a) < sc.key(b) // two spellings of one name: a fixed order
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
