package vault

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// ClientOptions apply to every request of an HTTPClient or AWSConfig.
type ClientOptions struct {
	Caller  string
	Reason  string
	Context map[string]any
	Tool    string
	Timeout time.Duration // per request, reading the response body included
	// Client, SessionID, CallerLabel and OAuth are recorded in the audit,
	// as Call's are.
	Client      string
	SessionID   string
	CallerLabel string
	OAuth       OAuthIdentity
	// Approval is who approved a presigned upload of a confirm_writes
	// grant, as Call's.
	Approval *ApprovalDecision
}

// checkCaps refuses options whose reason or context is over its cap, and a
// URL over MaxURLBytes.
func (o ClientOptions) checkCaps(rawURL string) error {
	b, err := contextJSON(o.Context)
	if err != nil {
		return err
	}
	return checkCaps(o.Reason, b, rawURL)
}

func (o ClientOptions) meta(grant string) callMeta {
	return callMeta{grant: grant, caller: o.Caller, callerLabel: o.CallerLabel, reason: o.Reason, tool: o.Tool,
		client: o.Client, session: o.SessionID, context: o.Context, timeout: o.Timeout, oauth: o.OAuth, approval: o.Approval}
}

// HTTPClient returns a client whose every request goes through the vault
// with grant (an id or name): checked against its policy, signed, sent,
// retried and audited as Request does. Redirects are not followed: a 3xx is
// returned as the response. Requests must not be signed already; any
// Authorization header is replaced.
func (v *Vault) HTTPClient(grant string, o ClientOptions) *http.Client {
	return &http.Client{
		Transport:     &clientTransport{v: v, grant: grant, o: o},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// clientTransport is the http.RoundTripper of HTTPClient.
type clientTransport struct {
	v     *Vault
	grant string
	o     ClientOptions
}

// RoundTrip implements http.RoundTripper.
func (t *clientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	header, err := cleanHeader(req.Header)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	o := &outgoing{
		method: strings.ToUpper(req.Method),
		rawURL: req.URL.String(),
		header: header,
		meta:   t.o.meta(t.grant),
		orig:   req,
	}
	if o.method == "" {
		o.method = http.MethodGet
	}
	if req.Body != nil && req.Body != http.NoBody {
		length := req.ContentLength
		if length == 0 {
			length = -1 // net/http: a body with ContentLength 0 is of unknown length
		}
		o.body = &payload{r: req.Body, length: length, closer: req.Body}
		if req.GetBody != nil {
			o.body.open = req.GetBody
		}
	}
	if req.Host != "" && !strings.EqualFold(req.Host, req.URL.Host) {
		o.body.close()
		return nil, fmt.Errorf("%w: the request's Host %q differs from its URL's host %q; the vault sends to and signs for the URL's host", ErrInvalid, text.Clip(req.Host, 100), text.Clip(req.URL.Host, 100))
	}
	return t.v.do(req.Context(), o)
}

// AWSConfig returns an aws-sdk-go-v2 configuration whose clients call AWS
// through the vault with grant (an id or name) in region:
//
//	cfg, err := v.AWSConfig(ctx, "s3-reader", "us-east-1", vault.ClientOptions{Reason: "nightly report"})
//	client := s3.NewFromConfig(cfg)
//
// The SDK does not sign (its credentials are anonymous) and does not retry:
// the vault checks each request against the grant's policy, signs it,
// retries it when that is safe, and audits it. The SDK computes request
// checksums and validates response checksums only where an operation
// requires it, so that uploads stay plain bodies the vault can sign.
// Endpoints come from the SDK's defaults; AWS_ENDPOINT_URL routing happens
// in the vault.
func (v *Vault) AWSConfig(ctx context.Context, grant, region string, o ClientOptions) (aws.Config, error) {
	if region == "" {
		return aws.Config{}, fmt.Errorf("%w: AWSConfig needs a region, such as us-east-1", ErrInvalid)
	}
	g, err := v.loadGrant(ctx, grant)
	if err != nil {
		return aws.Config{}, err
	}
	if err := v.usable(g, v.now()); err != nil {
		return aws.Config{}, err
	}
	if err := v.checkCaller(ctx, o.Caller, g); err != nil {
		return aws.Config{}, err
	}
	return aws.Config{
		Region:                     region,
		Credentials:                aws.AnonymousCredentials{},
		HTTPClient:                 v.HTTPClient(g.ID, o),
		Retryer:                    func() aws.Retryer { return aws.NopRetryer{} },
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}, nil
}
