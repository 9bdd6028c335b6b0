package credsrc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// AssumeRole gives temporary credentials for a role, got from STS
// AssumeRole with the Source's credentials and cached until RefreshWindow
// before they expire. Set the fields, then call Validate once; do not
// change them after the first Retrieve.
type AssumeRole struct {
	Source  sigv4.CredentialsProvider
	RoleARN string
	// ExternalID is the id the role's trust policy may require.
	ExternalID string
	// SessionName names the session in CloudTrail; default "alter-mcp".
	SessionName string
	// Duration of the credentials, 15 minutes to 12 hours (the role's
	// maximum session duration caps it); 0 lets STS choose (1 hour).
	Duration time.Duration
	// Policy is an optional inline session policy (JSON) that scopes the
	// role's permissions down for this session.
	Policy string
	// SourceIdentity names who the session acts for, in CloudTrail's
	// sessionContext.sourceIdentity of every call it makes; it stays with
	// the session through role chaining. The role's trust policy must allow
	// sts:SetSourceIdentity. 2 to 64 of letters, digits and +=,.@_-.
	SourceIdentity string
	// Tags are session tags (principal tags of the session, in CloudTrail
	// and in IAM conditions as aws:PrincipalTag/KEY). The role's trust
	// policy must allow sts:TagSession. At most 50.
	Tags []Tag
	// SerialNumber is the MFA device a role requires (an ARN, or a
	// hardware device's serial number), and TokenCode its current code:
	// both or neither. A code works once, so a role that needs one is
	// fetched (Fetch) when a person gives it, not refreshed by a Cache.
	SerialNumber, TokenCode string
	// STS is where to call; zero means the regional endpoint of us-east-1.
	STS Endpoint
	// RefreshWindow and Now are passed to the Cache.
	RefreshWindow time.Duration
	Now           func() time.Time

	once  sync.Once
	cache *Cache
}

// Tag is a session tag.
type Tag struct{ Key, Value string }

// maxTags is how many session tags STS takes (AssumeRole, Tags).
const maxTags = 50

// stsPatterns are STS's patterns of AssumeRole's parameters. They are
// compiled at their first use, not when the program starts: every run
// (even "alter-mcp version") would pay for them. The lengths are checked
// apart from the patterns: a counted repetition such as {1,512} compiles
// into that many copies of its class, which cost every start of the
// program 2 ms and 400 KB (GODEBUG=inittrace=1).
type stsPatterns struct {
	roleARN, sessionName, externalID, mfaSerial, mfaCode *regexp.Regexp
}

var patterns = sync.OnceValue(func() *stsPatterns {
	return &stsPatterns{
		roleARN:     regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`),
		sessionName: regexp.MustCompile(`^[\w+=,.@-]+$`),
		externalID:  regexp.MustCompile(`^[\w+=,.@:/-]+$`),
		mfaSerial:   regexp.MustCompile(`^[\w+=/:,.@-]+$`),
		mfaCode:     regexp.MustCompile(`^\d{6}$`),
	}
})

// tagText reports whether s matches STS's pattern of a session tag's key
// (1 to 128) and value (0 to 256), [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters,
// spaces and digits of any script, and _.:/=+-@. (A regexp of those
// Unicode classes cost every start of the program 1 ms and 120 KB.)
func tagText(s string) bool {
	for _, r := range s { // bytes that are not UTF-8 come as U+FFFD, a symbol
		if !unicode.IsLetter(r) && !unicode.In(r, unicode.Z) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// validRoleARN reports whether arn names an IAM role whose path and name
// together are at most 512 characters.
func validRoleARN(arn string) bool {
	_, name, _ := strings.Cut(arn, ":role/")
	return len(name) <= 512 && patterns().roleARN.MatchString(arn)
}

// Validate checks the configuration before any call is made.
func (a *AssumeRole) Validate() error {
	var errs []error
	if a.Source == nil {
		errs = append(errs, errors.New("no source credentials"))
	}
	if !validRoleARN(a.RoleARN) {
		errs = append(errs, fmt.Errorf("role ARN %q is not like arn:aws:iam::123456789012:role/NAME", a.RoleARN))
	}
	if a.SessionName != "" && (len(a.SessionName) < 2 || len(a.SessionName) > 64 || !patterns().sessionName.MatchString(a.SessionName)) {
		errs = append(errs, fmt.Errorf("session name %q: use 2 to 64 of letters, digits and +=,.@_-", a.SessionName))
	}
	if a.ExternalID != "" && (len(a.ExternalID) < 2 || len(a.ExternalID) > 1224 || !patterns().externalID.MatchString(a.ExternalID)) {
		errs = append(errs, fmt.Errorf("external id: use 2 to 1224 of letters, digits and +=,.@:/_-"))
	}
	if a.Duration != 0 && (a.Duration < 15*time.Minute || a.Duration > 12*time.Hour) {
		errs = append(errs, fmt.Errorf("duration %s: use 15m to 12h", a.Duration))
	}
	if a.SourceIdentity != "" && (len(a.SourceIdentity) < 2 || len(a.SourceIdentity) > 64 || !patterns().sessionName.MatchString(a.SourceIdentity)) {
		errs = append(errs, fmt.Errorf("source identity %q: use 2 to 64 of letters, digits and +=,.@_-", a.SourceIdentity))
	}
	if a.SerialNumber != "" && (len(a.SerialNumber) < 9 || len(a.SerialNumber) > 256 || !patterns().mfaSerial.MatchString(a.SerialNumber)) {
		errs = append(errs, fmt.Errorf("MFA serial %q is not an MFA device's ARN or serial number", a.SerialNumber))
	}
	if a.TokenCode != "" && !patterns().mfaCode.MatchString(a.TokenCode) {
		errs = append(errs, errors.New("the MFA code is not 6 digits"))
	}
	if a.TokenCode != "" && a.SerialNumber == "" {
		errs = append(errs, errors.New("an MFA code without the device's serial"))
	}
	if len(a.Tags) > maxTags {
		errs = append(errs, fmt.Errorf("%d session tags; STS takes at most %d", len(a.Tags), maxTags))
	}
	for _, t := range a.Tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || !tagText(t.Key) || !tagText(t.Value) ||
			strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			errs = append(errs, fmt.Errorf("session tag %q=%q: keys 1 to 128 and values up to 256 of letters, digits, spaces and _.:/=+-@, keys not starting with aws:", t.Key, t.Value))
		}
	}
	if len(a.Policy) > 2048 {
		errs = append(errs, fmt.Errorf("session policy is %d characters; STS takes at most 2048", len(a.Policy)))
	}
	return errors.Join(errs...)
}

// Retrieve returns the role's credentials, calling STS only when the cached
// ones are missing or about to expire. Concurrent calls share one STS call.
func (a *AssumeRole) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	a.once.Do(func() {
		a.cache = &Cache{Fetch: a.Fetch, RefreshWindow: a.RefreshWindow, Now: a.Now}
	})
	return a.cache.Retrieve(ctx)
}

// Invalidate drops the cached credentials.
func (a *AssumeRole) Invalidate() {
	if a.cache != nil {
		a.cache.Invalidate()
	}
}

// Fetch calls STS AssumeRole once, without the cache.
func (a *AssumeRole) Fetch(ctx context.Context) (sigv4.Credentials, error) {
	if err := a.Validate(); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("assume role: %w", err)
	}
	if a.SerialNumber != "" && a.TokenCode == "" {
		return sigv4.Credentials{}, fmt.Errorf("assume role %s: it requires a code of MFA device %s", a.RoleARN, a.SerialNumber)
	}
	src, err := a.Source.Retrieve(ctx)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("assume role %s: source credentials: %w", a.RoleARN, err)
	}
	form := url.Values{
		"Action":          {"AssumeRole"},
		"Version":         {"2011-06-15"},
		"RoleArn":         {a.RoleARN},
		"RoleSessionName": {a.SessionName},
	}
	if a.SessionName == "" {
		form.Set("RoleSessionName", "alter-mcp")
	}
	if a.ExternalID != "" {
		form.Set("ExternalId", a.ExternalID)
	}
	if a.Duration != 0 {
		form.Set("DurationSeconds", strconv.Itoa(int(a.Duration/time.Second)))
	}
	if a.Policy != "" {
		form.Set("Policy", a.Policy)
	}
	if a.SourceIdentity != "" {
		form.Set("SourceIdentity", a.SourceIdentity)
	}
	if a.SerialNumber != "" && a.TokenCode != "" {
		form.Set("SerialNumber", a.SerialNumber)
		form.Set("TokenCode", a.TokenCode)
	}
	for i, t := range a.Tags {
		n := strconv.Itoa(i + 1)
		form.Set("Tags.member."+n+".Key", t.Key)
		form.Set("Tags.member."+n+".Value", t.Value)
	}
	var out struct {
		AccessKeyID     string    `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
		SecretAccessKey string    `xml:"AssumeRoleResult>Credentials>SecretAccessKey"`
		SessionToken    string    `xml:"AssumeRoleResult>Credentials>SessionToken"`
		Expiration      time.Time `xml:"AssumeRoleResult>Credentials>Expiration"`
	}
	ep := a.STS
	if ep.URL == "" {
		ep = STS("")
	}
	if err := ep.Call(ctx, src, form, &out); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("assume role %s: %w", a.RoleARN, err)
	}
	if out.AccessKeyID == "" || out.SecretAccessKey == "" || out.SessionToken == "" || out.Expiration.IsZero() {
		return sigv4.Credentials{}, fmt.Errorf("assume role %s: STS answered without complete credentials", a.RoleARN)
	}
	return sigv4.Credentials{
		AccessKeyID:     out.AccessKeyID,
		SecretAccessKey: out.SecretAccessKey,
		SessionToken:    out.SessionToken,
		Expires:         out.Expiration,
	}, nil
}

// SourceIdentityOf is prefix+name within STS's rules for a source identity
// (2 to 64 of letters, digits and +=,.@_-): any other character becomes
// '_', and the end is cut.
func SourceIdentityOf(prefix, name string) string {
	b := []byte(prefix + name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	for len(b) < 2 {
		b = append(b, '_')
	}
	return string(b)
}

// TagValueOf is s within STS's rules for a session tag's value: any other
// character becomes '_', and it is cut to 256 bytes on a character
// boundary.
func TagValueOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.In(r, unicode.L, unicode.Z, unicode.N) && !strings.ContainsRune("_.:/=+-@", r) {
			r = '_'
		}
		if b.Len()+utf8.RuneLen(r) > 256 {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
