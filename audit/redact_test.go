package audit

import (
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

func FuzzRedactURL(f *testing.F) {
	f.Add("https://b.s3.amazonaws.com/k?X-Amz-Signature=secretsig&a=b")
	f.Add("https://u:p@h/?token=x#f")
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactURL(s)
		if strings.Contains(s, "X-Amz-Signature=secretsig") && strings.Contains(out, "secretsig") {
			t.Fatalf("signature kept: %q → %q", s, out)
		}
	})
}
