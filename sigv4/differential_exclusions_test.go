package sigv4_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// TestDifferentialExclusions pins our behaviour on each input the
// differential test leaves out because the SDK is wrong there: ours must do
// what AWS does. Where the SDK disagrees, the test logs the SDK's result.
func TestDifferentialExclusions(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	when := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	sdk := awsv4.NewSigner()
	awsCreds := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}

	type want struct {
		path, query   string // canonical path and query lines
		wirePath      string // req.URL.EscapedPath() after signing ("" = skip)
		wireQuery     string // req.URL.RawQuery after signing ("" = skip)
		headerLine    string // a canonical header line that must be present
		signedHeaders string // exact SignedHeaders ("" = skip)
		urlContains   []string
		urlLacks      []string
	}
	cases := []struct {
		name, exclusion string
		service         string
		presign         bool
		build           func() *http.Request
		want            want
	}{
		{
			name: "raw plus in query is a literal plus", exclusion: "a", service: "sts",
			build: func() *http.Request { return diffMustReq(t, "GET", "https://sts.amazonaws.com/?a=b+c&d=1") },
			want:  want{path: "/", query: "a=b%2Bc&d=1", wireQuery: "a=b%2Bc&d=1"},
		},
		{
			name: "raw plus in query, presigned", exclusion: "a", service: "sts", presign: true,
			build: func() *http.Request { return diffMustReq(t, "GET", "https://sts.amazonaws.com/?a=b+c") },
			want:  want{query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&a=b%2Bc", urlContains: []string{"&a=b%2Bc&X-Amz-Signature="}},
		},
		{
			name: "semicolon in query is data", exclusion: "a", service: "execute-api",
			build: func() *http.Request { return diffMustReq(t, "GET", "https://api.example.com/?a=1;b=2&c=3") },
			want:  want{query: "a=1%3Bb%3D2&c=3", wireQuery: "a=1%3Bb%3D2&c=3"},
		},
		{
			name: "bad escape in query is a literal percent", exclusion: "a", service: "execute-api",
			build: func() *http.Request {
				r := diffMustReq(t, "GET", "https://api.example.com/")
				r.URL.RawQuery = "a=%zz&b=100%"
				return r
			},
			want: want{query: "a=%25zz&b=100%25", wireQuery: "a=%25zz&b=100%25"},
		},
		{
			name: "S3 path sub-delims are strictly encoded", exclusion: "b", service: "s3",
			build: func() *http.Request { return diffMustReq(t, "GET", "https://examplebucket.s3.amazonaws.com/(a)") },
			want:  want{path: "/%28a%29", wirePath: "/%28a%29"},
		},
		{
			name: "S3 path with every sub-delim", exclusion: "b", service: "s3",
			build: func() *http.Request {
				return diffMustReq(t, "PUT", "https://examplebucket.s3.amazonaws.com/it's!*@$,;=:+&.jpg")
			},
			want: want{path: "/it%27s%21%2A%40%24%2C%3B%3D%3A%2B%26.jpg", wirePath: "/it%27s%21%2A%40%24%2C%3B%3D%3A%2B%26.jpg"},
		},
		{
			name: "S3 path sub-delims, presigned", exclusion: "b", service: "s3", presign: true,
			build: func() *http.Request { return diffMustReq(t, "GET", "https://examplebucket.s3.amazonaws.com/(a)") },
			want:  want{path: "/%28a%29", urlContains: []string{"https://examplebucket.s3.amazonaws.com/%28a%29?"}},
		},
		{
			name: "header names differing in case merge in wire order", exclusion: "c", service: "sts",
			build: func() *http.Request {
				r := diffMustReq(t, "GET", "https://sts.amazonaws.com/")
				r.Header["X-Foo"] = []string{"a"}
				r.Header["x-foo"] = []string{"b"}
				return r
			},
			want: want{headerLine: "x-foo:a,b", signedHeaders: "host;x-amz-date;x-foo"},
		},
		{
			name: "X-Amz-Grant-Full-Control stays a signed header when presigned", exclusion: "d", service: "s3", presign: true,
			build: func() *http.Request {
				r := diffMustReq(t, "PUT", "https://examplebucket.s3.amazonaws.com/k")
				r.Header.Set("X-Amz-Grant-Full-Control", "id=123")
				return r
			},
			want: want{headerLine: "x-amz-grant-full-control:id=123", signedHeaders: "host;x-amz-grant-full-control", urlLacks: []string{"X-Amz-Grant-Full-Control="}},
		},
		{
			name: "non-canonical spelling of an S3 header-only name is not hoisted", exclusion: "f", service: "s3", presign: true,
			build: func() *http.Request {
				r := diffMustReq(t, "PUT", "https://examplebucket.s3.amazonaws.com/k")
				r.Header["x-amz-acl"] = []string{"private"}
				return r
			},
			want: want{headerLine: "x-amz-acl:private", signedHeaders: "host;x-amz-acl", urlLacks: []string{"x-amz-acl="}},
		},
		{
			name: "non-canonical spelling of an ignored header is not signed", exclusion: "f", service: "sts",
			build: func() *http.Request {
				r := diffMustReq(t, "GET", "https://sts.amazonaws.com/")
				r.Header["user-agent"] = []string{"curl/8"}
				return r
			},
			want: want{signedHeaders: "host;x-amz-date"},
		},
		{
			name: "a Host entry in the header map is not signed (pinned; the SDK agrees)", exclusion: "g", service: "sts",
			build: func() *http.Request {
				r := diffMustReq(t, "GET", "https://sts.amazonaws.com/")
				r.Header.Set("Host", "sts.amazonaws.com")
				return r
			},
			want: want{headerLine: "host:sts.amazonaws.com", signedHeaders: "host;x-amz-date"},
		},
		{
			name: "IPv6 host keeps its brackets when the default port is dropped", exclusion: "i", service: "execute-api",
			build: func() *http.Request { return diffMustReq(t, "GET", "https://[::1]:443/") },
			want:  want{headerLine: "host:[::1]", signedHeaders: "host;x-amz-date"},
		},
	}
	for _, tc := range cases {
		t.Run("("+tc.exclusion+") "+tc.name, func(t *testing.T) {
			opts := sigv4.Options{Region: "us-east-1", Service: tc.service, Time: when, PayloadHash: sigv4.EmptyPayloadHash}
			if sigv4.IsS3Service(tc.service) {
				opts.PayloadHash = sigv4.UnsignedPayload
			}
			var canon, gotURL string
			req := tc.build()
			var errs error
			for i := 0; i < 20; i++ { // deterministic whatever the map order
				var tr sigv4.Trace
				opts.Trace = &tr
				r := tc.build()
				if tc.presign {
					u, _, err := sigv4.Presign(r, creds, opts, 15*time.Minute)
					errs = err
					if i > 0 && u != gotURL {
						t.Fatalf("presigned URL not deterministic:\n%s\n%s", u, gotURL)
					}
					gotURL = u
				} else {
					errs = sigv4.Sign(r, creds, opts)
					req = r
				}
				if errs != nil {
					t.Fatal(errs)
				}
				if i > 0 && tr.CanonicalRequest != canon {
					t.Fatalf("canonical request not deterministic:\n%s\n---\n%s", tr.CanonicalRequest, canon)
				}
				canon = tr.CanonicalRequest
			}
			lines := strings.Split(canon, "\n")
			if tc.want.path != "" && lines[1] != tc.want.path {
				t.Errorf("canonical path %q, want %q", lines[1], tc.want.path)
			}
			if tc.want.query != "" && lines[2] != tc.want.query {
				t.Errorf("canonical query %q, want %q", lines[2], tc.want.query)
			}
			if tc.want.wirePath != "" && req.URL.EscapedPath() != tc.want.wirePath {
				t.Errorf("sent path %q, want %q", req.URL.EscapedPath(), tc.want.wirePath)
			}
			if tc.want.wireQuery != "" && req.URL.RawQuery != tc.want.wireQuery {
				t.Errorf("sent query %q, want %q", req.URL.RawQuery, tc.want.wireQuery)
			}
			if tc.want.headerLine != "" && !slices.Contains(lines, tc.want.headerLine) {
				t.Errorf("canonical request lacks %q:\n%s", tc.want.headerLine, canon)
			}
			if tc.want.signedHeaders != "" && lines[len(lines)-2] != tc.want.signedHeaders {
				t.Errorf("signed headers %q, want %q", lines[len(lines)-2], tc.want.signedHeaders)
			}
			for _, s := range tc.want.urlContains {
				if !strings.Contains(gotURL, s) {
					t.Errorf("presigned URL %s lacks %q", gotURL, s)
				}
			}
			for _, s := range tc.want.urlLacks {
				if strings.Contains(gotURL, s) {
					t.Errorf("presigned URL %s contains %q", gotURL, s)
				}
			}

			// What the SDK does with the same input, for the record.
			var log string
			sopt := func(o *awsv4.SignerOptions) {
				o.DisableURIPathEscaping = sigv4.IsS3Service(tc.service)
				o.LogSigning = true
				o.Logger = logging.LoggerFunc(func(_ logging.Classification, f string, v ...any) { log = fmt.Sprintf(f, v...) })
			}
			sr := tc.build()
			if tc.presign {
				q := sr.URL.Query()
				q.Set("X-Amz-Expires", "900")
				sr.URL.RawQuery = q.Encode()
				_, _, _ = sdk.PresignHTTP(context.Background(), awsCreds, sr, opts.PayloadHash, tc.service, "us-east-1", when, sopt)
			} else {
				_ = sdk.SignHTTP(context.Background(), awsCreds, sr, opts.PayloadHash, tc.service, "us-east-1", when, sopt)
			}
			if s := sdkCanonical(log); s != canon {
				t.Logf("the SDK signs differently (expected: this input is excluded from the differential test):\n--- sdk ---\n%s\n--- ours ---\n%s", s, canon)
			}
		})
	}
}

func diffMustReq(t *testing.T, method, rawURL string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
