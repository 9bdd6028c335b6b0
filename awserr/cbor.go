package awserr

// Smithy RPC v2 CBOR (CloudWatch, among others, answers it) sends an error
// as a CBOR map with the same members as awsJson: {"__type": "ns#Code",
// "message": "..."}
// (https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html).
// This reads the text members of the top-level map and skips everything
// else, by RFC 8949's encoding rules; a malformed body stops the reading.

// CBOR major types.
const (
	cborUint = iota
	cborNegInt
	cborBytes
	cborText
	cborArray
	cborMap
	cborTag
	cborSimple
)

const (
	cborIndefinite = 31   // additional information: indefinite length
	cborBreak      = 0xff // the end of an indefinite-length item
	cborMaxDepth   = 32
)

type cborReader struct {
	b []byte
	i int
}

// head reads an item's initial byte and argument. indefinite is set for
// additional information 31 (a break when major is cborSimple).
func (r *cborReader) head() (major byte, arg uint64, indefinite, ok bool) {
	if r.i >= len(r.b) {
		return 0, 0, false, false
	}
	c := r.b[r.i]
	r.i++
	major, info := c>>5, c&31
	switch {
	case info < 24:
		return major, uint64(info), false, true
	case info <= 27:
		n := 1 << (info - 24) // 1, 2, 4 or 8 bytes
		if len(r.b)-r.i < n {
			return 0, 0, false, false
		}
		for _, x := range r.b[r.i : r.i+n] {
			arg = arg<<8 | uint64(x)
		}
		r.i += n
		return major, arg, false, true
	case info == cborIndefinite:
		return major, 0, true, major >= cborBytes && major <= cborMap || major == cborSimple
	}
	return 0, 0, false, false // 28-30 are reserved
}

// bytesOf reads the content of a byte or text string of major type major,
// definite or made of definite chunks.
func (r *cborReader) bytesOf(major byte, arg uint64, indefinite bool) ([]byte, bool) {
	if !indefinite {
		if arg > uint64(len(r.b)-r.i) {
			return nil, false
		}
		s := r.b[r.i : r.i+int(arg)]
		r.i += int(arg)
		return s, true
	}
	var out []byte
	for {
		if r.i < len(r.b) && r.b[r.i] == cborBreak {
			r.i++
			return out, true
		}
		m, n, ind, ok := r.head()
		if !ok || m != major || ind {
			return nil, false
		}
		chunk, ok := r.bytesOf(m, n, false)
		if !ok {
			return nil, false
		}
		if len(out) < maxText {
			out = append(out, chunk[:min(len(chunk), maxText-len(out))]...)
		}
	}
}

// skip reads one whole item of any type.
func (r *cborReader) skip(depth int) bool {
	if depth > cborMaxDepth {
		return false
	}
	major, arg, indefinite, ok := r.head()
	if !ok {
		return false
	}
	switch major {
	case cborUint, cborNegInt, cborSimple:
		return !indefinite // a break outside an indefinite item is malformed
	case cborBytes, cborText:
		_, ok := r.bytesOf(major, arg, indefinite)
		return ok
	case cborTag:
		return r.skip(depth + 1)
	}
	// An array or a map: arg items (pairs), or items up to a break.
	per := uint64(1)
	if major == cborMap {
		per = 2
	}
	if indefinite {
		for {
			if r.i < len(r.b) && r.b[r.i] == cborBreak {
				r.i++
				return true
			}
			for range per {
				if !r.skip(depth + 1) {
					return false
				}
			}
		}
	}
	// Every item takes at least a byte: a count beyond what is left is
	// malformed, and is refused before looping on it.
	if arg > uint64(len(r.b)-r.i) || arg*per > uint64(len(r.b)-r.i) {
		return false
	}
	for range arg * per {
		if !r.skip(depth + 1) {
			return false
		}
	}
	return true
}

// text reads a text string, or skips any other item; ok is false when the
// body is malformed.
func (r *cborReader) text() (s string, isText, ok bool) {
	start := r.i
	major, arg, indefinite, ok := r.head()
	if !ok {
		return "", false, false
	}
	if major != cborText {
		r.i = start
		return "", false, r.skip(0)
	}
	b, ok := r.bytesOf(major, arg, indefinite)
	return string(b[:min(len(b), maxText)]), true, ok
}

// cborFields reads the text members of a CBOR map.
func cborFields(body []byte) fields {
	var f fields
	r := &cborReader{b: body}
	major, n, indefinite, ok := r.head()
	if !ok || major != cborMap {
		return f
	}
	for i := uint64(0); indefinite || i < n; i++ {
		if indefinite && r.i < len(r.b) && r.b[r.i] == cborBreak {
			return f
		}
		key, isText, ok := r.text()
		if !ok {
			return f
		}
		value, valueIsText, ok := r.text()
		if !ok {
			return f
		}
		if isText && valueIsText {
			f.set(key, value)
		}
	}
	return f
}
