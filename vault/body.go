package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// Body sizes. A stream of up to smallBody bytes, or of unknown length, is
// read into memory (up to maxBuffered) so that it can be hashed, identified
// (query-protocol bodies name their operation) and replayed. Longer streams
// of known length are sent as they are read; see the package documentation.
const (
	smallBody   = 1 << 20
	maxBuffered = 32 << 20
)

// How a body is covered by the signature.
type payloadMode uint8

const (
	payloadNone    payloadMode = iota // no body: the hash of the empty string
	payloadBytes                      // in memory, hashed
	payloadHashed                     // replayable stream, hashed once before the first attempt
	payloadChunked                    // a long S3 stream: aws-chunked, every chunk signed
)

// payload is a request body and how it is sent.
type payload struct {
	data []byte // the body in memory (payloadBytes)
	// r is a stream and open replays it from its start (nil when it can be
	// read only once). closer is closed when the call is done with the body.
	r      io.Reader
	open   func() (io.ReadCloser, error)
	closer io.Closer
	length int64 // -1: unknown
	used   bool  // r was handed out

	mode payloadMode
	hash string // payload hash, for payloadNone, payloadBytes and payloadHashed
}

// bytesBody is a body held in memory.
func bytesBody(b []byte) *payload {
	if b == nil {
		b = []byte{}
	}
	return &payload{data: b, length: int64(len(b))}
}

// streamBody is a body read from r; length -1 (or 0) when unknown. A
// seekable r is replayed by seeking back to where it is now.
func streamBody(r io.Reader, length int64) *payload {
	if length == 0 {
		length = -1
	}
	b := &payload{r: r, length: length}
	if rs, ok := r.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			b.open = func() (io.ReadCloser, error) {
				if _, err := rs.Seek(start, io.SeekStart); err != nil {
					return nil, fmt.Errorf("rewind the request body: %w", err)
				}
				return io.NopCloser(exact(rs, b.length)), nil
			}
		}
	}
	return b
}

func (b *payload) present() bool { return b != nil && (b.data != nil || b.r != nil) }

// close releases the stream, once the call no longer needs it.
func (b *payload) close() {
	if b != nil && b.closer != nil {
		b.closer.Close()
		b.closer = nil
	}
}

// buffer reads a small stream, or one of unknown length, into memory; all
// reads any stream, up to maxBuffered.
func (b *payload) buffer(all bool) error {
	if b == nil || b.r == nil || b.length > smallBody && !all {
		return nil
	}
	if b.length > maxBuffered {
		return fmt.Errorf("%w: the request body is %d bytes; this service names its operation in the body, which the vault must read to check the policy, and it reads at most %d MiB", ErrInvalid, b.length, maxBuffered>>20)
	}
	return b.readAll()
}

// readAll reads the stream into memory, up to maxBuffered bytes.
func (b *payload) readAll() error {
	src := b.r
	if b.open != nil {
		rc, err := b.open()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		defer rc.Close()
		src = rc
	}
	limit := int64(maxBuffered)
	if b.length >= 0 && b.length < limit {
		limit = b.length
	}
	var buf bytes.Buffer
	if b.length >= 0 {
		buf.Grow(int(limit))
	}
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	if err != nil {
		return fmt.Errorf("%w: read the request body: %w", ErrInvalid, err)
	}
	switch {
	case n > int64(maxBuffered):
		return fmt.Errorf("%w: the request body is longer than %d MiB and its length was not given; give its length (and an io.ReadSeeker, to allow retries)", ErrInvalid, maxBuffered>>20)
	case b.length >= 0 && n != b.length:
		return fmt.Errorf("%w: the request body holds %s bytes, but its length was given as %d", ErrInvalid, moreThan(n, limit), b.length)
	}
	b.data, b.r, b.open, b.length = buf.Bytes(), nil, nil, n
	return nil
}

func moreThan(n, limit int64) string {
	if n > limit {
		return fmt.Sprintf("more than %d", limit)
	}
	return fmt.Sprint(n)
}

// plan decides how the body is signed, for an S3 service or not.
func (b *payload) plan(s3 bool) error {
	switch {
	case !b.present():
		b.mode, b.hash, b.length = payloadNone, sigv4.EmptyPayloadHash, 0
	case b.data != nil:
		b.mode, b.hash = payloadBytes, sigv4.HashBytes(b.data)
	case s3:
		// aws-chunked, every chunk signed: the signature covers the body
		// without holding it, over https as over plain http.
		b.mode = payloadChunked
	case b.open != nil:
		rc, err := b.open()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		h, err := hashAll(rc, b.length)
		rc.Close()
		if err != nil {
			return err
		}
		b.mode, b.hash = payloadHashed, h
	default:
		// A long stream that cannot be replayed, for a service whose
		// signature must cover the body: hold it in memory.
		if b.length > maxBuffered {
			return fmt.Errorf("%w: a request body of %d bytes for this service must be signed with its hash, so it must be replayable (an io.ReadSeeker) or at most %d MiB", ErrInvalid, b.length, maxBuffered>>20)
		}
		if err := b.readAll(); err != nil {
			return err
		}
		b.mode, b.hash = payloadBytes, sigv4.HashBytes(b.data)
	}
	return nil
}

func hashAll(r io.Reader, length int64) (string, error) {
	h := newCountingHash()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("%w: read the request body to hash it: %w", ErrInvalid, err)
	}
	if length >= 0 && h.n != length {
		return "", fmt.Errorf("%w: the request body holds %d bytes, but its length was given as %d", ErrInvalid, h.n, length)
	}
	return h.hex(), nil
}

// replayable reports whether the body can be sent again for a retry.
func (b *payload) replayable() bool {
	return !b.present() || b.data != nil || b.open != nil
}

// reader returns the body for one attempt.
func (b *payload) reader() (io.ReadCloser, error) {
	switch {
	case !b.present():
		return nil, nil
	case b.data != nil:
		return io.NopCloser(bytes.NewReader(b.data)), nil
	case b.open != nil:
		return b.open()
	case !b.used:
		b.used = true
		return io.NopCloser(exact(b.r, b.length)), nil
	}
	return nil, errors.New("the request body was already sent and cannot be sent again")
}

// countingHash is a SHA-256 that counts what it hashed.
type countingHash struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func newCountingHash() *countingHash { return &countingHash{h: sha256.New()} }

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

func (c *countingHash) hex() string { return hex.EncodeToString(c.h.Sum(nil)) }

// exact reads exactly n bytes from r (all of r when n < 0), and fails
// rather than stop short or send more: a body must be as long as the length
// that was signed and checked against the policy.
func exact(r io.Reader, n int64) io.Reader {
	if n < 0 {
		return r
	}
	return &exactReader{r: r, left: n, n: n}
}

type exactReader struct {
	r       io.Reader
	left, n int64
}

var errBodyLength = errors.New("the request body is not as long as its given length")

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		// Anything more is an error, not a silent truncation.
		var one [1]byte
		if k, _ := io.ReadFull(e.r, one[:]); k > 0 {
			return 0, fmt.Errorf("%w (%d bytes): it holds more", errBodyLength, e.n)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	k, err := e.r.Read(p)
	e.left -= int64(k)
	if err == io.EOF && e.left > 0 {
		return k, fmt.Errorf("%w (%d bytes): it ends %d bytes early", errBodyLength, e.n, e.left)
	}
	if err == io.EOF {
		err = nil
	}
	return k, err
}
