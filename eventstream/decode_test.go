package eventstream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

// AWS's event stream test vectors, as aws-c-event-stream and every SDK use
// them (testdata/encoded in aws-sdk-go-v2/aws/protocol/eventstream).
var (
	vecAllHeaders = unhex(`000000cc000000af0fae64ca0a6576656e742d74797065040000a00c0c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e
		0a626f6f6c2066616c73650109626f6f6c207472756500046279746502cf08627974652062756606001449276d2061206c6974746c6520746561706f7421
		0974696d657374616d70080000000000845fed05696e74313603002a05696e7436340500000000028757b20475756964090102030405060708090a0b0c0d0e0f10
		7b27666f6f273a27626172277daba5f10c`)
	vecEmpty            = unhex(`000000100000000005c248eb7d98c8ff`)
	vecInt32Header      = unhex(`0000002d0000001041c424b80a6576656e742d74797065040000a00c7b27666f6f273a27626172277d36f480a0`)
	vecPayloadNoHeaders = unhex(`0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936`)
	vecOneStrHeader     = unhex(`0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1`)

	vecCorruptedHeaderLen = unhex(`0000003d0000002107fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1`)
	vecCorruptedHeaders   = unhex(`0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b61666f6f273a27626172277d8d9c08b1`)
	vecCorruptedLength    = unhex(`0000003e0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1`)
	vecCorruptedPayload   = unhex(`0000001d00000000fd528c5a5b27666f6f273a27626172277dc3653936`)
)

func TestAWSVectors(t *testing.T) {
	fooBar := []byte("{'foo':'bar'}")
	positive := []struct {
		name  string
		frame []byte
		want  eventstream.Message
	}{
		{"all_headers", vecAllHeaders, eventstream.Message{Headers: eventstream.Headers{
			{Name: "event-type", Value: eventstream.Int32(40972)},
			{Name: "content-type", Value: eventstream.String("application/json")},
			{Name: "bool false", Value: eventstream.Bool(false)},
			{Name: "bool true", Value: eventstream.Bool(true)},
			{Name: "byte", Value: eventstream.Byte(-49)},
			{Name: "byte buf", Value: eventstream.Bytes([]byte("I'm a little teapot!"))},
			{Name: "timestamp", Value: eventstream.Timestamp(time.UnixMilli(8675309))},
			{Name: "int16", Value: eventstream.Int16(42)},
			{Name: "int64", Value: eventstream.Int64(42424242)},
			{Name: "uuid", Value: eventstream.UUID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})},
		}, Payload: fooBar}},
		{"empty_message", vecEmpty, eventstream.Message{}},
		{"int32_header", vecInt32Header, eventstream.Message{Headers: eventstream.Headers{{Name: "event-type", Value: eventstream.Int32(40972)}}, Payload: fooBar}},
		{"payload_no_headers", vecPayloadNoHeaders, eventstream.Message{Payload: fooBar}},
		{"payload_one_str_header", vecOneStrHeader, eventstream.Message{Headers: eventstream.Headers{{Name: "content-type", Value: eventstream.String("application/json")}}, Payload: fooBar}},
	}
	for _, tc := range positive {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeOne(t, tc.frame)
			if !equalMessages(got, tc.want) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, tc.want)
			}
			if enc := mustAppend(t, nil, tc.want); !bytes.Equal(enc, tc.frame) {
				t.Errorf("encoded\n%x\nwant\n%x", enc, tc.frame)
			}
		})
	}
	negative := []struct {
		name  string
		frame []byte
		kind  error
	}{
		{"corrupted_header_len", vecCorruptedHeaderLen, eventstream.ErrPreludeCRC},
		{"corrupted_headers", vecCorruptedHeaders, eventstream.ErrMessageCRC},
		{"corrupted_length", vecCorruptedLength, eventstream.ErrPreludeCRC},
		{"corrupted_payload", vecCorruptedPayload, eventstream.ErrMessageCRC},
	}
	for _, tc := range negative {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeAll(bytes.NewReader(tc.frame))
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			if e := kindOf(t, err); e.Offset != 0 || e.Kind != tc.kind {
				t.Errorf("Offset %d, Kind %v", e.Offset, e.Kind)
			}
		})
	}
}

// TestBitFlips flips every bit of a frame, one at a time: the prelude CRC
// catches flips in the prelude, the message CRC the rest, and no flip gets
// past them or reaches the header parser.
func TestBitFlips(t *testing.T) {
	frame := mustAppend(t, nil, allTypes())
	hlen := int(frame[7]) | int(frame[6])<<8
	regions := []struct {
		name       string
		start, end int
		kind       error
	}{
		{"total length", 0, 4, eventstream.ErrPreludeCRC},
		{"headers length", 4, 8, eventstream.ErrPreludeCRC},
		{"prelude CRC", 8, 12, eventstream.ErrPreludeCRC},
		{"headers", 12, 12 + hlen, eventstream.ErrMessageCRC},
		{"payload", 12 + hlen, len(frame) - 4, eventstream.ErrMessageCRC},
		{"message CRC", len(frame) - 4, len(frame), eventstream.ErrMessageCRC},
	}
	// Prefix a good frame so the offsets in the errors are checked too.
	good := mustAppend(t, nil, eventstream.Message{Payload: []byte("first")})
	for _, r := range regions {
		t.Run(r.name, func(t *testing.T) {
			for i := r.start; i < r.end; i++ {
				for bit := range 8 {
					stream := append(append([]byte{}, good...), frame...)
					stream[len(good)+i] ^= 1 << bit
					ms, err := decodeAll(bytes.NewReader(stream))
					if len(ms) != 1 || !errors.Is(err, r.kind) {
						t.Fatalf("byte %d bit %d: %d messages, err %v; want 1 and %v", i, bit, len(ms), err, r.kind)
					}
					if e := kindOf(t, err); e.Offset != int64(len(good)) {
						t.Fatalf("byte %d bit %d: Offset %d, want %d", i, bit, e.Offset, len(good))
					}
				}
			}
		})
	}
}

// TestTruncation cuts a stream of two frames at every byte: a cut between
// frames is a clean io.EOF, any other is ErrTruncated (io.ErrUnexpectedEOF),
// however the reader delivers its bytes.
func TestTruncation(t *testing.T) {
	first := mustAppend(t, nil, allTypes())
	stream := append(append([]byte{}, first...), vecAllHeaders...)
	readers := map[string]func([]byte) io.Reader{
		"bytes":    func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
		"half":     func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			for cut := 0; cut <= len(stream); cut++ {
				ms, err := decodeAll(mk(stream[:cut]))
				wantN := 0
				if cut >= len(first) {
					wantN = 1
				}
				if cut == len(stream) {
					wantN = 2
				}
				clean := cut == 0 || cut == len(first) || cut == len(stream)
				switch {
				case len(ms) != wantN:
					t.Fatalf("cut at %d: %d messages, want %d", cut, len(ms), wantN)
				case clean && err != nil:
					t.Fatalf("cut at %d, between frames: %v, want a clean end", cut, err)
				case !clean && !(errors.Is(err, eventstream.ErrTruncated) && errors.Is(err, io.ErrUnexpectedEOF)):
					t.Fatalf("cut at %d: err %v, want ErrTruncated", cut, err)
				}
				if !clean {
					if e := kindOf(t, err); e.Offset != int64(len(first)*wantN) {
						t.Fatalf("cut at %d: Offset %d", cut, e.Offset)
					}
				}
			}
		})
	}
}

// TestMalformedHeaders reaches the header parser with frames whose
// checksums are right but whose headers are not.
func TestMalformedHeaders(t *testing.T) {
	cases := []struct {
		name    string
		headers string // hex
		offset  int64  // of the bad header, in the frame
		header  string
		reason  string
	}{
		{"name past end", "05 6162", 12, "", "name length 5 runs past the end of the headers (2 bytes left)"},
		{"empty name", "00 00", 12, "", "empty name"},
		{"no type", "01 61", 12, "a", `"a" has no type`},
		{"unknown type", "01 61 0a", 12, "a", `"a" has unknown value type 10`},
		{"type 255", "01 61 ff", 12, "a", "unknown value type 255"},
		{"short byte", "01 61 02", 12, "a", "a byte value needs 1 bytes, the headers have 0 left"},
		{"short int16", "01 61 03 00", 12, "a", "int16 value needs 2 bytes"},
		{"short int32", "01 61 04 0000", 12, "a", "int32 value needs 4 bytes"},
		{"short int64", "01 61 05 00000000", 12, "a", "int64 value needs 8 bytes"},
		{"short timestamp", "01 61 08 00", 12, "a", "timestamp value needs 8 bytes"},
		{"short uuid", "01 61 09 000102030405060708090a0b0c0d0e", 12, "a", "uuid value needs 16 bytes, the headers have 15 left"},
		{"no string length", "01 61 07 00", 12, "a", "needs a 2-byte length"},
		{"string past end", "01 61 07 0010 4142", 12, "a", "string value length 16 runs past the end of the headers (2 bytes left)"},
		{"bytes past end", "01 61 06 ffff 00", 12, "a", "bytes value length 65535 runs past"},
		{"second header", "01 61 00 02 6263 07 0005 6869", 15, "bc", "string value length 5 runs past"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lead := mustAppend(t, nil, eventstream.Message{Payload: []byte("ok")})
			// The payload after the headers must not be mistaken for headers.
			stream := append(lead, rawFrame(unhex(tc.headers), []byte("payload"))...)
			ms, err := decodeAll(bytes.NewReader(stream))
			if len(ms) != 1 || !errors.Is(err, eventstream.ErrMalformedHeader) {
				t.Fatalf("%d messages, err %v; want 1 and ErrMalformedHeader", len(ms), err)
			}
			e := kindOf(t, err)
			if want := int64(len(lead)) + tc.offset; e.Offset != want {
				t.Errorf("Offset %d, want %d", e.Offset, want)
			}
			if e.Header != tc.header {
				t.Errorf("Header %q, want %q", e.Header, tc.header)
			}
			if !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("Reason %q, want it to say %q", e.Reason, tc.reason)
			}
		})
	}
}

// TestPreludeLengths sends preludes whose checksum is right but whose
// lengths are not.
func TestPreludeLengths(t *testing.T) {
	cases := []struct {
		name        string
		total, hlen uint32
		kind        error
		reason      string
	}{
		{"zero total", 0, 0, eventstream.ErrInvalidLength, "total length 0 is under the 16-byte minimum"},
		{"total under minimum", 15, 0, eventstream.ErrInvalidLength, "under the 16-byte minimum"},
		{"headers past frame", 20, 5, eventstream.ErrInvalidLength, "headers length 5 does not fit in a 20-byte frame, which has room for 4"},
		{"headers length huge", 32, 0xffffffff, eventstream.ErrInvalidLength, "does not fit"},
		{"headers over 128 KiB", 200 << 10, 128<<10 + 1, eventstream.ErrFrameTooLarge, "headers length 131073 is over AWS's 131072-byte limit"},
		{"total over 16 MiB", 16<<20 + 1, 0, eventstream.ErrFrameTooLarge, "total length 16777217 is over the 16777216-byte limit"},
		{"total 4 GiB", 0xffffffff, 0, eventstream.ErrFrameTooLarge, "total length 4294967295"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Only the prelude is there: the Decoder must refuse before
			// reading, or allocating, the rest.
			r := &countingReader{r: bytes.NewReader(prelude(tc.total, tc.hlen))}
			_, err := decodeAll(r)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			if e := kindOf(t, err); !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("Reason %q, want it to say %q", e.Reason, tc.reason)
			}
			if r.n != 12 {
				t.Errorf("read %d bytes, want only the 12 of the prelude", r.n)
			}
		})
	}
	// The smallest frame, and headers of exactly 128 KiB, are fine.
	if _, err := decodeAll(bytes.NewReader(sealFrame(16, 0, nil))); err != nil {
		t.Errorf("16-byte frame: %v", err)
	}
	h := rawFrame(unhex("01 61 07 ffff"+strings.Repeat("00", 65535)+"01 62 07 fff7"+strings.Repeat("00", 65527)), nil)
	if n := binary.BigEndian.Uint32(h[4:8]); n != 128<<10 {
		t.Fatalf("test frame has headers length %d, want 128 KiB", n)
	}
	if _, err := decodeAll(bytes.NewReader(h)); err != nil {
		t.Errorf("headers of exactly 128 KiB: %v", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestFrameTooLargeAllocates checks that a hostile 4 GiB length costs a few
// hundred bytes of error, not a 4 GiB buffer.
func TestFrameTooLargeAllocates(t *testing.T) {
	data := prelude(0xffffffff, 0)
	r := bytes.NewReader(data)
	d := eventstream.NewDecoder(r)
	run := func() {
		r.Reset(data)
		*d = *eventstream.NewDecoder(r)
		if _, err := d.Decode(); !errors.Is(err, eventstream.ErrFrameTooLarge) {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(50, run)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 50
	for range runs {
		run()
	}
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / runs
	t.Logf("refusing a 4 GiB frame: %.0f allocs, %d bytes", allocs, perRun)
	if allocs > 10 || perRun > 1024 {
		t.Errorf("refusing a 4 GiB frame costs %.0f allocs and %d bytes, want at most 10 and 1 KiB", allocs, perRun)
	}
}

func TestMaxFrameSize(t *testing.T) {
	at := mustAppend(t, nil, eventstream.Message{Payload: make([]byte, 100-16)})
	over := mustAppend(t, nil, eventstream.Message{Payload: make([]byte, 101-16)})

	d := eventstream.NewDecoder(bytes.NewReader(append(append([]byte{}, at...), over...)))
	d.MaxFrameSize = 100
	if _, err := d.Decode(); err != nil {
		t.Fatalf("frame of exactly MaxFrameSize: %v", err)
	}
	_, err := d.Decode()
	if !errors.Is(err, eventstream.ErrFrameTooLarge) || kindOf(t, err).Offset != 100 {
		t.Fatalf("frame over MaxFrameSize: %v", err)
	}

	var w bytes.Buffer
	e := eventstream.NewEncoder(&w)
	e.MaxFrameSize = 100
	if err := e.Encode(eventstream.Message{Payload: make([]byte, 100-16)}); err != nil {
		t.Fatalf("Encode at the limit: %v", err)
	}
	if err := e.Encode(eventstream.Message{Payload: make([]byte, 101-16)}); !errors.Is(err, eventstream.ErrFrameTooLarge) {
		t.Fatalf("Encode over the limit: %v", err)
	}
	if !bytes.Equal(w.Bytes(), at) {
		t.Error("Encoder output differs from AppendMessage")
	}

	// Raising the limit admits frames over 16 MiB.
	big := mustAppendLimit(t, 17<<20, eventstream.Message{Payload: make([]byte, 17<<20-16)})
	d = eventstream.NewDecoder(bytes.NewReader(big))
	if _, err := d.Decode(); !errors.Is(err, eventstream.ErrFrameTooLarge) {
		t.Errorf("17 MiB frame with the default limit: %v", err)
	}
	d = eventstream.NewDecoder(bytes.NewReader(big))
	d.MaxFrameSize = 17 << 20
	if m, err := d.Decode(); err != nil || len(m.Payload) != 17<<20-16 {
		t.Errorf("17 MiB frame with MaxFrameSize 17 MiB: %v", err)
	}
}

func mustAppendLimit(t *testing.T, limit int, m eventstream.Message) []byte {
	var w bytes.Buffer
	e := eventstream.NewEncoder(&w)
	e.MaxFrameSize = limit
	if err := e.Encode(m); err != nil {
		t.Fatal(err)
	}
	return w.Bytes()
}

func TestStickyErrors(t *testing.T) {
	bad := append([]byte{}, vecPayloadNoHeaders...)
	bad[14] ^= 1
	d := eventstream.NewDecoder(bytes.NewReader(append(bad, vecEmpty...)))
	_, err1 := d.Decode()
	_, err2 := d.Decode()
	if !errors.Is(err1, eventstream.ErrMessageCRC) || err2 != err1 {
		t.Errorf("after a bad frame: %v, then %v; want the same ErrMessageCRC twice", err1, err2)
	}

	d = eventstream.NewDecoder(bytes.NewReader(vecEmpty))
	if _, err := d.Decode(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := d.Decode(); err != io.EOF {
			t.Errorf("at the end: %v, want io.EOF", err)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	boom := errors.New("connection reset")
	for _, cut := range []int{0, 5, 12, 30} {
		r := io.MultiReader(bytes.NewReader(vecAllHeaders[:cut]), iotest.ErrReader(boom))
		_, err := decodeAll(r)
		if !errors.Is(err, boom) || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d: %v, want the reader's error", cut, err)
		}
		if !strings.Contains(err.Error(), "reading frame at byte 0") {
			t.Errorf("cut at %d: %q does not say where", cut, err)
		}
	}
}

// TestPayloadReuse pins down the documented contract: a Message is valid
// until the next Decode, and Clone keeps it.
func TestPayloadReuse(t *testing.T) {
	a := mustAppend(t, nil, eventstream.Message{Headers: eventstream.Headers{{Name: "n", Value: eventstream.Int32(1)}}, Payload: []byte("aaaa")})
	b := mustAppend(t, nil, eventstream.Message{Headers: eventstream.Headers{{Name: "n", Value: eventstream.Int32(2)}}, Payload: []byte("bbbb")})
	d := eventstream.NewDecoder(bytes.NewReader(append(a, b...)))
	m1, _ := d.Decode()
	kept := m1.Clone()
	name := m1.Headers[0].Name
	v := m1.Headers.Get("n")
	if _, err := d.Decode(); err != nil {
		t.Fatal(err)
	}
	if string(kept.Payload) != "aaaa" || kept.Headers.Get("n") != eventstream.Int32(1) {
		t.Errorf("clone changed: %+v", kept)
	}
	if name != "n" || v != eventstream.Int32(1) {
		t.Errorf("kept name and value changed: %q %v", name, v)
	}
	if string(m1.Payload) != "bbbb" {
		t.Logf("note: Payload no longer aliases the decoder's buffer (%q)", m1.Payload)
	}
}

// TestDecodeAllocs: in a steady stream, decoding allocates nothing; header
// names and repeated string values are interned, buffers reused.
func TestDecodeAllocs(t *testing.T) {
	d := eventstream.NewDecoder(&loopReader{data: bedrockStream(t)})
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Decode allocates %.1f times per frame, want 0", allocs)
	}
}

func TestEncodeAllocs(t *testing.T) {
	m := allTypes()
	buf := mustAppend(t, nil, m)
	e := eventstream.NewEncoder(io.Discard)
	allocs := testing.AllocsPerRun(200, func() {
		buf, _ = eventstream.AppendMessage(buf[:0], m)
		_ = e.Encode(m)
	})
	if allocs != 0 {
		t.Errorf("AppendMessage and Encode allocate %.1f times, want 0", allocs)
	}
}

// bedrockStream is a few frames as Bedrock's InvokeModelWithResponseStream
// sends them.
func bedrockStream(t testing.TB) []byte {
	var b []byte
	for i := range 4 {
		chunk := fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"token %d %s"}}`, i, strings.Repeat("lorem ipsum ", i*8))
		b = mustAppend(t, b, bedrockChunk([]byte(chunk)))
	}
	return b
}

func bedrockChunk(chunk []byte) eventstream.Message {
	payload := []byte(`{"bytes":"` + b64(chunk) + `","p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}`)
	return eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":event-type", Value: eventstream.String("chunk")},
			{Name: ":content-type", Value: eventstream.String("application/json")},
			{Name: ":message-type", Value: eventstream.String("event")},
		},
		Payload: payload,
	}
}

// genReader generates n bytes' worth of frames (rounded up to a frame), each
// numbered, with payload sizes that wander between 0 and maxPayload.
type genReader struct {
	left       int64
	maxPayload int
	payload    []byte
	hs         eventstream.Headers
	buf        []byte
	off        int
	seq        int64
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off == len(g.buf) {
		if g.left <= 0 {
			return 0, io.EOF
		}
		g.hs[1].Value = eventstream.Int64(g.seq)
		size := int(g.seq*7919) % (g.maxPayload + 1)
		var err error
		g.buf, err = eventstream.AppendMessage(g.buf[:0], eventstream.Message{Headers: g.hs, Payload: g.payload[:size]})
		if err != nil {
			return 0, err
		}
		g.off = 0
		g.left -= int64(len(g.buf))
		g.seq++
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

// TestStreamMemory decodes 1 GiB of frames from a generator and checks that
// the whole run allocates (so the heap grows by) well under a few MiB.
func TestStreamMemory(t *testing.T) {
	const total = 1 << 30
	const maxPayload = 256 << 10
	g := &genReader{
		left:       total,
		maxPayload: maxPayload,
		payload:    bytes.Repeat([]byte("0123456789abcdef"), maxPayload/16),
		hs: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.String("event")},
			{Name: "seq", Value: eventstream.Int64(0)},
			{Name: ":content-type", Value: eventstream.String("application/octet-stream")},
		},
		buf: make([]byte, 0, maxPayload+1024), // so that what is measured is the Decoder
	}
	d := eventstream.NewDecoder(g)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	var frames, bytesOut int64
	for {
		m, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("frame %d: %v", frames, err)
		}
		if n, _ := m.Headers.Get("seq").Int(); n != frames {
			t.Fatalf("frame %d has seq %d", frames, n)
		}
		if want := int(frames*7919) % (maxPayload + 1); len(m.Payload) != want {
			t.Fatalf("frame %d has a %d-byte payload, want %d", frames, len(m.Payload), want)
		}
		frames++
		bytesOut += int64(len(m.Payload))
	}
	runtime.ReadMemStats(&after)
	grew := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d frames, %d MiB of payload in %v; %d KiB allocated in all",
		frames, bytesOut>>20, time.Since(start).Round(time.Millisecond), grew>>10)
	if bytesOut < total*9/10 {
		t.Errorf("only %d bytes of payload", bytesOut)
	}
	if grew > 2<<20 {
		t.Errorf("decoding 1 GiB allocated %d KiB, want well under a few MiB", grew>>10)
	}
}
