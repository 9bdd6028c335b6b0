package policy

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Glob matching for regions, actions, hosts and paths.
//
// Only '*', '**' and '?' are special; every other character stands for
// itself (there is no escape and there are no [classes]). With a separator
// ('.' for hosts, '/' for paths):
//
//   - '*' matches any run of characters within one label or segment;
//   - '**' (two or more stars) matches any run of characters, separators
//     included; when it fills a whole segment ("a/**/b", "a/**", "**/b") it
//     also matches no segment at all, so "a/**/b" matches "a/b", "a/**"
//     matches "a" and "**.example.com" matches "example.com";
//   - '?' matches one character (not a separator).
//
// Without a separator (regions, actions) '*' and '**' both match any run of
// characters. A character is a UTF-8 sequence; case folding, where asked for,
// is ASCII only, so that it agrees with IAM and never depends on Unicode
// tables.
//
// The matcher simulates the pattern's automaton over a bit set of pattern
// positions: time is O(len(s) × len(pattern)) whatever the pattern, with no
// backtracking blow-up, and no allocation for patterns up to maxGlobLen bytes.

const (
	maxGlobLen = 1000 // Validate's limit on one glob, in bytes
	stackWords = (maxGlobLen + 1 + 63) / 64
)

// match reports whether s matches the glob pat. sep is the separator that
// '*' and '?' do not cross (0: none); fold compares ASCII letters
// case-insensitively.
func match(pat, s string, sep byte, fold bool) bool {
	k := strings.IndexAny(pat, "*?")
	if k < 0 {
		return equal(pat, s, fold)
	}
	// Plain prefix globs ("s3:Get*", "eu-*", "/logs/*") need no automaton.
	if k == len(pat)-1 && pat[k] == '*' {
		return len(s) >= k && equal(pat[:k], s[:k], fold) && (sep == 0 || strings.IndexByte(s[k:], sep) < 0)
	}
	// The literal prefix is compared directly; the separator just before
	// the first wildcard stays in the pattern, where it may take part in a
	// whole-segment "/**".
	start := k == 0
	if k > 0 && sep != 0 && pat[k-1] == sep {
		k--
	}
	if len(s) < k || !equal(pat[:k], s[:k], fold) {
		return false
	}
	pat, s = pat[k:], s[k:]
	// So is the literal suffix, all but its first character, which stays
	// to keep what follows the last wildcard as it was ("**x" is not a
	// whole-segment "**").
	if j := strings.LastIndexAny(pat, "*?") + 1; j < len(pat) {
		_, size := utf8.DecodeRuneInString(pat[j:])
		j += size
		suffix := pat[j:]
		if len(s) < len(suffix) || !equal(suffix, s[len(s)-len(suffix):], fold) {
			return false
		}
		pat, s = pat[:j], s[:len(s)-len(suffix)]
	}
	words := (len(pat) + 1 + 63) / 64
	if words <= stackWords {
		var a, b [stackWords]uint64
		return run(pat, s, sep, fold, start, a[:words], b[:words])
	}
	buf := make([]uint64, 2*words)
	return run(pat, s, sep, fold, start, buf[:words], buf[words:])
}

// run simulates the automaton of pat over s. cur and next are zeroed bit
// sets of len(pat)+1 positions; start says whether pat[0] is the start of
// the whole pattern (for a leading "**/").
func run(pat, s string, sep byte, fold, start bool, cur, next []uint64) bool {
	add(pat, sep, cur, 0)
	if start && sep != 0 && len(pat) >= 3 && pat[0] == '*' && pat[1] == '*' && pat[2] == sep {
		add(pat, sep, cur, 3) // a leading "**/" may match no segment, only here
	}
	for i := 0; i < len(s); {
		size := 1
		if s[i] >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		isSep := sep != 0 && s[i] == sep
		clear(next)
		alive := false
		for wi, w := range cur {
			for w != 0 {
				q := wi*64 + bits.TrailingZeros64(w)
				w &= w - 1
				if q >= len(pat) {
					continue // the accepting position consumes nothing
				}
				switch pat[q] {
				case '*':
					if !isSep || sep == 0 || stars(pat, q) >= 2 {
						add(pat, sep, next, q)
						alive = true
					}
				case '?':
					if !isSep {
						add(pat, sep, next, q+1)
						alive = true
					}
				default:
					psize := 1
					if pat[q] >= utf8.RuneSelf {
						_, psize = utf8.DecodeRuneInString(pat[q:])
					}
					if equal(pat[q:q+psize], s[i:i+size], fold) {
						add(pat, sep, next, q+psize)
						alive = true
					}
				}
			}
		}
		if !alive {
			return false
		}
		cur, next = next, cur
		i += size
	}
	return cur[len(pat)/64]&(1<<(len(pat)%64)) != 0
}

// add adds position q to set, with the positions reachable from it without
// consuming a character: past a run of stars (which may match nothing), and
// past a whole-segment "**" together with the separator before it. Each
// position has at most one such move, and it goes forward, so this follows
// a chain; a position already in the set has its chain there too.
func add(pat string, sep byte, set []uint64, q int) {
	for {
		bit := uint64(1) << (q % 64)
		if set[q/64]&bit != 0 {
			return
		}
		set[q/64] |= bit
		switch {
		case q >= len(pat):
			return
		case pat[q] == '*':
			q += stars(pat, q)
		case sep != 0 && pat[q] == sep && len(pat) >= q+3 && pat[q+1] == '*' && pat[q+2] == '*' &&
			(len(pat) == q+3 || pat[q+3] == sep):
			q += 3
		default:
			return
		}
	}
}

// stars counts the stars that begin at pat[q].
func stars(pat string, q int) int {
	n := 0
	for q+n < len(pat) && pat[q+n] == '*' {
		n++
	}
	return n
}

// equal compares a and b byte for byte, ASCII letters case-insensitively
// when fold is set.
func equal(a, b string, fold bool) bool {
	if len(a) != len(b) {
		return false
	}
	if !fold {
		return a == b
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
