package sigv4

import (
	"bytes"
	"encoding/binary"
	"math/bits"
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
	withLength := req.ContentLength > 0
	if withLength && (req.ContentLength != sc.contentLength || sc.contentLengthText == "") {
		sc.contentLength, sc.contentLengthText = req.ContentLength, strconv.FormatInt(req.ContentLength, 10)
	}
	sc.ownOnly = own != nil && sc.ownHeadersOnly(req.Header, own)
	if sc.ownOnly {
		// Nothing to sign from the map: finish writes the headers straight
		// from the state (appendOwnHeaders), in an order known already.
		sc.headers = sc.headers[:0]
		sc.signedHeaderList = append(sc.signedHeaderList[:0], ownSignedHeaders[b2i(withLength)][own.signed]...)
		return nil
	}
	names := append(sc.headerNames[:0], "hostcontent-length"...)
	hs := sc.headers[:0]
	if withLength {
		hs = append(hs, canonicalHeader{kind: lengthHeader, nameStart: 4, nameEnd: 18, prefix: contentLengthPrefix})
	}
	hs = append(hs, canonicalHeader{kind: hostHeader, nameStart: 0, nameEnd: 4, prefix: hostPrefix})
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

	sc.signedHeaderList = appendSignedHeaderList(sc.signedHeaderList[:0], hs, names)
	return hoisted
}

// appendSignedHeaderList appends the SignedHeaders list of hs, sorted, whose
// names are in names.
func appendSignedHeaderList(b []byte, hs []canonicalHeader, names []byte) []byte {
	for i := range hs {
		e := &hs[i]
		if i > 0 && sameName(names, &hs[i-1], e) {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, names[e.nameStart:e.nameEnd]...)
	}
	return b
}

// ownSignedHeaders are the SignedHeaders lists of requests whose map holds
// no header to sign (ownHeadersOnly), by whether they have a body
// (content-length) and by which of Sign's own headers are signed.
var ownSignedHeaders = func() (ls [2][1 << numOwn]string) {
	for withLength := range 2 {
		for signed := range 1 << numOwn {
			list := "host"
			if withLength == 1 {
				list = "content-length;host"
			}
			for _, o := range ownSorted {
				if signed&(1<<o) != 0 {
					list += ";" + ownNames[o]
				}
			}
			ls[withLength][signed] = list
		}
	}
	return ls
}()

// appendOwnHeaders appends the canonical headers of a request whose map
// holds no header to sign: content-length (when there is a body), host, then
// the own headers signed, in the order of their names.
func (sc *state) appendOwnHeaders(c []byte, withLength bool) []byte {
	if withLength {
		c = append(c, "content-length:"...)
		c = append(c, sc.contentLengthText...)
		c = append(c, '\n')
	}
	c = append(c, "host:"...)
	c = appendHeaderValue(c, sc.host)
	for _, o := range ownSorted {
		if sc.own.signed&(1<<o) == 0 {
			continue
		}
		c = append(c, '\n')
		c = append(c, ownNames[o]...)
		c = append(c, ':')
		if o == ownDate {
			c = append(c, sc.own.values[o]...) // made by amzDate, no white space to fold
		} else {
			c = appendHeaderValue(c, sc.own.values[o])
		}
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ownSorted is the ownKinds in the order of their names.
var ownSorted = [numOwn]ownKind{ownContentSHA, ownDate, ownRegionSet, ownToken}

// ownHeadersOnly reports whether h holds none but the headers own sets,
// Authorization and User-Agent, under their canonical keys, which is what a
// request re-signed or signed with no headers of its own holds. On the way it
// sets the own headers, in place where there is one value (as the AWS SDK
// does, and as collectHeaders's walk of the map would), and notes the
// Authorization value's slot. A few lookups in a small map are cheaper than
// walking it, and the headers need no sorting.
func (sc *state) ownHeadersOnly(h http.Header, own *ownHeaders) bool {
	if len(h) > bits.OnesCount8(own.set)+2 {
		return false // more headers than own, Authorization and User-Agent
	}
	known := 0
	for o := range numOwn {
		if own.set&(1<<o) == 0 {
			continue
		}
		if vs, ok := h[ownKeys[o]]; ok && len(vs) == 1 {
			vs[0] = own.values[o]
		} else {
			h[ownKeys[o]] = []string{own.values[o]}
		}
		known++
	}
	if known == len(h) {
		return true
	}
	if auth, ok := h["Authorization"]; ok {
		known++
		if len(auth) == 1 {
			sc.authSlot = auth
		}
	}
	if known < len(h) {
		if _, ok := h["User-Agent"]; ok {
			known++
		}
	}
	// Otherwise there are other headers: collectHeaders walks the map,
	// where it finds the own headers set already.
	return known == len(h)
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
	return sameName(sc.headerNames, a, b)
}

func sameName(names []byte, a, b *canonicalHeader) bool {
	return a.prefix == b.prefix && a.nameEnd-a.nameStart == b.nameEnd-b.nameStart &&
		string(names[a.nameStart:a.nameEnd]) == string(names[b.nameStart:b.nameEnd])
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
