package eventstream_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

// unhex decodes hex that may contain spaces and newlines.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// rawFrame builds a frame around raw header bytes with correct lengths and
// checksums, to reach the header parser with headers AppendMessage would
// refuse to write.
func rawFrame(headers, payload []byte) []byte {
	total := uint32(16 + len(headers) + len(payload))
	return sealFrame(total, uint32(len(headers)), append(append([]byte{}, headers...), payload...))
}

// sealFrame builds a frame from the two lengths as given and a body, with
// both checksums correct.
func sealFrame(total, hlen uint32, body []byte) []byte {
	b := prelude(total, hlen)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// prelude returns the 12 prelude bytes for the lengths, with a correct CRC.
func prelude(total, hlen uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, hlen)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func mustAppend(t testing.TB, dst []byte, m eventstream.Message) []byte {
	t.Helper()
	b, err := eventstream.AppendMessage(dst, m)
	if err != nil {
		t.Fatalf("AppendMessage: %v", err)
	}
	return b
}

// decodeAll decodes every message in data, cloned, and the error that ended
// the stream (nil for a clean io.EOF).
func decodeAll(r io.Reader) ([]eventstream.Message, error) {
	d := eventstream.NewDecoder(r)
	var ms []eventstream.Message
	for {
		m, err := d.Decode()
		if err == io.EOF {
			return ms, nil
		}
		if err != nil {
			return ms, err
		}
		ms = append(ms, m.Clone())
	}
}

func decodeOne(t testing.TB, frame []byte) eventstream.Message {
	t.Helper()
	ms, err := decodeAll(bytes.NewReader(frame))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(ms) != 1 {
		t.Fatalf("decoded %d messages, want 1", len(ms))
	}
	return ms[0]
}

func equalMessages(a, b eventstream.Message) bool {
	if len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i] != b.Headers[i] {
			return false
		}
	}
	return true
}

// allTypes is a message with a header of every type.
func allTypes() eventstream.Message {
	return eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.String("event")},
			{Name: ":event-type", Value: eventstream.String("chunk")},
			{Name: ":content-type", Value: eventstream.String("application/json")},
			{Name: "true", Value: eventstream.Bool(true)},
			{Name: "false", Value: eventstream.Bool(false)},
			{Name: "byte", Value: eventstream.Byte(-7)},
			{Name: "int16", Value: eventstream.Int16(-12345)},
			{Name: "int32", Value: eventstream.Int32(1 << 30)},
			{Name: "int64", Value: eventstream.Int64(-1 << 60)},
			{Name: "bytes", Value: eventstream.Bytes([]byte{0, 1, 2, 0xff})},
			{Name: "timestamp", Value: eventstream.Timestamp(time.Date(2024, 2, 29, 23, 59, 59, 123e6, time.UTC))},
			{Name: "uuid", Value: eventstream.UUID([16]byte{0xde, 0xad, 0xbe, 0xef, 15: 1})},
		},
		Payload: []byte(`{"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSJ9"}`),
	}
}

// kindOf returns the *Error's Kind, failing the test if err is not one.
func kindOf(t testing.TB, err error) *eventstream.Error {
	t.Helper()
	var e *eventstream.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *eventstream.Error", err, err)
	}
	return e
}

// loopReader serves data over and over, forever.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		r.off = 0
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
