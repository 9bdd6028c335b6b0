package awserr

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzParse: any answer parses without panicking, into a code without the
// namespace or URI around it, and fields no longer than a body field may be.
// The committed corpus (testdata/fuzz/FuzzParse) holds a body of each
// protocol.
func FuzzParse(f *testing.F) {
	f.Add(404, "", []byte(`<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r</RequestId></Error>`))
	f.Add(400, "UnrecognizedClientException:http://internal.amazon.com/", []byte(`{"message":"m"}`))
	f.Add(400, "", []byte(`{"__type":"ns#ThrottlingException","message":"slow"}`))
	f.Add(400, "", []byte(unhex(cloudWatchCBOR)))
	f.Add(400, "", []byte("\xbf\x01\x02\x66__type\x7f\x63ns#\x67Throttl\x63ing\xff\x67message\x64slow\xff"))
	f.Fuzz(func(t *testing.T, status int, errorType string, body []byte) {
		h := http.Header{}
		if errorType != "" {
			h.Set("X-Amzn-Errortype", errorType)
		}
		orig := bytes.Clone(body)
		e := Parse(status, h, body)
		if !bytes.Equal(body, orig) {
			t.Fatal("Parse changed the body")
		}
		if e.Status != status {
			t.Fatalf("status %d, want %d", e.Status, status)
		}
		if strings.ContainsAny(e.Code, ":#") {
			t.Fatalf("code %q keeps a namespace or URI", e.Code)
		}
		if errorType == "" {
			for _, s := range []string{e.Code, e.Message, e.RequestID, e.HostID, e.Region, e.Endpoint} {
				if len(s) > maxText {
					t.Fatalf("a field of %d bytes", len(s))
				}
			}
		}
		if e.Retryable() && status < 400 && status != 0 {
			t.Fatalf("status %d retried", status)
		}
		_ = e.Error()
	})
}
