package eventstream

import (
	"bytes"
	"testing"
)

// TestBufferShrinks: after one large frame, a run of small ones lets the
// large buffer go, so a long stream does not pin it.
func TestBufferShrinks(t *testing.T) {
	big, _ := AppendMessage(nil, Message{Payload: make([]byte, 4<<20)})
	small, _ := AppendMessage(nil, Message{Payload: []byte("x")})
	stream := append([]byte{}, big...)
	for range shrinkRuns + 1 {
		stream = append(stream, small...)
	}
	stream = append(stream, big...)
	d := NewDecoder(bytes.NewReader(stream))
	caps := []int{}
	for range shrinkRuns + 3 {
		if _, err := d.Decode(); err != nil {
			t.Fatal(err)
		}
		caps = append(caps, cap(d.buf))
	}
	if caps[0] < len(big) || caps[shrinkRuns-1] < len(big) {
		t.Errorf("large buffer dropped too soon: %v", caps)
	}
	if caps[shrinkRuns] > minBuf || caps[shrinkRuns+1] > minBuf {
		t.Errorf("large buffer kept after %d small frames: %v", shrinkRuns, caps)
	}
	if caps[shrinkRuns+2] < len(big) {
		t.Errorf("no room for the next large frame: %v", caps)
	}
}

// TestInternBounded: a stream of ever-new strings does not grow the intern
// table past its bound.
func TestInternBounded(t *testing.T) {
	d := NewDecoder(nil)
	for i := range 2 * maxIntern {
		s := string(rune('a'+i%26)) + string(rune(i))
		if got := d.intern([]byte(s)); got != s {
			t.Fatalf("intern(%q) = %q", s, got)
		}
	}
	if len(d.strs) != maxIntern {
		t.Errorf("intern table has %d entries, want %d", len(d.strs), maxIntern)
	}
	long := bytes.Repeat([]byte("x"), maxIntLen+1)
	d.strs = nil
	if d.intern(long); d.strs != nil {
		t.Error("a long string was interned")
	}
}
