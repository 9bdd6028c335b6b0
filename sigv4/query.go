package sigv4

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
)

// The canonical query string: the request's parameters and a presigned
// URL's own, encoded and sorted as AWS signs them.

// queryParam is a query parameter a presigned URL adds; canonicalQuery
// writes it in encoded form straight from its parts, as its kind says.
type queryParam struct {
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

// queryPair locates one "k=v" pair in state.queryBuf; prefix is its key's
// first eight bytes, for sorting.
type queryPair struct {
	keyStart, keyEnd, valueStart, valueEnd int32
	prefix                                 uint64
}

// canonicalQuery returns the sorted canonical query string of raw plus
// extra, and whether raw was not already written in canonical encoding.
//
// Pairs are written to sc.queryBuf as "k=v&" one after the other, the extra
// ones first: when they are in order already (the usual case, as the X-Amz-*
// parameters sort before lower-case names) the query is that buffer as it is.
func (sc *state) canonicalQuery(raw string, extra []queryParam) ([]byte, bool) {
	qb := sc.queryBuf[:0]
	pairs := sc.queryPairs[:0]
	rewrite := false
	for i := range extra {
		e := &extra[i]
		var p queryPair
		p.keyStart = int32(len(qb))
		if e.kind <= paramHeader {
			qb = appendURIEncode(qb, e.name, false)
		} else {
			qb = append(qb, e.name...) // a constant name, nothing to encode
		}
		p.keyEnd = int32(len(qb))
		qb = append(qb, '=')
		p.valueStart = int32(len(qb))
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
			qb = appendURIEncode(qb, sc.signedHeaderList, false)
		}
		p.valueEnd = int32(len(qb))
		qb = append(qb, '&')
		p.prefix = keyPrefix(qb[p.keyStart:p.keyEnd])
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
		var p queryPair
		p.keyStart = int32(len(qb))
		qb = appendRecoded(qb, k, false)
		p.keyEnd = int32(len(qb))
		if replaced(qb[p.keyStart:p.keyEnd], extra) {
			// A parameter the presigner sets itself (X-Amz-Expires, or
			// the signature of a URL presigned before): the new value wins.
			qb = qb[:p.keyStart]
			continue
		}
		qb = append(qb, '=')
		p.valueStart = int32(len(qb))
		qb = appendRecoded(qb, v, false)
		p.valueEnd = int32(len(qb))
		qb = append(qb, '&')
		p.prefix = keyPrefix(qb[p.keyStart:p.keyEnd])
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
	sc.queryBuf, sc.queryPairs = qb, pairs
	if sorted {
		if len(qb) == 0 {
			return qb, rewrite
		}
		return qb[:len(qb)-1], rewrite // without the last '&'
	}
	out := sc.sortedQuery[:0]
	for i, p := range pairs {
		if i > 0 {
			out = append(out, '&')
		}
		out = append(out, qb[p.keyStart:p.valueEnd]...) // key '=' value
	}
	sc.sortedQuery = out
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
	if len(sc.credentialBuf) == 0 || sc.credentialKeyID != akid || sc.credentialScope != sc.scope {
		b := appendURIEncode(sc.credentialBuf[:0], akid, false)
		b = append(b, "%2F"...)
		sc.credentialBuf = appendURIEncode(b, sc.scope, false)
		sc.credentialKeyID, sc.credentialScope = akid, sc.scope
	}
	return sc.credentialBuf
}

func replaced(key []byte, extra []queryParam) bool {
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

func pairLess(qb []byte, a, b *queryPair) bool {
	if a.prefix != b.prefix {
		return a.prefix < b.prefix
	}
	if c := bytes.Compare(qb[a.keyStart:a.keyEnd], qb[b.keyStart:b.keyEnd]); c != 0 {
		return c < 0
	}
	return bytes.Compare(qb[a.valueStart:a.valueEnd], qb[b.valueStart:b.valueEnd]) < 0
}
