package eventstream_test

// Cross-checks against aws-sdk-go-v2's eventstream package, in both
// directions: what the SDK encodes decodes here to the same message and
// re-encodes to the same bytes, and what this package encodes the SDK
// decodes to the same message. Also the benchmarks, side by side.

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	awses "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

func toSDK(t testing.TB, m eventstream.Message) awses.Message {
	var out awses.Message
	for _, h := range m.Headers {
		var v awses.Value
		n, _ := h.Value.Int() // for the integer types
		switch h.Value.Type() {
		case eventstream.TypeBool:
			b, _ := h.Value.Bool()
			v = awses.BoolValue(b)
		case eventstream.TypeByte:
			v = awses.Int8Value(n)
		case eventstream.TypeInt16:
			v = awses.Int16Value(n)
		case eventstream.TypeInt32:
			v = awses.Int32Value(n)
		case eventstream.TypeInt64:
			v = awses.Int64Value(n)
		case eventstream.TypeBytes:
			b, _ := h.Value.Bytes()
			v = awses.BytesValue(b)
		case eventstream.TypeString:
			v = awses.StringValue(h.Value.String())
		case eventstream.TypeTimestamp:
			ts, _ := h.Value.Time()
			v = awses.TimestampValue(ts)
		case eventstream.TypeUUID:
			u, _ := h.Value.UUID()
			v = awses.UUIDValue(u)
		default:
			t.Fatalf("toSDK: %v", h.Value.Type())
		}
		out.Headers = append(out.Headers, awses.Header{Name: h.Name, Value: v})
	}
	out.Payload = m.Payload
	return out
}

func fromSDK(t testing.TB, m awses.Message) eventstream.Message {
	var out eventstream.Message
	for _, h := range m.Headers {
		var v eventstream.Value
		switch sv := h.Value.(type) {
		case awses.BoolValue:
			v = eventstream.Bool(bool(sv))
		case awses.Int8Value:
			v = eventstream.Byte(int8(sv))
		case awses.Int16Value:
			v = eventstream.Int16(int16(sv))
		case awses.Int32Value:
			v = eventstream.Int32(int32(sv))
		case awses.Int64Value:
			v = eventstream.Int64(int64(sv))
		case awses.BytesValue:
			v = eventstream.Bytes(sv)
		case awses.StringValue:
			v = eventstream.String(string(sv))
		case awses.TimestampValue:
			v = eventstream.Timestamp(time.Time(sv))
		case awses.UUIDValue:
			v = eventstream.UUID(sv)
		default:
			t.Fatalf("fromSDK: %T", h.Value)
		}
		out.Headers = append(out.Headers, eventstream.Header{Name: h.Name, Value: v})
	}
	out.Payload = m.Payload
	return out
}

// randomMessages makes messages with every header type, random sizes and
// unique header names (the SDK's decoder folds repeated names into one).
func randomMessages(n int) []eventstream.Message {
	rng := rand.New(rand.NewPCG(1, 2))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// One of each type, drawn at random.
	values := []func() eventstream.Value{
		func() eventstream.Value { return eventstream.Bool(rng.IntN(2) == 0) },
		func() eventstream.Value { return eventstream.Byte(int8(rng.Uint32())) },
		func() eventstream.Value { return eventstream.Int16(int16(rng.Uint32())) },
		func() eventstream.Value { return eventstream.Int32(int32(rng.Uint32())) },
		func() eventstream.Value { return eventstream.Int64(int64(rng.Uint64())) },
		func() eventstream.Value { return eventstream.Bytes(bytesOf(rng.IntN(300))) },
		func() eventstream.Value { return eventstream.String(string(bytesOf(rng.IntN(300)))) },
		// The SDK converts through UnixNano: stay within its years.
		func() eventstream.Value { return eventstream.Timestamp(time.UnixMilli(rng.Int64N(9e12) - 4.5e12)) },
		func() eventstream.Value { return eventstream.UUID([16]byte(bytesOf(16))) },
	}
	ms := []eventstream.Message{allTypes(), {}, {Payload: []byte("x")}}
	for len(ms) < n {
		var m eventstream.Message
		for i := range rng.IntN(12) {
			name := fmt.Sprintf("%d%s", i, strings.Repeat("h", rng.IntN(60)))
			if rng.IntN(20) == 0 {
				name = string(rune('a'+i)) + strings.Repeat("n", 254) // the longest name
			}
			v := values[rng.IntN(len(values))]()
			m.Headers = append(m.Headers, eventstream.Header{Name: name, Value: v})
		}
		if rng.IntN(8) != 0 {
			m.Payload = bytesOf(rng.IntN(5000))
		}
		ms = append(ms, m)
	}
	return ms
}

// TestSDKEncodesWeDecode: frames from the SDK's encoder decode here to the
// message it was given, and AppendMessage writes the very same bytes.
func TestSDKEncodesWeDecode(t *testing.T) {
	msgs := randomMessages(300)
	enc := awses.NewEncoder()
	var stream bytes.Buffer
	for i, m := range msgs {
		var frame bytes.Buffer
		if err := enc.Encode(&frame, toSDK(t, m)); err != nil {
			t.Fatalf("message %d: SDK encode: %v", i, err)
		}
		if got := decodeOne(t, frame.Bytes()); !equalMessages(got, m) {
			t.Fatalf("message %d: decoded\n%+v\nwant\n%+v", i, got, m)
		}
		if ours := mustAppend(t, nil, m); !bytes.Equal(ours, frame.Bytes()) {
			t.Fatalf("message %d: AppendMessage\n%x\nSDK\n%x", i, ours, frame.Bytes())
		}
		stream.Write(frame.Bytes())
	}
	// All of them as one stream, through one Decoder reusing its buffers.
	got, err := decodeAll(halfOf(&stream))
	if err != nil || len(got) != len(msgs) {
		t.Fatalf("stream: %d messages, %v", len(got), err)
	}
	for i := range got {
		if !equalMessages(got[i], msgs[i]) {
			t.Fatalf("stream message %d differs", i)
		}
	}
}

// TestWeEncodeSDKDecodes: frames from AppendMessage, as one stream, decode
// with the SDK's decoder to the same messages.
func TestWeEncodeSDKDecodes(t *testing.T) {
	msgs := randomMessages(300)
	var stream []byte
	for _, m := range msgs {
		stream = mustAppend(t, stream, m)
	}
	r := bytes.NewReader(stream)
	dec := awses.NewDecoder()
	for i, want := range msgs {
		sm, err := dec.Decode(r, nil)
		if err != nil {
			t.Fatalf("message %d: SDK decode: %v", i, err)
		}
		if got := fromSDK(t, sm); !equalMessages(got, want) {
			t.Fatalf("message %d: SDK decoded\n%+v\nwant\n%+v", i, got, want)
		}
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left after the SDK decoded every message", r.Len())
	}
	// And the AWS vectors, which the SDK reads the same way.
	for _, v := range [][]byte{vecAllHeaders, vecEmpty, vecOneStrHeader} {
		sm, err := dec.Decode(bytes.NewReader(v), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fromSDK(t, sm), decodeOne(t, v); !equalMessages(got, want) {
			t.Errorf("vector %x: SDK %+v, ours %+v", v[:12], got, want)
		}
	}
}

func halfOf(r io.Reader) io.Reader { return &halfReader{r} }

// halfReader reads half of what is asked, so frames arrive in pieces.
type halfReader struct{ r io.Reader }

func (h *halfReader) Read(p []byte) (int, error) { return h.r.Read(p[:(len(p)+1)/2]) }

// benchFrames are what the benchmarks decode and encode: a Bedrock
// streaming chunk (a few hundred bytes), and a 64 KiB S3 Select Records
// event.
func benchFrames(b *testing.B) map[string]eventstream.Message {
	return map[string]eventstream.Message{
		"chunk": bedrockChunk([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello! How can I help you today? Here is a longer answer."}}`)),
		"64KiB": {
			Headers: eventstream.Headers{
				{Name: ":event-type", Value: eventstream.String("Records")},
				{Name: ":content-type", Value: eventstream.String("application/octet-stream")},
				{Name: ":message-type", Value: eventstream.String("event")},
			},
			Payload: bytes.Repeat([]byte("id,name,amount\n"), 64<<10/15),
		},
	}
}

// BenchmarkDecode decodes a Bedrock chunk with this package and with the
// SDK, from the same looping stream.
//
//	go test -run '^$' -bench . -benchmem ./eventstream/
func BenchmarkDecode(b *testing.B) {
	benchDecode(b, benchFrames(b)["chunk"])
}

// BenchmarkDecodeLarge is BenchmarkDecode with a 64 KiB payload.
func BenchmarkDecodeLarge(b *testing.B) {
	benchDecode(b, benchFrames(b)["64KiB"])
}

func benchDecode(b *testing.B, m eventstream.Message) {
	frame := mustAppend(b, nil, m)
	b.Run("alter", func(b *testing.B) {
		d := eventstream.NewDecoder(&loopReader{data: frame})
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Decode(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("awssdk", func(b *testing.B) {
		r := &loopReader{data: frame}
		dec := awses.NewDecoder()
		buf := make([]byte, 0, len(frame))
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := dec.Decode(r, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncode encodes a Bedrock chunk with this package and with the
// SDK.
func BenchmarkEncode(b *testing.B) {
	m := benchFrames(b)["chunk"]
	frame := mustAppend(b, nil, m)
	b.Run("alter", func(b *testing.B) {
		e := eventstream.NewEncoder(io.Discard)
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			if err := e.Encode(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("awssdk", func(b *testing.B) {
		sm := toSDK(b, m)
		enc := awses.NewEncoder()
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			if err := enc.Encode(io.Discard, sm); err != nil {
				b.Fatal(err)
			}
		}
	})
}
