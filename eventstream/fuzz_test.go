package eventstream_test

// FuzzDecode feeds arbitrary streams to the Decoder: it must never panic,
// must end every stream with io.EOF or an *Error (the reader here never
// fails), and every message it returns must re-encode to exactly the bytes
// it came from. Random bytes rarely get past the checksums, so each input is
// also sealed into one frame with correct lengths and checksums, its first
// hlen bytes as headers, to exercise the header parser. The seed corpus runs as an ordinary test; run e.g.
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 1m ./eventstream/
//
// for a real fuzzing session.

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

func FuzzDecode(f *testing.F) {
	for _, v := range [][]byte{vecAllHeaders, vecEmpty, vecInt32Header, vecPayloadNoHeaders, vecOneStrHeader,
		vecCorruptedHeaderLen, vecCorruptedHeaders, vecCorruptedLength, vecCorruptedPayload} {
		f.Add(v, uint16(0))
	}
	all := mustAppend(f, nil, allTypes())
	f.Add(all, uint16(0))
	f.Add(append(append([]byte{}, all...), vecAllHeaders...), uint16(0))
	f.Add(all[:len(all)/2], uint16(0))
	f.Add(bedrockStream(f), uint16(0))
	f.Add(prelude(0xffffffff, 0), uint16(0))
	f.Add(prelude(40, 30), uint16(0))
	hlen := int(all[6])<<8 | int(all[7])
	f.Add(all[12:len(all)-4], uint16(hlen)) // allTypes' headers and payload
	for _, h := range []string{"05 6162", "00 00", "01 61", "01 61 0a", "01 61 07 0010 4142", "01 61 09 0001", "01 61 00 02 6263 06 0001 ff"} {
		f.Add(append(unhex(h), "payload"...), uint16(len(unhex(h))))
	}
	exc := mustAppend(f, nil, eventstream.Message{
		Headers: hdrs(":message-type", "exception", ":exception-type", "throttlingException"),
		Payload: []byte(`{"message":"slow down"}`),
	})
	f.Add(exc, uint16(0))

	f.Fuzz(func(t *testing.T, data []byte, hlen uint16) {
		fuzzStream(t, data)
		if int(hlen) <= len(data) {
			fuzzStream(t, rawFrame(data[:hlen], data[hlen:]))
		}
	})
}

// fuzzStream decodes data to the end and checks what it gets.
func fuzzStream(t *testing.T, data []byte) {
	d := eventstream.NewDecoder(bytes.NewReader(data))
	d.MaxFrameSize = 1 << 20
	off := 0
	for {
		m, err := d.Decode()
		if err == io.EOF {
			if off != len(data) {
				t.Fatalf("io.EOF at byte %d of %d", off, len(data))
			}
			return
		}
		if err != nil {
			var e *eventstream.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if e.Offset < int64(off) || e.Offset > int64(len(data)) {
				t.Fatalf("Offset %d outside the frame at %d of a %d-byte stream", e.Offset, off, len(data))
			}
			return
		}
		enc, err := eventstream.AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("a decoded message does not re-encode: %v", err)
		}
		if !bytes.HasPrefix(data[off:], enc) {
			t.Fatalf("frame at byte %d re-encodes differently:\n got %x\nwant %x", off, enc, data[off:min(len(data), off+len(enc))])
		}
		off += len(enc)
		// Interpreting the message must not panic either.
		m.Kind()
		_ = m.Err()
		for _, h := range m.Headers {
			_ = h.Value.String()
		}
	}
}
