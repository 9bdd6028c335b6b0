package eventstream

import (
	"errors"
	"fmt"
	"io"
)

// Kinds of bad frame. Every error the Decoder returns for a bad frame, and
// every error AppendMessage returns, is an *Error whose Kind is one of these,
// so callers can tell them apart with errors.Is. A stream that ends cleanly
// between frames gives io.EOF; a reader's own error is returned wrapped.
var (
	// ErrPreludeCRC: the prelude (the two lengths) does not match its
	// checksum, so the lengths cannot be trusted.
	ErrPreludeCRC = errors.New("prelude checksum mismatch")
	// ErrMessageCRC: the frame does not match its message checksum.
	ErrMessageCRC = errors.New("message checksum mismatch")
	// ErrFrameTooLarge: the frame's total length is over the limit
	// (DefaultMaxFrameSize unless configured).
	ErrFrameTooLarge = errors.New("frame too large")
	// ErrInvalidLength: the prelude's lengths contradict each other (a total
	// under the 16-byte minimum, or headers longer than the frame).
	ErrInvalidLength = errors.New("invalid frame length")
	// ErrMalformedHeader: a header is cut short, has an empty or overlong
	// name, an unknown type or a value that cannot be encoded.
	ErrMalformedHeader = errors.New("malformed header")
	// ErrTruncated: the stream ends in the middle of a frame. It wraps
	// io.ErrUnexpectedEOF, so errors.Is(err, io.ErrUnexpectedEOF) holds too.
	ErrTruncated = fmt.Errorf("stream ends mid-frame: %w", io.ErrUnexpectedEOF)
)

// Error reports a frame that cannot be decoded or encoded.
type Error struct {
	// Kind is one of the Err* values.
	Kind error
	// Offset is where the problem is, in bytes from the start of the stream
	// when decoding and from the start of the frame when encoding: the
	// frame's first byte, or for ErrMalformedHeader the header's first byte.
	Offset int64
	// Header is the name of the header at fault, if it could be read.
	Header string
	// Reason says what is wrong, in words a person can act on.
	Reason string
}

func (e *Error) Error() string { return "eventstream: " + e.Reason }

// Unwrap returns Kind, so errors.Is(err, eventstream.ErrMessageCRC) works.
func (e *Error) Unwrap() error { return e.Kind }
