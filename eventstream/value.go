package eventstream

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"
)

// Type is the type of a header value. The numbering follows the wire, where a
// header's type byte is 0 for true, 1 for false, and the Type itself for the
// others (TypeByte is 2, ..., TypeUUID is 9).
type Type uint8

// Header value types.
const (
	TypeInvalid   Type = iota // the zero Value: absent, never on the wire
	TypeBool                  // wire types 0 (true) and 1 (false), no value bytes
	TypeByte                  // wire type 2: int8
	TypeInt16                 // wire type 3: int16
	TypeInt32                 // wire type 4: int32
	TypeInt64                 // wire type 5: int64
	TypeBytes                 // wire type 6: uint16 length, then the bytes
	TypeString                // wire type 7: uint16 length, then the bytes
	TypeTimestamp             // wire type 8: int64 milliseconds since the Unix epoch
	TypeUUID                  // wire type 9: 16 bytes
)

var typeNames = [...]string{"invalid", "bool", "byte", "int16", "int32", "int64", "bytes", "string", "timestamp", "uuid"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Value is a typed header value. Make one with Bool, Byte, Int16, Int32,
// Int64, Bytes, String, Timestamp or UUID. The zero Value is TypeInvalid; it is
// what Headers.Get returns for a missing header, and it cannot be encoded.
//
// Values are immutable and comparable with ==, so they may be kept after the
// Decoder that produced them moves on.
type Value struct {
	typ Type
	n   int64  // bool (0 or 1), the integers, timestamp milliseconds
	s   string // string, bytes, uuid (16 bytes)
}

// Bool returns a TypeBool value.
func Bool(b bool) Value {
	if b {
		return Value{typ: TypeBool, n: 1}
	}
	return Value{typ: TypeBool}
}

// Byte returns a TypeByte value. The wire's "byte" is signed.
func Byte(v int8) Value { return Value{typ: TypeByte, n: int64(v)} }

// Int16 returns a TypeInt16 value.
func Int16(v int16) Value { return Value{typ: TypeInt16, n: int64(v)} }

// Int32 returns a TypeInt32 value.
func Int32(v int32) Value { return Value{typ: TypeInt32, n: int64(v)} }

// Int64 returns a TypeInt64 value.
func Int64(v int64) Value { return Value{typ: TypeInt64, n: v} }

// Bytes returns a TypeBytes value holding a copy of b. The wire allows at most
// 65535 bytes; AWS's own encoders stop at 32767.
func Bytes(b []byte) Value { return Value{typ: TypeBytes, s: string(b)} }

// String returns a TypeString value. The wire allows at most 65535 bytes;
// AWS's own encoders stop at 32767.
func String(s string) Value { return Value{typ: TypeString, s: s} }

// Timestamp returns a TypeTimestamp value. The wire carries milliseconds, so
// t is truncated to the millisecond.
func Timestamp(t time.Time) Value { return Value{typ: TypeTimestamp, n: t.UnixMilli()} }

// UUID returns a TypeUUID value.
func UUID(u [16]byte) Value { return Value{typ: TypeUUID, s: string(u[:])} }

// Type returns the value's type; TypeInvalid for the zero Value.
func (v Value) Type() Type { return v.typ }

// IsZero reports whether v is the zero Value, as for a missing header.
func (v Value) IsZero() bool { return v.typ == TypeInvalid }

// Bool returns the value of a TypeBool value; ok is false for other types.
func (v Value) Bool() (b, ok bool) { return v.n != 0, v.typ == TypeBool }

// Int returns the value of a TypeByte, TypeInt16, TypeInt32 or TypeInt64
// value; ok is false for other types.
func (v Value) Int() (n int64, ok bool) {
	switch v.typ {
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return v.n, true
	}
	return 0, false
}

// Bytes returns a copy of the bytes of a TypeBytes value; ok is false for
// other types.
func (v Value) Bytes() (b []byte, ok bool) {
	if v.typ != TypeBytes {
		return nil, false
	}
	return []byte(v.s), true
}

// Time returns the time of a TypeTimestamp value, in UTC; ok is false for
// other types.
func (v Value) Time() (t time.Time, ok bool) {
	if v.typ != TypeTimestamp {
		return time.Time{}, false
	}
	return time.UnixMilli(v.n).UTC(), true
}

// UUID returns the 16 bytes of a TypeUUID value; ok is false for other types.
func (v Value) UUID() (u [16]byte, ok bool) {
	if v.typ != TypeUUID {
		return u, false
	}
	copy(u[:], v.s)
	return u, true
}

// String returns the text of a TypeString value as it is, and a text form of
// the others: "true"/"false", decimal integers, standard base64 for bytes,
// RFC 3339 in UTC with milliseconds for timestamps, 8-4-4-4-12 hex for UUIDs,
// and "" for the zero Value. Check Type first where the difference matters.
func (v Value) String() string {
	switch v.typ {
	case TypeString:
		return v.s
	case TypeBool:
		return strconv.FormatBool(v.n != 0)
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(v.n, 10)
	case TypeBytes:
		return base64.StdEncoding.EncodeToString([]byte(v.s))
	case TypeTimestamp:
		return time.UnixMilli(v.n).UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case TypeUUID:
		var b [36]byte
		hex.Encode(b[0:8], []byte(v.s[0:4]))
		hex.Encode(b[9:13], []byte(v.s[4:6]))
		hex.Encode(b[14:18], []byte(v.s[6:8]))
		hex.Encode(b[19:23], []byte(v.s[8:10]))
		hex.Encode(b[24:36], []byte(v.s[10:16]))
		b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
		return string(b[:])
	}
	return ""
}

// wireSize is the encoded size of the value after the type byte, or -1 for
// a value that cannot be encoded.
func (v Value) wireSize() int {
	switch v.typ {
	case TypeBool:
		return 0
	case TypeByte:
		return 1
	case TypeInt16:
		return 2
	case TypeInt32:
		return 4
	case TypeInt64, TypeTimestamp:
		return 8
	case TypeBytes, TypeString:
		if len(v.s) > maxValueLen {
			return -1
		}
		return 2 + len(v.s)
	case TypeUUID:
		return 16
	}
	return -1
}
