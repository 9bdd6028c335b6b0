package catalog

import "strings"

// Query strings and form bodies are read without allocating: Identify runs
// on every request the vault signs.

// hasQuery reports whether rawQuery has the literal key (and value).
func hasQuery(rawQuery string, q queryLiteral) bool {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(kv, "=")
		if unescapedEqual(k, q.key) && (!q.hasValue || unescapedEqual(v, q.value)) {
			return true
		}
	}
	return false
}

func hasQueryKey(rawQuery, key string) bool {
	return hasQuery(rawQuery, queryLiteral{key: key})
}

// maxValue bounds the form values Identify decodes (Action, Version); the
// longest operation name has 63 characters.
const maxValue = 128

// formField is what formValue found of a key.
type formField struct {
	value []byte // the first value, decoded; empty when long
	n     int    // how many times the key occurs
	same  bool   // every occurrence decodes to value
	// folded counts keys that spell the key in another letter case
	// ("action" for "Action").
	folded int
	long   bool // the first value does not fit maxValue: no name is that long
	size   int  // the first value's length as sent
}

// formValue finds key in the form-encoded s. It decodes the first value
// into buf, and reports how many times key occurs, whether every occurrence
// decodes to the same value, and how many keys spell it in another case. It
// does not allocate.
func formValue[T string | []byte](s T, key string, buf []byte) formField {
	var other [maxValue]byte
	f := formField{same: true}
	for len(s) > 0 {
		kv := s
		if i := indexByte(s, '&'); i >= 0 {
			kv, s = s[:i], s[i+1:]
		} else {
			s = s[:0]
		}
		k, v := kv, kv[:0]
		if i := indexByte(kv, '='); i >= 0 {
			k, v = kv[:i], kv[i+1:]
		}
		if !decodesTo(k, key, true) {
			if decodesToFold(k, key) {
				f.folded++
			}
			continue
		}
		if f.n == 0 {
			f.value = decodeInto(v, buf)
			f.size = len(v)
			f.long = len(f.value) == 0 && len(v) > 0
		} else if string(decodeInto(v, other[:0])) != string(f.value) {
			f.same = false
		}
		f.n++
	}
	return f
}

func indexByte[T string | []byte](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// decodeInto appends the form-decoded s to buf, or returns buf empty if it
// does not fit (no operation name is that long).
func decodeInto[T string | []byte](s T, buf []byte) []byte {
	buf = buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		case c == '+':
			c = ' '
		}
		if len(buf) == cap(buf) {
			return buf[:0]
		}
		buf = append(buf, c)
	}
	return buf
}

// unescapedEqual reports whether the form-encoded s decodes to want,
// without allocating.
func unescapedEqual(s, want string) bool { return decodesTo(s, want, true) }

// pathUnescapedEqual is unescapedEqual for a path segment, where + is +.
func pathUnescapedEqual(s, want string) bool { return decodesTo(s, want, false) }

func decodesTo[T string | []byte](s T, want string, plusIsSpace bool) bool {
	if string(s) == want {
		return true
	}
	return decodesCompare(s, want, plusIsSpace, false)
}

// decodesToFold is decodesTo for a form key, ignoring ASCII letter case.
func decodesToFold[T string | []byte](s T, want string) bool {
	return decodesCompare(s, want, true, true)
}

func decodesCompare[T string | []byte](s T, want string, plusIsSpace, fold bool) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '%':
			if i+2 >= len(s) {
				return false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return false
			}
			c = hi<<4 | lo
			i += 2
		case '+':
			if plusIsSpace {
				c = ' '
			}
		}
		if j >= len(want) || (want[j] != c && !(fold && lower(want[j]) == lower(c))) {
			return false
		}
		j++
	}
	return j == len(want)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
