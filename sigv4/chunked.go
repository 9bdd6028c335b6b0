package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Chunk sizes of aws-chunked uploads. AWS requires every chunk but the last to
// hold at least 8 KiB.
const (
	DefaultChunkSize = 64 << 10
	MinChunkSize     = 8 << 10
)

// chunkOverhead is what each chunk adds around its data:
// ";chunk-signature=" + 64 hex digits + CRLF after the size, CRLF after the data.
const chunkOverhead = len(";chunk-signature=") + 64 + 2 + 2

// StreamingLength returns the Content-Length of an aws-chunked body that
// carries decoded bytes in chunks of chunkSize.
func StreamingLength(decoded int64, chunkSize int) int64 {
	full := decoded / int64(chunkSize)
	n := full * int64(hexLen(int64(chunkSize))+chunkOverhead+chunkSize)
	if rest := decoded % int64(chunkSize); rest > 0 {
		n += int64(hexLen(rest)+chunkOverhead) + rest
	}
	return n + int64(1+chunkOverhead) // the final, empty chunk
}

func hexLen(n int64) int {
	l := 1
	for n >= 16 {
		n >>= 4
		l++
	}
	return l
}

// SignStreaming signs req for an aws-chunked upload
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and replaces its body with a reader
// that emits signed chunks of chunkSize bytes (0 means DefaultChunkSize), so
// a body of any size streams in constant memory: one chunk is buffered.
//
// req.ContentLength must hold the body's length; it becomes the encoded
// length and the original goes into X-Amz-Decoded-Content-Length. The
// request keeps a GetBody when it had one, so it can be retried.
func (s *Signer) SignStreaming(req *http.Request, creds Credentials, opts Options, chunkSize int) error {
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	if chunkSize < MinChunkSize {
		return fmt.Errorf("sigv4: chunk size %d is below AWS's minimum of %d bytes", chunkSize, MinChunkSize)
	}
	if opts.RegionSet != "" {
		return errors.New("sigv4: aws-chunked uploads are signed with SigV4 only; use a single region")
	}
	decoded := req.ContentLength
	if decoded < 0 || (decoded > 0 && (req.Body == nil || req.Body == http.NoBody)) {
		return errors.New("sigv4: streaming upload needs the body and its length in req.ContentLength")
	}
	body, getBody := req.Body, req.GetBody
	if body == nil {
		body = http.NoBody
	}

	if req.Header == nil {
		req.Header = make(http.Header)
	}
	switch ce := req.Header.Get("Content-Encoding"); {
	case ce == "":
		req.Header.Set("Content-Encoding", "aws-chunked")
	case !strings.Contains(ce, "aws-chunked"):
		req.Header.Set("Content-Encoding", "aws-chunked,"+ce)
	}
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(decoded, 10))
	req.Header.Del("X-Amz-Content-Sha256")
	req.ContentLength = StreamingLength(decoded, chunkSize)
	opts.PayloadHash = StreamingPayload
	opts.Payload = nil

	sc, err := s.sign(req, &creds, &opts)
	if err != nil {
		return err
	}
	seed := chunkSeed{
		key:       s.keys().signingKey(&creds, sc.date, sc.day, opts.Region, opts.Service).key,
		date:      sc.date,
		scope:     sc.scope,
		decoded:   decoded,
		chunkSize: chunkSize,
	}
	copy(seed.sig[:], sc.signature)
	sc.release()

	req.Body = seed.reader(body)
	if getBody != nil {
		req.GetBody = func() (io.ReadCloser, error) {
			b, err := getBody()
			if err != nil {
				return nil, err
			}
			return seed.reader(b), nil
		}
	} else {
		req.GetBody = nil
	}
	return nil
}

// chunkSeed is what every chunk signature of one upload derives from.
type chunkSeed struct {
	key       [32]byte
	sig       [64]byte // the seed signature, from the Authorization header
	date      string
	scope     string
	decoded   int64
	chunkSize int
}

func (s chunkSeed) reader(body io.ReadCloser) *ChunkReader {
	return &ChunkReader{src: body, seed: s, prev: s.sig, remaining: s.decoded}
}

// ChunkReader is the body of a streaming upload: it reads the original body a
// chunk at a time and emits each chunk with its signature, chained from the
// seed signature, then the final empty chunk.
type ChunkReader struct {
	src       io.ReadCloser
	seed      chunkSeed
	prev      [64]byte
	remaining int64
	buf       []byte // the encoded chunk being emitted
	off       int
	done      bool
	scratch   []byte
	sts       []byte
}

// Read implements io.Reader.
func (r *ChunkReader) Read(p []byte) (int, error) {
	if r.off == len(r.buf) {
		if r.done {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// Close closes the original body.
func (r *ChunkReader) Close() error { return r.src.Close() }

// next reads and encodes the next chunk into r.buf.
func (r *ChunkReader) next() error {
	size := int64(r.seed.chunkSize)
	if r.remaining < size {
		size = r.remaining
	}
	head := hexLen(size) + len(";chunk-signature=") + 64 + 2
	need := head + int(size) + 2
	if cap(r.buf) < need {
		r.buf = make([]byte, 0, hexLen(int64(r.seed.chunkSize))+chunkOverhead+r.seed.chunkSize)
	}
	buf := r.buf[:need]
	data := buf[head : head+int(size)]
	if _, err := io.ReadFull(r.src, data); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("sigv4: body ended %d bytes before its declared length", r.remaining)
		}
		return fmt.Errorf("sigv4: read body: %w", err)
	}
	r.remaining -= size
	if size == 0 {
		r.done = true
	}

	sum := sha256.Sum256(data)
	st := r.sts[:0]
	st = append(st, "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	st = append(st, r.seed.date...)
	st = append(st, '\n')
	st = append(st, r.seed.scope...)
	st = append(st, '\n')
	st = append(st, r.prev[:]...)
	st = append(st, '\n')
	st = append(st, EmptyPayloadHash...)
	st = append(st, '\n')
	st = hex.AppendEncode(st, sum[:])
	r.sts = st
	mac := hmacSHA256(r.seed.key[:], st, &r.scratch)
	hex.Encode(r.prev[:], mac[:])

	h := strconv.AppendInt(buf[:0], size, 16)
	h = append(h, ";chunk-signature="...)
	h = append(h, r.prev[:]...)
	h = append(h, '\r', '\n')
	_ = h
	buf[need-2], buf[need-1] = '\r', '\n'
	r.buf, r.off = buf, 0
	return nil
}
