// Package text holds the one way alter-mcp shortens a string it repeats from
// its input: in an error message, a log line or an audit record. Every such
// value is cut on a character boundary, so that what was valid UTF-8 stays so.
package text

import "unicode/utf8"

// Ellipsis marks where Clip cut a string.
const Ellipsis = "…"

// Clip returns s when it is at most n bytes long. Otherwise it returns the
// longest start of s that is at most n bytes and ends on a character
// boundary, followed by Ellipsis. A negative n counts as zero.
func Clip(s string, n int) string {
	n = max(n, 0)
	if len(s) <= n {
		return s
	}
	// Step back over the continuation bytes of the character at n; more
	// than utf8.UTFMax-1 of them is no valid character, and is cut as bytes.
	i := n
	for i > 0 && n-i < utf8.UTFMax-1 && !utf8.RuneStart(s[i]) {
		i--
	}
	if !utf8.RuneStart(s[i]) {
		i = n
	}
	return s[:i] + Ellipsis
}
