package server

import "encoding/binary"

// The protobuf wire format, as much of it as the OTLP exporter writes:
// tags, varints, fixed-width numbers and length-prefixed bytes
// (https://protobuf.dev/programming-guides/encoding/). Written here rather
// than taken from google.golang.org/protobuf, whose package initialization
// reads samples of the program's own file to seed a random number (0.12 ms
// of every run, `alter-mcp version` included).

// wireNumber is a field's number.
type wireNumber int32

// wireType is how a field's value is encoded.
type wireType byte

const (
	wireVarint  wireType = 0
	wireFixed64 wireType = 1
	wireBytes   wireType = 2
	wireFixed32 wireType = 5
)

func appendTag(b []byte, num wireNumber, typ wireType) []byte {
	return appendVarint(b, uint64(num)<<3|uint64(typ))
}

func appendVarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func appendFixed32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

func appendFixed64Value(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

func appendLengthPrefixed[T []byte | string](b []byte, v T) []byte {
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}
