package sigv4

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
)

// The canonical query string: the request's parameters and a presigned
// URL's own, encoded and sorted as AWS signs them.

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

// qpair locates one "k=v" pair in state.qbuf; prefix is its key's first
// eight bytes, for sorting.
type qpair struct {
	k0, k1, v0, v1 int32
	prefix         uint64
}

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
