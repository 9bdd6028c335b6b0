package sigv4

import (
	"encoding/binary"
	"slices"
)

// Byte-level helpers of the signing hot path. Most work eight bytes at a
// time (SWAR: SIMD within a register) because header names and values are
// short and every signature runs them a dozen times.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hexPairs holds the two lower-case hex digits of every byte value.
var hexPairs = func() (t [256]uint16) {
	const digits = "0123456789abcdef"
	for i := range t {
		t[i] = uint16(digits[i>>4]) | uint16(digits[i&15])<<8
	}
	return t
}()

// appendHex appends the lower-case hex of src.
func appendHex(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	out := dst[n:]
	for i, b := range src {
		binary.LittleEndian.PutUint16(out[2*i:], hexPairs[b])
	}
	return dst
}

// appendHex32 appends the hex of a SHA-256 digest: four bytes' digits from
// the table at a time, stored as one word, with no bounds checks. (This is
// twice as fast as storing the digits one by one; a SWAR version that makes
// the digits arithmetically measured slower than the table.)
func appendHex32(dst []byte, src *[32]byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 64)[:n+64]
	out := (*[64]byte)(dst[n:])
	for i := 0; i < len(src); i += 4 {
		x := uint64(hexPairs[src[i]]) | uint64(hexPairs[src[i+1]])<<16 |
			uint64(hexPairs[src[i+2]])<<32 | uint64(hexPairs[src[i+3]])<<48
		binary.LittleEndian.PutUint64(out[2*i:], x)
	}
	return dst
}

// hasBelow reports whether any byte of x is below n (n <= 128): the classic
// "haszero(x - n)" test, exact for bytes under 0x80.
func hasBelow(x uint64, n byte) bool {
	return (x-ones*uint64(n))&^x&highs != 0
}

// isTrimmed reports whether v needs no white-space folding: no space at
// either end, and no white space inside but single spaces.
func isTrimmed(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	// White space is all at or below ' ' (0x20): skip eight bytes at a
	// time while none is that low, then look closely.
	i := 0
	for ; i+8 <= len(v); i += 8 {
		if hasBelow(binary.LittleEndian.Uint64([]byte(v[i:i+8])), ' '+1) {
			break
		}
	}
	prev := byte('x')
	if i > 0 {
		prev = v[i-1]
	}
	for ; i < len(v); i++ {
		c := v[i]
		if isSpace[c] && (c != ' ' || prev == ' ') {
			return false
		}
		prev = c
	}
	return true
}

// appendLower appends s with A-Z turned into a-z.
func appendLower(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	tail := b[n:]
	i := 0
	for ; i+8 <= len(tail); i += 8 {
		x := binary.LittleEndian.Uint64(tail[i:])
		binary.LittleEndian.PutUint64(tail[i:], lower8(x))
	}
	for ; i < len(tail); i++ {
		if c := tail[i]; 'A' <= c && c <= 'Z' {
			tail[i] = c + 'a' - 'A'
		}
	}
	return b
}

// lower8 lower-cases the ASCII letters among eight bytes.
func lower8(x uint64) uint64 {
	heptets := x &^ highs
	geA := heptets + ones*uint64(0x80-'A')   // high bit set where byte >= 'A'
	gtZ := heptets + ones*uint64(0x80-'Z'-1) // high bit set where byte > 'Z'
	upper := geA &^ gtZ &^ x & highs         // ASCII, >= 'A', <= 'Z'
	return x | upper>>2                      // 0x80>>2 = 0x20, the case bit
}

// isPlainPath reports whether p needs no percent-encoding in a path: every
// byte unreserved or '/'.
func isPlainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; !unreserved[c] && c != '/' {
			return false
		}
	}
	return true
}
