package sigv4

import "crypto/sha256"

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
