package audit

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://s3.us-east-1.amazonaws.com/b/k?list-type=2&prefix=a%2Fb", "https://s3.us-east-1.amazonaws.com/b/k?list-type=2&prefix=a%2Fb"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%2Bx&X-Amz-Signature=abcdef",
			"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED"},
		{"https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Signature=sig&Expires=1", "https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Signature=REDACTED&Expires=1"},
		{"https://x.execute-api.us-east-1.amazonaws.com/p?access_token=t&password=p&q=1", "https://x.execute-api.us-east-1.amazonaws.com/p?access_token=REDACTED&password=REDACTED&q=1"},
		{"https://user:pw@s3.amazonaws.com/b#frag", "https://s3.amazonaws.com/b"},
		{"https://s3.amazonaws.com/b?x-amz-signature", "https://s3.amazonaws.com/b?x-amz-signature"},
		{"https://s3.amazonaws.com/b?%58-Amz-Signature=s", "https://s3.amazonaws.com/b?%58-Amz-Signature=REDACTED"},
		{"https://user:pw@host/%zz?X-Amz-Signature=s", "https://host/%zz"},
		// No scheme, an empty host, a path of "//evil.example/p": without
		// an empty userinfo the path would read back as a host.
		{"//@//evil.example/p?X-Amz-Signature=s", "//@//evil.example/p?X-Amz-Signature=REDACTED"},
		{"//u:p@//evil.example/p", "//@//evil.example/p"},
		{"//u:p@/x", "/x"},
		{"", ""},
	} {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	in := "GET\n/b/k\n\nhost:s3.amazonaws.com\nx-amz-security-token:IQoJtoken/+=\nx-amz-date:2024\n\nhost;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD"
	got := RedactText(in)
	if strings.Contains(got, "IQoJ") || !strings.Contains(got, "x-amz-security-token:REDACTED\n") || !strings.HasSuffix(got, "host;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD") {
		t.Errorf("RedactText = %q", got)
	}
	if got := RedactText("X-Amz-Security-Token=abc&x=1"); got != "X-Amz-Security-Token=REDACTED&x=1" {
		t.Errorf("query form: %q", got)
	}
	if s := "nothing to see"; RedactText(s) != s {
		t.Error("changed plain text")
	}
}

// FuzzRedactURL: what RedactURL returns reads as the same scheme, host and
// path, and keeps no value of a sensitive query parameter, no userinfo and
// no fragment; of a string that is no URL, it keeps nothing from the first
// '?' or '#'. A path is no query:
// "X-Amz-Signature=…" there is an object key, and stays (the fuzzer's
// first find, kept in testdata/fuzz).
func FuzzRedactURL(f *testing.F) {
	f.Add("https://b.s3.amazonaws.com/k?X-Amz-Signature=secretsig&a=b")
	f.Add("https://u:p@h/?token=x#f")
	f.Add("https://h/k?a=1&X-Amz-Security-Token=IQoJ%2Bx&x-amz-credential=AKIA%2F1&Signature=s&AWSAccessKeyId=AKIA")
	f.Add("https://h/%zz?X-Amz-Signature=secretsig")
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactURL(s)
		if _, err := url.Parse(s); err != nil {
			if strings.ContainsAny(out, "?#") {
				t.Fatalf("%q is no URL, and RedactURL kept a query or fragment: %q", s, out)
			}
			return
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("RedactURL(%q) = %q, which does not parse: %v", s, out, err)
		}
		// The record names the request's own scheme, host and path (a
		// relative path whose first segment has a colon is written after
		// "./", RFC 3986 §4.2).
		in, _ := url.Parse(s)
		path := u.Path
		if !strings.HasPrefix(in.Path, "./") {
			path = strings.TrimPrefix(path, "./")
		}
		if u.Scheme != in.Scheme || u.Host != in.Host || path != in.Path || u.Opaque != in.Opaque {
			t.Fatalf("RedactURL(%q) = %q reads as scheme %q, host %q, path %q, opaque %q; the URL has %q, %q, %q, %q",
				s, out, u.Scheme, u.Host, u.Path, u.Opaque, in.Scheme, in.Host, in.Path, in.Opaque)
		}
		if (u.User != nil && u.User.String() != "") || u.Fragment != "" {
			t.Fatalf("RedactURL(%q) = %q keeps userinfo or a fragment", s, out)
		}
		for _, pair := range strings.Split(u.RawQuery, "&") {
			name, value, _ := strings.Cut(pair, "=")
			plain, err := url.QueryUnescape(name)
			if err != nil {
				plain = name
			}
			if sensitiveParam(plain) && value != "" && value != Redacted {
				t.Fatalf("RedactURL(%q) = %q keeps the value of %s", s, out, plain)
			}
		}
	})
}
