package tools

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// FuzzShapeBody: any body, of any type, in any format, shapes into a
// value that marshals as valid JSON, without panicking.
func FuzzShapeBody(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `<a><b>1</b><b>2</b></a>`, "<?xml version=\"1.0\"?><x y=\"1\">t<z/></x>", "\xff\x00", "é", "<a>&bogus;</a>", "[1,"} {
		f.Add([]byte(s), "application/xml", "")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType, format string) {
		_, v := shapeBody(body, contentType, format)
		b, err := marshal(v)
		if err != nil || !json.Valid(b) {
			t.Fatalf("%q: %v %s", body, err, b)
		}
		if cut := cutUTF8(body); len(cut) > len(body) || utf8.Valid(body) && len(cut) != len(body) {
			t.Fatalf("cutUTF8(%q) = %q", body, cut)
		}
	})
}

// FuzzParseAWSError: any error answer parses without panicking, and the
// hint is well-formed text.
func FuzzParseAWSError(f *testing.F) {
	f.Add(301, "eu-west-1", `<Error><Code>PermanentRedirect</Code><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint></Error>`)
	f.Add(400, "", `{"__type":"a#ValidationException","message":"bad"}`)
	f.Fuzz(func(t *testing.T, status int, region, body string) {
		e := parseAWSError(status, http.Header{"X-Amz-Bucket-Region": {region}}, []byte(body))
		if h := hintFor(e); !utf8.ValidString(h) && utf8.ValidString(region) {
			t.Fatalf("hint %q", h)
		}
	})
}

// FuzzBindArguments: any arguments decode or fail with a message, never
// a panic.
func FuzzBindArguments(f *testing.F) {
	for _, s := range []string{`{"url":"https://s3.amazonaws.com/","json":{"a":[1]},"headers":{"a":"b"}}`, `{"max_bytes":1e99}`, `null`, `{"context":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req mcp.CallToolRequest
		req.Params.RawArguments = raw
		if a, err := bind[awsRequestArgs](req); err == nil {
			a.call()
		}
		bind[s3PutArgs](req)
	})
}
