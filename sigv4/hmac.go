package sigv4

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// HMAC-SHA256 and SHA-256 as the signing hot path uses them.
//
// An S3 GET hashes seven 64-byte blocks (four for the canonical request,
// three for the HMAC); with SHA-NI each costs ~35 ns, and crypto/sha256's
// Sum costs another ~30 ns per call: it copies the digest, then pads in a
// second Write. The hot path writes message and padding in one Write instead
// and reads the digest back from the hash's marshaled state, whose format
// crypto/sha256 keeps stable for compatibility ("sha\x03", the eight state
// words big-endian, the buffer, the length). rawStateOK checks that reading
// against sha256.Sum256 once at start-up; when it does not hold, every caller
// falls back to sha256.Sum256 and hmacSHA256.

// rawSHA256 is a reusable SHA-256 that resumes from a marshaled state and
// reads its sum from the state it marshals. Its scratch lives in the struct,
// which lives in a pooled state, so that nothing escapes to the heap through
// the hash.Hash interface.
type rawSHA256 struct {
	h     hash.Hash
	dec   encoding.BinaryUnmarshaler
	enc   encoding.BinaryAppender
	state [128]byte // a marshaled state is 108 bytes
}

const rawStateMagic = "sha\x03"

var rawStateOK = func() bool {
	var r rawSHA256
	msg := []byte("rawStateOK: a message of more than one block, to cross a block boundary once ...")
	var got [32]byte
	return r.sum(nil, appendSHA256Padding(msg, len(msg)), &got) && got == sha256.Sum256(msg)
}()

// sum hashes padded (the rest of a message and its padding, starting on a
// block boundary) on top of the marshaled state from, or from the start when
// from is nil, and writes the digest to out. It reports false when the state
// is not in the format it knows; out is then unchanged.
func (r *rawSHA256) sum(from, padded []byte, out *[32]byte) bool {
	if r.h == nil {
		r.h = sha256.New()
		var ok1, ok2 bool
		r.dec, ok1 = r.h.(encoding.BinaryUnmarshaler)
		r.enc, ok2 = r.h.(encoding.BinaryAppender)
		if !ok1 || !ok2 {
			r.h = nil
			return false
		}
	}
	if from == nil {
		r.h.Reset()
	} else if r.dec.UnmarshalBinary(from) != nil {
		return false
	}
	r.h.Write(padded)
	st, err := r.enc.AppendBinary(r.state[:0])
	if err != nil || len(st) < len(rawStateMagic)+32 || string(st[:len(rawStateMagic)]) != rawStateMagic {
		return false
	}
	copy(out[:], st[len(rawStateMagic):])
	return true
}

// appendSHA256Padding appends SHA-256's padding for a message of total bytes
// (including any hashed before b): 0x80, zeros up to 56 mod 64, then the
// length in bits.
func appendSHA256Padding(b []byte, total int) []byte {
	var p [72]byte
	p[0] = 0x80
	n := 1 + (119-total%64)%64
	binary.BigEndian.PutUint64(p[n:], uint64(total)<<3)
	return append(b, p[:n+8]...)
}

// sumCanonical returns SHA-256 of the canonical request in
// sc.canonicalRequest, padding it in place past its length.
func (sc *state) sumCanonical() [32]byte {
	var sum [32]byte
	c := sc.canonicalRequest
	if rawStateOK {
		padded := appendSHA256Padding(c, len(c))
		sc.canonicalRequest = padded[:len(c)] // keep the capacity for the next signature
		if sc.sha.sum(nil, padded, &sum) {
			return sum
		}
	}
	return sha256.Sum256(c)
}

// mac returns HMAC-SHA256(e.key, msg), resuming from the key's precomputed
// pad states. msg[:fixed] is the part of a string to sign that only the key
// and the date decide; the inner state after its whole blocks is kept on e
// for the rest of that second, so that only the last line and the partial
// block before it are hashed.
func (sc *state) mac(e *keyEntry, msg []byte, fixed int) *[32]byte {
	if !rawStateOK {
		sc.macSum = hmacSHA256(e.key[:], msg, &sc.hmacScratch)
		return &sc.macSum
	}
	p := e.prefix.Load()
	if p == nil || p.date != sc.date {
		p = sc.prefix(e, msg[:fixed])
	}
	var inner [32]byte
	tail := append(sc.macTail[:0], msg[p.skip:]...)
	tail = appendSHA256Padding(tail, 64+len(msg))
	ok := p.state != nil && sc.sha.sum(p.state, tail, &inner)
	if ok {
		tail = append(sc.macTail[:0], inner[:]...)
		ok = sc.sha.sum(e.outer, appendSHA256Padding(tail, 64+len(inner)), &sc.macSum)
	}
	if !ok {
		sc.macSum = hmacSHA256(e.key[:], msg, &sc.hmacScratch)
	}
	return &sc.macSum
}

// prefix computes and stores on e the inner HMAC state after ipad and the
// whole blocks of fixed.
func (sc *state) prefix(e *keyEntry, fixed []byte) *prefixState {
	p := &prefixState{date: sc.date, skip: len(fixed) &^ 63}
	if p.skip == 0 {
		p.state = e.inner
	} else if sc.sha.sum(e.inner, fixed[:p.skip], new([32]byte)) {
		// sum wrote the whole blocks; the state it marshaled is the prefix.
		p.state = append([]byte(nil), sc.sha.state[:marshaledSHA256Size]...)
	}
	e.prefix.Store(p)
	return p
}

// marshaledSHA256Size is the length of crypto/sha256's marshaled state.
const marshaledSHA256Size = len(rawStateMagic) + 32 + 64 + 8

// hmacSHA256 computes HMAC-SHA256(key, msg) without allocating: both passes
// run through sha256.Sum256 over a caller-provided scratch buffer, which is
// grown only when msg is larger than any message before it.
func hmacSHA256(key []byte, msg []byte, scratch *[]byte) [32]byte {
	const block = 64
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	need := block + len(msg)
	if cap(*scratch) < need {
		*scratch = make([]byte, 0, need+need/2)
	}
	buf := (*scratch)[:need]
	for i := range block {
		buf[i] = k[i] ^ 0x36
	}
	copy(buf[block:], msg)
	inner := sha256.Sum256(buf)

	var outer [block + sha256.Size]byte
	for i := range block {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[block:], inner[:])
	return sha256.Sum256(outer[:])
}

// hmacString is hmacSHA256 for the short fixed inputs of key derivation.
func hmacString(key []byte, msg string) [32]byte {
	var msgBuf, scratchBuf [128]byte
	scratch := scratchBuf[:0]
	return hmacSHA256(key, append(msgBuf[:0], msg...), &scratch)
}
