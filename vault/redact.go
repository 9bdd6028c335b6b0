package vault

// Redacting AWS's answers. The grant's own secret material (its secret key
// and session token, plain, hex, spaced hex as S3 shows the canonical
// request of a SignatureDoesNotMatch, base64 or URL-escaped) never reaches
// whoever reads a response; credentials in an answer (SecretAccessKey,
// SessionToken) are masked unless the grant may issue credentials. Masks
// have the length of what they hide, so Content-Length and byte offsets
// stay true.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// secretNeedles returns every form of the credentials' secrets that an
// answer might echo. Secrets shorter than 16 bytes are not searched for
// (they would match by chance); real ones are 40 bytes and longer.
func secretNeedles(c sigv4.Credentials) [][]byte {
	var out [][]byte
	add := func(s string) {
		if len(s) < 16 {
			return
		}
		for _, n := range out {
			if string(n) == s {
				return
			}
		}
		out = append(out, []byte(s))
	}
	for _, s := range []string{c.SecretAccessKey, c.SessionToken} {
		if len(s) < 16 {
			continue
		}
		h := hex.EncodeToString([]byte(s))
		add(s)
		add(h)
		add(strings.ToUpper(h))
		add(spacedHex(h))
		add(strings.ToUpper(spacedHex(h)))
		add(base64.RawStdEncoding.EncodeToString([]byte(s)))
		add(base64.RawURLEncoding.EncodeToString([]byte(s)))
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	return out
}

func spacedHex(h string) string {
	var b strings.Builder
	b.Grow(len(h) * 3 / 2)
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// credentialFields are the names under which AWS answers carry secret
// credentials (STS, IAM CreateAccessKey, SSO, Lightsail, Cognito); their
// values are masked in JSON ("SessionToken": "...") and XML
// (<SessionToken>...</SessionToken>) answers.
var credentialFields = [][]byte{
	[]byte("SecretAccessKey"), []byte("secretAccessKey"), []byte("SessionToken"), []byte("sessionToken"),
}

// redactHold is how much a redactor keeps back to see a secret that
// straddles two reads: longer than the spaced hex of a session token.
const redactHold = 12 << 10

// redactor masks secrets in a stream.
type redactor struct {
	r       io.Reader
	needles [][]byte
	fields  bool
	buf     []byte // read, not yet handed out
	ready   int    // buf[:ready] is masked and may be handed out
	err     error
}

func newRedactor(r io.Reader, needles [][]byte, fields bool) *redactor {
	return &redactor{r: r, needles: needles, fields: fields}
}

// redactBufSize is a redactor's buffer: what it holds back and a read.
const redactBufSize = redactHold + 64<<10

// redactBufs keeps the buffers of redactors that have reached the end of
// their stream, for the next answer: nearly every call reads one.
var redactBufs = sync.Pool{New: func() any { return new([redactBufSize]byte) }}

func (z *redactor) Read(p []byte) (int, error) {
	for z.ready == 0 {
		if z.err != nil {
			if len(z.buf) == 0 {
				if cap(z.buf) == redactBufSize {
					// Everything was handed out (copied into callers'
					// slices): nothing refers to the buffer any more.
					redactBufs.Put((*[redactBufSize]byte)(z.buf[:redactBufSize]))
				}
				z.buf = nil
				return 0, z.err
			}
			z.mask(true)
			break
		}
		if z.buf == nil {
			z.buf = redactBufs.Get().(*[redactBufSize]byte)[:0]
		} else if cap(z.buf)-len(z.buf) < 32<<10 {
			nb := make([]byte, len(z.buf), len(z.buf)+redactBufSize)
			copy(nb, z.buf)
			z.buf = nb
		}
		n, err := z.r.Read(z.buf[len(z.buf):cap(z.buf)])
		z.buf = z.buf[:len(z.buf)+n]
		if err != nil {
			z.err = err
			continue
		}
		if len(z.buf) > redactHold {
			z.mask(false)
		}
	}
	n := copy(p, z.buf[:z.ready])
	z.buf = z.buf[:copy(z.buf, z.buf[n:])]
	z.ready -= n
	return n, nil
}

// mask masks what is in buf and marks as ready all of it at the end of the
// stream, or all but the last redactHold bytes, which a secret starting
// before them cannot extend past.
func (z *redactor) mask(final bool) {
	b := z.buf
	safe := len(b)
	if !final {
		safe = len(b) - redactHold
	}
	for _, n := range z.needles {
		for off := 0; off < safe; {
			i := bytes.Index(b[off:], n)
			if i < 0 {
				break
			}
			i += off
			if i >= safe {
				break
			}
			maskBytes(b[i : i+len(n)])
			off = i + len(n)
		}
	}
	if z.fields {
		for _, f := range credentialFields {
			for off := 0; off < safe; {
				i := bytes.Index(b[off:], f)
				if i < 0 || i+off >= safe {
					break
				}
				start, end := fieldValue(b, i+off+len(f))
				if end > start {
					maskBytes(b[start:end])
				}
				off = max(end, i+off+len(f))
			}
		}
	}
	z.ready = safe
}

// fieldValue finds the value after a field name at b[i:]: `"NAME": "VALUE"`
// (JSON) or `<NAME>VALUE</NAME>` (XML). It returns an empty span when what
// follows the name is neither.
func fieldValue(b []byte, i int) (start, end int) {
	switch {
	case i < len(b) && b[i] == '>':
		start = i + 1
		end = start
		for end < len(b) && b[end] != '<' {
			end++
		}
		return start, end
	case i < len(b) && b[i] == '"':
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		if j >= len(b) || b[j] != ':' {
			return 0, 0
		}
		j++
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		if j >= len(b) || b[j] != '"' {
			return 0, 0
		}
		start = j + 1
		end = start
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		return start, min(end, len(b))
	}
	return 0, 0
}

// maskBytes overwrites b with a mask of its length: "REDACTED" then '*'.
func maskBytes(b []byte) {
	const word = "REDACTED"
	for i := range b {
		if i < len(word) && len(b) >= len(word) {
			b[i] = word[i]
		} else {
			b[i] = '*'
		}
	}
}
