package vault

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/bearer"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Operations the audit records for what the vault issues rather than sends.
const (
	OperationIssueBearerToken = "IssueBearerToken"
	OperationPresign          = "Presign"
)

// MaxPresign is the longest a presigned URL may live: SigV4 allows 7 days.
const MaxPresign = 7 * 24 * time.Hour

// Token issues a short-term bearer token of kind (bearer.Bedrock,
// bearer.Anthropic) for region, made from the grant's credentials. The
// grant's policy decides as for a call to kind's service: deny_presign
// refuses it, and so does read_only (a token lets its holder write). It
// lives for lifetime (0: 12 hours), shortened to the credentials' own
// expiry. Issuing is audited (operation IssueBearerToken, with the expiry,
// never the token).
func (v *Vault) Token(ctx context.Context, grant string, kind bearer.Kind, region string, lifetime time.Duration, o ClientOptions) (bearer.Token, error) {
	if lifetime == 0 {
		lifetime = bearer.MaxLifetime
	}
	e := v.issueEntry(o, OperationIssueBearerToken)
	e.Method, e.Service, e.Region = http.MethodPost, kind.Service, region
	e.URL = "https://" + kind.Host + "/?Action=CallWithBearerToken"
	e.Action = kind.Service + ":CallWithBearerToken"
	if err := o.checkCaps(""); err != nil {
		return bearer.Token{}, v.refuse(ctx, e, err)
	}
	if kind.Host == "" {
		return bearer.Token{}, v.refuse(ctx, e, fmt.Errorf("%w: no kind of token given (bedrock or anthropic)", ErrInvalid))
	}
	// The region must be one of the partition's: a token for a region
	// that does not exist is a typo the caller should hear about.
	if _, err := urlparse.Parse("https://" + urlparse.Host("bedrock-runtime", region) + "/"); err != nil {
		return bearer.Token{}, v.refuse(ctx, e, fmt.Errorf("%w: region %q: %w", ErrInvalid, region, err))
	}
	if _, err := bearer.Lifetime(lifetime, time.Time{}, v.now()); err != nil {
		return bearer.Token{}, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	g, pol, err := v.issueGrant(ctx, e, grant, o.Caller)
	if err != nil {
		return bearer.Token{}, err
	}
	in := policy.Input{
		Services: []string{kind.Service}, Region: region, Method: http.MethodPost, Host: kind.Host, Path: "/",
		Action: e.Action, Presign: true, Reason: o.Reason, Caller: o.Caller, Time: v.now(),
	}
	if err := v.decide(ctx, e, g, pol, in, o.Caller); err != nil {
		return bearer.Token{}, err
	}
	creds, err := v.credentialsFor(ctx, g, o.Caller)
	if err != nil {
		return bearer.Token{}, v.refuse(ctx, e, err)
	}
	tok, err := bearer.Generate(kind, creds, region, lifetime, v.now())
	if err != nil {
		return bearer.Token{}, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrCredentials, err))
	}
	if err := v.issued(ctx, e, tok.Expires); err != nil {
		return bearer.Token{}, err
	}
	return tok, nil
}

// Presigned is a presigned URL: anyone who has it may make the one request
// it names until it expires.
type Presigned struct {
	URL     string      `json:"url"`
	Method  string      `json:"method"`
	Expires time.Time   `json:"expires"`
	Header  http.Header `json:"headers,omitempty"` // headers the request must carry (Host among them)
}

// Presign makes a presigned URL for method and rawURL with the grant's
// credentials, valid for expires (1 second to 7 days, shortened to the
// credentials' own expiry). The grant's policy decides as for the call
// itself, with Input.Presign set: deny_presign refuses every URL, and a
// read-only grant presigns only read operations. S3 URLs are signed with
// UNSIGNED-PAYLOAD, others for an empty body. Under AWS_ENDPOINT_URL routing
// the URL is for the emulator. Issuing is audited (operation Presign, with
// the IAM action and the expiry, never the signature).
func (v *Vault) Presign(ctx context.Context, grant, method, rawURL string, expires time.Duration, o ClientOptions) (Presigned, error) {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodGet
	}
	e := v.issueEntry(o, OperationPresign)
	e.Method, e.URL = method, audit.RedactURL(text.Clip(rawURL, MaxURLBytes))
	if err := o.checkCaps(rawURL); err != nil {
		return Presigned{}, v.refuse(ctx, e, err)
	}
	if !validMethod(method) {
		return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: method %q", ErrInvalid, text.Clip(method, 20)))
	}
	if expires < time.Second || expires > MaxPresign {
		return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: a presigned URL lives 1s to 7 days, not %s", ErrInvalid, expires))
	}
	ep, err := v.parser.Parse(rawURL)
	if err != nil {
		return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrNotAWS, err))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrNotAWS, err))
	}
	q := u.Query()
	for _, p := range presignParams {
		for k := range q {
			if strings.EqualFold(k, p) {
				return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: the URL is already signed (it has %s in its query); give the plain URL", ErrInvalid, k))
			}
		}
	}
	op := catalog.Identify(ep, method, u.EscapedPath(), u.RawQuery, nil, nil)
	describe(e, ep, op)
	e.Operation = OperationPresign

	g, pol, err := v.issueGrant(ctx, e, grant, o.Caller)
	if err != nil {
		return Presigned{}, err
	}
	in := inputFor(ep, op, method, u)
	in.Reason, in.Caller, in.Time, in.BodyBytes, in.Presign = o.Reason, o.Caller, v.now(), 0, true
	if err := v.decideCall(ctx, e, g, pol, in, op, o.Caller); err != nil {
		return Presigned{}, err
	}
	creds, err := v.credentialsFor(ctx, g, o.Caller)
	if err != nil {
		return Presigned{}, v.refuse(ctx, e, err)
	}
	now := v.now()
	if !creds.Expires.IsZero() && creds.Expires.Sub(now) < expires {
		expires = creds.Expires.Sub(now).Truncate(time.Second)
		if expires < time.Second {
			return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: the grant's credentials expire at %s, too soon to presign", ErrCredentials, creds.Expires.UTC().Format(time.RFC3339)))
		}
	}
	target, routed, err := v.target(ep, u)
	if err != nil {
		return Presigned{}, v.refuse(ctx, e, err)
	}
	if routed {
		e.Endpoint = target.Scheme + "://" + target.Host
	}
	req := &http.Request{Method: method, URL: target, Host: target.Host, Header: http.Header{}}
	opts := sigv4.Options{Region: ep.SigningRegion, RegionSet: ep.RegionSet, Service: ep.SigningName, Time: now}
	if !ep.S3() {
		opts.PayloadHash = sigv4.EmptyPayloadHash
	}
	signed, header, err := sigv4.Presign(req, creds, opts, expires)
	if err != nil {
		return Presigned{}, v.refuse(ctx, e, fmt.Errorf("%w: presign: %w", ErrInvalid, err))
	}
	out := Presigned{URL: signed, Method: method, Expires: now.Add(expires).Truncate(time.Second), Header: header}
	if err := v.issued(ctx, e, out.Expires); err != nil {
		return Presigned{}, err
	}
	return out, nil
}

// issueEntry starts the audit entry of something the vault issues.
func (v *Vault) issueEntry(o ClientOptions, operation string) *audit.Entry {
	e := v.newEntry(o.meta(""), v.now())
	e.Operation = operation
	if b, err := contextJSON(o.Context); err == nil && len(b) <= MaxContextBytes {
		e.Context = b
	}
	return e
}

// issueGrant loads a usable grant the caller may use, and its policy; a
// refusal is audited.
func (v *Vault) issueGrant(ctx context.Context, e *audit.Entry, grant, caller string) (*store.Grant, policy.Policy, error) {
	g, err := v.loadGrant(ctx, grant)
	if err != nil {
		return nil, policy.Policy{}, v.refuse(ctx, e, err)
	}
	e.GrantID, e.GrantName = g.ID, g.Name
	if err := v.usable(g, v.now()); err != nil {
		return nil, policy.Policy{}, v.refuse(ctx, e, err)
	}
	if err := v.checkCaller(ctx, caller, g); err != nil {
		return nil, policy.Policy{}, v.refuse(ctx, e, err)
	}
	pol, err := decodePolicy(g)
	if err != nil {
		return nil, policy.Policy{}, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	return g, pol, nil
}

// decideCall judges an AWS request as Request does (the operation, fail
// closed) and applies the rate limits; a denial is audited.
func (v *Vault) decideCall(ctx context.Context, e *audit.Entry, g *store.Grant, pol policy.Policy, in policy.Input, op catalog.Operation, caller string) error {
	j := judge(&pol, in, op, nil)
	d := v.limiter.Allow(g.ID, caller, &pol, in.Time)
	if !j.decision.Allow || d.Allow {
		d = j.decision
	}
	if !d.Allow {
		e.Rule = d.Rule
		return v.refuse(ctx, e, &DeniedError{Grant: g.Name, Decision: d})
	}
	return nil
}

// decide applies the policy and the rate limits; a denial is audited.
func (v *Vault) decide(ctx context.Context, e *audit.Entry, g *store.Grant, pol policy.Policy, in policy.Input, caller string) error {
	d := pol.Evaluate(in)
	if lim := v.limiter.Allow(g.ID, caller, &pol, in.Time); d.Allow {
		d = lim // a refused call takes its token too
	}
	if !d.Allow {
		e.Rule = d.Rule
		return v.refuse(ctx, e, &DeniedError{Grant: g.Name, Decision: d})
	}
	return nil
}

// issued writes the audit entry of something issued: Begin must be durable
// before the caller gets it (fail closed), End follows at once.
func (v *Vault) issued(ctx context.Context, e *audit.Entry, expires time.Time) error {
	e.Expires, e.Outcome = expires.UTC(), audit.OutcomeOK
	if err := v.auditor.Begin(ctx, e); err != nil {
		return fmt.Errorf("%w: %v; nothing was issued. Check the store (disk space, permissions) and retry", ErrAudit, err)
	}
	e.DurationMS = v.now().Sub(e.Time).Milliseconds()
	v.end(ctx, e)
	return nil
}
