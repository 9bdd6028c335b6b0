// Package sigcheck verifies SigV4 signatures of received requests with
// aws-sdk-go-v2's signer, an implementation independent of ours. Tests put it
// in front of fakes and of moto, so our signer is never checked by itself.
package sigcheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Lookup returns the secret of an access key id; ok is false for unknown keys.
type Lookup func(accessKeyID string) (secret string, ok bool)

// Static is a Lookup for one key pair.
func Static(accessKeyID, secret string) Lookup {
	return func(id string) (string, bool) {
		if id == accessKeyID {
			return secret, true
		}
		return "", false
	}
}

// ErrMismatch is a signature that does not match what the SDK computes.
var ErrMismatch = errors.New("SignatureDoesNotMatch")

// Verify checks the signature of r, a request as a server received it (header
// or presigned-query form), whose body is body. It recomputes the signature
// from the headers the request says it signed.
func Verify(r *http.Request, body []byte, lookup Lookup) error {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return verifyHeader(r, body, lookup, auth)
	}
	if r.URL.Query().Get("X-Amz-Signature") != "" {
		return verifyQuery(r, lookup)
	}
	return errors.New("MissingAuthenticationToken: request is not signed")
}

type authParts struct {
	akid, day, region, service string
	signedHeaders              []string
	signature                  string
}

func parseCredential(cred string) (authParts, error) {
	f := strings.Split(cred, "/")
	if len(f) != 5 || f[4] != "aws4_request" {
		return authParts{}, fmt.Errorf("IncompleteSignature: bad credential %q", cred)
	}
	return authParts{akid: f[0], day: f[1], region: f[2], service: f[3]}, nil
}

func verifyHeader(r *http.Request, body []byte, lookup Lookup, auth string) error {
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return fmt.Errorf("IncompleteSignature: unsupported algorithm in %q", auth)
	}
	var p authParts
	var err error
	for _, f := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "Credential":
			sig := p.signature
			sh := p.signedHeaders
			if p, err = parseCredential(v); err != nil {
				return err
			}
			p.signature, p.signedHeaders = sig, sh
		case "SignedHeaders":
			p.signedHeaders = strings.Split(v, ";")
		case "Signature":
			p.signature = v
		}
	}
	secret, ok := lookup(p.akid)
	if !ok {
		return fmt.Errorf("InvalidAccessKeyId: %s", p.akid)
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("IncompleteSignature: bad X-Amz-Date: %v", err)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	req, token := rebuild(r, p.signedHeaders)
	creds := aws.Credentials{AccessKeyID: p.akid, SecretAccessKey: secret, SessionToken: token}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = isS3(p.service) })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, p.service, p.region, t); err != nil {
		return err
	}
	if got := req.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("%w: sent %q, SDK computes %q", ErrMismatch, auth, got)
	}
	return nil
}

func verifyQuery(r *http.Request, lookup Lookup) error {
	q := r.URL.Query()
	p, err := parseCredential(q.Get("X-Amz-Credential"))
	if err != nil {
		return err
	}
	secret, ok := lookup(p.akid)
	if !ok {
		return fmt.Errorf("InvalidAccessKeyId: %s", p.akid)
	}
	t, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("AuthorizationQueryParametersError: bad X-Amz-Date: %v", err)
	}
	token := q.Get("X-Amz-Security-Token")
	sig := q.Get("X-Amz-Signature")
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"} {
		q.Del(k)
	}
	req, _ := rebuild(r, strings.Split(r.URL.Query().Get("X-Amz-SignedHeaders"), ";"))
	req.URL.RawQuery = q.Encode()
	payload := "UNSIGNED-PAYLOAD"
	if !isS3(p.service) {
		sum := sha256.Sum256(nil)
		payload = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: p.akid, SecretAccessKey: secret, SessionToken: token}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = isS3(p.service) })
	u, _, err := signer.PresignHTTP(context.Background(), creds, req, payload, p.service, p.region, t)
	if err != nil {
		return err
	}
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	if got := pu.Query().Get("X-Amz-Signature"); got != sig {
		return fmt.Errorf("%w: sent %s, SDK computes %s", ErrMismatch, sig, got)
	}
	return nil
}

// rebuild copies r with only the headers it signed, ready for the SDK to sign.
func rebuild(r *http.Request, signed []string) (*http.Request, string) {
	u := *r.URL
	u.Scheme, u.Host = "https", r.Host
	req := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	var token string
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			fmt.Sscan(r.Header.Get("Content-Length"), &req.ContentLength)
			if req.ContentLength == 0 {
				req.ContentLength = r.ContentLength
			}
		case "x-amz-security-token":
			token = r.Header.Get(h)
		default:
			ck := http.CanonicalHeaderKey(h)
			req.Header[ck] = r.Header.Values(h)
		}
	}
	return req, token
}

func isS3(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3express", "s3-outposts":
		return true
	}
	return false
}

// Handler verifies each request before passing it to next, and answers 403
// SignatureDoesNotMatch (S3's XML error shape) when verification fails.
func Handler(next http.Handler, lookup Lookup) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := Verify(r, body, lookup); err != nil {
			code, _, _ := strings.Cut(err.Error(), ":")
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, xmlEscape(err.Error()))
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		next.ServeHTTP(w, r)
	})
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
