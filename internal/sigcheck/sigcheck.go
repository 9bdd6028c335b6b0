// Package sigcheck verifies SigV4 signatures of received requests with
// aws-sdk-go-v2's signer, an implementation independent of ours, and the
// chunk signatures of aws-chunked uploads, which the SDK cannot check, with
// its own code written from the S3 documentation (chunked.go). Tests put it
// in front of fakes and of moto, so our signer is never checked by itself.
//
// It must not import this module's sigv4 package: it is the other side.
package sigcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

const (
	algorithm        = "AWS4-HMAC-SHA256"
	amzDateFormat    = "20060102T150405Z"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
	streamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	maxExpires       = 7 * 24 * 3600 // seconds: a presigned URL lives at most 7 days
)

// Error is a request the verifier rejects, in the terms S3 would answer it:
// an HTTP status and an AWS error code (SignatureDoesNotMatch,
// InvalidAccessKeyId, XAmzContentSHA256Mismatch, AccessDenied,
// AuthorizationHeaderMalformed, AuthorizationQueryParametersError,
// MissingAuthenticationToken, ...). For SignatureDoesNotMatch the message
// holds the canonical request and string to sign the SDK computed.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func fail(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

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

// Verifier checks SigV4 signatures (Authorization header or presigned query)
// of received requests by recomputing them with aws-sdk-go-v2's signer from
// what arrived: the same method, path and query, the headers named signed and
// nothing else, the time of X-Amz-Date, and the payload hash of
// X-Amz-Content-Sha256 or of the body received. It is safe for concurrent use.
type Verifier struct {
	mu       sync.RWMutex
	secrets  map[string]string // access key id -> secret
	lookup   Lookup            // asked for keys not in secrets, if set
	verified atomic.Int64
	chunks   atomic.Int64
}

// New returns a Verifier that knows the access keys of creds.
func New(creds ...aws.Credentials) *Verifier {
	v := &Verifier{}
	for _, c := range creds {
		v.Add(c.AccessKeyID, c.SecretAccessKey)
	}
	return v
}

// NewLookup returns a Verifier that asks lookup for secrets.
func NewLookup(lookup Lookup) *Verifier { return &Verifier{lookup: lookup} }

// Add makes the verifier accept signatures made with the secret of
// accessKeyID (temporary credentials, say). It may be called while requests
// are being checked.
func (v *Verifier) Add(accessKeyID, secret string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.secrets == nil {
		v.secrets = map[string]string{}
	}
	v.secrets[accessKeyID] = secret
}

func (v *Verifier) secret(accessKeyID string) (string, bool) {
	v.mu.RLock()
	s, ok := v.secrets[accessKeyID]
	v.mu.RUnlock()
	if !ok && v.lookup != nil {
		return v.lookup(accessKeyID)
	}
	return s, ok
}

// Verified is the number of requests Check has accepted.
func (v *Verifier) Verified() int64 { return v.verified.Load() }

// ChunksVerified is the number of aws-chunked chunk signatures verified, by
// the readers of Chunked and Handler, final empty chunks included.
func (v *Verifier) ChunksVerified() int64 { return v.chunks.Load() }

// Check verifies the signature of r, a request as a server received it,
// whose body is body (r.Body is not read). It returns nil or an *Error.
func (v *Verifier) Check(r *http.Request, body []byte) error {
	var err *Error
	_, presigned := r.URL.Query()["X-Amz-Signature"]
	switch auth := r.Header.Get("Authorization"); {
	case auth != "" && presigned:
		err = fail(http.StatusBadRequest, "InvalidArgument", "only one auth mechanism allowed: both an Authorization header and X-Amz-Signature in the query")
	case auth != "":
		err = v.checkHeader(r, body, auth)
	case presigned || r.URL.Query().Get("X-Amz-Credential") != "":
		err = v.checkPresigned(r)
	default:
		err = fail(http.StatusForbidden, "MissingAuthenticationToken", "the request is not signed: no Authorization header and no X-Amz-Signature in the query")
	}
	if err != nil {
		return err
	}
	v.verified.Add(1)
	return nil
}

// authHeader is what an Authorization header says.
type authHeader struct {
	credential, signedHeaders, signature string
}

func parseAuth(auth string) (authHeader, bool) {
	rest, ok := strings.CutPrefix(auth, algorithm+" ")
	if !ok {
		return authHeader{}, false
	}
	var a authHeader
	for _, f := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(f), "=")
		switch k {
		case "Credential":
			a.credential = val
		case "SignedHeaders":
			a.signedHeaders = val
		case "Signature":
			a.signature = val
		}
	}
	return a, a.credential != "" && a.signedHeaders != "" && a.signature != ""
}

// scope splits a credential, <key>/<yyyymmdd>/<region>/<service>/aws4_request.
func scope(cred string) (key, region, service string, ok bool) {
	f := strings.Split(cred, "/")
	if len(f) != 5 || f[0] == "" || f[4] != "aws4_request" {
		return "", "", "", false
	}
	return f[0], f[2], f[3], true
}

func (v *Verifier) checkHeader(r *http.Request, body []byte, auth string) *Error {
	a, ok := parseAuth(auth)
	if !ok {
		return fail(http.StatusBadRequest, "AuthorizationHeaderMalformed", "the Authorization header is not %s Credential=..., SignedHeaders=..., Signature=...: %q", algorithm, auth)
	}
	key, region, service, ok := scope(a.credential)
	if !ok {
		return fail(http.StatusBadRequest, "AuthorizationHeaderMalformed", "malformed credential %q", a.credential)
	}
	secret, ok := v.secret(key)
	if !ok {
		return fail(http.StatusForbidden, "InvalidAccessKeyId", "the access key id %s is not known", key)
	}
	at, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fail(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid X-Amz-Date header (ISO 8601 basic format): %v", err)
	}
	payloadHash, e := headerPayloadHash(r, body, service)
	if e != nil {
		return e
	}
	signed := strings.Split(a.signedHeaders, ";")
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	for _, h := range signed {
		if h == "x-amz-security-token" {
			creds.SessionToken = r.Header.Get("X-Amz-Security-Token")
		}
	}
	cr := canonicalRequest(r, signed, r.URL.RawQuery)
	var log string
	if err := sdkSigner(service, &log).SignHTTP(context.Background(), creds, cr, payloadHash, service, region, at); err != nil {
		return fail(http.StatusInternalServerError, "InternalError", "SDK signer: %v", err)
	}
	want, _ := parseAuth(cr.Header.Get("Authorization"))
	if want != a {
		return fail(http.StatusForbidden, "SignatureDoesNotMatch", "the request signature we calculated does not match the signature you provided\ngot  %s\nwant %s\n%s", auth, cr.Header.Get("Authorization"), log)
	}
	return nil
}

// headerPayloadHash is the payload hash of a header-signed request:
// X-Amz-Content-Sha256 when sent (and then, if a hash, the body's), else the
// body's hash. S3 requires the header.
func headerPayloadHash(r *http.Request, body []byte, service string) (string, *Error) {
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	h := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case h == "":
		if isS3(service) {
			return "", fail(http.StatusBadRequest, "InvalidRequest", "missing required header for this request: x-amz-content-sha256")
		}
		return bodyHash, nil
	case h == unsignedPayload:
		return h, nil
	case h == streamingPayload:
		// aws-chunked: the seed signature covers this constant as the
		// payload hash, and is checked as any other. The chunks' own
		// signatures are checked by the reader of Chunked (chunked.go)
		// as the body streams: aws-sdk-go-v2 has no chunk signer.
		return h, nil
	case strings.HasPrefix(h, "STREAMING-"):
		return "", fail(http.StatusNotImplemented, "NotImplemented", "sigcheck verifies the seed signature of %s only, not %s", streamingPayload, h)
	case !isSHA256Hex(h):
		return "", fail(http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a lower-case hex sha256, got %q", h)
	case h != bodyHash:
		return "", fail(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "the provided x-amz-content-sha256 header %s does not match the body's hash %s", h, bodyHash)
	}
	return h, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (v *Verifier) checkPresigned(r *http.Request) *Error {
	q := r.URL.Query()
	if alg := q.Get("X-Amz-Algorithm"); alg != algorithm {
		return fail(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be %s, got %q", algorithm, alg)
	}
	key, region, service, ok := scope(q.Get("X-Amz-Credential"))
	if !ok {
		return fail(http.StatusBadRequest, "AuthorizationQueryParametersError", "malformed X-Amz-Credential %q", q.Get("X-Amz-Credential"))
	}
	gotSig, signedList := q.Get("X-Amz-Signature"), q.Get("X-Amz-SignedHeaders")
	if gotSig == "" || signedList == "" {
		return fail(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Signature and X-Amz-SignedHeaders are required")
	}
	at, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return fail(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO 8601 basic format: %v", err)
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || expires < 1 || expires > maxExpires {
		return fail(http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds from 1 to %d, got %q", maxExpires, q.Get("X-Amz-Expires"))
	}
	secret, ok := v.secret(key)
	if !ok {
		return fail(http.StatusForbidden, "InvalidAccessKeyId", "the access key id %s is not known", key)
	}
	signed := strings.Split(signedList, ";")
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: q.Get("X-Amz-Security-Token")}
	// The SDK adds these itself; X-Amz-Expires stays, as the SDK's presign
	// middleware puts it in the query before signing.
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"} {
		q.Del(k)
	}
	cr := canonicalRequest(r, signed, q.Encode())
	payloadHash := emptyPayloadHash
	if isS3(service) {
		payloadHash = unsignedPayload
		if h := cr.Header.Get("X-Amz-Content-Sha256"); h != "" {
			payloadHash = h
		}
	}
	var log string
	signedURL, _, err := sdkSigner(service, &log).PresignHTTP(context.Background(), creds, cr, payloadHash, service, region, at,
		// Sign the headers that were named signed, as headers: what the
		// sender hoisted into the query is in the query already.
		func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
	if err != nil {
		return fail(http.StatusInternalServerError, "InternalError", "SDK signer: %v", err)
	}
	su, err := url.Parse(signedURL)
	if err != nil {
		return fail(http.StatusInternalServerError, "InternalError", "SDK signer: %v", err)
	}
	want := su.Query()
	if want.Get("X-Amz-Signature") != gotSig || want.Get("X-Amz-SignedHeaders") != signedList {
		return fail(http.StatusForbidden, "SignatureDoesNotMatch", "the request signature we calculated does not match the signature you provided\ngot  %s\nwant %s\n%s", r.URL.RawQuery, su.RawQuery, log)
	}
	if time.Now().After(at.Add(time.Duration(expires) * time.Second)) {
		return fail(http.StatusForbidden, "AccessDenied", "Request has expired: signed at %s for %d seconds", at.Format(time.RFC3339), expires)
	}
	return nil
}

// canonicalRequest is the request the SDK signs: what arrived, with the
// given query and only the headers named signed. Content-Length is taken
// from the header (or r.ContentLength); X-Amz-Security-Token is left to the
// SDK, which adds the credentials' token.
func canonicalRequest(r *http.Request, signed []string, query string) *http.Request {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	u := *r.URL
	u.Scheme, u.Host, u.RawQuery, u.ForceQuery = "http", host, query, false
	cr := &http.Request{Method: r.Method, URL: &u, Host: host, Header: http.Header{}, Body: http.NoBody}
	for _, h := range signed {
		switch h {
		case "host", "x-amz-security-token":
		case "content-length":
			n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
			if err != nil {
				n = r.ContentLength
			}
			cr.ContentLength = n
		default:
			ck := http.CanonicalHeaderKey(h)
			if vs, ok := r.Header[ck]; ok {
				cr.Header[ck] = vs
			}
		}
	}
	return cr
}

// sdkSigner is aws-sdk-go-v2's signer with S3's path rule for S3 services,
// logging its canonical request and string to sign to *log.
func sdkSigner(service string, log *string) *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = isS3(service)
		o.LogSigning = true
		o.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, args ...any) {
			*log = fmt.Sprintf(format, args...)
		})
	})
}

func isS3(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3express", "s3-outposts":
		return true
	}
	return false
}

// Handler checks each request before passing it to next with its body
// restored; a request that fails gets S3's XML error answer with the
// *Error's status and code.
//
// An aws-chunked upload is not read ahead: its seed signature is checked
// first, then next gets the body as it arrived, through a reader that
// verifies each chunk's signature before yielding it and fails the read with
// an *Error on a bad or missing chunk (Forward answers that error). So a body
// of any length passes in constant memory, and next must read it to its end
// for every chunk to be verified.
func (v *Verifier) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isChunked(r) {
			cr, err := v.chunked(r, true)
			if err != nil {
				WriteError(w, err)
				return
			}
			r.Body = chunkBody{cr, r.Body}
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			WriteError(w, &Error{Status: http.StatusBadRequest, Code: "IncompleteBody", Message: err.Error()})
			return
		}
		if err := v.Check(r, body); err != nil {
			WriteError(w, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// Handler is NewLookup(lookup).Handler(next).
func Handler(next http.Handler, lookup Lookup) http.Handler {
	return NewLookup(lookup).Handler(next)
}

// WriteError answers err in S3's XML error shape, with the status and code
// of an *Error (500 InternalError for any other error).
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header + "<Error><Code>")
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message></Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	w.Write(b.Bytes())
}

// forwardClient does not follow redirects: the answer is copied back as is.
var forwardClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Forward sends each request on to upstream (a URL such as
// http://127.0.0.1:5000) exactly as it arrived: the same method, request
// target (r.RequestURI, not re-encoded), headers and body, the body streamed
// as it is read. It copies the answer back. Put it behind Handler to forward
// only verified requests; when reading the body fails with an *Error (a bad
// aws-chunked chunk), the upstream request is cut off and that error is the
// answer.
func Forward(upstream string) http.Handler {
	base, err := url.Parse(upstream)
	if err != nil {
		panic("sigcheck.Forward: " + err.Error())
	}
	prefix := strings.TrimSuffix(base.EscapedPath(), "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		target := r.RequestURI
		if !strings.HasPrefix(target, "/") {
			// Absolute form, or not a request a server received.
			target = r.URL.RequestURI()
		}
		path, query, hasQuery := strings.Cut(target, "?")
		u := &url.URL{Scheme: base.Scheme, Host: base.Host, Opaque: prefix + path, RawQuery: query, ForceQuery: hasQuery && query == ""}
		if strings.HasPrefix(u.Opaque, "//") {
			// url.URL.RequestURI would write this opaque path in absolute
			// form; as a path it goes out as is.
			if u, err = url.Parse(base.Scheme + "://" + base.Host + prefix + target); err != nil {
				WriteError(w, &Error{Status: http.StatusBadRequest, Code: "InvalidURI", Message: err.Error()})
				return
			}
		}
		req := &http.Request{
			Method: r.Method, URL: u, Host: base.Host, Header: r.Header.Clone(),
			Body: io.NopCloser(r.Body), ContentLength: r.ContentLength,
		}
		if r.ContentLength == 0 || r.Body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		req = req.WithContext(r.Context())
		resp, err := forwardClient.Do(req)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				WriteError(w, e)
				return
			}
			WriteError(w, &Error{Status: http.StatusBadGateway, Code: "InternalError", Message: "forward: " + err.Error()})
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}
