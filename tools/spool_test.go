package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestSpool(t *testing.T) {
	base := filepath.Join(t.TempDir(), "spool")
	// A folder an earlier process left behind, older than the ttl, and a
	// recent one, which may belong to a process still running.
	for _, d := range []string{"responses-old", "responses-recent", "keep-me"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	os.Chtimes(filepath.Join(base, "responses-old"), now.Add(-2*time.Hour), now.Add(-2*time.Hour))
	os.Chtimes(filepath.Join(base, "keep-me"), now.Add(-2*time.Hour), now.Add(-2*time.Hour))
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}

	s := newSpool(base)
	s.maxEach, s.maxTotal = 100, 250
	s.now = func() time.Time { return now }

	a, err := s.keep("alice", "text/plain", []byte("0123456789"), strings.NewReader(strings.Repeat("a", 80)))
	if err != nil {
		t.Fatal(err)
	}
	if a.size != 90 || !a.complete || !strings.HasPrefix(a.id, "rsp_") || len(a.id) != responseIDLen {
		t.Fatalf("entry %+v", a)
	}
	for _, d := range []string{"responses-old"} {
		if _, err := os.Stat(filepath.Join(base, d)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not removed", d)
		}
	}
	for _, d := range []string{"responses-recent", "keep-me"} {
		if _, err := os.Stat(filepath.Join(base, d)); err != nil {
			t.Errorf("%s was removed", d)
		}
	}
	for path, want := range map[string]os.FileMode{base: 0o700, s.dir: 0o700, a.path: 0o600} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", path, info.Mode().Perm(), want, err)
		}
	}

	// Reading: only its caller, any slice.
	if _, err := s.get("bob", a.id); !errors.Is(err, errNoResponse) {
		t.Errorf("another caller: %v", err)
	}
	e, err := s.get("alice", a.id)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := s.read(e, 5, 10); string(b) != "56789aaaaa" {
		t.Errorf("read %q", b)
	}
	if b, _ := s.read(e, 85, 10); string(b) != "aaaaa" {
		t.Errorf("read at the end %q", b)
	}

	// A body longer than maxEach is cut, and says so.
	big, err := s.keep("alice", "", []byte("x"), strings.NewReader(strings.Repeat("y", 500)))
	if err != nil || big.size != 100 || big.complete {
		t.Fatalf("cut entry %+v %v", big, err)
	}
	if info, _ := os.Stat(big.path); info.Size() != 100 {
		t.Errorf("file of the cut entry holds %d bytes", info.Size())
	}

	// Over maxTotal, the oldest go first.
	c, err := s.keep("alice", "", bytes.Repeat([]byte("c"), 100), strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.get("alice", a.id); !errors.Is(err, errNoResponse) {
		t.Errorf("the oldest entry survived the size cap: %v", err)
	}
	if _, err := os.Stat(a.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file of a dropped entry is still there")
	}
	if s.total != 200 {
		t.Errorf("total %d", s.total)
	}

	// After the ttl, nothing is left.
	s.now = func() time.Time { return now.Add(spoolTTL + time.Second) }
	for _, id := range []string{big.id, c.id} {
		if _, err := s.get("alice", id); !errors.Is(err, errNoResponse) {
			t.Errorf("%s outlived the ttl", id)
		}
	}
	if files, _ := os.ReadDir(s.dir); len(files) != 0 || s.total != 0 {
		t.Errorf("%d files, total %d left after the ttl", len(files), s.total)
	}
}

// zeros is an endless body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestShapeResponseMemory checks that a long body is streamed to the spool
// rather than held: the tool keeps max_bytes and a copy buffer.
func TestShapeResponseMemory(t *testing.T) {
	e := newEnv(t, nil, nil)
	tb := newToolbox(Deps{Vault: e.v, SpoolDir: filepath.Join(t.TempDir(), "spool")})
	tb.spool.maxEach = 16 << 20
	const size = 48 << 20
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}},
		Body: io.NopCloser(io.LimitReader(zeros{}, size))}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := tb.shapeResponse(t.Context(), &sentCall{resp: resp}, formatAuto, 4096)
	runtime.ReadMemStats(&after)
	if res.IsError {
		t.Fatalf("result %v", res.Content)
	}
	t.Logf("allocated %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("shaping a %d MiB body allocated %d KiB", size>>20, grew>>10)
	}
	var r requestResult
	if err := jsonOf(res, &r); err != nil {
		t.Fatal(err)
	}
	if !r.Truncated || r.ResponseID == "" || r.TotalBytes != nil || !strings.Contains(r.Note, "first") {
		t.Errorf("a body over the spool's cap: %+v", r)
	}
	if en, err := tb.spool.get("", r.ResponseID); err != nil || en.size != 16<<20 || en.complete {
		t.Errorf("spooled %+v %v", en, err)
	}
}

// jsonOf decodes a result's structured content into v.
func jsonOf(res *mcp.CallToolResult, v any) error {
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// TestSpoolClose: closing the spool (the server stopping) removes every
// answer it kept, and the spool works again afterwards in a new folder.
func TestSpoolClose(t *testing.T) {
	base := filepath.Join(t.TempDir(), "spool")
	s := newSpool(base)
	e, err := s.keep("alice", "text/plain", []byte("secret answer"), strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(e.path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the spool folder %s is still there after Close: %v", dir, err)
	}
	if _, err := s.get("alice", e.id); err == nil {
		t.Error("an entry is still readable after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
