package sigv4

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// TestOwnHeadersOnlyMatchesWalk holds the path for requests whose map holds
// no header to sign (ownHeadersOnly, appendOwnHeaders) to the walk of the
// map: the same request signed with an X-Amzn-Trace-Id header, which is never
// signed but sends collectHeaders through the map, must come out the same,
// for every mix of body, session token, S3 rules and SigV4a, signed first
// and re-signed.
func TestOwnHeadersOnlyMatchesWalk(t *testing.T) {
	signedAt := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	for _, body := range []bool{false, true} {
		for _, token := range []string{"", "the-token"} {
			for _, unsignedToken := range []bool{false, true} {
				for _, service := range []string{"s3", "execute-api"} {
					for _, regionSet := range []string{"", "us-east-1,us-west-2"} {
						creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: token}
						opts := Options{Region: "us-east-1", RegionSet: regionSet, Service: service, Time: signedAt,
							UnsignedSessionToken: unsignedToken}
						var traces [2][2]Trace
						var auths [2][2]string
						for walk := range 2 {
							var b []byte
							if body {
								b = []byte("a body")
							}
							req, err := http.NewRequest("PUT", "https://example.amazonaws.com/a/b", bytes.NewReader(b))
							if err != nil {
								t.Fatal(err)
							}
							req.Header.Set("User-Agent", "test")
							if walk == 1 {
								req.Header.Set("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
							}
							for again := range 2 { // signed, then re-signed
								o := opts
								o.Trace = &traces[walk][again]
								if err := Sign(req, creds, o); err != nil {
									t.Fatal(err)
								}
								auths[walk][again] = req.Header.Get("Authorization")
								if got := req.Header.Values("X-Amz-Date"); len(got) != 1 || got[0] != "20240501T123045Z" {
									t.Fatalf("X-Amz-Date %q", got)
								}
								if token != "" && req.Header.Get("X-Amz-Security-Token") != token {
									t.Fatalf("X-Amz-Security-Token %q", req.Header.Get("X-Amz-Security-Token"))
								}
							}
						}
						for again := range 2 {
							fast, walked := traces[0][again], traces[1][again]
							if regionSet == "" && auths[0][again] != auths[1][again] {
								t.Errorf("body %v, token %q (unsigned %v), %s: Authorization\n%s\nwalking the map\n%s",
									body, token, unsignedToken, service, auths[0][again], auths[1][again])
							}
							if fast.CanonicalRequest != walked.CanonicalRequest || fast.SignedHeaders != walked.SignedHeaders {
								t.Errorf("body %v, token %q (unsigned %v), %s, region set %q: canonical request\n%s\nwalking the map\n%s",
									body, token, unsignedToken, service, regionSet, fast.CanonicalRequest, walked.CanonicalRequest)
							}
						}
					}
				}
			}
		}
	}
}
