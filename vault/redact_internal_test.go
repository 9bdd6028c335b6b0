package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

const (
	rSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	rToken  = "FwoGZXIvYXdzEXAMPLETOKEN+slash/and=equals//" + "IQoJb3JpZ2luX2VjEXAMPLEEXAMPLEEXAMPLE"
)

func redactAll(t *testing.T, in string, fields bool, wrap func(io.Reader) io.Reader) string {
	t.Helper()
	needles := secretNeedles(sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: rSecret, SessionToken: rToken})
	out, err := io.ReadAll(newRedactor(wrap(strings.NewReader(in)), needles, fields))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Errorf("redacted length %d, want %d (masks keep the length)", len(out), len(in))
	}
	return string(out)
}

func TestRedactorMasksOwnSecretsInEveryForm(t *testing.T) {
	h := hex.EncodeToString([]byte(rToken))
	forms := map[string]string{
		"plain token":      rToken,
		"plain secret":     rSecret,
		"hex":              h,
		"HEX":              strings.ToUpper(h),
		"spaced hex (S3)":  spacedHex(h),
		"SPACED HEX":       strings.ToUpper(spacedHex(h)),
		"base64":           base64.StdEncoding.EncodeToString([]byte(rToken)),
		"base64url":        base64.RawURLEncoding.EncodeToString([]byte(rSecret)),
		"query-escaped":    "x-amz-security-token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(rToken),
		"hex of secret":    hex.EncodeToString([]byte(rSecret)),
		"spaced hex upper": strings.ToUpper(spacedHex(hex.EncodeToString([]byte(rSecret)))),
	}
	wraps := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	// A secret at every distance from a read boundary, far into a stream.
	pad := strings.Repeat("x", redactHold+777)
	for name, form := range forms {
		for wname, wrap := range wraps {
			for _, in := range []string{form, "<CanonicalRequestBytes>" + form + "</CanonicalRequestBytes>", pad + form + pad} {
				got := redactAll(t, in, false, wrap)
				for _, leak := range []string{rToken, rSecret, h[:64], strings.ToUpper(h[:64]), spacedHex(h)[:60]} {
					if strings.Contains(got, leak) {
						t.Fatalf("%s/%s: %.40q... survived", name, wname, leak)
					}
				}
				if !strings.Contains(got, "REDACTED") {
					t.Errorf("%s/%s: no mask in %.80q", name, wname, got)
				}
			}
		}
	}
}

func TestRedactorCredentialFields(t *testing.T) {
	in := `{"Credentials":{"AccessKeyId":"ASIAEXAMPLEEXAMPLE12","SecretAccessKey" : "abcdefghijklmnopqrstuvwxyz0123456789ABCD","SessionToken":"tok\"en/with+escapes","Expiration":1}}` +
		`<Credentials><SecretAccessKey>xmlsecretxmlsecretxmlsecret</SecretAccessKey><SessionToken>xmltoken</SessionToken></Credentials>` +
		`{"secretAccessKey": "lightsailsecretvalue00", "sessionToken":"cognitotoken"}`
	got := redactAll(t, in, true, iotest.HalfReader)
	for _, leak := range []string{"abcdefghijklmnop", `tok\"en`, "with+escapes", "xmlsecret", "xmltoken", "lightsailsecret", "cognitotoken"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q survived: %s", leak, got)
		}
	}
	for _, keep := range []string{"ASIAEXAMPLEEXAMPLE12", `"Expiration":1`, "<SessionToken>", `"SecretAccessKey" : "`} {
		if !strings.Contains(got, keep) {
			t.Errorf("%q was lost: %s", keep, got)
		}
	}
	// Fields off (a grant that may issue credentials): the answer is whole.
	if got := redactAll(t, in, false, iotest.HalfReader); got != in {
		t.Errorf("fields off changed the answer:\n%s", got)
	}
}

func TestRedactorLeavesOtherDataAlone(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef SessionTokens are words too; "), 5000)
	got := redactAll(t, string(data), false, iotest.HalfReader)
	if got != string(data) {
		t.Error("data without secrets was changed")
	}
	if n := len(secretNeedles(sigv4.Credentials{SecretAccessKey: "short"})); n != 0 {
		t.Errorf("%d needles for a secret too short to search for", n)
	}
}

// TestRedactorReusesItsBuffer: a redactor that has handed out a whole
// answer gives its buffer back for the next one, so that a call does not
// allocate the 76 KiB it can hold; each answer is still masked.
func TestRedactorReusesItsBuffer(t *testing.T) {
	needles := secretNeedles(sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: rSecret})
	in := []byte(`<ListBucketResult><Name>b</Name><Key>` + rSecret + `</Key></ListBucketResult>`)
	out := make([]byte, 0, 4096)
	var src bytes.Reader
	allocs := testing.AllocsPerRun(200, func() {
		src.Reset(in)
		z := newRedactor(&src, needles, true)
		out = out[:0]
		for {
			n, err := z.Read(out[len(out):cap(out)])
			out = out[:len(out)+n]
			if err != nil {
				break
			}
		}
		if bytes.Contains(out, []byte(rSecret)) || len(out) != len(in) {
			t.Fatalf("redacted answer: %s", out)
		}
	})
	if allocs >= 1 {
		t.Errorf("%.0f allocations an answer; the buffer is not reused", allocs)
	}
}
