package vault_test

// Large uploads: vault.Request sends a body of any length from an io.Reader
// that can be read only once, in constant memory: the heap in use stays under
// 64 MiB all along.
//
//   - To S3 over plain http it goes aws-chunked, every chunk signed: 1 GiB to
//     a fake, and ALTER_MCP_BIG_UPLOAD_BYTES (256 MiB by default) to moto
//     behind internal/sigcheck, which keeps the object.
//   - To S3 over https it goes aws-chunked too: 1 GiB to a fake.
//
// Every one of them passes internal/sigcheck on its way: the seed signature
// is checked by aws-sdk-go-v2's signer, and each chunk's signature, the final
// empty chunk's included, by sigcheck's own chunk verifier as the body
// streams. moto does not check chunk signatures (it reads and discards
// them), so it runs without its own signature check here.
//
// moto, in Python, holds the whole body three times over (3.2 GB of memory
// for 1 GiB) and takes its time (about 45s for 1 GiB here), so a 1 GiB
// upload to moto (ALTER_MCP_BIG_UPLOAD_BYTES=1073741824) is for CI machines
// with room. Skipped with -short.

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault"
)

const (
	bigUploadEnv     = "ALTER_MCP_BIG_UPLOAD_BYTES"
	bigUploadDefault = 256 << 20 // to moto
	bigUpload        = 1 << 30   // to the fakes
	maxUploadHeap    = 64 << 20
)

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("large bodies are not uploaded with -short")
	}
}

// motoUploadSize is the size of the upload to moto.
func motoUploadSize(t *testing.T) int64 {
	t.Helper()
	skipShort(t)
	s := os.Getenv(bigUploadEnv)
	if s == "" {
		return bigUploadDefault
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 2<<20 {
		t.Fatalf("%s=%q: want a number of bytes, at least 2 MiB", bigUploadEnv, s)
	}
	return n
}

// bigReader yields size bytes made as they are read (byte i is
// bigPattern[i%len(bigPattern)]), hashing them, and can be read only once:
// it is no io.Seeker, so nothing can replay or pre-hash it.
type bigReader struct {
	off, size int64
	sum       hash.Hash
}

var bigPattern = func() []byte {
	b := make([]byte, 64<<10+13)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}()

func newBigReader(size int64) *bigReader { return &bigReader{size: size, sum: sha256.New()} }

func (r *bigReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	L := int64(len(bigPattern))
	n := 0
	for n < len(p) && r.off < r.size {
		i := r.off % L
		k := copy(p[n:], bigPattern[i:min(L, i+r.size-r.off)])
		n += k
		r.off += int64(k)
	}
	r.sum.Write(p[:n])
	return n, nil
}

// bigAt is the part [off, off+n) of what a bigReader yields.
func bigAt(off, n int64) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = bigPattern[(off+int64(i))%int64(len(bigPattern))]
	}
	return out
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// TestBigUploadMoto uploads through vault.Request to moto, through
// sigcheck, which checks the seed signature and every chunk's as the body
// streams on to moto.
func TestBigUploadMoto(t *testing.T) {
	size := motoUploadSize(t)
	moto := motoserver.Start(t)
	verifier := sigcheck.NewLookup(sigcheck.Static(testKeyID, testSecret))
	front := httptest.NewServer(verifier.Handler(sigcheck.Forward(moto)))
	t.Cleanup(front.Close)
	h := newHarness(t, env{"AWS_ENDPOINT_URL": front.URL}, nil)
	g := h.addGrant(t, "rw", policy.Policy{}, vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret})
	const bucket = "vault-big-upload"
	objURL := "https://" + bucket + ".s3.us-east-1.amazonaws.com/big.bin"
	if resp, body := do(t, h.v, vault.Call{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/" + bucket, Grant: g.ID}); resp.StatusCode != 200 {
		t.Fatalf("CreateBucket: %d %s", resp.StatusCode, body)
	}

	r := newBigReader(size)
	var resp *http.Response
	var body string
	start := time.Now()
	base, peak := testutil.PeakHeap(func() {
		resp, body = do(t, h.v, vault.Call{Method: "PUT", URL: objURL, Grant: g.ID, BodyReader: r, BodyLength: size,
			Header: http.Header{"Content-Type": {"application/octet-stream"}}})
	})
	t.Logf("%d MiB uploaded to moto, aws-chunked, in %v; heap in use %s before, %s at the peak", size>>20, time.Since(start).Round(time.Millisecond), mib(base), mib(peak))
	if resp.StatusCode != 200 {
		t.Fatalf("PutObject: %d %s", resp.StatusCode, body)
	}
	if got, want := verifier.ChunksVerified(), wantChunks(size); got != want {
		t.Errorf("%d chunk signatures verified, want %d", got, want)
	}
	if peak > maxUploadHeap {
		t.Errorf("peak heap in use %s, over %s", mib(peak), mib(maxUploadHeap))
	}
	if r.off != size {
		t.Errorf("%d bytes read of %d", r.off, size)
	}
	e := h.lastEnd(t)
	if e.Operation != "PutObject" || e.RequestBytes != size || e.Status != 200 {
		t.Errorf("audit %+v", e)
	}

	// moto kept what was sent: its size, and its bytes at three places.
	resp, _ = do(t, h.v, vault.Call{Method: "HEAD", URL: objURL, Grant: g.ID})
	if resp.Header.Get("Content-Length") != strconv.FormatInt(size, 10) {
		t.Errorf("HEAD: Content-Length %q, want %d", resp.Header.Get("Content-Length"), size)
	}
	for _, off := range []int64{0, size/2 + 12345, size - 4096} {
		resp, got := do(t, h.v, vault.Call{URL: objURL, Grant: g.ID, Header: http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", off, off+4095)}}})
		if resp.StatusCode != http.StatusPartialContent || got != string(bigAt(off, 4096)) {
			t.Errorf("GET at %d: %d, %d bytes, differ", off, resp.StatusCode, len(got))
		}
	}
}

// TestBigUploadChunked uploads to an S3 over plain http and over https,
// aws-chunked, the body streamed as it is read: the fake verifies the seed
// signature with aws-sdk-go-v2's signer and every chunk's (sigcheck) as the
// chunks stream, and checks what arrived.
func TestBigUploadChunked(t *testing.T) {
	skipShort(t)
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) { bigUploadChunked(t, scheme) })
	}
}

func bigUploadChunked(t *testing.T, scheme string) {
	size := int64(bigUpload)
	verifier := sigcheck.NewLookup(sigcheck.Static(testKeyID, testSecret))
	var got struct {
		sync.Mutex
		n, chunks int64
		sum       string
		header    http.Header
		err       error
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Lock()
		defer got.Unlock()
		got.header = r.Header.Clone()
		cr, err := verifier.Chunked(r)
		if err != nil {
			got.err = err
			sigcheck.WriteError(w, err)
			return
		}
		sum := sha256.New()
		got.n, got.err = io.Copy(sum, cr)
		got.chunks = cr.Chunks() - 1 // the final chunk holds no data
		got.sum = hex.EncodeToString(sum.Sum(nil))
		if got.err != nil {
			sigcheck.WriteError(w, got.err)
			return
		}
		w.Header().Set("ETag", `"x"`)
	})
	var srv *httptest.Server
	var mod func(*vault.Options)
	if scheme == "https" {
		srv = httptest.NewTLSServer(handler)
		mod = func(o *vault.Options) { o.Transport = srv.Client().Transport }
	} else {
		srv = httptest.NewServer(handler)
	}
	t.Cleanup(srv.Close)
	h := newHarness(t, env{"AWS_ENDPOINT_URL_S3": srv.URL}, mod)
	g := h.addGrant(t, "g", policy.Policy{})

	r := newBigReader(size)
	var resp *http.Response
	var body string
	start := time.Now()
	base, peak := testutil.PeakHeap(func() {
		resp, body = do(t, h.v, vault.Call{Method: "PUT", URL: "https://big-bucket.s3.us-east-1.amazonaws.com/big.bin", Grant: g.ID, BodyReader: r, BodyLength: size})
	})
	got.Lock()
	defer got.Unlock()
	t.Logf("%d MiB uploaded over %s, aws-chunked (%d chunks), in %v; heap in use %s before, %s at the peak", size>>20, scheme, got.chunks, time.Since(start).Round(time.Millisecond), mib(base), mib(peak))
	if resp.StatusCode != 200 || verifier.Verified() != 1 {
		t.Fatalf("PutObject: %d %s (%d signatures verified)", resp.StatusCode, body, verifier.Verified())
	}
	if peak > maxUploadHeap {
		t.Errorf("peak heap in use %s, over %s", mib(peak), mib(maxUploadHeap))
	}
	if hd := got.header; hd.Get("X-Amz-Content-Sha256") != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || hd.Get("Content-Encoding") != "aws-chunked" ||
		hd.Get("X-Amz-Decoded-Content-Length") != strconv.FormatInt(size, 10) {
		t.Errorf("headers %v", hd)
	}
	if want := hex.EncodeToString(r.sum.Sum(nil)); got.n != size || got.sum != want || got.err != nil {
		t.Errorf("the server decoded %d bytes (%v), sha256 %s, want %d bytes, %s", got.n, got.err, got.sum, size, want)
	}
	if verifier.ChunksVerified() != wantChunks(size) {
		t.Errorf("%d chunk signatures verified, want %d", verifier.ChunksVerified(), wantChunks(size))
	}
}

// wantChunks is how many chunk signatures an aws-chunked upload of size
// bytes in chunks of sigv4.DefaultChunkSize carries, the final empty
// chunk's included.
func wantChunks(size int64) int64 {
	return (size+sigv4.DefaultChunkSize-1)/sigv4.DefaultChunkSize + 1
}

// decodeChunked reads an aws-chunked body (hex-size;chunk-signature=SIG CRLF
// data CRLF, ..., 0;chunk-signature=SIG CRLF CRLF) into w, one chunk at a
// time, and returns the bytes and the chunks of data it held. It does not
// check the chunk signatures: sigcheck's Handler or Chunked does.
func decodeChunked(body io.Reader, w io.Writer) (n, chunks int64, err error) {
	br := bufio.NewReaderSize(body, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return n, chunks, fmt.Errorf("chunk header: %w", err)
		}
		size, sig, ok := strings.Cut(strings.TrimSuffix(line, "\r\n"), ";chunk-signature=")
		k, perr := strconv.ParseInt(size, 16, 64)
		if !ok || perr != nil || len(sig) != 64 {
			return n, chunks, fmt.Errorf("chunk header %q", text.Clip(line, 100))
		}
		if _, err := io.CopyN(w, br, k); err != nil {
			return n, chunks, fmt.Errorf("chunk data: %w", err)
		}
		if crlf, err := br.ReadString('\n'); err != nil || crlf != "\r\n" {
			return n, chunks, fmt.Errorf("chunk end %q: %v", crlf, err)
		}
		if k == 0 {
			return n, chunks, nil
		}
		n += k
		chunks++
	}
}
