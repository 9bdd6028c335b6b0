package audit

import (
	"crypto/rand"
	"time"
)

// idAlphabet is base32 with its characters in ASCII order: a number written
// in it most significant digit first sorts as the number does. They are
// the characters of RFC 4648's lower-case base32, so every id NewID made
// before its time prefix still passes ValidID.
const idAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// NewID returns a new entry id: "aud_", the time in milliseconds since 1970
// (10 characters), and 80 random bits (16 characters), in idAlphabet.
//
// Ids made in later milliseconds sort after earlier ones. The store indexes
// entry ids, and with random ids every record landed on a random page of
// that index: a group commit of 11 records wrote 11 pages for it, and once
// the index outgrew SQLite's cache each was read back from the file first.
// In time order they land on its last page or two. 80 random bits still
// make an id that nobody guesses and no two calls share.
func NewID() string { return newID(time.Now()) }

func newID(at time.Time) string {
	var b [30]byte
	copy(b[:], "aud_")
	ms := uint64(at.UnixMilli())
	for i := 13; i >= 4; i-- { // 10 digits: 50 bits, past the year 30000
		b[i] = idAlphabet[ms&31]
		ms >>= 5
	}
	var r [10]byte
	rand.Read(r[:]) // never fails (crypto/rand panics rather than return an error)
	putBase32(b[14:], r[:])
	return string(b[:])
}

// putBase32 writes src, whose length is a multiple of 5, into dst in
// idAlphabet: 8 characters for every 5 bytes.
func putBase32(dst, src []byte) {
	for len(src) >= 5 {
		v := uint64(src[0])<<32 | uint64(src[1])<<24 | uint64(src[2])<<16 | uint64(src[3])<<8 | uint64(src[4])
		for i := 7; i >= 0; i-- {
			dst[i] = idAlphabet[v&31]
			v >>= 5
		}
		src, dst = src[5:], dst[8:]
	}
}

// newInstance names a Log among the Logs of its host: 80 random bits.
func newInstance() string {
	var r [10]byte
	rand.Read(r[:])
	var b [16]byte
	putBase32(b[:], r[:])
	return string(b[:])
}

// ValidID reports whether id has the shape of an id NewID makes: "aud_"
// and 26 lower-case base32 characters.
func ValidID(id string) bool {
	if len(id) != 30 || id[:4] != "aud_" {
		return false
	}
	for _, c := range id[4:] {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}
