package testutil

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// RecordingS3 starts an S3 stand-in that answers every request with a
// listing of the bucket "reports" and keeps all it received (each request's
// headers, URL and body) in received: the tests that look for a secret
// which must never reach AWS search it. The server closes when t ends.
func RecordingS3(t testing.TB) (url string, received *Buffer) {
	received = new(Buffer)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req bytes.Buffer
		r.Header.Write(&req)
		req.WriteString(r.URL.String())
		io.Copy(&req, r.Body)
		received.Write(req.Bytes())
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<ListBucketResult><Name>reports</Name></ListBucketResult>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, received
}
