package urlparse

import (
	"net/url"
	"testing"
)

// FuzzSplit holds the allocation-free fast path to net/url's answers: every
// URL splitFast accepts, url.Parse accepts with the same pieces.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"https://s3.us-east-1.amazonaws.com/b/k",
		"https://b.s3.amazonaws.com/a%20b/c%2Fd?x-id=GetObject&X-Amz-Credential=A%2F1",
		"http://localhost:4566/b/k",
		"https://S3.AMAZONAWS.COM:443/",
		"https://h:/", "https://h:x/", "https://:443/", "https://h/%zz", "https://h/#f", "https://h/?a#b",
		"https://h/a b", "https://u@h/", "https://[::1]/", `https://h\x/`, "https://h?q/p", "https://h/p?",
		"https://h/;a=b/@:!$'()*+,~", "https://h/%e2%82%ac",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, ok := splitFast(raw)
		if !ok {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("splitFast(%q) accepted what url.Parse refuses: %v", raw, err)
		}
		if u.Scheme != p.scheme || u.Host != p.host || u.Path != p.path || u.RawQuery != p.rawQuery ||
			u.EscapedPath() != p.rawPath || u.User != nil || u.Opaque != "" || u.Fragment != "" {
			t.Fatalf("splitFast(%q) = %+v; url.Parse says scheme %q host %q path %q escaped %q query %q user %v opaque %q fragment %q",
				raw, p, u.Scheme, u.Host, u.Path, u.EscapedPath(), u.RawQuery, u.User, u.Opaque, u.Fragment)
		}
	})
}

func TestSplitFallsBack(t *testing.T) {
	for _, raw := range []string{"https://u@h/", "https://[::1]/", "https://h/#f", "HTTPS://h/", "https://h/a b", "https://h:/", "ftp://h/"} {
		if _, ok := splitFast(raw); ok {
			t.Errorf("splitFast(%q) took the fast path", raw)
		}
	}
}
