package sigv4

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The SWAR helpers must agree with the obvious byte-at-a-time code on every
// byte value in every position.
func TestLowerAndTrimAgainstReference(t *testing.T) {
	for c := range 256 {
		for pos := range 11 {
			s := []byte(strings.Repeat("a", 11))
			s[pos] = byte(c)
			if got, want := string(appendLower(nil, string(s))), refLower(string(s)); got != want {
				t.Fatalf("appendLower(%q) = %q, want %q", s, got, want)
			}
			if got, want := isTrimmed(string(s)), refTrimmed(string(s)); got != want {
				t.Fatalf("isTrimmed(%q) = %v, want %v", s, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(" \t\n\r\v\fAZaz@[`{09é\x7f\x80\xff-")
	for range 100000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		if got, want := isTrimmed(s), refTrimmed(s); got != want {
			t.Fatalf("isTrimmed(%q) = %v, want %v", s, got, want)
		}
		if got, want := string(appendHeaderValue(nil, s)), refFold(s); got != want {
			t.Fatalf("appendHeaderValue(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(appendHex(nil, b)), hex.EncodeToString(b); got != want {
			t.Fatalf("appendHex(%x) = %s", b, got)
		}
	}
}

func refLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func refFold(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isSpace[byte(r)] }), " ")
}

func refTrimmed(s string) bool { return refFold(s) == s }

func TestAppendHex32(t *testing.T) {
	for range 1000 {
		var src [32]byte
		for i := range src {
			src[i] = byte(rand.IntN(256))
		}
		if got, want := string(appendHex32([]byte("x"), &src)), "x"+hex.EncodeToString(src[:]); got != want {
			t.Fatalf("appendHex32(%x) = %q, want %q", src, got, want)
		}
	}
}

func TestAmzDateMatchesFormat(t *testing.T) {
	for range 2000 {
		at := time.Unix(rand.Int64N(1<<37)-1<<36, 0).UTC()
		if got, want := amzDate(at).s, at.Format(timeFormat); got != want {
			t.Fatalf("amzDate(%v) = %q, want %q", at, got, want)
		}
	}
}
