package eventstream

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
)

// Headers AWS puts on event stream messages.
const (
	HeaderMessageType   = ":message-type"   // MessageTypeEvent, MessageTypeException or MessageTypeError
	HeaderEventType     = ":event-type"     // the event's name, e.g. "chunk", "contentBlockDelta", "Records"
	HeaderExceptionType = ":exception-type" // a modeled exception's name, e.g. "throttlingException"
	HeaderErrorCode     = ":error-code"     // an unmodeled error's code
	HeaderErrorMessage  = ":error-message"  // an unmodeled error's message
	HeaderContentType   = ":content-type"   // the payload's media type, e.g. "application/json"
)

// Values of the :message-type header.
const (
	MessageTypeEvent     = "event"
	MessageTypeException = "exception"
	MessageTypeError     = "error"
)

// Header is one name and value. Names are 1 to 255 bytes.
type Header struct {
	Name  string
	Value Value
}

// Headers are a message's headers in wire order. Names may repeat on the
// wire; Get and Lookup return the first.
type Headers []Header

// Get returns the value of the first header called name, or the zero Value
// (TypeInvalid, String() == "") if there is none.
func (hs Headers) Get(name string) Value {
	v, _ := hs.Lookup(name)
	return v
}

// Lookup returns the value of the first header called name and whether there
// is one.
func (hs Headers) Lookup(name string) (Value, bool) {
	for i := range hs {
		if hs[i].Name == name {
			return hs[i].Value, true
		}
	}
	return Value{}, false
}

// Message is one event stream frame: headers and an opaque payload.
type Message struct {
	Headers Headers
	Payload []byte
}

// Clone returns a copy of m that shares no memory with it, to keep a message
// from a Decoder past the next Decode.
func (m Message) Clone() Message {
	return Message{Headers: slices.Clone(m.Headers), Payload: bytes.Clone(m.Payload)}
}

// Kind returns the message's :message-type and, for the three types AWS
// defines, its name: the :event-type of an event, the :exception-type of an
// exception, the :error-code of an error. Both are "" when the header is
// missing or is not a string.
func (m Message) Kind() (messageType, name string) {
	messageType = m.str(HeaderMessageType)
	switch messageType {
	case MessageTypeEvent:
		name = m.str(HeaderEventType)
	case MessageTypeException:
		name = m.str(HeaderExceptionType)
	case MessageTypeError:
		name = m.str(HeaderErrorCode)
	}
	return messageType, name
}

func (m Message) str(name string) string {
	if v := m.Headers.Get(name); v.Type() == TypeString {
		return v.String()
	}
	return ""
}

// Err turns an exception or error message into a Go error: an
// *ExceptionError for :message-type exception, an *ErrorMessage for
// :message-type error. It returns nil for events and for any other
// :message-type, including none; use Kind to tell those apart.
func (m Message) Err() error {
	typ, name := m.Kind()
	switch typ {
	case MessageTypeException:
		return &ExceptionError{
			Type:        name,
			Message:     payloadMessage(m.Payload),
			ContentType: m.str(HeaderContentType),
			Payload:     bytes.Clone(m.Payload),
		}
	case MessageTypeError:
		return &ErrorMessage{Code: name, Message: m.str(HeaderErrorMessage)}
	}
	return nil
}

// ExceptionError is a modeled exception sent inside a stream, such as
// Bedrock's throttlingException or modelStreamErrorException. AWS sends it
// after the HTTP response has already said 200, so this is the only place the
// failure shows.
type ExceptionError struct {
	Type        string // :exception-type
	Message     string // the payload's "message" (JSON) or <Message> (XML) field, if any
	ContentType string // :content-type
	Payload     []byte // the payload, copied; it may hold more fields
}

func (e *ExceptionError) Error() string {
	s := "eventstream: exception " + orUnnamed(e.Type, HeaderExceptionType)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// ErrorMessage is an unmodeled error sent inside a stream, such as the
// errors S3 SelectObjectContent reports; it has no payload to speak of.
type ErrorMessage struct {
	Code    string // :error-code
	Message string // :error-message
}

func (e *ErrorMessage) Error() string {
	s := "eventstream: error " + orUnnamed(e.Code, HeaderErrorCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func orUnnamed(s, header string) string {
	if s == "" {
		return "(no " + header + ")"
	}
	return s
}

// payloadMessage finds the human-readable message in an exception payload:
// awsJson and restJson services send {"message": ...} (any case), restXml
// services <Error><Message>...</Message></Error>.
func payloadMessage(p []byte) string {
	p = bytes.TrimSpace(p)
	if len(p) == 0 {
		return ""
	}
	switch p[0] {
	case '{':
		var v struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(p, &v) == nil {
			return strings.TrimSpace(v.Message)
		}
	case '<':
		var v struct {
			Message string `xml:"Message"`
		}
		if xml.Unmarshal(p, &v) == nil {
			return strings.TrimSpace(v.Message)
		}
	}
	return ""
}
