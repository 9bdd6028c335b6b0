// Package text holds the one way alter-mcp shortens a string it repeats from
// its input: in an error message, a log line or an audit record. Every such
// value is cut on a character boundary, so that what was valid UTF-8 stays so.
// Printable makes such a string safe to show a person.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

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

// Printable returns s with what a terminal or a page would act on rather
// than show written out as \u escapes: control characters other than
// newline and tab (an agent's reason may carry ANSI escapes that rewrite the
// approver's screen), the bidirectional overrides that reorder what is
// shown, and invalid UTF-8.
func Printable(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteString(`\ufffd`)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
