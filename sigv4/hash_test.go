package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The hot path hashes with crypto/sha256 through its marshaled state
// (rawStateOK), and falls back to sha256.Sum256 and hmacSHA256 where that
// state's format is not the one it knows. The machine running the tests takes
// the first way; hashModes makes it take the other too.

// hashModes runs f once for every way of hashing this machine has, named.
func hashModes(t *testing.T, f func(t *testing.T, mode string)) {
	defer func(raw bool) { rawStateOK = raw }(rawStateOK)
	for _, m := range []struct {
		name string
		raw  bool
	}{{"marshaled", true}, {"sum256", false}} {
		if m.raw && !rawStateOK {
			continue
		}
		rawStateOK = m.raw
		t.Run(m.name, func(t *testing.T) { f(t, m.name) })
	}
}

// TestHashModesAgree signs requests whose canonical requests and strings to
// sign end at every offset of a block (paths, header values, regions and
// services of many lengths), in every hashing mode, and checks each
// signature against crypto/hmac over the string to sign that Trace shows.
func TestHashModesAgree(t *testing.T) {
	type signed struct{ auth, presigned string }
	results := map[string][]signed{}
	hashModes(t, func(t *testing.T, mode string) {
		keys := &KeyCache{} // each mode derives its own keys and prefixes
		s := Signer{Keys: keys}
		for i := range 140 {
			region := "r" + strings.Repeat("e", i%37)
			service := []string{"s3", "execute-api", "sts", "a" + strings.Repeat("b", i%23)}[i%4]
			req, err := http.NewRequest("GET", "https://example.com/"+strings.Repeat("p", i)+"?a="+strings.Repeat("q", i%7), nil)
			if err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				req.Header.Set("X-Custom", strings.Repeat("v", i%64))
			}
			creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: fmt.Sprint("secret", i%5)}
			if i%2 == 1 {
				creds.SessionToken = strings.Repeat("t", i)
			}
			var tr Trace
			opts := Options{Region: region, Service: service, PayloadHash: UnsignedPayload, Trace: &tr,
				Time: time.Date(2024, 5, 1, 12, 30, i%3, 0, time.UTC)}
			// Twice: the second signature finds the key's prefix cached.
			for range 2 {
				if err := s.Sign(req, creds, opts); err != nil {
					t.Fatal(err)
				}
			}
			key := deriveSigningKey(creds.SecretAccessKey, tr.StringToSign[17:25], region, service)
			m := hmac.New(sha256.New, key[:])
			m.Write([]byte(tr.StringToSign))
			if want := fmt.Sprintf("%x", m.Sum(nil)); tr.Signature != want {
				t.Fatalf("case %d: signature %s, want %s (string to sign %q)", i, tr.Signature, want, tr.StringToSign)
			}
			if sum := sha256.Sum256([]byte(tr.CanonicalRequest)); !strings.HasSuffix(tr.StringToSign, fmt.Sprintf("\n%x", sum)) {
				t.Fatalf("case %d: string to sign %q does not end in the canonical request's hash %x", i, tr.StringToSign, sum)
			}
			presigned, _, err := s.Presign(req, creds, opts, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			results[mode] = append(results[mode], signed{req.Header.Get("Authorization"), presigned})
		}
	})
	var first []signed
	for mode, got := range results {
		if first == nil {
			first = got
			continue
		}
		for i := range got {
			if got[i] != first[i] {
				t.Fatalf("mode %s, case %d: %+v, another mode %+v", mode, i, got[i], first[i])
			}
		}
	}
}
