// Package bearer makes and reads the short-term bearer tokens some AWS model
// endpoints accept instead of SigV4 headers: Amazon Bedrock API keys
// ("bedrock-api-key-…") and AWS External Anthropic tokens
// ("aws-external-anthropic-api-key-…"). A token is a presigned SigV4 URL for
// POST https://HOST/?Action=CallWithBearerToken, without its scheme, with
// "&Version=1" appended after signing, in standard padded base64 behind the
// kind's prefix: the same recipe as AWS's own token generator libraries.
//
// Generate is a pure function of the credentials, region, lifetime and time,
// for callers that hold their own credentials; the vault wraps it with a
// grant, its policy and the audit. Decode needs no credentials.
package bearer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// Kind is a kind of token: the host it is presigned for, the signing name,
// and the prefix it carries.
type Kind struct {
	Name    string // "bedrock", "anthropic"
	Host    string
	Service string
	Prefix  string
}

// The kinds of token.
var (
	Bedrock   = Kind{Name: "bedrock", Host: "bedrock.amazonaws.com", Service: "bedrock", Prefix: "bedrock-api-key-"}
	Anthropic = Kind{Name: "anthropic", Host: "aws-external-anthropic.amazonaws.com", Service: "aws-external-anthropic", Prefix: "aws-external-anthropic-api-key-"}
)

// Kinds lists the kinds, for lookups by name.
var Kinds = []Kind{Bedrock, Anthropic}

// KindNamed returns the kind called name ("bedrock" or "anthropic").
func KindNamed(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// MaxLifetime is the longest a token may live: AWS accepts up to 12 hours.
const MaxLifetime = 12 * time.Hour

// versionSuffix is appended to the presigned URL after signing.
const versionSuffix = "&Version=1"

// Errors.
var (
	ErrLifetime  = errors.New("token lifetime out of range")
	ErrMalformed = errors.New("not a token of a known kind")
)

// Token is a bearer token and when it stops working.
type Token struct {
	Value   string
	Expires time.Time
}

// String hides the token, which is a credential, from fmt and logs.
func (t Token) String() string {
	return "bearer token (expires " + t.Expires.UTC().Format(time.RFC3339) + ")"
}

// Lifetime is how long a token asked to live for lifetime at now lives:
// the shortest of lifetime, the credentials' own remaining life and 12
// hours, in whole seconds. A lifetime outside 1 second to 12 hours, or
// credentials with less than a second left, is ErrLifetime.
func Lifetime(lifetime time.Duration, credsExpire, now time.Time) (time.Duration, error) {
	if lifetime < time.Second || lifetime > MaxLifetime {
		return 0, fmt.Errorf("%w: %s; ask for 1s to 12h", ErrLifetime, lifetime)
	}
	if !credsExpire.IsZero() {
		if left := credsExpire.Sub(now); left < lifetime {
			lifetime = left
		}
	}
	lifetime = lifetime.Truncate(time.Second)
	if lifetime < time.Second {
		return 0, fmt.Errorf("%w: the credentials expire at %s, before the token could be used", ErrLifetime, credsExpire.UTC().Format(time.RFC3339))
	}
	return lifetime, nil
}

// Generate makes a token of kind for region, signed with creds at now,
// living for lifetime (see Lifetime for how it is shortened).
func Generate(kind Kind, creds sigv4.Credentials, region string, lifetime time.Duration, now time.Time) (Token, error) {
	if kind.Host == "" || kind.Service == "" || kind.Prefix == "" {
		return Token{}, fmt.Errorf("%w: an empty kind", ErrMalformed)
	}
	if region == "" {
		return Token{}, errors.New("bearer: a region is required: the token is scoped to one region")
	}
	lt, err := Lifetime(lifetime, creds.Expires, now)
	if err != nil {
		return Token{}, err
	}
	req, err := http.NewRequest(http.MethodPost, "https://"+kind.Host+"/?Action=CallWithBearerToken", nil)
	if err != nil {
		return Token{}, err
	}
	u, _, err := sigv4.Presign(req, creds, sigv4.Options{
		Region:      region,
		Service:     kind.Service,
		Time:        now,
		PayloadHash: sigv4.EmptyPayloadHash,
	}, lt)
	if err != nil {
		return Token{}, fmt.Errorf("bearer: sign: %w", err)
	}
	bare := botocoreOrder(strings.TrimPrefix(u, "https://")) + versionSuffix
	return Token{
		Value:   kind.Prefix + base64.StdEncoding.EncodeToString([]byte(bare)),
		Expires: now.Add(lt).Truncate(time.Second),
	}, nil
}

// botocoreOrder puts X-Amz-Security-Token after X-Amz-SignedHeaders, where
// botocore's SigV4QueryAuth, and so AWS's token generators, write it: sigv4
// writes the canonical (sorted) query, in which it comes before. The order
// of a query is not signed, so the signature stays valid; the token becomes
// byte-identical to theirs.
func botocoreOrder(presigned string) string {
	const tokenKey, signedKey = "&X-Amz-Security-Token=", "&X-Amz-SignedHeaders="
	i := strings.Index(presigned, tokenKey)
	if i < 0 {
		return presigned
	}
	end := i + len(tokenKey) + strings.IndexByte(presigned[i+len(tokenKey):]+"&", '&')
	token, rest := presigned[i:end], presigned[:i]+presigned[end:]
	j := strings.Index(rest, signedKey)
	if j < 0 {
		return presigned
	}
	after := j + len(signedKey) + strings.IndexByte(rest[j+len(signedKey):]+"&", '&')
	return rest[:after] + token + rest[after:]
}

// Info is what a token says about itself. It never holds the signature or
// the session token.
type Info struct {
	Kind         string    `json:"kind"`
	URL          string    `json:"url"` // the presigned URL, X-Amz-Signature and X-Amz-Security-Token redacted
	Region       string    `json:"region"`
	Service      string    `json:"service"`
	AccessKeyID  string    `json:"access_key_id"`
	SessionToken bool      `json:"session_token"`
	Issued       time.Time `json:"issued"`
	Expires      time.Time `json:"expires"`
}

// Remaining is how long the token still works at now (negative once expired).
func (i Info) Remaining(now time.Time) time.Duration { return i.Expires.Sub(now) }

// Decode reads a token: its kind, region, service, key id and validity.
// It checks the shape, not the signature (that needs the secret).
func Decode(token string) (Info, error) {
	token = strings.TrimSpace(token)
	var kind Kind
	for _, k := range Kinds {
		if strings.HasPrefix(token, k.Prefix) {
			kind = k
		}
	}
	if kind.Prefix == "" {
		return Info{}, fmt.Errorf("%w: it starts with neither bedrock-api-key- nor aws-external-anthropic-api-key-", ErrMalformed)
	}
	raw, err := base64.StdEncoding.DecodeString(token[len(kind.Prefix):])
	if err != nil {
		return Info{}, fmt.Errorf("%w: the part after %s is not standard base64: %v", ErrMalformed, kind.Prefix, err)
	}
	u, err := url.Parse("https://" + string(raw))
	if err != nil {
		return Info{}, fmt.Errorf("%w: it does not hold a URL: %v", ErrMalformed, err)
	}
	if u.Host != kind.Host {
		return Info{}, fmt.Errorf("%w: a %s token must be for %s, not %q", ErrMalformed, kind.Name, kind.Host, u.Host)
	}
	q := u.Query()
	if q.Get("Action") != "CallWithBearerToken" || q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-Signature") == "" {
		return Info{}, fmt.Errorf("%w: the URL is not a presigned CallWithBearerToken request", ErrMalformed)
	}
	// Credential: KEY/DATE/REGION/SERVICE/aws4_request
	parts := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return Info{}, fmt.Errorf("%w: X-Amz-Credential is not KEY/DATE/REGION/SERVICE/aws4_request", ErrMalformed)
	}
	issued, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return Info{}, fmt.Errorf("%w: X-Amz-Date: %v", ErrMalformed, err)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs < 1 {
		return Info{}, fmt.Errorf("%w: X-Amz-Expires is not a positive number of seconds", ErrMalformed)
	}
	info := Info{
		Kind:         kind.Name,
		Region:       parts[2],
		Service:      parts[3],
		AccessKeyID:  parts[0],
		SessionToken: q.Get("X-Amz-Security-Token") != "",
		Issued:       issued,
		Expires:      issued.Add(time.Duration(secs) * time.Second),
	}
	for _, k := range []string{"X-Amz-Signature", "X-Amz-Security-Token"} {
		if q.Has(k) {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	info.URL = u.String()
	return info, nil
}
