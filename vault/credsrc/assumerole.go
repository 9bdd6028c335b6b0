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
	// STS is where to call; zero means the regional endpoint of us-east-1.
	STS Endpoint
	// RefreshWindow and Now are passed to the Cache.
	RefreshWindow time.Duration
	Now           func() time.Time

	once  sync.Once
	cache *Cache
}

// The lengths are checked apart from the patterns: a counted repetition
// such as {1,512} compiles into that many copies of its class, which cost
// every start of the program 2 ms and 400 KB (GODEBUG=inittrace=1).
var (
	roleARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	sessionName = regexp.MustCompile(`^[\w+=,.@-]+$`)
	externalID  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// validRoleARN reports whether arn names an IAM role whose path and name
// together are at most 512 characters.
func validRoleARN(arn string) bool {
	_, name, _ := strings.Cut(arn, ":role/")
	return len(name) <= 512 && roleARN.MatchString(arn)
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
	if a.SessionName != "" && (len(a.SessionName) < 2 || len(a.SessionName) > 64 || !sessionName.MatchString(a.SessionName)) {
		errs = append(errs, fmt.Errorf("session name %q: use 2 to 64 of letters, digits and +=,.@_-", a.SessionName))
	}
	if a.ExternalID != "" && (len(a.ExternalID) < 2 || len(a.ExternalID) > 1224 || !externalID.MatchString(a.ExternalID)) {
		errs = append(errs, fmt.Errorf("external id: use 2 to 1224 of letters, digits and +=,.@:/_-"))
	}
	if a.Duration != 0 && (a.Duration < 15*time.Minute || a.Duration > 12*time.Hour) {
		errs = append(errs, fmt.Errorf("duration %s: use 15m to 12h", a.Duration))
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
