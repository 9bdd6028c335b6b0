package sigv4

import (
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// Presign builds the URL of a request whose path it does not rewrite in one
// buffer instead of through url.URL.String. These tests hold that shortcut
// (and the header map built from one value slice) to the output of the
// general code.

var fastPathTime = time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)

// fastPathURLs are URLs of every shape the fast path must either reproduce
// exactly or leave to url.URL.String.
func fastPathURLs() []*url.URL {
	urls := []*url.URL{
		{Scheme: "https", Host: "b.s3.us-east-1.amazonaws.com", Path: "/k"},
		{Scheme: "https", Host: "b.s3.us-east-1.amazonaws.com"},
		{Scheme: "https", Host: "b.s3.us-east-1.amazonaws.com", Path: "/"},
		{Scheme: "https", Host: "b.s3.us-east-1.amazonaws.com:443", Path: "/k"},
		{Scheme: "http", Host: "127.0.0.1:9000", Path: "/bucket/key.txt"},
		{Scheme: "http", Host: "[::1]:9000", Path: "/bucket/key.txt"},
		{Scheme: "http", Host: "[fe80::1%25en0]:9000", Path: "/k"},
		{Scheme: "https", Host: "host with space", Path: "/k"},
		{Scheme: "https", Host: "exämple.com", Path: "/k"},
		{Scheme: "https", Host: "h.com", Path: "/k", Fragment: "frag"},
		{Scheme: "https", Host: "h.com", Path: "/k", RawFragment: "frag"},
		{Scheme: "https", Host: "h.com", Path: "/k", User: url.UserPassword("u", "p")},
		{Scheme: "https", Host: "h.com", Path: "/k", ForceQuery: true},
		{Scheme: "https", Host: "h.com", Path: "/k", OmitHost: true},
		{Scheme: "https", Host: "h.com", Path: "/k", RawQuery: "versionId=3&a=b%2fc&z"},
		{Scheme: "https", Host: "h.com", Path: "/a b/(c)"},
		{Scheme: "https", Host: "h.com", Path: "/a/b", RawPath: "/a%2Fb"},
		{Scheme: "https", Host: "h.com", Path: "k"},
		{Scheme: "https", Host: "h.com", Path: "*"},
		{Scheme: "https", Host: "h.com", Opaque: "//h.com/k"},
		{Scheme: "HTTPS", Host: "H.COM:443", Path: "/K"},
		{Scheme: "s3", Host: "h.com", Path: "/k"},
		{Host: "h.com", Path: "/k"},
	}
	for _, raw := range []string{
		"https://b.s3.amazonaws.com/photos/2024/cat.jpg",
		"https://b.s3.amazonaws.com/photos/2024/cat.jpg?x-id=GetObject",
		"https://user@b.s3.amazonaws.com/k",
		"https://b.s3.amazonaws.com/k#top",
		"https://b.s3.amazonaws.com/k?",
		"https://b.s3.amazonaws.com",
		"https://b.s3.amazonaws.com:8443/k",
		"http://[2001:db8::1]/k",
		"https://b.s3.amazonaws.com/%7Euser/a%20b",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			panic(err)
		}
		urls = append(urls, u)
	}
	return urls
}

func checkPresignedURL(t *testing.T, u *url.URL, service string, creds Credentials) {
	t.Helper()
	before := *u
	req := &http.Request{Method: "GET", URL: u, Header: http.Header{}}
	opts := Options{Region: "us-east-1", Service: service, Time: fastPathTime, PayloadHash: UnsignedPayload}
	got, _, err := Presign(req, creds, opts, 15*time.Minute)
	if *u != before {
		t.Fatalf("Presign modified the URL: %#v -> %#v", before, *u)
	}
	if err != nil {
		return
	}
	if !plainURLPath(u) {
		return // signing rewrites the path: the general code builds the URL
	}
	// The canonical query and the signature are percent-encoded: they hold
	// no '?', so the query is all after the last one.
	want := *u
	q := got
	if u.Fragment != "" {
		q = strings.TrimSuffix(q, "#"+u.EscapedFragment())
	}
	want.RawQuery = q[strings.LastIndexByte(q, '?')+1:]
	want.ForceQuery = false
	if w := want.String(); got != w {
		t.Errorf("presigned URL of %#v\n got %s\nwant %s", before, got, w)
	}
}

func TestPresignFastURLMatchesURLString(t *testing.T) {
	creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	tokenCreds := Credentials{AccessKeyID: "AKID/EX+AMPLE", SecretAccessKey: "secret", SessionToken: "tok/en+=="}
	for _, u := range fastPathURLs() {
		for _, service := range []string{"s3", "execute-api"} {
			for _, c := range []Credentials{creds, tokenCreds} {
				cu := *u
				checkPresignedURL(t, &cu, service, c)
			}
		}
	}
}

func FuzzPresignFastURL(f *testing.F) {
	for _, u := range fastPathURLs() {
		f.Add(u.String(), u.Scheme, u.Host, u.Path)
	}
	f.Fuzz(func(t *testing.T, raw, scheme, host, path string) {
		creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
		if u, err := url.Parse(raw); err == nil {
			checkPresignedURL(t, u, "s3", creds)
		}
		checkPresignedURL(t, &url.URL{Scheme: scheme, Host: host, Path: path}, "s3", creds)
	})
}

// refSignedHeaders is how Presign built its header map before it shared one
// value slice among the keys.
func refSignedHeaders(sc *state) http.Header {
	signed := make(http.Header, len(sc.headers))
	for _, e := range sc.headers {
		switch e.kind {
		case hostHeader:
			signed["Host"] = []string{sc.host}
			continue
		case lengthHeader:
			signed["Content-Length"] = []string{sc.contentLengthText}
			continue
		}
		m := sc.mapHeaders[e.src]
		ck := http.CanonicalHeaderKey(m.key)
		signed[ck] = append(signed[ck], m.values...)
	}
	return signed
}

func TestPresignSignedHeadersMatchReference(t *testing.T) {
	for i, h := range []http.Header{
		{},
		{"Range": {"bytes=0-9"}},
		{"x-foo": {"1"}, "X-Foo": {"2", "3"}, "X-FOO": {"4"}},
		{"x-foo": {}, "X-Foo": nil},
		{"x-foo": nil, "X-Foo": {"a"}},
		{"X-Foo": {"a"}, "x-foo": nil},
		{"x foo": {"a"}, "X foo": {"b"}},
		{"": {"empty name"}, "A": {"1"}},
		{"Content-Type": {"text/plain"}, "If-Match": {"e1", "e2"}, "X-Amz-Meta-A": {"b"}, "x-amz-meta-a": {"c"}},
		{"X-Amz-Date": {"x"}, "X-Amz-Acl": {"private"}, "User-Agent": {"ua"}, "Host": {"other"}},
	} {
		req := &http.Request{Method: "PUT", URL: &url.URL{Scheme: "https", Host: "h.com", Path: "/k"}, Header: h, ContentLength: int64(i)}
		creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
		opts := Options{Region: "us-east-1", Service: "s3", Time: fastPathTime, PayloadHash: UnsignedPayload}
		var s Signer
		sc, err := s.begin(req, &creds, &opts, true)
		if err != nil {
			t.Fatal(err)
		}
		sc.collectHeaders(req, nil, true, false)
		got, want := sc.signedHeaders(), refSignedHeaders(sc)
		sc.release()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("headers %v: signed headers %#v, want %#v", h, got, want)
		}
		// Values of one key must not run into those of another.
		for k := range got {
			got[k] = append(got[k], "appended")
		}
		for k, vs := range want {
			if !slices.Equal(got[k][:len(vs)], vs) {
				t.Errorf("headers %v: appending to one key changed %s: %q, want %q", h, k, got[k], vs)
			}
		}
	}
}

// TestPresignAllocs holds the allocations of presigning the s3-get request:
// the URL string, the header map (two) and its values.
func TestPresignAllocs(t *testing.T) {
	const limit = 4
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg", nil)
	creds := Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	opts := Options{Region: "us-east-1", Service: "s3", Time: fastPathTime, PayloadHash: UnsignedPayload}
	var s Signer
	if _, _, err := s.Presign(req, creds, opts, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(1000, func() { s.Presign(req, creds, opts, 15*time.Minute) })
	if RaceBuild() {
		t.Logf("race build: presigning made %v allocations per run (not asserted)", n)
		return
	}
	if n > limit {
		t.Errorf("presigning s3-get makes %v allocations per run, want at most %d", n, limit)
	}
}

// RaceBuild reports whether the test binary was built with -race, under which
// sync.Pool drops some of what is put back and allocation counts grow. It is
// exported for the external test package only (this is a _test.go file).
func RaceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
