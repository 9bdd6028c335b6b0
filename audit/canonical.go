package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical JSON is the form of a record that its hash covers. It is the
// JSON Canonicalization Scheme of RFC 8785, so that anyone who holds the
// key can recompute a hash with an off-the-shelf JCS library:
//
//   - no whitespace between tokens;
//   - object members sorted by name, names compared as sequences of UTF-16
//     code units (for names without characters beyond U+FFFF that is byte
//     order); no name twice;
//   - strings in UTF-8, escaping only '"', '\' and the control characters
//     U+0000 to U+001F: \b \t \n \f \r in their short forms, the others as
//     \u00xx in lower-case hex; everything else, '/', '<' and U+2028
//     included, is written as is;
//   - numbers as IEEE 754 doubles written the way ECMAScript writes them:
//     integers up to 2^53 exactly and without a fraction or exponent (1, not
//     1.0 or 1e0), -0 as 0, 1e+21 and 1e-7 in exponent form;
//   - true, false and null as they are.
//
// Numbers beyond 2^53 lose precision, as in JavaScript; the audit's own
// numbers (sequence numbers, byte counts, milliseconds) never get there.

// CanonicalJSON returns v, marshalled by encoding/json, in canonical form.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Canonicalize(raw)
}

// Canonicalize returns the JSON text data in canonical form. It fails on
// text that is not one JSON value, on an object with a name twice, and on
// a number out of the range of a double. Invalid UTF-8 in a string becomes
// U+FFFD, as encoding/json decodes it.
func Canonicalize(data []byte) ([]byte, error) {
	out, _, err := canonicalize(data, nil)
	return out, err
}

// canonicalize returns data in canonical form and, when split is not nil
// and data is an object, the offset in it where a top-level member named
// split would go: the start of the first member that sorts after it, or
// the closing brace.
func canonicalize(data, split []byte) (out []byte, at int, err error) {
	if !json.Valid(data) {
		// Let encoding/json say what is wrong.
		var v any
		err := json.Unmarshal(data, &v)
		if err == nil {
			err = errors.New("invalid")
		}
		return nil, 0, fmt.Errorf("canonical JSON: %w", err)
	}
	return canonicalizeValid(data, split)
}

// canonicalizeValid is canonicalize of text known to be valid JSON, such as
// json.Marshal's output: the audit's own entries, on every call's path,
// skip json.Valid's pass over them.
func canonicalizeValid(data, split []byte) (out []byte, at int, err error) {
	c := canonicalizer{in: data, out: make([]byte, 0, len(data)), split: split, at: -1}
	if err := c.value(); err != nil {
		return nil, 0, fmt.Errorf("canonical JSON: %w", err)
	}
	return c.out, c.at, nil
}

// canonicalizer rewrites JSON text that json.Valid accepted, so it checks
// only what Valid does not: names twice, numbers out of range.
type canonicalizer struct {
	in    []byte
	pos   int
	out   []byte
	depth int
	split []byte
	at    int
}

func (c *canonicalizer) space() {
	for c.pos < len(c.in) {
		switch c.in[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *canonicalizer) value() error {
	c.space()
	switch ch := c.in[c.pos]; ch {
	case '{':
		return c.object()
	case '[':
		c.pos++
		c.out = append(c.out, '[')
		c.space()
		if c.in[c.pos] == ']' {
			c.pos++
			c.out = append(c.out, ']')
			return nil
		}
		for {
			if err := c.value(); err != nil {
				return err
			}
			c.space()
			ch := c.in[c.pos]
			c.pos++
			if ch == ']' {
				c.out = append(c.out, ']')
				return nil
			}
			c.out = append(c.out, ',')
		}
	case '"':
		c.out = appendString(c.out, c.str())
		return nil
	case 't':
		c.pos += 4
		c.out = append(c.out, "true"...)
	case 'f':
		c.pos += 5
		c.out = append(c.out, "false"...)
	case 'n':
		c.pos += 4
		c.out = append(c.out, "null"...)
	default:
		start := c.pos
		for c.pos < len(c.in) && bytes.IndexByte([]byte("+-0123456789.eE"), c.in[c.pos]) >= 0 {
			c.pos++
		}
		var err error
		c.out, err = appendNumber(c.out, c.in[start:c.pos])
		return err
	}
	return nil
}

// str reads a string and returns its text: a slice of the input when it
// holds no escapes and is valid UTF-8, else decoded as encoding/json does.
func (c *canonicalizer) str() []byte {
	start := c.pos
	c.pos++
	plain := true
	for c.in[c.pos] != '"' {
		if c.in[c.pos] == '\\' {
			plain = false
			c.pos++
		}
		c.pos++
	}
	c.pos++
	raw := c.in[start+1 : c.pos-1]
	if plain && utf8.Valid(raw) {
		return raw
	}
	var s string
	json.Unmarshal(c.in[start:c.pos], &s) // valid: json.Valid said so
	return []byte(s)
}

// memberAt is an object member: its name and where its canonical value is
// in out.
type memberAt struct {
	name       []byte
	start, end int
}

func (c *canonicalizer) object() error {
	c.pos++
	c.depth++
	defer func() { c.depth-- }()
	start := len(c.out)
	var buf [48]memberAt
	ms := buf[:0]
	c.space()
	if c.in[c.pos] == '}' {
		c.pos++
	} else {
		for {
			c.space()
			name := c.str()
			c.space()
			c.pos++ // ':'
			vs := len(c.out)
			if err := c.value(); err != nil {
				return err
			}
			ms = append(ms, memberAt{name, vs, len(c.out)})
			c.space()
			ch := c.in[c.pos]
			c.pos++
			if ch == '}' {
				break
			}
		}
	}
	slices.SortFunc(ms, func(a, b memberAt) int { return compareUTF16(a.name, b.name) }) // equal names are refused below: no order among them to keep
	for i := 1; i < len(ms); i++ {
		if bytes.Equal(ms[i].name, ms[i-1].name) {
			return fmt.Errorf("the name %q appears twice in an object", ms[i].name)
		}
	}
	// The values are in out in the order they came; write the members
	// again, sorted.
	values := bytes.Clone(c.out[start:])
	c.out = append(c.out[:start], '{')
	top := c.depth == 1 && c.split != nil
	for i, m := range ms {
		if i > 0 {
			c.out = append(c.out, ',')
		}
		if top && c.at < 0 && compareUTF16(m.name, c.split) > 0 {
			c.at = len(c.out)
		}
		c.out = appendString(c.out, m.name)
		c.out = append(c.out, ':')
		c.out = append(c.out, values[m.start-start:m.end-start]...)
	}
	if top && c.at < 0 {
		c.at = len(c.out)
	}
	c.out = append(c.out, '}')
	return nil
}

// compareUTF16 compares a and b as sequences of UTF-16 code units.
func compareUTF16(a, b []byte) int {
	for len(a) > 0 && len(b) > 0 {
		if a[0] < utf8.RuneSelf && b[0] < utf8.RuneSelf {
			if a[0] != b[0] {
				return int(a[0]) - int(b[0])
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRune(a)
		rb, nb := utf8.DecodeRune(b)
		if ra != rb {
			return compareUnits(ra, rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// compareUnits compares two different runes by their UTF-16 code units.
// Only a rune beyond U+FFFF (a surrogate pair, D800 to DFFF) against one
// from E000 to FFFF compares otherwise than by code point.
func compareUnits(a, b rune) int {
	ua, ub := units(a), units(b)
	return slices.Compare(ua[:], ub[:])
}

func units(r rune) [2]rune {
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
		return [2]rune{r1, r2}
	}
	return [2]rune{r, -1}
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a canonical JSON string. s is valid UTF-8.
func appendString[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendNumber writes the JSON number lit as ECMAScript's Number.toString
// writes the double nearest to it (as encoding/json writes a float64).
func appendNumber(dst, lit []byte) ([]byte, error) {
	// Integers of up to 15 digits are exact doubles and written as they
	// are (JSON has no leading zeros), except -0.
	digits := lit
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if n := len(digits); n > 0 && n <= 15 && allDigits(digits) {
		if n == 1 && digits[0] == '0' {
			return append(dst, '0'), nil
		}
		return append(dst, lit...), nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return nil, fmt.Errorf("number %s: out of the range of a double", lit)
	}
	if f == 0 {
		return append(dst, '0'), nil // -0 too
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Go writes e-07 where ECMAScript writes e-7.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
