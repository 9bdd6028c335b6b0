package sigcheck_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

// TestSignOverLeftovers: a request whose map already holds values of the
// headers Sign sets (two dates, two Authorization values, an empty one, two
// payload hashes, a User-Agent), signed and then signed again, leaves one
// value of each and a signature the independent checker accepts. These
// maps take sigv4's path for maps of its own headers only, or fall back to
// its walk of the map; both must end the same.
func TestSignOverLeftovers(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: "AKIAFAKEEXAMPLE00001", SecretAccessKey: "secretEXAMPLEsecretEXAMPLE"}
	v := sigcheck.New()
	v.Add(creds.AccessKeyID, creds.SecretAccessKey)
	for name, h := range map[string]http.Header{
		"two dates":       {"X-Amz-Date": {"a", "b"}},
		"two auth":        {"Authorization": {"x", "y"}},
		"empty auth":      {"Authorization": {}},
		"two hashes":      {"X-Amz-Content-Sha256": {"1", "2"}},
		"user agent":      {"User-Agent": {"u"}, "Authorization": {"old"}},
		"with an unknown": {"X-Amz-Date": {"a", "b"}, "X-Amz-Meta-A": {"1"}},
	} {
		req, _ := http.NewRequest("GET", "https://b.s3.us-east-1.amazonaws.com/k", nil)
		for k, vs := range h {
			req.Header[k] = append([]string(nil), vs...)
		}
		for round := range 2 {
			err := sigv4.Sign(req, creds, sigv4.Options{Region: "us-east-1", Service: "s3", Time: time.Now(), PayloadHash: sigv4.UnsignedPayload})
			if err != nil {
				t.Fatalf("%s, round %d: %v", name, round, err)
			}
			for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Content-Sha256"} {
				if n := len(req.Header.Values(k)); n != 1 {
					t.Errorf("%s, round %d: %d values of %s, want 1", name, round, n, k)
				}
			}
			if err := v.Check(req, nil); err != nil {
				t.Errorf("%s, round %d: the checker refuses the signature: %v", name, round, err)
			}
		}
	}
}
