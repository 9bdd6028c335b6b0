package eventstream_test

import (
	"errors"
	"testing"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

func hdrs(kv ...string) eventstream.Headers {
	var hs eventstream.Headers
	for i := 0; i < len(kv); i += 2 {
		hs = append(hs, eventstream.Header{Name: kv[i], Value: eventstream.String(kv[i+1])})
	}
	return hs
}

func TestKindAndErr(t *testing.T) {
	cases := []struct {
		name          string
		m             eventstream.Message
		typ, kindName string
		err           error // nil, or the error Err must return
	}{
		{"event", eventstream.Message{
			Headers: hdrs(":message-type", "event", ":event-type", "chunk", ":content-type", "application/json"),
			Payload: []byte(`{"bytes":"e30="}`),
		}, "event", "chunk", nil},
		{"exception json", eventstream.Message{
			Headers: hdrs(":message-type", "exception", ":exception-type", "throttlingException", ":content-type", "application/json"),
			Payload: []byte(`{"message":"Too many requests, please wait before trying again."}`),
		}, "exception", "throttlingException", &eventstream.ExceptionError{
			Type: "throttlingException", Message: "Too many requests, please wait before trying again.", ContentType: "application/json",
			Payload: []byte(`{"message":"Too many requests, please wait before trying again."}`),
		}},
		{"exception json Message", eventstream.Message{
			Headers: hdrs(":message-type", "exception", ":exception-type", "modelStreamErrorException"),
			Payload: []byte(` {"Message":"boom","originalStatusCode":500} `),
		}, "exception", "modelStreamErrorException", &eventstream.ExceptionError{
			Type: "modelStreamErrorException", Message: "boom", Payload: []byte(` {"Message":"boom","originalStatusCode":500} `),
		}},
		{"exception xml", eventstream.Message{
			Headers: hdrs(":message-type", "exception", ":exception-type", "InvalidRequest", ":content-type", "text/xml"),
			Payload: []byte(`<?xml version="1.0"?><Error><Code>InvalidRequest</Code><Message>bad select</Message></Error>`),
		}, "exception", "InvalidRequest", &eventstream.ExceptionError{
			Type: "InvalidRequest", Message: "bad select", ContentType: "text/xml",
			Payload: []byte(`<?xml version="1.0"?><Error><Code>InvalidRequest</Code><Message>bad select</Message></Error>`),
		}},
		{"exception, payload not json", eventstream.Message{
			Headers: hdrs(":message-type", "exception", ":exception-type", "x"),
			Payload: []byte(`{not json`),
		}, "exception", "x", &eventstream.ExceptionError{Type: "x", Payload: []byte(`{not json`)}},
		{"exception without type", eventstream.Message{
			Headers: hdrs(":message-type", "exception"),
		}, "exception", "", &eventstream.ExceptionError{}},
		{"error", eventstream.Message{
			Headers: hdrs(":message-type", "error", ":error-code", "InternalError", ":error-message", "We encountered an internal error. Please try again."),
		}, "error", "InternalError", &eventstream.ErrorMessage{Code: "InternalError", Message: "We encountered an internal error. Please try again."}},
		{"no message type", eventstream.Message{Headers: hdrs(":event-type", "chunk")}, "", "", nil},
		{"unknown message type", eventstream.Message{Headers: hdrs(":message-type", "ping", ":event-type", "x")}, "ping", "", nil},
		{"message type not a string", eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.Int32(1)}}}, "", "", nil},
		{"event type not a string", eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.String("event")}, {Name: ":event-type", Value: eventstream.Bytes([]byte("chunk"))}}}, "event", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Through the wire, so the Decoder's shared buffers are in play.
			m := decodeOne(t, mustAppend(t, nil, tc.m))
			if typ, name := m.Kind(); typ != tc.typ || name != tc.kindName {
				t.Errorf("Kind() = %q, %q; want %q, %q", typ, name, tc.typ, tc.kindName)
			}
			err := m.Err()
			switch want := tc.err.(type) {
			case nil:
				if err != nil {
					t.Errorf("Err() = %v, want nil", err)
				}
			case *eventstream.ExceptionError:
				var got *eventstream.ExceptionError
				if !errors.As(err, &got) || got.Type != want.Type || got.Message != want.Message ||
					got.ContentType != want.ContentType || string(got.Payload) != string(want.Payload) {
					t.Errorf("Err() = %#v, want %#v", err, want)
				}
			case *eventstream.ErrorMessage:
				var got *eventstream.ErrorMessage
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("Err() = %#v, want %#v", err, want)
				}
			}
		})
	}
}

func TestErrorStrings(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&eventstream.ExceptionError{Type: "throttlingException", Message: "slow down"}, "eventstream: exception throttlingException: slow down"},
		{&eventstream.ExceptionError{Type: "throttlingException"}, "eventstream: exception throttlingException"},
		{&eventstream.ExceptionError{}, "eventstream: exception (no :exception-type)"},
		{&eventstream.ErrorMessage{Code: "InternalError", Message: "try again"}, "eventstream: error InternalError: try again"},
		{&eventstream.ErrorMessage{}, "eventstream: error (no :error-code)"},
		{&eventstream.Error{Kind: eventstream.ErrMessageCRC, Reason: "frame at byte 7: x"}, "eventstream: frame at byte 7: x"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestErrPayloadCopied: the exception keeps its payload after the Decoder
// has moved on.
func TestErrPayloadCopied(t *testing.T) {
	ex := mustAppend(t, nil, eventstream.Message{
		Headers: hdrs(":message-type", "exception", ":exception-type", "validationException"),
		Payload: []byte(`{"message":"bad input"}`),
	})
	next := mustAppend(t, nil, eventstream.Message{Payload: []byte(`XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`)})
	d := eventstream.NewDecoder(halfOf(bytesReader(append(ex, next...))))
	m, err := d.Decode()
	if err != nil {
		t.Fatal(err)
	}
	var ee *eventstream.ExceptionError
	if !errors.As(m.Err(), &ee) {
		t.Fatal("not an exception")
	}
	if _, err := d.Decode(); err != nil {
		t.Fatal(err)
	}
	if string(ee.Payload) != `{"message":"bad input"}` {
		t.Errorf("payload changed under the error: %q", ee.Payload)
	}
}

func TestClone(t *testing.T) {
	m := allTypes()
	c := m.Clone()
	m.Payload[0] = 'X'
	m.Headers[0].Value = eventstream.String("changed")
	if c.Payload[0] == 'X' || c.Headers[0].Value.String() != "event" {
		t.Error("Clone shares memory with the original")
	}
	if z := (eventstream.Message{}).Clone(); z.Headers != nil || z.Payload != nil {
		t.Errorf("Clone of the zero Message = %+v", z)
	}
}
