package bearer_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/bearer"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/aws/aws-sdk-go-v2/aws"
)

var creds = sigv4.Credentials{
	AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "IQoJb3JpZ2luX2VjEXAMPLE+token/with=odd&chars",
}

// rawURL decodes a token to the presigned URL it carries, without "&Version=1".
func rawURL(t *testing.T, kind bearer.Kind, tok string) string {
	t.Helper()
	if !strings.HasPrefix(tok, kind.Prefix) {
		t.Fatalf("token %q lacks prefix %q", tok[:20], kind.Prefix)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(tok, kind.Prefix))
	if err != nil {
		t.Fatalf("not standard base64: %v", err)
	}
	s, ok := strings.CutSuffix(string(raw), "&Version=1")
	if !ok {
		t.Fatalf("the URL does not end with &Version=1: %s", raw)
	}
	if strings.HasPrefix(s, "https://") {
		t.Fatal("the URL keeps its scheme")
	}
	return "https://" + s
}

func TestGenerateEveryPart(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	for _, kind := range bearer.Kinds {
		t.Run(kind.Name, func(t *testing.T) {
			tok, err := bearer.Generate(kind, creds, "eu-central-1", 12*time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Expires.Equal(now.Add(12 * time.Hour)) {
				t.Errorf("expires %v", tok.Expires)
			}
			if strings.Contains(tok.String(), tok.Value) {
				t.Error("Token.String shows the token")
			}
			u, err := url.Parse(rawURL(t, kind, tok.Value))
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			want := map[string]string{
				"Action":               "CallWithBearerToken",
				"X-Amz-Algorithm":      "AWS4-HMAC-SHA256",
				"X-Amz-Credential":     creds.AccessKeyID + "/" + now.Format("20060102") + "/eu-central-1/" + kind.Service + "/aws4_request",
				"X-Amz-Date":           now.Format("20060102T150405Z"),
				"X-Amz-Expires":        "43200",
				"X-Amz-SignedHeaders":  "host",
				"X-Amz-Security-Token": creds.SessionToken,
			}
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, q.Get(k), v)
				}
			}
			if u.Host != kind.Host || u.Path != "/" || len(q) != len(want)+1 {
				t.Errorf("URL %s: host %s path %q, %d parameters", u, u.Host, u.Path, len(q))
			}

			// An independent implementation (aws-sdk-go-v2's signer) accepts
			// the signature, session token included, for the empty payload.
			req, _ := http.NewRequest(http.MethodPost, u.String(), nil)
			v := sigcheck.New(aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken})
			if err := v.Check(req, nil); err != nil {
				t.Errorf("aws-sdk-go-v2 rejects the token's signature: %v", err)
			}
			// Tampering with the region is caught.
			bad, _ := http.NewRequest(http.MethodPost, strings.Replace(u.String(), "eu-central-1", "us-east-1", 1), nil)
			if err := v.Check(bad, nil); err == nil {
				t.Error("a token moved to another region still verifies")
			}

			info, err := bearer.Decode(tok.Value)
			if err != nil {
				t.Fatal(err)
			}
			if info.Kind != kind.Name || info.Region != "eu-central-1" || info.Service != kind.Service || info.AccessKeyID != creds.AccessKeyID ||
				!info.SessionToken || !info.Issued.Equal(now) || !info.Expires.Equal(tok.Expires) || info.Remaining(now) != 12*time.Hour {
				t.Errorf("Decode = %+v", info)
			}
			if strings.Contains(info.URL, creds.SessionToken) || strings.Contains(info.URL, q.Get("X-Amz-Signature")) {
				t.Errorf("Decode's URL shows a secret part: %s", info.URL)
			}
		})
	}
}

func TestLifetime(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ask     time.Duration
		expires time.Time
		want    time.Duration
		err     bool
	}{
		{time.Hour, time.Time{}, time.Hour, false},
		{12 * time.Hour, time.Time{}, 12 * time.Hour, false},
		{12 * time.Hour, now.Add(90 * time.Minute), 90 * time.Minute, false}, // the credentials end first
		{time.Second, time.Time{}, time.Second, false},
		{1500 * time.Millisecond, time.Time{}, time.Second, false}, // whole seconds
		{0, time.Time{}, 0, true},
		{999 * time.Millisecond, time.Time{}, 0, true},
		{12*time.Hour + time.Second, time.Time{}, 0, true},
		{time.Hour, now.Add(500 * time.Millisecond), 0, true}, // credentials all but expired
	} {
		got, err := bearer.Lifetime(tc.ask, tc.expires, now)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Lifetime(%s, %v) = %s, %v; want %s (error %v)", tc.ask, tc.expires, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, bearer.ErrLifetime) {
			t.Errorf("error %v is not ErrLifetime", err)
		}
	}
	temp := creds
	temp.Expires = now.Add(30 * time.Minute)
	tok, err := bearer.Generate(bearer.Bedrock, temp, "us-west-2", 12*time.Hour, now)
	if err != nil || !tok.Expires.Equal(now.Add(30*time.Minute)) {
		t.Errorf("token from credentials expiring in 30m: %v, %v", tok.Expires, err)
	}
	if info, _ := bearer.Decode(tok.Value); info.Expires != tok.Expires {
		t.Errorf("X-Amz-Expires says %v", info.Expires)
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, _ := bearer.Generate(bearer.Bedrock, creds, "us-east-1", time.Hour, time.Now())
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(good.Value, bearer.Bedrock.Prefix))
	enc := func(s string) string { return bearer.Bedrock.Prefix + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, tok string }{
		{"no prefix", "abc"},
		{"not base64", bearer.Bedrock.Prefix + "!!!"},
		{"other host", enc(strings.Replace(string(raw), "bedrock.amazonaws.com", "evil.example.com", 1))},
		{"not presigned", enc("bedrock.amazonaws.com/?Action=CallWithBearerToken")},
		{"bad credential", enc(strings.Replace(string(raw), "aws4_request", "x", 1))},
		{"anthropic prefix, bedrock host", bearer.Anthropic.Prefix + base64.StdEncoding.EncodeToString(raw)},
	} {
		if _, err := bearer.Decode(tc.tok); !errors.Is(err, bearer.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", tc.name, err)
		}
	}
	if _, err := bearer.Generate(bearer.Bedrock, creds, "", time.Hour, time.Now()); err == nil {
		t.Error("a token without a region was made")
	}
}

// TestSameAsBotocore makes the token the way AWS's Python token generator
// does (botocore's SigV4QueryAuth) for the same credentials and time, with a
// session token and without, and compares the tokens as strings: the same
// parameters in the same order, encoded the same way.
func TestSameAsBotocore(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: skipping the comparison with botocore")
	}
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore is not installed: skipping the comparison with botocore")
	}
	now := time.Date(2026, 11, 30, 8, 15, 30, 0, time.UTC)
	const script = `
import sys, datetime, base64
import botocore.auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2026, 11, 30, 8, 15, 30)
host, service, prefix, region, ak, sk, tok = sys.argv[1:8]
req = AWSRequest(method='POST', url='https://' + host + '/', headers={'host': host}, params={'Action': 'CallWithBearerToken'})
SigV4QueryAuth(Credentials(ak, sk, tok or None), service, region, expires=43200).add_auth(req)
print(prefix + base64.b64encode((req.url.replace('https://', '') + '&Version=1').encode()).decode())
`
	long := creds
	long.AccessKeyID, long.SessionToken = "AKIAIOSFODNN7EXAMPLE", ""
	for _, kind := range bearer.Kinds {
		for _, c := range []sigv4.Credentials{creds, long} {
			out, err := exec.Command("python3", "-c", script, kind.Host, kind.Service, kind.Prefix, "us-west-2",
				c.AccessKeyID, c.SecretAccessKey, c.SessionToken).CombinedOutput()
			if err != nil {
				t.Fatalf("botocore: %v\n%s", err, out)
			}
			theirs := strings.TrimSpace(string(out))
			tok, err := bearer.Generate(kind, c, "us-west-2", 12*time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Value != theirs {
				t.Errorf("%s, session token %v: our token is not botocore's\nours      %s\nbotocore's %s", kind.Name, c.SessionToken != "", rawURL(t, kind, tok.Value), rawURL(t, kind, theirs))
			}
		}
	}
}
