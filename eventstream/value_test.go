package eventstream_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

var long = strings.Repeat("x", 65535)

// valueCases cover every wire type, with its bytes after the name.
var valueCases = []struct {
	name string
	v    eventstream.Value
	typ  eventstream.Type
	wire string // type byte and value, hex
	str  string // String()
}{
	{"bool true", eventstream.Bool(true), eventstream.TypeBool, "00", "true"},
	{"bool false", eventstream.Bool(false), eventstream.TypeBool, "01", "false"},
	{"byte", eventstream.Byte(-49), eventstream.TypeByte, "02cf", "-49"},
	{"byte max", eventstream.Byte(math.MaxInt8), eventstream.TypeByte, "027f", "127"},
	{"byte min", eventstream.Byte(math.MinInt8), eventstream.TypeByte, "0280", "-128"},
	{"int16", eventstream.Int16(42), eventstream.TypeInt16, "03002a", "42"},
	{"int16 min", eventstream.Int16(math.MinInt16), eventstream.TypeInt16, "038000", "-32768"},
	{"int32", eventstream.Int32(40972), eventstream.TypeInt32, "040000a00c", "40972"},
	{"int32 min", eventstream.Int32(math.MinInt32), eventstream.TypeInt32, "0480000000", "-2147483648"},
	{"int64", eventstream.Int64(42424242), eventstream.TypeInt64, "050000000002 8757b2", "42424242"},
	{"int64 max", eventstream.Int64(math.MaxInt64), eventstream.TypeInt64, "05 7fffffffffffffff", "9223372036854775807"},
	{"int64 -1", eventstream.Int64(-1), eventstream.TypeInt64, "05 ffffffffffffffff", "-1"},
	{"bytes", eventstream.Bytes([]byte("I'm a little teapot!")), eventstream.TypeBytes, "06 0014 49276d2061206c6974746c6520746561706f7421", "SSdtIGEgbGl0dGxlIHRlYXBvdCE="},
	{"bytes empty", eventstream.Bytes(nil), eventstream.TypeBytes, "06 0000", ""},
	{"bytes binary", eventstream.Bytes([]byte{0, 0xff}), eventstream.TypeBytes, "06 0002 00ff", "AP8="},
	{"string", eventstream.String("application/json"), eventstream.TypeString, "07 0010 6170706c69636174696f6e2f6a736f6e", "application/json"},
	{"string empty", eventstream.String(""), eventstream.TypeString, "07 0000", ""},
	{"string utf8", eventstream.String("日本"), eventstream.TypeString, "07 0006 e697a5e69cac", "日本"},
	{"string max", eventstream.String(long), eventstream.TypeString, "07 ffff" + strings.Repeat("78", 65535), long},
	{"timestamp", eventstream.Timestamp(time.UnixMilli(8675309)), eventstream.TypeTimestamp, "08 0000000000845fed", "1970-01-01T02:24:35.309Z"},
	{"timestamp truncated", eventstream.Timestamp(time.Date(2024, 5, 1, 12, 30, 45, 123456789, time.FixedZone("", 3600))), eventstream.TypeTimestamp, "08 0000018f33ebd703", "2024-05-01T11:30:45.123Z"},
	{"timestamp before epoch", eventstream.Timestamp(time.UnixMilli(-1)), eventstream.TypeTimestamp, "08 ffffffffffffffff", "1969-12-31T23:59:59.999Z"},
	{"uuid", eventstream.UUID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), eventstream.TypeUUID, "09 0102030405060708090a0b0c0d0e0f10", "01020304-0506-0708-090a-0b0c0d0e0f10"},
}

func TestValueRoundTrip(t *testing.T) {
	for _, tc := range valueCases {
		t.Run(tc.name, func(t *testing.T) {
			m := eventstream.Message{Headers: eventstream.Headers{{Name: "h", Value: tc.v}}, Payload: []byte("p")}
			frame := mustAppend(t, nil, m)
			wantHeader := append([]byte{1, 'h'}, unhex(tc.wire)...)
			if got := frame[12 : len(frame)-5]; !bytes.Equal(got, wantHeader) {
				t.Fatalf("header bytes\n got %s\nwant %s", short(got), short(wantHeader))
			}
			got := decodeOne(t, frame)
			if len(got.Headers) != 1 || got.Headers[0].Name != "h" || got.Headers[0].Value != tc.v {
				t.Fatalf("decoded %+v, want %+v", got.Headers, m.Headers)
			}
			v := got.Headers.Get("h")
			if v.Type() != tc.typ {
				t.Errorf("Type() = %v, want %v", v.Type(), tc.typ)
			}
			if v.String() != tc.str {
				t.Errorf("String() = %q, want %q", short([]byte(v.String())), short([]byte(tc.str)))
			}
			if !bytes.Equal(mustAppend(t, nil, got), frame) {
				t.Error("re-encoding the decoded message changes its bytes")
			}
		})
	}
}

func short(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

func TestValueAccessors(t *testing.T) {
	ts := time.Date(2024, 2, 29, 23, 59, 59, 123e6, time.UTC)
	u := [16]byte{0xde, 0xad, 15: 0xff}
	if b, ok := eventstream.Bool(true).Bool(); !b || !ok {
		t.Error("Bool(true).Bool()")
	}
	if b, ok := eventstream.Bool(false).Bool(); b || !ok {
		t.Error("Bool(false).Bool()")
	}
	for _, v := range []eventstream.Value{eventstream.Byte(-3), eventstream.Int16(-3), eventstream.Int32(-3), eventstream.Int64(-3)} {
		if n, ok := v.Int(); n != -3 || !ok {
			t.Errorf("%v.Int() = %d, %v", v.Type(), n, ok)
		}
	}
	if b, ok := eventstream.Bytes([]byte("ab")).Bytes(); string(b) != "ab" || !ok {
		t.Error("Bytes().Bytes()")
	}
	if got, ok := eventstream.Timestamp(ts).Time(); !got.Equal(ts) || got.Location() != time.UTC || !ok {
		t.Errorf("Timestamp().Time() = %v, %v", got, ok)
	}
	if got, ok := eventstream.UUID(u).UUID(); got != u || !ok {
		t.Error("UUID().UUID()")
	}

	// Every accessor says no to every other type, and to the zero Value.
	others := []eventstream.Value{{}, eventstream.String("7"), eventstream.Bool(true), eventstream.Int64(1),
		eventstream.Bytes([]byte("x")), eventstream.Timestamp(ts), eventstream.UUID(u)}
	for _, v := range others {
		if _, ok := v.Bool(); ok != (v.Type() == eventstream.TypeBool) {
			t.Errorf("%v.Bool() ok = %v", v.Type(), ok)
		}
		if _, ok := v.Int(); ok != (v.Type() == eventstream.TypeInt64) {
			t.Errorf("%v.Int() ok = %v", v.Type(), ok)
		}
		if _, ok := v.Bytes(); ok != (v.Type() == eventstream.TypeBytes) {
			t.Errorf("%v.Bytes() ok = %v", v.Type(), ok)
		}
		if _, ok := v.Time(); ok != (v.Type() == eventstream.TypeTimestamp) {
			t.Errorf("%v.Time() ok = %v", v.Type(), ok)
		}
		if _, ok := v.UUID(); ok != (v.Type() == eventstream.TypeUUID) {
			t.Errorf("%v.UUID() ok = %v", v.Type(), ok)
		}
	}

	var zero eventstream.Value
	if !zero.IsZero() || zero.Type() != eventstream.TypeInvalid || zero.String() != "" {
		t.Errorf("zero Value: IsZero %v, Type %v, String %q", zero.IsZero(), zero.Type(), zero.String())
	}
	if eventstream.Bool(false).IsZero() || eventstream.String("").IsZero() {
		t.Error("a typed empty value reports IsZero")
	}
	// Bytes returns a copy: the Value stays immutable.
	v := eventstream.Bytes([]byte("ab"))
	b, _ := v.Bytes()
	b[0] = 'X'
	if s := v.String(); s != "YWI=" {
		t.Errorf("mutating Bytes() changed the value: %s", s)
	}
}

func TestTypeString(t *testing.T) {
	want := []string{"invalid", "bool", "byte", "int16", "int32", "int64", "bytes", "string", "timestamp", "uuid", "Type(10)"}
	for i, w := range want {
		if got := eventstream.Type(i).String(); got != w {
			t.Errorf("Type(%d).String() = %q, want %q", i, got, w)
		}
	}
}

func TestHeadersGet(t *testing.T) {
	hs := eventstream.Headers{
		{Name: "a", Value: eventstream.String("first")},
		{Name: "b", Value: eventstream.Int32(2)},
		{Name: "a", Value: eventstream.String("second")},
	}
	if got := hs.Get("a").String(); got != "first" {
		t.Errorf(`Get("a") = %q, want the first, "first"`, got)
	}
	if v, ok := hs.Lookup("b"); !ok || v != eventstream.Int32(2) {
		t.Errorf(`Lookup("b") = %v, %v`, v, ok)
	}
	if v, ok := hs.Lookup("c"); ok || !v.IsZero() {
		t.Errorf(`Lookup("c") = %v, %v; want the zero Value, false`, v, ok)
	}
	if got := hs.Get("c").String(); got != "" {
		t.Errorf(`Get("c").String() = %q, want ""`, got)
	}
	// Repeated names survive a round trip, in order.
	got := decodeOne(t, mustAppend(t, nil, eventstream.Message{Headers: hs}))
	if !equalMessages(got, eventstream.Message{Headers: hs}) {
		t.Errorf("repeated headers: got %+v", got.Headers)
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name   string
		m      eventstream.Message
		kind   error
		offset int64
		reason string
	}{
		{"empty name", eventstream.Message{Headers: eventstream.Headers{{Name: "", Value: eventstream.Bool(true)}}},
			eventstream.ErrMalformedHeader, 12, "empty name"},
		{"long name", eventstream.Message{Headers: eventstream.Headers{{Name: "a", Value: eventstream.Bool(true)}, {Name: strings.Repeat("n", 256), Value: eventstream.Bool(true)}}},
			eventstream.ErrMalformedHeader, 15, "is 256 bytes, over 255"},
		{"zero value", eventstream.Message{Headers: eventstream.Headers{{Name: "x"}}},
			eventstream.ErrMalformedHeader, 12, "zero Value"},
		{"long string", eventstream.Message{Headers: eventstream.Headers{{Name: "x", Value: eventstream.String(long + "x")}}},
			eventstream.ErrMalformedHeader, 12, "65536-byte string value, over 65535"},
		{"long bytes", eventstream.Message{Headers: eventstream.Headers{{Name: "x", Value: eventstream.Bytes([]byte(long + "x"))}}},
			eventstream.ErrMalformedHeader, 12, "65536-byte bytes value, over 65535"},
		{"headers over 128 KiB", eventstream.Message{Headers: eventstream.Headers{
			{Name: "a", Value: eventstream.String(long)}, {Name: "b", Value: eventstream.String(long)}, {Name: "c", Value: eventstream.String("x")}}},
			eventstream.ErrFrameTooLarge, 0, "over AWS's 131072-byte limit"},
		{"payload over 16 MiB", eventstream.Message{Payload: make([]byte, eventstream.DefaultMaxFrameSize-15)},
			eventstream.ErrFrameTooLarge, 0, "over the 16777216-byte frame limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := eventstream.AppendMessage(dst, tc.m)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			if string(got) != "keep" {
				t.Errorf("dst changed to %q on error", short(got))
			}
			e := kindOf(t, err)
			if e.Offset != tc.offset || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("Offset %d, Reason %q; want %d and %q", e.Offset, e.Reason, tc.offset, tc.reason)
			}
			var w bytes.Buffer
			if err := eventstream.NewEncoder(&w).Encode(tc.m); !errors.Is(err, tc.kind) || w.Len() != 0 {
				t.Errorf("Encoder: err %v, wrote %d bytes", err, w.Len())
			}
		})
	}
	// The largest frame the limit allows is fine.
	if _, err := eventstream.AppendMessage(nil, eventstream.Message{Payload: make([]byte, eventstream.DefaultMaxFrameSize-16)}); err != nil {
		t.Errorf("a frame of exactly DefaultMaxFrameSize: %v", err)
	}
}
