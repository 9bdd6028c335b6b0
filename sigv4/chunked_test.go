package sigv4_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

// TestChunkedExample reproduces AWS's S3 aws-chunked example exactly: the
// seed signature, each chunk's signature and the bytes on the wire.
func TestChunkedExample(t *testing.T) {
	ex := testutil.LoadChunkedExample(t, "testdata/s3-chunked-example.json")
	req, err := http.NewRequest(ex.Request.Method, "https://"+ex.Request.Headers["Host"]+ex.Request.Path, bytes.NewReader(ex.Payload()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Storage-Class", ex.Request.Headers["x-amz-storage-class"])
	creds := sigv4.Credentials{AccessKeyID: ex.Credentials.AccessKeyID, SecretAccessKey: ex.Credentials.SecretAccessKey}
	var s sigv4.Signer
	if err := s.SignStreaming(req, creds, sigv4.Options{Region: ex.Region, Service: ex.Service, Time: ex.Timestamp}, ex.ChunkSizes[0]); err != nil {
		t.Fatal(err)
	}
	expectEqual(t, "Authorization", req.Header.Get("Authorization"), ex.Expected.Authorization)
	for k, v := range ex.Request.Headers {
		switch strings.ToLower(k) {
		case "host":
			expectEqual(t, k, req.Host, v)
		case "content-length":
			expectEqual(t, k, strconv.FormatInt(req.ContentLength, 10), v)
		default:
			expectEqual(t, k, req.Header.Get(k), v)
		}
	}

	wire, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(wire)) != req.ContentLength {
		t.Fatalf("body is %d bytes, Content-Length says %d", len(wire), req.ContentLength)
	}
	chunks := parseChunks(t, wire)
	if len(chunks) != len(ex.ChunkSizes) {
		t.Fatalf("got %d chunks, want %d", len(chunks), len(ex.ChunkSizes))
	}
	for i, c := range chunks {
		if len(c.data) != ex.ChunkSizes[i] {
			t.Errorf("chunk %d holds %d bytes, want %d", i, len(c.data), ex.ChunkSizes[i])
		}
		expectEqual(t, "chunk signature "+strconv.Itoa(i), c.sig, ex.Expected.ChunkSignatures[i])
	}

	// The retry copy, through GetBody, emits the same bytes.
	again, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	wire2, _ := io.ReadAll(again)
	if !bytes.Equal(wire, wire2) {
		t.Error("GetBody emits different bytes")
	}
}

type chunk struct {
	sig  string
	data []byte
}

// parseChunks reads aws-chunked wire format strictly:
// hex-size;chunk-signature=SIG\r\n DATA \r\n ... 0;chunk-signature=SIG\r\n\r\n.
func parseChunks(t *testing.T, wire []byte) []chunk {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(wire))
	var out []chunk
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("chunk header: %v", err)
		}
		if !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("chunk header %q lacks CRLF", line)
		}
		sizeHex, sig, ok := strings.Cut(strings.TrimSuffix(line, "\r\n"), ";chunk-signature=")
		if !ok || len(sig) != 64 {
			t.Fatalf("bad chunk header %q", line)
		}
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(r, data); err != nil {
			t.Fatal(err)
		}
		crlf := make([]byte, 2)
		if _, err := io.ReadFull(r, crlf); err != nil || string(crlf) != "\r\n" {
			t.Fatalf("chunk data not followed by CRLF: %q", crlf)
		}
		out = append(out, chunk{sig, data})
		if size == 0 {
			if rest, _ := io.ReadAll(r); len(rest) > 0 {
				t.Fatalf("%d bytes after the final chunk", len(rest))
			}
			return out
		}
	}
}

func TestStreamingLength(t *testing.T) {
	for _, tc := range []struct {
		decoded int64
		chunk   int
		want    int64
	}{
		{66560, 65536, 66824},
		{0, 65536, 86},
		{65536, 65536, 65626 + 86},
		{1, 8192, int64(1+len(";chunk-signature=")+64+2+1+2) + 86},
	} {
		if got := sigv4.StreamingLength(tc.decoded, tc.chunk); got != tc.want {
			t.Errorf("StreamingLength(%d, %d) = %d, want %d", tc.decoded, tc.chunk, got, tc.want)
		}
	}
}

func TestSignStreamingErrors(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	opts := sigv4.Options{Region: "us-east-1", Service: "s3"}
	var s sigv4.Signer

	req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", strings.NewReader("abc"))
	if err := s.SignStreaming(req, creds, opts, 1024); err == nil || !strings.Contains(err.Error(), "minimum") {
		t.Errorf("small chunk size: %v", err)
	}

	// A body shorter than it claims is an error on read, not a silent short upload.
	req, _ = http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", io.NopCloser(strings.NewReader("abc")))
	req.ContentLength = 10
	if err := s.SignStreaming(req, creds, opts, 0); err != nil {
		t.Fatal(err)
	}
	_, err := io.ReadAll(req.Body)
	if err == nil || !strings.Contains(err.Error(), "before its declared length") {
		t.Errorf("short body: %v", err)
	}

	req, _ = http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", io.NopCloser(strings.NewReader("abc")))
	req.ContentLength = -1
	if err := s.SignStreaming(req, creds, opts, 0); err == nil {
		t.Error("unknown length accepted")
	}
}

// TestStreamingConstantMemory streams 256 MiB through the chunk reader and
// checks that what it allocates does not grow with the body.
func TestStreamingConstantMemory(t *testing.T) {
	const size = 256 << 20
	if testing.Short() {
		t.Skip("streams 256 MiB")
	}
	req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/big", io.NopCloser(io.LimitReader(zeros{}, size)))
	req.ContentLength = size
	var s sigv4.Signer
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	if err := s.SignStreaming(req, creds, sigv4.Options{Region: "us-east-1", Service: "s3"}, 0); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := io.CopyBuffer(io.Discard, req.Body, make([]byte, 32<<10))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n != req.ContentLength {
		t.Fatalf("emitted %d bytes, Content-Length %d", n, req.ContentLength)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("streaming 256 MiB allocated %d bytes; want under 1 MiB", grew)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestStreamingVerified: every chunk signature SignStreaming writes, for
// bodies around the chunk boundaries and with a session token, passes
// internal/sigcheck's chunk verifier, which shares no code with this package.
func TestStreamingVerified(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "tok/en+=="}
	v := sigcheck.New(aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: creds.SessionToken})
	for _, chunkSize := range []int{sigv4.MinChunkSize, 0} {
		size := chunkSize
		if size == 0 {
			size = sigv4.DefaultChunkSize
		}
		for _, n := range []int{0, 1, size - 1, size, size + 1, 3*size + 17} {
			body := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
			req, _ := http.NewRequest("PUT", "https://b.s3.eu-west-1.amazonaws.com/dir/k%20ey", bytes.NewReader(body))
			var s sigv4.Signer
			if err := s.SignStreaming(req, creds, sigv4.Options{Region: "eu-west-1", Service: "s3"}, chunkSize); err != nil {
				t.Fatal(err)
			}
			before := v.ChunksVerified()
			cr, err := v.Chunked(req)
			if err != nil {
				t.Fatalf("%d bytes in chunks of %d: seed: %v", n, size, err)
			}
			got, err := io.ReadAll(cr)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("%d bytes in chunks of %d: %v (%d bytes read)", n, size, err, len(got))
			}
			if want := int64((n+size-1)/size + 1); v.ChunksVerified()-before != want {
				t.Errorf("%d bytes in chunks of %d: %d chunks verified, want %d", n, size, v.ChunksVerified()-before, want)
			}
		}
	}
}
