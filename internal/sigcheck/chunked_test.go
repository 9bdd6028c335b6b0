package sigcheck_test

// aws-chunked chunk signatures. AWS's published example (sigv4/testdata,
// shared with the signer's tests) anchors the verifier to AWS; the bodies
// made here sign their seed with aws-sdk-go-v2 and their chunks with
// signChunks, a few lines written from the S3 documentation, so that long
// bodies and single bad chunks can be made at will.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// chunkedExamplePath is AWS's S3 example "Signature calculation:
// transferring payload in multiple chunks", as facts in JSON.
const chunkedExamplePath = "../../sigv4/testdata/s3-chunked-example.json"

// chunkedExample is the example with the requests these tests make of it.
type chunkedExample struct{ testutil.ChunkedExample }

func loadChunkedExample(t *testing.T) chunkedExample {
	return chunkedExample{testutil.LoadChunkedExample(t, chunkedExamplePath)}
}

// wireChunk is one chunk as it goes on the wire.
type wireChunk struct {
	sig  string
	data []byte
}

func (c wireChunk) String() string {
	return fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", len(c.data), c.sig, c.data)
}

func encodeChunks(chunks []wireChunk) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		b.WriteString(c.String())
	}
	return b.Bytes()
}

// request is the example's request as a server receives it, with body.
func (ex chunkedExample) request(t *testing.T, body []byte) (*http.Request, *sigcheck.Verifier) {
	t.Helper()
	req := httptest.NewRequest(ex.Request.Method, "http://"+ex.Request.Headers["Host"]+ex.Request.Path, bytes.NewReader(body))
	for k, v := range ex.Request.Headers {
		if !strings.EqualFold(k, "host") {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("X-Amz-Date", ex.Timestamp.Format("20060102T150405Z"))
	req.Header.Set("Authorization", ex.Expected.Authorization)
	return req, sigcheck.New(aws.Credentials{AccessKeyID: ex.Credentials.AccessKeyID, SecretAccessKey: ex.Credentials.SecretAccessKey})
}

func (ex chunkedExample) chunks() []wireChunk {
	out := make([]wireChunk, len(ex.ChunkSizes))
	for i, n := range ex.ChunkSizes {
		out[i] = wireChunk{sig: ex.Expected.ChunkSignatures[i], data: bytes.Repeat([]byte(ex.ChunkByte), n)}
	}
	return out
}

// readChunked reads r's body through the verifier, as data, and returns
// what was yielded before the error.
func readChunked(t *testing.T, v *sigcheck.Verifier, r *http.Request) ([]byte, *sigcheck.ChunkReader, error) {
	t.Helper()
	cr, err := v.Chunked(r)
	if err != nil {
		return nil, nil, err
	}
	got, err := io.ReadAll(cr)
	return got, cr, err
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *sigcheck.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// TestChunkedExample: AWS's example passes, its seed signature through
// aws-sdk-go-v2 and each of its three chunk signatures through the chain.
func TestChunkedExample(t *testing.T) {
	ex := loadChunkedExample(t)
	chunks := ex.chunks()
	wire := encodeChunks(chunks)
	if n, _ := strconv.Atoi(ex.Request.Headers["Content-Length"]); n != len(wire) {
		t.Fatalf("the example's body is %d bytes, Content-Length says %d", len(wire), n)
	}
	req, v := ex.request(t, wire)
	got, cr, err := readChunked(t, v, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Repeat([]byte(ex.ChunkByte), 66560); !bytes.Equal(got, want) {
		t.Errorf("data: %d bytes, want %d of %q", len(got), len(want), ex.ChunkByte)
	}
	if cr.Chunks() != 3 || v.ChunksVerified() != 3 || v.Verified() != 1 {
		t.Errorf("%d chunks read, %d verified, %d seeds; want 3, 3, 1", cr.Chunks(), v.ChunksVerified(), v.Verified())
	}
}

// TestChunkedExampleTampered: one wrong thing anywhere in the example's
// chunks is caught, and no byte of a chunk that fails is yielded.
func TestChunkedExampleTampered(t *testing.T) {
	ex := loadChunkedExample(t)
	flip := func(s string) string {
		b := []byte(s)
		b[10] ^= 1 // hex stays hex: '0'..'9' and 'a'..'f' pairs differ in the low bit
		if !isHex(b[10]) {
			b[10] ^= 3
		}
		return string(b)
	}
	for _, tc := range []struct {
		name   string
		edit   func([]wireChunk) []byte
		code   string
		before int // data bytes yielded before the error
	}{
		{"second chunk's signature", func(c []wireChunk) []byte { c[1].sig = flip(c[1].sig); return encodeChunks(c) }, "SignatureDoesNotMatch", 65536},
		{"first chunk's signature", func(c []wireChunk) []byte { c[0].sig = flip(c[0].sig); return encodeChunks(c) }, "SignatureDoesNotMatch", 0},
		{"final chunk's signature", func(c []wireChunk) []byte { c[2].sig = flip(c[2].sig); return encodeChunks(c) }, "SignatureDoesNotMatch", 66560},
		{"a byte of data", func(c []wireChunk) []byte { c[1].data[500] = 'b'; return encodeChunks(c) }, "SignatureDoesNotMatch", 65536},
		{"chunks swapped", func(c []wireChunk) []byte { return encodeChunks([]wireChunk{c[1], c[0], c[2]}) }, "SignatureDoesNotMatch", 0},
		{"final chunk missing", func(c []wireChunk) []byte { return encodeChunks(c[:2]) }, "IncompleteBody", 66560},
		{"final chunk cut", func(c []wireChunk) []byte { w := encodeChunks(c); return w[:len(w)-2] }, "IncompleteBody", 66560},
		{"cut inside a chunk", func(c []wireChunk) []byte { return encodeChunks(c)[:40000] }, "IncompleteBody", 0},
		{"bytes after the final chunk", func(c []wireChunk) []byte { return append(encodeChunks(c), "x-amz-checksum-crc32:AAAAAA==\r\n"...) }, "IncompleteBody", 66560},
		{"no CRLF after data", func(c []wireChunk) []byte {
			return bytes.Replace(encodeChunks(c), []byte("a\r\n4"), []byte("a\n\n4"), 1)
		}, "IncompleteBody", 0},
		{"malformed header", func(c []wireChunk) []byte {
			return bytes.Replace(encodeChunks(c), []byte(";chunk-signature="), []byte(";chunk-sig="), 1)
		}, "IncompleteBody", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, v := ex.request(t, tc.edit(ex.chunks()))
			got, _, err := readChunked(t, v, req)
			wantCode(t, tc.name, err, tc.code)
			if len(got) != tc.before {
				t.Errorf("%d bytes yielded before the error, want %d", len(got), tc.before)
			}
		})
	}
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// chunkSigner signs chunks as the S3 documentation says, from a seed
// signed by aws-sdk-go-v2.
type chunkSigner struct {
	key               []byte
	date, scope, prev string
}

func newChunkSigner(t *testing.T, req *http.Request, c aws.Credentials, at time.Time) *chunkSigner {
	t.Helper()
	auth := req.Header.Get("Authorization")
	i := strings.Index(auth, "Signature=")
	if i < 0 {
		t.Fatalf("no signature in %q", auth)
	}
	k := []byte("AWS4" + c.SecretAccessKey)
	day := at.UTC().Format("20060102")
	for _, s := range []string{day, region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	return &chunkSigner{key: k, date: at.UTC().Format("20060102T150405Z"), scope: day + "/" + region + "/s3/aws4_request", prev: auth[i+len("Signature="):]}
}

func (s *chunkSigner) sign(data []byte) wireChunk {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n%s\n%s", s.date, s.scope, s.prev, hashOf(nil), hashOf(data))
	s.prev = hex.EncodeToString(m.Sum(nil))
	return wireChunk{sig: s.prev, data: data}
}

// chunkedRequest is an aws-chunked PUT of decoded bytes whose seed is
// signed with the SDK; chunks come from the returned signer.
func chunkedRequest(t *testing.T, decoded int64, c aws.Credentials) (*http.Request, *chunkSigner) {
	t.Helper()
	now := time.Now().UTC()
	req := signed(t, "PUT", "https://b.s3.us-east-1.amazonaws.com/k", nil, "s3", c, now, func(r *http.Request) {
		r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(decoded, 10))
	})
	return req, newChunkSigner(t, req, c, now)
}

func block(i, n int) []byte { return bytes.Repeat([]byte{byte('A' + i%26)}, n) }

// TestChunkedOneBadChunk: of a hundred chunks, the one with a wrong
// signature is caught, after the ninety-nine before it passed.
func TestChunkedOneBadChunk(t *testing.T) {
	const n, size = 100, 8 << 10
	for _, bad := range []int{-1, 0, 57, n - 1, n} {
		t.Run(strconv.Itoa(bad), func(t *testing.T) {
			req, s := chunkedRequest(t, n*size, creds)
			var chunks []wireChunk
			for i := range n {
				chunks = append(chunks, s.sign(block(i, size)))
			}
			chunks = append(chunks, s.sign(nil))
			if bad >= 0 {
				chunks[bad].sig = strings.Repeat("0", 64)
			}
			req.Body = io.NopCloser(bytes.NewReader(encodeChunks(chunks)))
			v := sigcheck.New(creds)
			got, _, err := readChunked(t, v, req)
			if bad < 0 {
				if err != nil || len(got) != n*size || v.ChunksVerified() != n+1 {
					t.Fatalf("a good body: %v, %d bytes, %d chunks verified", err, len(got), v.ChunksVerified())
				}
				return
			}
			wantCode(t, "chunk "+strconv.Itoa(bad), err, "SignatureDoesNotMatch")
			if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("chunk %d ", bad)) {
				t.Errorf("the error does not name chunk %d: %v", bad, err)
			}
			if len(got) != bad*size || v.ChunksVerified() != int64(bad) {
				t.Errorf("%d bytes yielded, %d chunks verified; want %d, %d", len(got), v.ChunksVerified(), bad*size, bad)
			}
		})
	}
}

// TestChunkedShape: S3's rules on the chunks beyond their signatures.
func TestChunkedShape(t *testing.T) {
	t.Run("a small chunk that is not the last", func(t *testing.T) {
		req, s := chunkedRequest(t, 100+8192, creds)
		req.Body = io.NopCloser(bytes.NewReader(encodeChunks([]wireChunk{s.sign(block(0, 100)), s.sign(block(1, 8192)), s.sign(nil)})))
		_, _, err := readChunked(t, sigcheck.New(creds), req)
		wantCode(t, "small chunk", err, "InvalidChunkSizeError")
	})
	t.Run("less data than X-Amz-Decoded-Content-Length", func(t *testing.T) {
		req, s := chunkedRequest(t, 9000, creds)
		req.Body = io.NopCloser(bytes.NewReader(encodeChunks([]wireChunk{s.sign(block(0, 8999)), s.sign(nil)})))
		_, _, err := readChunked(t, sigcheck.New(creds), req)
		wantCode(t, "short", err, "IncompleteBody")
	})
	t.Run("more data than X-Amz-Decoded-Content-Length", func(t *testing.T) {
		req, s := chunkedRequest(t, 10, creds)
		req.Body = io.NopCloser(bytes.NewReader(encodeChunks([]wireChunk{s.sign(block(0, 11)), s.sign(nil)})))
		_, _, err := readChunked(t, sigcheck.New(creds), req)
		wantCode(t, "long", err, "IncompleteBody")
	})
	t.Run("a chunk over MaxChunkSize", func(t *testing.T) {
		req, s := chunkedRequest(t, 1<<30, creds)
		req.Body = io.NopCloser(strings.NewReader(fmt.Sprintf("%x;chunk-signature=%s\r\n", 1<<30, s.prev)))
		_, _, err := readChunked(t, sigcheck.New(creds), req)
		wantCode(t, "huge chunk", err, "InvalidChunkSizeError")
	})
	t.Run("an empty body", func(t *testing.T) {
		req, s := chunkedRequest(t, 0, creds)
		req.Body = io.NopCloser(bytes.NewReader(encodeChunks([]wireChunk{s.sign(nil)})))
		if got, _, err := readChunked(t, sigcheck.New(creds), req); err != nil || len(got) != 0 {
			t.Errorf("%q, %v", got, err)
		}
	})
	t.Run("the seed signed with another secret", func(t *testing.T) {
		req, _ := chunkedRequest(t, 0, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "other"})
		_, err := sigcheck.New(creds).Chunked(req)
		wantCode(t, "seed", err, "SignatureDoesNotMatch")
	})
	t.Run("not aws-chunked", func(t *testing.T) {
		_, err := sigcheck.New(creds).Chunked(signed(t, "PUT", "https://b.s3.us-east-1.amazonaws.com/k", []byte("x"), "s3", creds, time.Now(), nil))
		wantCode(t, "plain", err, "InvalidRequest")
	})
}

// streamBody yields an aws-chunked body of n chunks of size bytes, made and
// signed as it is read, with a wrong signature on chunk bad (-1: none).
type streamBody struct {
	s        *chunkSigner
	n, size  int
	i, bad   int
	data     []byte
	pending  []byte
	finished bool
}

func (b *streamBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		switch {
		case b.finished:
			return 0, io.EOF
		case b.i == b.n:
			b.pending = []byte(b.s.sign(nil).String())
			b.finished = true
		default:
			b.data[0] = byte(b.i)
			c := b.s.sign(b.data)
			if b.i == b.bad {
				c.sig = strings.Repeat("f", 64)
			}
			b.pending = append(b.pending[:0], c.String()...)
			b.i++
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// TestChunkedStream: a long body is verified as it streams, in constant
// memory, through the Handler and on to an upstream by Forward, byte for
// byte as it arrived; a bad chunk near its end is the answer, not a 200.
func TestChunkedStream(t *testing.T) {
	const n, size = 2048, 64 << 10 // 128 MiB
	var upstreamGot atomic.Int64
	var upstreamSum atomic.Value
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		k, err := io.Copy(h, r.Body)
		upstreamGot.Store(k)
		if err != nil {
			w.WriteHeader(599)
			return
		}
		upstreamSum.Store(hex.EncodeToString(h.Sum(nil)))
	}))
	defer upstream.Close()
	v := sigcheck.New(creds)
	front := httptest.NewServer(v.Handler(sigcheck.Forward(upstream.URL)))
	defer front.Close()

	send := func(bad int) (answer, string) {
		req, s := chunkedRequest(t, n*size, creds)
		sent := sha256.New()
		body := &streamBody{s: s, n: n, size: size, bad: bad, data: make([]byte, size)}
		out, err := http.NewRequest("PUT", front.URL+"/k", io.TeeReader(body, sent))
		if err != nil {
			t.Fatal(err)
		}
		out.Header = req.Header
		out.Host = req.Host
		out.ContentLength = int64(n) * int64(len(fmt.Sprintf("%x;chunk-signature=%s\r\n\r\n", size, s.prev))+size)
		out.ContentLength += int64(len(fmt.Sprintf("0;chunk-signature=%s\r\n\r\n", s.prev)))
		var a answer
		_, peak := testutil.PeakHeap(func() { a = send(t, out) })
		if peak > 32<<20 {
			t.Errorf("peak heap in use %d MiB while %d MiB went through", peak>>20, n*size>>20)
		}
		return a, hex.EncodeToString(sent.Sum(nil))
	}

	start := time.Now()
	a, sum := send(-1)
	if a.status != 200 || upstreamSum.Load() != sum {
		t.Fatalf("good body: HTTP %d %s %s; upstream got %d bytes, sha256 %v, sent %s", a.status, a.code, a.body, upstreamGot.Load(), upstreamSum.Load(), sum)
	}
	if v.ChunksVerified() != n+1 {
		t.Errorf("%d chunks verified, want %d", v.ChunksVerified(), n+1)
	}
	t.Logf("%d MiB verified as it streamed in %v", n*size>>20, time.Since(start).Round(time.Millisecond))

	before := v.ChunksVerified()
	a, _ = send(n - 3)
	if a.status != 403 || a.code != "SignatureDoesNotMatch" || !strings.Contains(a.body, fmt.Sprintf("chunk %d ", n-3)) {
		t.Errorf("bad chunk %d: HTTP %d %s %s", n-3, a.status, a.code, a.body)
	}
	if got := v.ChunksVerified() - before; got != n-3 {
		t.Errorf("%d chunks verified before the bad one, want %d", got, n-3)
	}
}

// TestChunkedSeedRefused: the Handler refuses a bad seed before next sees
// the request.
func TestChunkedSeedRefused(t *testing.T) {
	var reached atomic.Bool
	srv := httptest.NewServer(sigcheck.New(creds).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) })))
	defer srv.Close()
	req, s := chunkedRequest(t, 0, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "other"})
	out, _ := http.NewRequestWithContext(context.Background(), "PUT", srv.URL+"/k", bytes.NewReader(encodeChunks([]wireChunk{s.sign(nil)})))
	out.Header, out.Host = req.Header, req.Host
	if a := send(t, out); a.status != 403 || a.code != "SignatureDoesNotMatch" || reached.Load() {
		t.Errorf("HTTP %d %s; next reached: %v", a.status, a.code, reached.Load())
	}
}
