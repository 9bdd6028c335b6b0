package sigv4

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Payload hashes with a meaning of their own.
const (
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload leaves the body out of the signature (S3 and a few others accept it).
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload marks an aws-chunked body whose chunks are signed one by one.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
)

const (
	algorithmV4  = "AWS4-HMAC-SHA256"
	algorithmV4a = "AWS4-ECDSA-P256-SHA256"
	timeFormat   = "20060102T150405Z"

	// MaxPresignExpiry is the longest validity AWS accepts for a presigned URL.
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// Credentials are an AWS access key, with a session token for temporary ones.
// Formatting Credentials with fmt or slog never shows the secret or the token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expires is when temporary credentials stop working; zero for long-term keys.
	Expires time.Time
}

// String names the access key id and hides the secret and the token.
func (c Credentials) String() string {
	s := "Credentials{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: [redacted]"
	if c.SessionToken != "" {
		s += ", SessionToken: [redacted]"
	}
	return s + "}"
}

// GoString is String, so %#v hides the secret too.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps the secret and the token out of slog output.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_key_id", c.AccessKeyID))
}

// Options say how one request is signed.
type Options struct {
	// Region is the signing region (the credential scope's region). For
	// global services it is us-east-1 (or the partition's global region).
	Region string
	// RegionSet, when set, signs with SigV4a (ECDSA P-256) for this
	// comma-separated list of regions ("*" for all); Region is then unused.
	RegionSet string
	// Service is the signing name, such as "s3", "sts" or "bedrock".
	Service string
	// Time is the signing time; zero means now.
	Time time.Time

	// PayloadHash is the hex SHA-256 of the body, or UnsignedPayload, or
	// StreamingPayload. When empty, Payload is hashed; when Payload is nil
	// too, the request body is hashed (through GetBody, or by seeking back a
	// body that is an io.ReadSeeker) without being held in memory.
	PayloadHash string
	// Payload is the body, when the caller has it in memory. Only nil
	// means "not given": an empty, non-nil slice is an empty body.
	Payload []byte

	// NormalizePath removes "." and ".." segments and duplicate slashes from
	// the canonical path. It is never applied to S3 services.
	NormalizePath bool
	// DisableDoubleEncoding uses the path as sent in the canonical request
	// instead of encoding it once more. It is implied for S3 services.
	DisableDoubleEncoding bool
	// UnsignedSessionToken adds the session token after signing, outside the
	// signature, as AWS IoT expects.
	UnsignedSessionToken bool

	// Trace, when not nil, receives the canonical request, the string to
	// sign and the signature, for debugging SignatureDoesNotMatch.
	Trace *Trace
}

// Trace is what a signature was computed from.
type Trace struct {
	CanonicalRequest string
	StringToSign     string
	SignedHeaders    string
	Signature        string
}

// Errors returned for unusable input; they wrap nothing secret.
var (
	ErrNoCredentials = errors.New("sigv4: no access key id or secret access key")
	ErrNoScope       = errors.New("sigv4: region and service are required")
	ErrBodyNotHashed = errors.New("sigv4: the request body can be read only once: set Options.PayloadHash or Options.Payload, give the request a GetBody, or use UnsignedPayload")
	ErrExpiry        = errors.New("sigv4: presign expiry must be between 1 second and 7 days")
	errNoURL         = errors.New("sigv4: request has no URL")
)

// IsS3Service reports whether service signs with S3's rules: the path goes
// into the canonical request as sent (encoded once), it is never normalized,
// and the payload hash travels in x-amz-content-sha256.
func IsS3Service(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3express", "s3-outposts":
		return true
	}
	return false
}

// Signer signs requests. The zero value is ready to use and shares one
// package-wide signing-key cache.
type Signer struct {
	// Keys caches derived signing keys; nil means a package-wide cache.
	Keys *KeyCache
}

func (s *Signer) keys() *KeyCache {
	if s == nil || s.Keys == nil {
		return &defaultKeys
	}
	return s.Keys
}

// Sign signs req in place with the zero Signer.
func Sign(req *http.Request, creds Credentials, opts Options) error {
	var s Signer
	return s.Sign(req, creds, opts)
}

// Presign returns a presigned URL for req, using the zero Signer.
func Presign(req *http.Request, creds Credentials, opts Options, expires time.Duration) (string, http.Header, error) {
	var s Signer
	return s.Presign(req, creds, opts, expires)
}

// Sign adds X-Amz-Date, X-Amz-Security-Token (temporary credentials),
// X-Amz-Content-Sha256 (S3), X-Amz-Region-Set (SigV4a) and Authorization to
// req. Every header present is signed except Authorization, User-Agent,
// X-Amzn-Trace-Id, Expect and Transfer-Encoding; add headers before signing.
// Host and Content-Length are signed from req.Host (else req.URL.Host) and
// req.ContentLength, which is what net/http sends; entries for them in
// req.Header are ignored, as net/http ignores them. A default port (:443 for
// https, :80 for http) is dropped from the signed host and from req.Host.
// Where the query or an S3 path is not in AWS's canonical encoding, req.URL is
// rewritten to it so that what is sent is exactly what was signed.
func (s *Signer) Sign(req *http.Request, creds Credentials, opts Options) error {
	sc, err := s.sign(req, &creds, &opts)
	if err != nil {
		return err
	}
	sc.release()
	return nil
}

// sign does the work of Sign and hands back its state, for callers (the
// streaming signer) that continue from the seed signature.
func (s *Signer) sign(req *http.Request, creds *Credentials, opts *Options) (*state, error) {
	sc, err := s.begin(req, creds, opts, false)
	if err != nil {
		return nil, err
	}

	h := req.Header
	if h == nil {
		h = make(http.Header)
		req.Header = h
	}
	own := &sc.own
	own.add(ownDate, sc.date, true)
	if creds.SessionToken != "" {
		own.add(ownToken, creds.SessionToken, !opts.UnsignedSessionToken)
	}
	if sc.s3Rules {
		own.add(ownContentSHA, sc.payloadHashString(), true)
	}
	if sc.sigV4a {
		own.add(ownRegionSet, opts.RegionSet, true)
	}
	sc.collectHeaders(req, own, false, opts.UnsignedSessionToken)
	query, rewrite := sc.canonicalQuery(req.URL.RawQuery, nil)
	if rewrite {
		req.URL.RawQuery = string(query)
	}
	if err := sc.finish(req, creds, opts, query); err != nil {
		sc.release()
		return nil, err
	}

	// One allocation: the Authorization value.
	b := sc.output[:0]
	b = append(b, sc.algorithm()...)
	b = append(b, " Credential="...)
	b = append(b, creds.AccessKeyID...)
	b = append(b, '/')
	b = append(b, sc.scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, sc.signedHeaderList...)
	b = append(b, ", Signature="...)
	b = append(b, sc.signature...)
	sc.output = b
	if sc.authSlot != nil {
		sc.authSlot[0] = string(b) // the slot the previous signature used, as the AWS SDK does
	} else {
		h["Authorization"] = []string{string(b)}
	}
	return sc, nil
}
