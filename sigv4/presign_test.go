package sigv4_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

func TestPresignExpiryBounds(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	opts := sigv4.Options{Region: "us-east-1", Service: "s3"}
	for _, tc := range []struct {
		d  time.Duration
		ok bool
	}{
		{0, false}, {999 * time.Millisecond, false}, {time.Second, true},
		{15 * time.Minute, true}, {7 * 24 * time.Hour, true}, {7*24*time.Hour + time.Second, false}, {-time.Minute, false},
	} {
		req, _ := http.NewRequest("GET", "https://b.s3.us-east-1.amazonaws.com/k", nil)
		u, _, err := sigv4.Presign(req, creds, opts, tc.d)
		if tc.ok != (err == nil) {
			t.Errorf("expires %v: err = %v", tc.d, err)
			continue
		}
		if !tc.ok {
			if !errors.Is(err, sigv4.ErrExpiry) {
				t.Errorf("expires %v: err = %v, want ErrExpiry", tc.d, err)
			}
			continue
		}
		q := mustURL(t, u).Query()
		if got, want := q.Get("X-Amz-Expires"), strconv.Itoa(int(tc.d/time.Second)); got != want {
			t.Errorf("X-Amz-Expires = %s, want %s", got, want)
		}
	}
}

func TestPresignS3(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "tok/en+=="}
	req, _ := http.NewRequest("GET", "https://b.s3.us-east-1.amazonaws.com/dir/(a)+b.txt?versionId=3", nil)
	req.Header.Set("X-Amz-Expected-Bucket-Owner", "111122223333")
	req.Header.Set("Range", "bytes=0-9")
	before := req.URL.String()
	var tr sigv4.Trace
	u, hdrs, err := sigv4.Presign(req, creds, sigv4.Options{Region: "us-east-1", Service: "s3", Trace: &tr}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if req.URL.String() != before || req.Header.Get("X-Amz-Date") != "" {
		t.Error("Presign modified the request")
	}
	pu := mustURL(t, u)
	if pu.EscapedPath() != "/dir/%28a%29%2Bb.txt" {
		t.Errorf("path sent as %s, want strict AWS encoding", pu.EscapedPath())
	}
	q := pu.Query()
	for k, want := range map[string]string{
		"X-Amz-Security-Token":        "tok/en+==",
		"x-amz-expected-bucket-owner": "111122223333",
		"versionId":                   "3",
		"X-Amz-SignedHeaders":         "host;range",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.HasSuffix(tr.CanonicalRequest, "\n"+sigv4.UnsignedPayload) {
		t.Errorf("S3 presign should default to UNSIGNED-PAYLOAD:\n%s", tr.CanonicalRequest)
	}
	if hdrs.Get("Range") != "bytes=0-9" || hdrs.Get("Host") != "b.s3.us-east-1.amazonaws.com" || len(hdrs) != 2 {
		t.Errorf("headers to send along = %v", hdrs)
	}
}

func TestSignRewritesToWhatIsSigned(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	// A raw '+' in a query is a plus, never a space; ';' is data.
	req, _ := http.NewRequest("GET", "https://example.execute-api.us-east-1.amazonaws.com/p?q=a+b&r=x;y&s=%7e", nil)
	var tr sigv4.Trace
	if err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: "execute-api", Trace: &tr}); err != nil {
		t.Fatal(err)
	}
	if want := "q=a%2Bb&r=x%3By&s=~"; req.URL.RawQuery != want || strings.Split(tr.CanonicalRequest, "\n")[2] != want {
		t.Errorf("query sent %q, signed %q, want %q", req.URL.RawQuery, strings.Split(tr.CanonicalRequest, "\n")[2], want)
	}
	// A query already in canonical form is left as the caller wrote it.
	req, _ = http.NewRequest("GET", "https://sts.amazonaws.com/?Version=2011-06-15&Action=GetCallerIdentity", nil)
	if err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: "sts"}); err != nil {
		t.Fatal(err)
	}
	if req.URL.RawQuery != "Version=2011-06-15&Action=GetCallerIdentity" {
		t.Errorf("canonical query rewritten to %q", req.URL.RawQuery)
	}
	// A default port is not part of the signed host.
	req, _ = http.NewRequest("GET", "https://sts.amazonaws.com:443/", nil)
	if err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: "sts", Trace: &tr}); err != nil {
		t.Fatal(err)
	}
	if req.Host != "sts.amazonaws.com" || !strings.Contains(tr.CanonicalRequest, "\nhost:sts.amazonaws.com\n") {
		t.Errorf("host %q, canonical:\n%s", req.Host, tr.CanonicalRequest)
	}
}

func TestSignErrors(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://sts.amazonaws.com/", nil)
	if err := sigv4.Sign(req, sigv4.Credentials{AccessKeyID: "A"}, sigv4.Options{Region: "us-east-1", Service: "sts"}); !errors.Is(err, sigv4.ErrNoCredentials) {
		t.Errorf("no secret: %v", err)
	}
	if err := sigv4.Sign(req, sigv4.Credentials{AccessKeyID: "A", SecretAccessKey: "s"}, sigv4.Options{Service: "sts"}); !errors.Is(err, sigv4.ErrNoScope) {
		t.Errorf("no region: %v", err)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("a failed Sign left an Authorization header")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Presigning a URL that already carries X-Amz-Expires or a whole earlier
// presignature replaces those parameters instead of repeating them.
func TestPresignReplacesOwnParameters(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	opts := sigv4.Options{Region: "us-east-1", Service: "s3", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k?X-Amz-Expires=60&a=1", nil)
	first, _, err := sigv4.Presign(req, creds, opts, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := http.NewRequest("GET", first, nil)
	second, _, err := sigv4.Presign(again, creds, opts, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("re-presigning changed the URL:\n%s\n%s", first, second)
	}
	q := mustURL(t, first).Query()
	if len(q["X-Amz-Expires"]) != 1 || q.Get("X-Amz-Expires") != "3600" || len(q["X-Amz-Signature"]) != 1 || q.Get("a") != "1" {
		t.Errorf("query %v", q)
	}
}

// A URL whose Path was set by hand without its leading slash is signed and
// sent as the absolute path it stands for.
func TestRootlessPath(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	for _, service := range []string{"s3", "execute-api"} {
		var tr sigv4.Trace
		req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h.amazonaws.com", Path: "a b"}, Header: http.Header{}}
		if err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: service, Trace: &tr}); err != nil {
			t.Fatal(err)
		}
		if req.URL.Path != "/a b" || !strings.HasPrefix(strings.Split(tr.CanonicalRequest, "\n")[1], "/a") {
			t.Errorf("%s: sent %q, signed %q", service, req.URL.Path, strings.Split(tr.CanonicalRequest, "\n")[1])
		}
		req = &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h.amazonaws.com", Path: "0"}, Header: http.Header{}}
		u, _, err := sigv4.Presign(req, creds, sigv4.Options{Region: "us-east-1", Service: service, Trace: &tr}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if req.URL.Path != "0" || mustURL(t, u).Path != "/0" || strings.Split(tr.CanonicalRequest, "\n")[1] != "/0" {
			t.Errorf("%s: presigned %s, signed %q", service, u, strings.Split(tr.CanonicalRequest, "\n")[1])
		}
	}
}
