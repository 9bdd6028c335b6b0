package policy_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/alter-mcp/alter-mcp/policy"
)

func TestLimitBody(t *testing.T) {
	body := strings.Repeat("x", 100)
	readers := map[string]func() io.Reader{
		"plain":    func() io.Reader { return strings.NewReader(body) },
		"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(body)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(body)) },
		"data EOF": func() io.Reader { return iotest.DataErrReader(strings.NewReader(body)) },
	}
	for name, r := range readers {
		for _, c := range []struct {
			max     int64
			wantLen int
			tooBig  bool
		}{{100, 100, false}, {1000, 100, false}, {99, 99, true}, {1, 1, true}} {
			got, err := io.ReadAll(policy.LimitBody(r(), c.max))
			if len(got) != c.wantLen {
				t.Errorf("%s, max %d: read %d bytes, want %d", name, c.max, len(got), c.wantLen)
			}
			if c.tooBig != errors.Is(err, policy.ErrBodyTooLarge) || !c.tooBig && err != nil {
				t.Errorf("%s, max %d: error %v, want ErrBodyTooLarge: %v", name, c.max, err, c.tooBig)
			}
			if c.tooBig && !strings.Contains(err.Error(), "max_body_bytes") {
				t.Errorf("%s, max %d: error %q does not name max_body_bytes", name, c.max, err)
			}
		}
	}
}

func TestLimitBodySticky(t *testing.T) {
	r := policy.LimitBody(strings.NewReader("abcdef"), 3)
	buf := make([]byte, 10)
	n, err := r.Read(buf)
	if n != 3 || string(buf[:n]) != "abc" || !errors.Is(err, policy.ErrBodyTooLarge) {
		t.Fatalf("Read = %d %q, %v; want 3 \"abc\" ErrBodyTooLarge", n, buf[:n], err)
	}
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, policy.ErrBodyTooLarge) {
		t.Errorf("second Read = %d, %v; want 0, ErrBodyTooLarge", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err == nil {
		t.Errorf("empty Read after the cap = %d, %v; want the error", n, err)
	}
}

func TestLimitBodyNoCap(t *testing.T) {
	src := bytes.NewReader([]byte("abc"))
	for _, max := range []int64{0, -1} {
		if r := policy.LimitBody(src, max); r != io.Reader(src) {
			t.Errorf("LimitBody(r, %d) = %T, want r itself", max, r)
		}
	}
}
