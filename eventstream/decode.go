package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Decoder reads messages from a stream, one frame at a time.
//
// It holds at most one frame in memory, and refuses a frame whose prelude
// announces more than MaxFrameSize bytes (or headers over AWS's 128 KiB)
// before allocating anything for it, so a hostile length costs nothing.
// Every frame's two checksums are verified before its headers are parsed.
type Decoder struct {
	// MaxFrameSize is the largest frame, in bytes of total length, that
	// Decode accepts; 0 means DefaultMaxFrameSize. Values over the
	// wire's 4 GiB limit mean that limit.
	MaxFrameSize int

	r       io.Reader
	off     int64 // stream offset of the next frame
	prelude [preludeLen]byte
	buf     []byte  // the last frame
	hdrs    Headers // the last frame's headers
	small   int     // consecutive frames far smaller than buf
	strs    map[string]string
	err     error // sticky: after a bad frame the stream cannot be resynchronized
}

// NewDecoder returns a Decoder that reads from r. It reads exactly the bytes
// of the frames it returns, in two Read calls or more per frame, so r may be
// wrapped in a bufio.Reader when its reads are expensive.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

const (
	minBuf     = 4 << 10 // smallest frame buffer
	shrinkRuns = 16      // frames far smaller than a large buffer before it is dropped
	maxIntern  = 512     // strings a Decoder remembers
	maxIntLen  = 64      // longest string it remembers
	retainHdrs = 1024    // largest Headers slice it keeps for the next frame
)

// Decode reads the next message. It returns io.EOF when the stream ends
// cleanly between frames, an *Error for a bad frame (see the Err* values;
// a stream that ends mid-frame is ErrTruncated, which is also
// io.ErrUnexpectedEOF), and the reader's error, wrapped, if reading fails.
// Errors are sticky: once Decode fails, it keeps returning the same error.
//
// The returned Message's Headers slice and Payload share memory with the
// Decoder and are valid only until the next call to Decode, which reuses
// them. Header names and Values are immutable and may be kept; use
// Message.Clone to keep a whole message.
func (d *Decoder) Decode() (Message, error) {
	if d.err != nil {
		return Message{}, d.err
	}
	m, err := d.decode()
	if err != nil {
		d.err = err
	}
	return m, err
}

func (d *Decoder) decode() (Message, error) {
	p := d.prelude[:]
	if n, err := io.ReadFull(d.r, p); err != nil {
		switch {
		case err == io.EOF:
			return Message{}, io.EOF
		case errors.Is(err, io.ErrUnexpectedEOF):
			return Message{}, d.fail(ErrTruncated, fmt.Sprintf(
				"frame at byte %d: stream ends after %d of the %d prelude bytes", d.off, n, preludeLen))
		}
		return Message{}, fmt.Errorf("eventstream: reading frame at byte %d: %w", d.off, err)
	}
	total := binary.BigEndian.Uint32(p[0:4])
	hlen := binary.BigEndian.Uint32(p[4:8])
	if want, got := binary.BigEndian.Uint32(p[8:12]), crc32.ChecksumIEEE(p[:8]); want != got {
		return Message{}, d.fail(ErrPreludeCRC, fmt.Sprintf(
			"frame at byte %d: prelude checksum is %08x but the lengths hash to %08x, so they cannot be trusted",
			d.off, want, got))
	}
	switch limit := frameLimit(d.MaxFrameSize); {
	case total < minFrameLen:
		return Message{}, d.fail(ErrInvalidLength, fmt.Sprintf(
			"frame at byte %d: total length %d is under the %d-byte minimum", d.off, total, minFrameLen))
	case int64(total) > limit:
		return Message{}, d.fail(ErrFrameTooLarge, fmt.Sprintf(
			"frame at byte %d: total length %d is over the %d-byte limit", d.off, total, limit))
	case hlen > total-minFrameLen:
		return Message{}, d.fail(ErrInvalidLength, fmt.Sprintf(
			"frame at byte %d: headers length %d does not fit in a %d-byte frame, which has room for %d",
			d.off, hlen, total, total-minFrameLen))
	case hlen > maxHeaders:
		return Message{}, d.fail(ErrFrameTooLarge, fmt.Sprintf(
			"frame at byte %d: headers length %d is over AWS's %d-byte limit", d.off, hlen, maxHeaders))
	}

	buf := d.grow(int(total))
	copy(buf, p)
	if n, err := io.ReadFull(d.r, buf[preludeLen:]); err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return Message{}, d.fail(ErrTruncated, fmt.Sprintf(
				"frame at byte %d: stream ends after %d of its %d bytes", d.off, preludeLen+n, total))
		}
		return Message{}, fmt.Errorf("eventstream: reading frame at byte %d: %w", d.off, err)
	}
	end := int(total) - 4
	if want, got := binary.BigEndian.Uint32(buf[end:]), crc32.ChecksumIEEE(buf[:end]); want != got {
		return Message{}, d.fail(ErrMessageCRC, fmt.Sprintf(
			"frame at byte %d: message checksum is %08x but the %d-byte frame hashes to %08x",
			d.off, want, total, got))
	}
	hs, err := d.parseHeaders(buf[preludeLen : preludeLen+hlen])
	if err != nil {
		return Message{}, err
	}
	m := Message{Headers: hs, Payload: buf[preludeLen+hlen : end]}
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	d.off += int64(total)
	return m, nil
}

func (d *Decoder) fail(kind error, reason string) error {
	return &Error{Kind: kind, Offset: d.off, Reason: reason}
}

// grow returns a buffer of n bytes for the next frame, reusing the last
// one's when it is big enough.
func (d *Decoder) grow(n int) []byte {
	c := cap(d.buf)
	switch {
	case c < n:
		size := max(n, minBuf)
		if 2*c > size && 2*c <= retainMax {
			size = 2 * c // frames that creep up in size reallocate only log(n) times
		}
		d.buf = make([]byte, size)
		d.small = 0
	case c > retainMax && n <= c/4:
		// A large frame came earlier. Keep its buffer while large frames
		// may still come, but not for the rest of a long stream.
		if d.small++; d.small >= shrinkRuns {
			d.buf = make([]byte, max(n, minBuf))
			d.small = 0
		}
	default:
		d.small = 0
	}
	return d.buf[:n]
}

// fixedSize is the value size of the fixed-size wire types 2 to 9; -1 for
// the variable ones (bytes, string).
var fixedSize = [...]int{2: 1, 3: 2, 4: 4, 5: 8, 6: -1, 7: -1, 8: 8, 9: 16}

// parseHeaders parses the headers block b of the frame at d.off.
func (d *Decoder) parseHeaders(b []byte) (Headers, error) {
	hs := d.hdrs[:0]
	for i := 0; i < len(b); {
		start, name := i, ""
		bad := func(format string, args ...any) (Headers, error) {
			off := d.off + preludeLen + int64(start)
			return nil, &Error{Kind: ErrMalformedHeader, Offset: off, Header: name, Reason: fmt.Sprintf(
				"frame at byte %d: header at byte %d of the frame: ", d.off, preludeLen+start) +
				fmt.Sprintf(format, args...)}
		}
		nl := int(b[i])
		i++
		switch {
		case nl == 0:
			return bad("empty name")
		case nl > len(b)-i:
			return bad("name length %d runs past the end of the headers (%d bytes left)", nl, len(b)-i)
		}
		name = d.intern(b[i : i+nl])
		i += nl
		if i == len(b) {
			return bad("%q has no type: the headers end after its name", name)
		}
		t := b[i]
		i++
		var v Value
		switch {
		case t == 0:
			v = Value{typ: TypeBool, n: 1}
		case t == 1:
			v = Value{typ: TypeBool}
		case int(t) >= len(fixedSize):
			return bad("%q has unknown value type %d", name, t)
		case fixedSize[t] > 0:
			size := fixedSize[t]
			if size > len(b)-i {
				return bad("%q: a %s value needs %d bytes, the headers have %d left", name, Type(t), size, len(b)-i)
			}
			v.typ = Type(t)
			switch v.typ {
			case TypeByte:
				v.n = int64(int8(b[i]))
			case TypeInt16:
				v.n = int64(int16(binary.BigEndian.Uint16(b[i:])))
			case TypeInt32:
				v.n = int64(int32(binary.BigEndian.Uint32(b[i:])))
			case TypeInt64, TypeTimestamp:
				v.n = int64(binary.BigEndian.Uint64(b[i:]))
			case TypeUUID:
				v.s = string(b[i : i+16])
			}
			i += size
		default: // bytes, string
			if 2 > len(b)-i {
				return bad("%q: a %s value needs a 2-byte length, the headers have %d left", name, Type(t), len(b)-i)
			}
			n := int(binary.BigEndian.Uint16(b[i:]))
			i += 2
			if n > len(b)-i {
				return bad("%q: %s value length %d runs past the end of the headers (%d bytes left)", name, Type(t), n, len(b)-i)
			}
			v.typ = Type(t)
			if v.typ == TypeString {
				v.s = d.intern(b[i : i+n])
			} else {
				v.s = string(b[i : i+n])
			}
			i += n
		}
		hs = append(hs, Header{Name: name, Value: v})
	}
	if cap(hs) <= retainHdrs {
		d.hdrs = hs
	} else {
		d.hdrs = nil
	}
	if len(hs) == 0 {
		return nil, nil
	}
	return hs, nil
}

// intern returns b as a string, without allocating when it has seen b
// before: header names and most string values (":event-type", "chunk",
// "application/json") repeat in every frame of a stream.
func (d *Decoder) intern(b []byte) string {
	if len(b) > maxIntLen {
		return string(b)
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strs) < maxIntern {
		if d.strs == nil {
			d.strs = make(map[string]string)
		}
		d.strs[s] = s
	}
	return s
}
