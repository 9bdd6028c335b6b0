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
// second Write. The hot path writes each message's padding itself, straight
// after the message, so that message and padding go in one Write from where
// they lie, and reads the digest back from the hash's marshaled state, whose
// format crypto/sha256 keeps stable for compatibility ("sha\x03", the eight
// state words big-endian, the buffer, the length). rawStateOK checks that
// reading against sha256.Sum256 once at start-up; when it does not hold,
// every caller falls back to sha256.Sum256 and hmacSHA256.
//
// (A copy of Go's SHA-NI block function, called on a bare [8]uint32 state,
// hashed a lone block in 27 ns rather than 53 in a loop of independent
// messages, but signed no faster: in a signature each message waits for the
// one before, and the rounds' latency is what counts.)

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
	got := r.sum(nil, appendSHA256Padding(msg, len(msg)))
	return got != nil && *got == sha256.Sum256(msg)
}()

// sum hashes padded (the rest of a message and its padding, starting on a
// block boundary) on top of the marshaled state from, or from the start when
// from is nil, and returns the digest. The digest is read in place, where the
// marshaled state holds it, r.state[4:36], so it lasts until the next call.
// sum returns nil when the state is not in the format it knows.
func (r *rawSHA256) sum(from, padded []byte) *[32]byte {
	if r.h == nil {
		r.h = sha256.New()
		var ok1, ok2 bool
		r.dec, ok1 = r.h.(encoding.BinaryUnmarshaler)
		r.enc, ok2 = r.h.(encoding.BinaryAppender)
		if !ok1 || !ok2 {
			r.h = nil
			return nil
		}
	}
	if from == nil {
		r.h.Reset()
	} else if r.dec.UnmarshalBinary(from) != nil {
		return nil
	}
	r.h.Write(padded)
	st, err := r.enc.AppendBinary(r.state[:0])
	if err != nil || len(st) < len(rawStateMagic)+32 || &st[0] != &r.state[0] || string(st[:len(rawStateMagic)]) != rawStateMagic {
		return nil
	}
	return (*[32]byte)(st[len(rawStateMagic):])
}

// appendSHA256Padding appends SHA-256's padding for a message of total bytes
// (including any hashed before b): 0x80, zeros up to 56 mod 64, then the
// length in bits. It writes in place, past len(b) where the capacity allows.
func appendSHA256Padding(b []byte, total int) []byte {
	var p [72]byte
	p[0] = 0x80
	n := 1 + (119-total%64)%64
	binary.BigEndian.PutUint64(p[n:], uint64(total)<<3)
	return append(b, p[:n+8]...)
}

// sumCanonical returns SHA-256 of the canonical request in
// sc.canonicalRequest, padding it in place past its length. The digest may
// be sc.sha's (see rawSHA256.sum): it lasts until the next hash.
func (sc *state) sumCanonical() *[32]byte {
	c := sc.canonicalRequest
	if rawStateOK {
		padded := appendSHA256Padding(c, len(c))
		sc.canonicalRequest = padded[:len(c)] // keep the capacity for the next signature
		if sum := sc.sha.sum(nil, padded); sum != nil {
			return sum
		}
	}
	sc.macSum = sha256.Sum256(c)
	return &sc.macSum
}

// outerPadding ends the HMAC's outer message, 64 bytes of opad and the
// 32-byte inner hash: the second half of its last block.
var outerPadding = func() (p [32]byte) {
	appendSHA256Padding(p[:0], 64+32)
	return p
}()

// mac returns HMAC-SHA256(e.key, the string to sign), the string to sign
// being its fixed lines ("ALGORITHM\nDATE\nSCOPE\n", which only the key and
// the date decide) and the canonical request's hash in hex, which finish has
// written to sc.macTail[64:128]. The inner state after the whole blocks of the
// fixed lines is kept on e for the rest of that second, so that only the
// partial block after them, the hash and the padding are hashed: the rest of
// the fixed lines is copied in just before the hash, the padding written just
// after it. The result lasts until the next hash, as sumCanonical's.
func (sc *state) mac(e *keyEntry) *[32]byte {
	if rawStateOK {
		p := e.prefix.Load()
		if p == nil || p.date != sc.date {
			p = sc.prefix(e)
		}
		tail := sc.macTail[64-len(p.rest) : 128]
		copy(tail, p.rest)
		tail = appendSHA256Padding(tail, 64+p.skip+len(tail))
		if p.state != nil && sc.sha.sum(p.state, tail) != nil {
			// The outer message's last block is the inner hash and the
			// padding. The hash is where sum left it, at the start of
			// sc.sha.state[4:68]: the padding goes after it, and the block
			// is hashed from there (sum reads it before it writes the
			// state again).
			block := sc.sha.state[len(rawStateMagic) : len(rawStateMagic)+64]
			copy(block[32:], outerPadding[:])
			if out := sc.sha.sum(e.outer, block); out != nil {
				return out
			}
		}
	}
	sc.stringToSign = sc.appendStringToSign(sc.stringToSign[:0])
	sc.macSum = hmacSHA256(e.key[:], sc.stringToSign, &sc.hmacScratch)
	return &sc.macSum
}

// prefix computes and stores on e the inner HMAC state after ipad and the
// whole blocks of the string to sign's fixed lines, and the rest of them.
func (sc *state) prefix(e *keyEntry) *prefixState {
	fixed := sc.appendFixedLines(nil)
	p := &prefixState{date: sc.date, skip: len(fixed) &^ 63}
	p.rest = fixed[p.skip:]
	if p.skip == 0 {
		p.state = e.inner
	} else if sc.sha.sum(e.inner, fixed[:p.skip]) != nil {
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
