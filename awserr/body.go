package awserr

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
)

// maxText bounds the text kept of one field of a body.
const maxText = 4 << 10

// parseBody reads the fields of an error body into e, keeping a code e
// already has. The protocol is told by the body's first byte, not by a
// Content-Type that proxies and emulators get wrong.
func parseBody(e *Error, body []byte) {
	if len(body) == 0 {
		return
	}
	var f fields
	if body[0]>>5 == cborMap { // Smithy RPC v2 CBOR, binary: not trimmed
		f = cborFields(body)
	} else {
		body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\ufeff")))
		switch {
		case len(body) == 0:
			return
		case body[0] == '<': // rest-xml, query, ec2
			f = xmlFields(body)
		case body[0] == '{': // awsJson, rest-json
			f = jsonFields(body)
		default:
			return
		}
	}
	if e.Code == "" {
		e.Code = cleanCode(f.code)
	}
	e.Message = strings.TrimSpace(f.message)
	if e.RequestID == "" {
		e.RequestID = strings.TrimSpace(f.requestID)
	}
	if e.HostID == "" {
		e.HostID = strings.TrimSpace(f.hostID)
	}
	if e.Region == "" {
		e.Region = strings.TrimSpace(f.region)
	}
	e.Endpoint = strings.TrimSpace(f.endpoint)
}

// fields are what a body says, before cleaning.
type fields struct {
	code, message, requestID, hostID, region, endpoint string
}

// set keeps the first non-empty value of each field by the names AWS's
// protocols give them.
func (f *fields) set(name, value string) {
	var p *string
	switch name {
	case "Code", "code", "__type":
		p = &f.code
	case "Message", "message", "errorMessage":
		p = &f.message
	case "RequestId", "RequestID":
		p = &f.requestID
	case "HostId":
		p = &f.hostID
	case "Region":
		p = &f.region
	case "Endpoint":
		p = &f.endpoint
	default:
		return
	}
	if *p == "" {
		*p = value
	}
}

// cleanCode takes the code out of what the protocols put around it, as
// Smithy's awsJson and restJson specifications say: what comes before a ':'
// (a URI follows it), after a '#' (a namespace precedes it).
func cleanCode(s string) string {
	s, _, _ = strings.Cut(s, ":")
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// xmlFields reads an XML error: S3's <Error><Code>, the query protocol's
// <ErrorResponse><Error><Code> with <RequestId> beside the Error, EC2's
// <Response><Errors><Error><Code> with <RequestID>. A field counts where
// these put it: in an <Error> element, or a child of the root. The decoder is
// lenient (HTML entities, unclosed tags) and what it read before a syntax
// error counts.
func xmlFields(body []byte) fields {
	var f fields
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	var stack []string
	var text []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return f
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			text = text[:0]
		case xml.CharData:
			text = append(text, t[:min(len(t), maxText-len(text))]...)
		case xml.EndElement:
			n := len(stack)
			if n == 0 {
				continue
			}
			if name := stack[n-1]; n == 2 || n > 2 && stack[n-2] == "Error" {
				f.set(name, string(text))
			}
			stack = stack[:n-1]
			text = text[:0]
		}
	}
}

// jsonFields reads a JSON error: {"__type": "ns#Code", "message": "..."}
// (awsJson), {"code": "...", "message": "..."} (rest-json, where the code is
// most often in x-amzn-ErrorType), {"Message": "..."}, and Lambda's
// {"errorMessage": "..."}.
func jsonFields(body []byte) fields {
	var f fields
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return f
	}
	// In the order of preference: __type before code before Code.
	for _, k := range [...]string{"__type", "code", "Code", "message", "Message", "errorMessage"} {
		var s string
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil {
			f.set(k, clip(s))
		}
	}
	return f
}

func clip(s string) string {
	if len(s) > maxText {
		return s[:maxText]
	}
	return s
}
