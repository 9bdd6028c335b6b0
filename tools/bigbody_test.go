package tools

// Large bodies: aws_request and s3_get stream a body of 1 GiB (set
// ALTER_MCP_BIG_BODY_BYTES for another size) from a fake S3 behind
// sigcheck, with the spool on, and the heap in use never passes 64 MiB:
// the tools hold max_bytes and a copy buffer, and the rest streams to the
// spool file or is discarded. Skipped with -short.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// maxPeakHeap is the most heap the large-body tests may use at any time.
const maxPeakHeap = 64 << 20

// bigSize is the size of the large bodies: envVar, else def.
func bigSize(t *testing.T, envVar string, def int64) int64 {
	t.Helper()
	if testing.Short() {
		t.Skip("large bodies are not streamed with -short")
	}
	if s := os.Getenv(envVar); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1<<20 {
			t.Fatalf("%s=%q: want a number of bytes, at least 1 MiB", envVar, s)
		}
		return n
	}
	return def
}

// bigBlock repeats through a big object: byte i of the object is
// bigBlock[i%len(bigBlock)]. Its length is not a power of two, so reads
// and writes do not line up with it.
var bigBlock = func() []byte {
	const chars = "0123456789abcdefghijklmnopqrstuvwxyz\n"
	b := make([]byte, 1<<20+7)
	for i := range b {
		b[i] = chars[i%len(chars)]
	}
	return b
}()

// bigBytes is the part [off, off+n) of a big object.
func bigBytes(off, n int64) string {
	var b strings.Builder
	for i := off; i < off+n; i++ {
		b.WriteByte(bigBlock[i%int64(len(bigBlock))])
	}
	return b.String()
}

// bigS3 serves one object of size bytes, made as it is sent. It ignores
// Range, as S3 may, so that s3_get must skip to its offset itself.
type bigS3 struct {
	size int64
	mu   sync.Mutex
	gets int
}

func (s *bigS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amz-Request-Id", "big-1")
	w.Header().Set("X-Amz-Bucket-Region", "us-east-1")
	if r.Method == http.MethodHead || r.URL.Path != "/big-bucket/big.bin" {
		return
	}
	s.mu.Lock()
	s.gets++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.FormatInt(s.size, 10))
	L := int64(len(bigBlock))
	for off := int64(0); off < s.size; {
		i := off % L
		n := min(L-i, s.size-off)
		if _, err := w.Write(bigBlock[i : i+n]); err != nil {
			return
		}
		off += n
	}
}

func TestBigBodies(t *testing.T) {
	size := bigSize(t, "ALTER_MCP_BIG_BODY_BYTES", 1<<30)
	s3 := &bigS3{size: size}
	srv := httptest.NewServer(sigcheck.New(aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret}).Handler(s3))
	t.Cleanup(srv.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, nil)
	e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	tb := newToolbox(Deps{Vault: e.v, SpoolDir: t.TempDir()})
	// Keep the whole body, to stream all of it to disk.
	tb.spool.maxEach, tb.spool.maxTotal = size+1, 2*size+2
	c := e.connect(t, e.serverOf(t, Session{}, awsRequest(tb), readResponse(tb), s3Get(tb)), "")

	t.Run("aws_request", func(t *testing.T) {
		start := time.Now()
		var m map[string]any
		base, peak := testutil.PeakHeap(func() {
			m = c.ok(t, "aws_request", map[string]any{"url": "https://big-bucket.s3.us-east-1.amazonaws.com/big.bin", "max_bytes": maxMaxBytes})
		})
		t.Logf("%d MiB through aws_request to the spool in %v; heap in use %.1f MiB at the start, %.1f MiB at the peak", size>>20, time.Since(start).Round(time.Millisecond), float64(base)/(1<<20), float64(peak)/(1<<20))
		if peak > maxPeakHeap {
			t.Errorf("peak heap in use %d MiB, over %d MiB", peak>>20, maxPeakHeap>>20)
		}
		if m["truncated"] != true || num(m, "total_bytes") != size || num(m, "next_offset") != maxMaxBytes || str(m, "response_id") == "" {
			t.Fatalf("result: truncated %v, total_bytes %v, next_offset %v, response_id %v, note %v", m["truncated"], m["total_bytes"], m["next_offset"], m["response_id"], m["note"])
		}
		if body := str(m, "body"); body != bigBytes(0, maxMaxBytes) {
			t.Errorf("the body's first MiB differs (%d bytes)", len(body))
		}
		for _, off := range []int64{maxMaxBytes, size / 2, size - 100} {
			r := c.ok(t, "read_response", map[string]any{"response_id": str(m, "response_id"), "offset": off, "max_bytes": 100})
			if got := str(r, "body"); got != bigBytes(off, min(100, size-off)) || num(r, "total_bytes") != size || r["complete"] != true {
				t.Errorf("read_response at %d: %q, %v", off, got, r)
			}
		}
	})

	t.Run("s3_get", func(t *testing.T) {
		off := size - 1000
		start := time.Now()
		var m map[string]any
		base, peak := testutil.PeakHeap(func() {
			m = c.ok(t, "s3_get", map[string]any{"bucket": "big-bucket", "key": "big.bin", "offset": off, "max_bytes": 1000})
		})
		t.Logf("%d MiB through s3_get (which skips to its offset) in %v; heap in use %.1f MiB at the start, %.1f MiB at the peak", size>>20, time.Since(start).Round(time.Millisecond), float64(base)/(1<<20), float64(peak)/(1<<20))
		if peak > maxPeakHeap {
			t.Errorf("peak heap in use %d MiB, over %d MiB", peak>>20, maxPeakHeap>>20)
		}
		if str(m, "content") != bigBytes(off, 1000) || num(m, "total_size") != size || m["truncated"] != false {
			t.Errorf("s3_get at %d: %d bytes, total_size %v, truncated %v", off, len(str(m, "content")), m["total_size"], m["truncated"])
		}
	})
	if s3.gets != 2 {
		t.Errorf("%d GETs of the object, want 2", s3.gets)
	}
}
