package vault

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// Calls the vault makes on its own behalf (rotating a key, and later
// assuming a role or checking a grant for doctor) are operator actions: they
// are not checked against the grant's policy, but they are routed like
// Request's calls and audited like them, one entry per request.
//
// They are made through credsrc.Endpoint, which signs each request itself.
// Routing changes the host, and SigV4 signs the host, so the routing happens
// before signing: serviceEndpointFor rewrites the endpoint's URL to where the
// request goes (v.target, the same rule as Request's), keeps the region and
// signing name of the AWS URL, and gives it a client that only audits and
// sends. The emulator behind AWS_ENDPOINT_URL then sees a request signed
// for the host it is sent to, exactly as with Request.

// operatorCaller is the audit's caller for what the operator runs.
const operatorCaller = "operator"

// serviceTimeout bounds one service request, answer included, as credsrc's
// own default client does.
const serviceTimeout = 30 * time.Second

// maxServiceBody bounds the request body the service client reads to
// identify the operation: query-protocol bodies are a few hundred bytes.
const maxServiceBody = 1 << 20

// serviceCall says, for the audit, what a call the vault makes on its own
// behalf is for.
type serviceCall struct {
	tool   string       // Entry.Tool: "vault.rotate"
	caller string       // "" means operatorCaller
	reason string       // Entry.Reason
	grant  *store.Grant // the grant whose credentials sign; nil for none
}

// serviceEndpointFor returns e (an AWS query API such as credsrc.IAM(region)
// or credsrc.STS(region)) ready for a call the vault makes on its own behalf:
// its URL is where the request is sent (AWS_ENDPOINT_URL_<SERVICE> or
// AWS_ENDPOINT_URL when set, as Request routes), so that credsrc signs for
// that host, and its Client audits every request as c describes. Region and
// Service, what is signed for, stay those of e.
//
// e.URL must be an AWS URL (or a configured custom endpoint): ErrNotAWS
// otherwise.
func (v *Vault) serviceEndpointFor(e credsrc.Endpoint, c serviceCall) (credsrc.Endpoint, error) {
	ep, err := v.parser.Parse(e.URL)
	if err != nil {
		return credsrc.Endpoint{}, fmt.Errorf("%w: %w", ErrNotAWS, err)
	}
	u, err := url.Parse(e.URL)
	if err != nil { // urlparse accepted it, so this does not happen
		return credsrc.Endpoint{}, fmt.Errorf("%w: %w", ErrNotAWS, err)
	}
	target, routed, err := v.target(ep, u)
	if err != nil {
		return credsrc.Endpoint{}, err
	}
	out := e
	out.URL = target.String()
	out.Client = v.serviceClient(c, ep, u, target, routed)
	return out, nil
}

// serviceClient returns the client of serviceEndpointFor. It sends only to
// target (where the endpoint's requests go), never follows redirects, does
// not retry, and writes an audit entry per request: Begin before sending
// (nothing is sent when that fails), End when the answer's body is closed.
// origin is the AWS URL the requests are for: what the audit records and the
// catalog identifies, with Endpoint naming target when routed.
func (v *Vault) serviceClient(c serviceCall, ep urlparse.Endpoint, origin, target *url.URL, routed bool) *http.Client {
	return &http.Client{
		Timeout:       serviceTimeout,
		Transport:     &serviceTransport{v: v, call: c, ep: ep, origin: origin, target: target, routed: routed},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// serviceTransport is the http.RoundTripper of serviceClient.
type serviceTransport struct {
	v      *Vault
	call   serviceCall
	ep     urlparse.Endpoint
	origin *url.URL
	target *url.URL
	routed bool
}

// RoundTrip implements http.RoundTripper. The request is already signed.
func (t *serviceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	// Bound to one endpoint: a request signed for another host is not ours
	// to send.
	if req.URL.Scheme != t.target.Scheme || !strings.EqualFold(req.URL.Host, t.target.Host) ||
		req.URL.EscapedPath() != t.target.EscapedPath() || req.Host != "" && !strings.EqualFold(req.Host, req.URL.Host) {
		closeBody()
		return nil, fmt.Errorf("%w: the service client of %s cannot send to %s", ErrInvalid, audit.RedactURL(t.target.String()), audit.RedactURL(req.URL.String()))
	}
	var data []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		data, err = io.ReadAll(io.LimitReader(req.Body, maxServiceBody+1))
		closeBody()
		if err != nil {
			return nil, fmt.Errorf("%w: read the request body: %w", ErrInvalid, err)
		}
		if len(data) > maxServiceBody {
			return nil, fmt.Errorf("%w: a service request body is larger than %d bytes", ErrInvalid, maxServiceBody)
		}
	}

	ctx := req.Context()
	start := t.v.now()
	awsURL := *t.origin
	awsURL.RawQuery = req.URL.RawQuery
	op := catalog.Identify(t.ep, req.Method, t.origin.EscapedPath(), req.URL.RawQuery, req.Header, data)
	e := t.v.newEntry(callMeta{caller: firstNonEmpty(t.call.caller, operatorCaller), tool: t.call.tool, reason: t.call.reason}, start)
	describe(e, t.ep, op)
	e.Method, e.URL = req.Method, audit.RedactURL(awsURL.String())
	e.RequestBytes, e.Attempts = int64(len(data)), 1
	if len(data) > 0 {
		e.RequestSHA = sigv4.HashBytes(data)
	}
	if t.call.grant != nil {
		e.GrantID, e.GrantName = t.call.grant.ID, t.call.grant.Name
	}
	if t.routed {
		e.Endpoint = t.target.Scheme + "://" + t.target.Host
	}

	if err := t.v.auditor.Begin(ctx, e); err != nil {
		t.v.log.Error("audit begin failed; the service call was not sent", "tool", e.Tool, "grant", e.GrantID, "operation", e.Action, "err", err)
		return nil, fmt.Errorf("%w: %v; nothing was sent. Check the store (disk space, permissions) and retry", ErrAudit, err)
	}

	out := req.Clone(ctx)
	// Signed already: User-Agent is not among the signed headers.
	grant := ""
	if t.call.grant != nil {
		grant = t.call.grant.Name
	}
	setUserAgent(out, UserAgent(grant))
	out.Body, out.ContentLength = nil, int64(len(data))
	out.GetBody = nil
	if len(data) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(data))
	}
	resp, err := t.v.transport.RoundTrip(out)
	if err == nil && resp == nil {
		err = fmt.Errorf("the transport returned no response and no error")
	}
	if err != nil {
		e.Outcome = audit.OutcomeNetworkError
		e.ErrorMessage = text.Clip(audit.RedactText(err.Error()), 1024)
		e.DurationMS = t.v.now().Sub(start).Milliseconds()
		t.v.end(ctx, e)
		return nil, err
	}

	var peek []byte
	if resp.StatusCode >= 300 && req.Method != http.MethodHead {
		peek = peekBody(resp)
	}
	e.Status = resp.StatusCode
	e.RequestID, e.AmzID2 = awserr.RequestID(resp.Header), awserr.HostID(resp.Header)
	e.Outcome = audit.OutcomeOK
	if resp.StatusCode >= 300 {
		recordError(e, resp, peek)
	}
	if resp.StatusCode >= 400 || e.ErrorCode != "" {
		e.Outcome = audit.OutcomeAWSError
	}
	// The caller gets back the request it made, not a copy carrying what
	// was sent.
	resp.Request = req
	b := &auditedBody{rc: resp.Body}
	if resp.Body == nil {
		b.rc = http.NoBody
	}
	b.finish = func(n int64, err error) {
		e.ResponseBytes = n
		e.DurationMS = t.v.now().Sub(start).Milliseconds()
		if err != nil && e.Outcome == audit.OutcomeOK {
			e.Outcome = audit.OutcomeNetworkError
			e.ErrorMessage = text.Clip("reading the response: "+err.Error(), 1024)
		}
		t.v.end(ctx, e)
	}
	resp.Body = b
	return resp, nil
}
