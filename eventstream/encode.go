package eventstream

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// DefaultMaxFrameSize is the largest frame, in bytes of total length, that a
// Decoder or Encoder accepts unless told otherwise: AWS's own limit for event
// stream messages.
const DefaultMaxFrameSize = 16 << 20

const (
	preludeLen  = 12             // total length, headers length, prelude CRC
	minFrameLen = preludeLen + 4 // and the message CRC
	maxNameLen  = 255            // the name length is one byte
	maxHeaders  = 128 << 10      // AWS's limit for the headers of one frame
	maxValueLen = 1<<16 - 1      // bytes and string lengths are a uint16

	maxWireFrame = 1<<32 - 1 // the total length is a uint32

	// retainMax bounds the buffer an Encoder or Decoder keeps between
	// frames, so one large frame does not pin its memory for the rest of
	// a long stream.
	retainMax = 1 << 20
)

// frameLimit turns a MaxFrameSize setting into the limit in force.
func frameLimit(n int) int64 {
	switch {
	case n <= 0:
		return DefaultMaxFrameSize
	case int64(n) > maxWireFrame:
		return maxWireFrame
	}
	return int64(n)
}

// AppendMessage appends m to dst as one frame and returns the extended
// slice. On error it returns dst unchanged and an *Error: ErrMalformedHeader
// for an empty or overlong header name, the zero Value or an overlong bytes
// or string value; ErrFrameTooLarge for a frame over DefaultMaxFrameSize or
// headers over AWS's limit of 128 KiB.
// It allocates only when dst lacks capacity.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	return appendMessage(dst, m, DefaultMaxFrameSize)
}

func appendMessage(dst []byte, m Message, limit int64) ([]byte, error) {
	// Validate and measure first, so nothing is appended to a frame that
	// cannot be finished.
	var hlen int64
	for _, h := range m.Headers {
		n, err := headerSize(h, preludeLen+hlen)
		if err != nil {
			return dst, err
		}
		hlen += n
	}
	if hlen > maxHeaders {
		return dst, &Error{Kind: ErrFrameTooLarge, Reason: fmt.Sprintf(
			"headers are %d bytes encoded, over AWS's %d-byte limit", hlen, maxHeaders)}
	}
	total := minFrameLen + hlen + int64(len(m.Payload))
	if total > limit {
		return dst, &Error{Kind: ErrFrameTooLarge, Reason: fmt.Sprintf(
			"message is %d bytes encoded (%d of headers, %d of payload), over the %d-byte frame limit",
			total, hlen, len(m.Payload), limit)}
	}

	start := len(dst)
	dst = slices.Grow(dst, int(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	for _, h := range m.Headers {
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = appendValue(dst, h.Value)
	}
	dst = append(dst, m.Payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:])), nil
}

// headerSize returns the encoded size of h, which starts off bytes into its
// frame, or an error if h cannot be encoded.
func headerSize(h Header, off int64) (int64, error) {
	bad := func(format string, args ...any) (int64, error) {
		return 0, &Error{Kind: ErrMalformedHeader, Offset: off, Header: h.Name,
			Reason: fmt.Sprintf("header at byte %d of the frame: ", off) + fmt.Sprintf(format, args...)}
	}
	switch {
	case h.Name == "":
		return bad("empty name")
	case len(h.Name) > maxNameLen:
		return bad("name %.32q... is %d bytes, over %d", h.Name, len(h.Name), maxNameLen)
	}
	n := h.Value.wireSize()
	if n < 0 {
		if h.Value.IsZero() {
			return bad("%q has the zero Value, which has no type", h.Name)
		}
		return bad("%q has a %d-byte %s value, over %d", h.Name, len(h.Value.s), h.Value.typ, maxValueLen)
	}
	return int64(1 + len(h.Name) + 1 + n), nil
}

func appendValue(dst []byte, v Value) []byte {
	switch v.typ {
	case TypeBool:
		if v.n != 0 {
			return append(dst, 0)
		}
		return append(dst, 1)
	case TypeByte:
		return append(dst, byte(TypeByte), byte(v.n))
	case TypeInt16:
		return binary.BigEndian.AppendUint16(append(dst, byte(TypeInt16)), uint16(v.n))
	case TypeInt32:
		return binary.BigEndian.AppendUint32(append(dst, byte(TypeInt32)), uint32(v.n))
	case TypeInt64, TypeTimestamp:
		return binary.BigEndian.AppendUint64(append(dst, byte(v.typ)), uint64(v.n))
	case TypeBytes, TypeString:
		dst = binary.BigEndian.AppendUint16(append(dst, byte(v.typ)), uint16(len(v.s)))
		return append(dst, v.s...)
	case TypeUUID:
		return append(append(dst, byte(TypeUUID)), v.s...)
	}
	panic("eventstream: appendValue of unchecked " + v.typ.String()) // headerSize rejects these
}

// Encoder writes messages to a stream, one Write call per frame.
type Encoder struct {
	// MaxFrameSize is the largest frame Encode writes; 0 means
	// DefaultMaxFrameSize. A larger frame is refused with ErrFrameTooLarge,
	// since AWS and Decoders with the default limit would refuse it.
	MaxFrameSize int

	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes m as one frame. A message that cannot be encoded returns an
// *Error (see AppendMessage) and writes nothing.
func (e *Encoder) Encode(m Message) error {
	buf, err := appendMessage(e.buf[:0], m, frameLimit(e.MaxFrameSize))
	if err != nil {
		return err
	}
	if cap(buf) <= retainMax {
		e.buf = buf
	} else {
		e.buf = nil
	}
	if _, err := e.w.Write(buf); err != nil {
		return fmt.Errorf("eventstream: writing frame: %w", err)
	}
	return nil
}
