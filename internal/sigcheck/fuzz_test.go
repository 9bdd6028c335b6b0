package sigcheck_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
)

// FuzzChunkReader signs data as aws-chunked (chunks of 8 KiB), then cuts
// the body at cut and flips bits at pos with xor (xor 0: no flip; cut past
// the end: no cut). Whatever the damage, the reader never panics, every
// error is an *Error, and what it yields without an error is the data that
// was signed, byte for byte: no unsigned byte gets through.
func FuzzChunkReader(f *testing.F) {
	f.Add([]byte("hello"), uint32(1<<31), uint32(0), byte(0))
	f.Add(bytes.Repeat([]byte("a"), 9000), uint32(1<<31), uint32(8300), byte(1))
	f.Add(bytes.Repeat([]byte("b"), 8192), uint32(8300), uint32(0), byte(0))
	f.Add([]byte{}, uint32(1<<31), uint32(2), byte('A'^'0'))
	f.Add([]byte("x"), uint32(1<<31), uint32(0), byte('1'^'0'))
	f.Fuzz(func(t *testing.T, data []byte, cut, pos uint32, xor byte) {
		if len(data) > 20<<10 {
			return
		}
		req, s := chunkedRequest(t, int64(len(data)), creds)
		var chunks []wireChunk
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 8<<10)
			chunks = append(chunks, s.sign(rest[:n]))
			rest = rest[n:]
		}
		chunks = append(chunks, s.sign(nil))
		wire := encodeChunks(chunks)
		if int(pos) < len(wire) {
			wire[pos] ^= xor
		}
		if int(cut) < len(wire) {
			wire = wire[:cut]
		}
		req.Body = io.NopCloser(bytes.NewReader(wire))
		cr, err := sigcheck.New(creds).Chunked(req)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		got, err := io.ReadAll(cr)
		var e *sigcheck.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %v is no *sigcheck.Error", err)
		}
		if err == nil && !bytes.Equal(got, data) {
			t.Fatalf("the reader yielded %d bytes that differ from the %d signed, without an error", len(got), len(data))
		}
		if !bytes.HasPrefix(data, got) {
			t.Fatalf("the reader yielded bytes that were not signed (%d bytes)", len(got))
		}
	})
}
