package credsrc

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// AssumeRole sends SourceIdentity and Tags.member.N.Key/Value as STS's
// query API documents them.
func TestAssumeRoleSourceIdentityAndTags(t *testing.T) {
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(body))
		io.WriteString(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey>`+
			`<SessionToken>tok</SessionToken><Expiration>`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`)
	}))
	defer srv.Close()
	a := &AssumeRole{
		Source: sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, RoleARN: "arn:aws:iam::123456789012:role/r",
		SessionName: "alter-mcp-r", SourceIdentity: "alter-mcp.alice",
		SerialNumber: "arn:aws:iam::123456789012:mfa/alice", TokenCode: "123456",
		Tags: []Tag{{"alter-mcp:grant", "r"}, {"alter-mcp:caller", "alice smith"}},
		STS:  Endpoint{URL: srv.URL + "/", Region: "us-east-1", Service: "sts"},
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Retrieve(t.Context()); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"SourceIdentity": "alter-mcp.alice", "Tags.member.1.Key": "alter-mcp:grant", "Tags.member.1.Value": "r",
		"Tags.member.2.Key": "alter-mcp:caller", "Tags.member.2.Value": "alice smith", "RoleSessionName": "alter-mcp-r",
		"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "TokenCode": "123456"} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestAssumeRoleValidateIdentity(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*AssumeRole)
		want string
	}{
		{"colon in source identity", func(a *AssumeRole) { a.SourceIdentity = "alter-mcp:alice" }, "source identity"},
		{"short source identity", func(a *AssumeRole) { a.SourceIdentity = "a" }, "source identity"},
		{"aws: tag", func(a *AssumeRole) { a.Tags = []Tag{{"aws:x", "y"}} }, "session tag"},
		{"tag value", func(a *AssumeRole) { a.Tags = []Tag{{"k", "a;b"}} }, "session tag"},
		{"MFA code", func(a *AssumeRole) { a.SerialNumber, a.TokenCode = "arn:aws:iam::123456789012:mfa/a", "12345" }, "6 digits"},
		{"MFA code without serial", func(a *AssumeRole) { a.TokenCode = "123456" }, "without the device"},
		{"MFA serial", func(a *AssumeRole) { a.SerialNumber = "x" }, "MFA serial"},
		{"51 tags", func(a *AssumeRole) {
			a.Tags = make([]Tag, 51)
			for i := range a.Tags {
				a.Tags[i] = Tag{"k", "v"}
			}
		}, "at most 50"},
	} {
		a := AssumeRole{Source: sigv4.Credentials{}, RoleARN: "arn:aws:iam::123456789012:role/r"}
		c.mod(&a)
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestSourceIdentityOfAndTagValueOf(t *testing.T) {
	for in, want := range map[string]string{
		"alice":                 "alter-mcp.alice",
		"alice@example.com":     "alter-mcp.alice@example.com",
		"bob smith/ops:1":       "alter-mcp.bob_smith_ops_1",
		strings.Repeat("x", 80): "alter-mcp." + strings.Repeat("x", 54),
	} {
		got := SourceIdentityOf("alter-mcp.", in)
		if got != want || !patterns().sessionName.MatchString(got) {
			t.Errorf("SourceIdentityOf(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SourceIdentityOf("", "a"); got != "a_" {
		t.Errorf("short: %q", got)
	}
	if got := TagValueOf("Zoë Ops; drop table"); got != "Zoë Ops_ drop table" || !tagText(got) {
		t.Errorf("TagValueOf: %q", got)
	}
	if got := TagValueOf(strings.Repeat("é", 200)); len(got) != 256 {
		t.Errorf("TagValueOf cut to %d bytes", len(got))
	}
}

func TestAssumeRoleMFAWithoutCode(t *testing.T) {
	a := &AssumeRole{Source: sigv4.Credentials{}, RoleARN: "arn:aws:iam::123456789012:role/r", SerialNumber: "arn:aws:iam::123456789012:mfa/alice"}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Fetch(t.Context()); err == nil || !strings.Contains(err.Error(), "requires a code of MFA device") {
		t.Errorf("Fetch without a code: %v", err)
	}
}

// TestTagTextIsSTSPattern: tagText accepts what STS's pattern of session
// tags accepts, [\p{L}\p{Z}\p{N}_.:/=+\-@]*, and nothing else.
func TestTagTextIsSTSPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	for _, s := range []string{"", "team", "Zoë Ops", "東京", "a b\u00a0c\u2028d", "x=1+2/3:4@5.6_7-8", "Ⅻ½٣",
		"semi;colon", "tab\t", "new\nline", "quote\"", "star*", "\xff", "ok\x00", "emoji😀", "€", "a,b", "(p)"} {
		if got, want := tagText(s), pattern.MatchString(s); got != want {
			t.Errorf("tagText(%q) = %v, STS's pattern says %v", s, got, want)
		}
	}
}
