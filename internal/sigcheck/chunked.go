package sigcheck

// aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): after the seed
// signature, which Check verifies with aws-sdk-go-v2, every chunk carries a
// signature chained from the one before it. aws-sdk-go-v2 has no chunk
// signer, so the chain is recomputed here, from Amazon S3's documentation
// ("Signature Calculations for the Authorization Header: Transferring Payload
// in Multiple Chunks"), by code that shares nothing with this module's sigv4
// package:
//
//	string to sign = "AWS4-HMAC-SHA256-PAYLOAD" \n X-Amz-Date \n scope \n
//	                 previous signature \n sha256("") \n sha256(chunk data)
//	signature      = hex(HMAC-SHA256(signing key, string to sign))
//
// The first chunk's previous signature is the seed's; the body ends with an
// empty chunk, signed the same way, and nothing after it.

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	chunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD"
	chunkSigPrefix = ";chunk-signature="
	// minChunkSize is S3's least size of every data chunk but the last.
	minChunkSize = 8 << 10
	// MaxChunkSize bounds the one chunk a ChunkReader holds: a body that
	// names a larger chunk is refused, so memory stays constant however
	// long the body is.
	MaxChunkSize = 16 << 20
)

// ChunkReader reads an aws-chunked body and verifies each chunk's signature
// before it yields a byte of that chunk. It holds one chunk at a time. A bad
// chunk signature is an *Error with code SignatureDoesNotMatch; a body that
// ends before its final empty chunk, holds bytes after it, or whose data
// differs in length from X-Amz-Decoded-Content-Length is an *Error with code
// IncompleteBody or InvalidChunkSizeError. Read returns io.EOF only once the
// final chunk is verified and nothing follows it.
type ChunkReader struct {
	src  *bufio.Reader
	wire bool // yield the body as it arrived, not its data

	key   []byte // the signing key
	date  string // X-Amz-Date
	scope string // yyyymmdd/region/service/aws4_request
	prev  string // the signature the next chunk chains from

	buf     []byte // the verified chunk: as it arrived (wire) or its data
	off     int    // how much of buf was yielded
	decoded int64  // data bytes verified so far
	want    int64  // X-Amz-Decoded-Content-Length
	chunks  int64  // chunks verified, the final one included
	small   bool   // the last data chunk was under minChunkSize
	done    bool   // the final chunk is verified
	err     error  // sticky
	counter func() // called for each verified chunk
}

// Chunks is the number of chunk signatures verified so far, the final empty
// chunk's included.
func (c *ChunkReader) Chunks() int64 { return c.chunks }

// Read implements io.Reader.
func (c *ChunkReader) Read(p []byte) (int, error) {
	for c.off == len(c.buf) {
		if c.err != nil {
			return 0, c.err
		}
		if c.done {
			return 0, io.EOF
		}
		if c.err = c.next(); c.err != nil {
			return 0, c.err
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// next reads, checks and verifies one chunk into c.buf.
func (c *ChunkReader) next() error {
	n := c.chunks // index of this chunk
	line, err := c.src.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fail(http.StatusBadRequest, "IncompleteBody", "the aws-chunked body ended before its final empty chunk, after %d chunks and %d bytes of data", n, c.decoded)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: the chunk header is not a line: %.80q", n, line)
		}
		return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: read: %v", n, err)
	}
	head := strings.TrimSuffix(string(line), "\r\n")
	sizeHex, sig, ok := strings.Cut(head, chunkSigPrefix)
	size, perr := strconv.ParseInt(sizeHex, 16, 64)
	if !ok || len(head) == len(line) || perr != nil || size < 0 || !isSHA256Hex(sig) {
		return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: malformed chunk header %.120q, want <hex size>;chunk-signature=<64 hex digits> CRLF", n, line)
	}
	if size > MaxChunkSize {
		return fail(http.StatusBadRequest, "InvalidChunkSizeError", "chunk %d holds %d bytes; this verifier holds at most %d", n, size, MaxChunkSize)
	}
	if size > 0 && c.small {
		return fail(http.StatusBadRequest, "InvalidChunkSizeError", "chunk %d: the chunk before it held under %d bytes and was not the last", n, minChunkSize)
	}
	if c.decoded+size > c.want {
		return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: the data runs past X-Amz-Decoded-Content-Length %d", n, c.want)
	}

	c.buf, c.off = c.buf[:0], 0
	if c.wire {
		c.buf = append(c.buf, line...)
	}
	start := len(c.buf)
	c.buf = grow(c.buf, int(size)+2)
	if _, err := io.ReadFull(c.src, c.buf[start:]); err != nil {
		return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: the body ended inside a chunk of %d bytes: %v", n, size, err)
	}
	data := c.buf[start : start+int(size)]
	if crlf := c.buf[start+int(size):]; string(crlf) != "\r\n" {
		return fail(http.StatusBadRequest, "IncompleteBody", "chunk %d: %d bytes of data not followed by CRLF but %q", n, size, crlf)
	}
	if !c.wire {
		c.buf = data
	}

	sts := c.stringToSign(data)
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte(sts))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return fail(http.StatusForbidden, "SignatureDoesNotMatch", "chunk %d (%d bytes): the chunk signature we calculated does not match the one sent\ngot  %s\nwant %s\nstring to sign:\n%s", n, size, sig, want, sts)
	}
	c.prev = sig
	c.chunks++
	c.decoded += size
	if c.counter != nil {
		c.counter()
	}
	if size > 0 {
		c.small = size < minChunkSize
		return nil
	}

	// The final chunk: all the data is here, and nothing follows.
	if c.decoded != c.want {
		return fail(http.StatusBadRequest, "IncompleteBody", "the final chunk came after %d bytes of data; X-Amz-Decoded-Content-Length says %d", c.decoded, c.want)
	}
	switch _, err := c.src.Peek(1); {
	case err == nil:
		return fail(http.StatusBadRequest, "IncompleteBody", "bytes follow the final chunk (trailers are not supported)")
	case err != io.EOF:
		return fail(http.StatusBadRequest, "IncompleteBody", "after the final chunk: read: %v", err)
	}
	c.done = true
	return nil
}

func (c *ChunkReader) stringToSign(data []byte) string {
	sum := sha256.Sum256(data)
	return chunkAlgorithm + "\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + emptyPayloadHash + "\n" + hex.EncodeToString(sum[:])
}

// grow returns b extended by n bytes, reusing its array when it is large
// enough.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// signingKey derives the SigV4 signing key, as the SDK does and AWS documents:
// HMAC("AWS4"+secret, day) → region → service → "aws4_request".
func signingKey(secret, day, region, service string) []byte {
	k := []byte("AWS4" + secret)
	for _, s := range []string{day, region, service, "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	return k
}

// Chunked verifies the seed signature of r, an aws-chunked request, and
// returns a ChunkReader of its body's data that verifies every chunk as it is
// read. It does not read r.Body itself.
func (v *Verifier) Chunked(r *http.Request) (*ChunkReader, error) {
	return v.chunked(r, false)
}

// chunked is Chunked; with wire, the reader yields the body as it arrived
// (chunk headers and all) rather than its data.
func (v *Verifier) chunked(r *http.Request, wire bool) (*ChunkReader, error) {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != streamingPayload {
		return nil, fail(http.StatusBadRequest, "InvalidRequest", "not an aws-chunked upload: x-amz-content-sha256 is %q, want %s", h, streamingPayload)
	}
	if r.Header.Get("Authorization") == "" {
		return nil, fail(http.StatusForbidden, "AccessDenied", "an aws-chunked upload is signed in the Authorization header")
	}
	if err := v.Check(r, nil); err != nil {
		return nil, err
	}
	// The seed is verified: its fields are well formed.
	a, _ := parseAuth(r.Header.Get("Authorization"))
	key, region, service, _ := scope(a.credential)
	secret, _ := v.secret(key)
	at, _ := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	want, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	if err != nil || want < 0 {
		return nil, fail(http.StatusLengthRequired, "MissingContentLength", "an aws-chunked upload needs X-Amz-Decoded-Content-Length, got %q", r.Header.Get("X-Amz-Decoded-Content-Length"))
	}
	day := at.Format("20060102")
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	return &ChunkReader{
		src:     bufio.NewReaderSize(body, 64<<10),
		wire:    wire,
		key:     signingKey(secret, day, region, service),
		date:    r.Header.Get("X-Amz-Date"),
		scope:   strings.Join([]string{day, region, service, "aws4_request"}, "/"),
		prev:    a.signature,
		want:    want,
		counter: func() { v.chunks.Add(1) },
	}, nil
}

// isChunked says whether r is an aws-chunked upload signed in its
// Authorization header, whose chunks the Handler verifies as they stream.
func isChunked(r *http.Request) bool {
	return r.Header.Get("X-Amz-Content-Sha256") == streamingPayload && r.Header.Get("Authorization") != ""
}

// chunkBody is a request body whose reads go through a ChunkReader and
// whose Close closes the body it reads.
type chunkBody struct {
	*ChunkReader
	io.Closer
}
