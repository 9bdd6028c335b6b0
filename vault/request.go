package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Call is one AWS request made through the vault.
type Call struct {
	Method string // default GET, or POST when there is a body
	URL    string
	Grant  string // grant id or name
	// Header is sent and signed. Authorization, X-Amz-Date,
	// X-Amz-Security-Token, X-Amz-Content-Sha256, Host and Content-Length
	// are the vault's to set and are dropped.
	Header http.Header
	// Query is added to the URL's own query (values appended, not replaced).
	Query map[string][]string
	// Body is the request body: Body, or BodyReader with BodyLength (-1:
	// unknown), or JSON marshalled with Content-Type application/json when
	// none is set. At most one of the three. Request reads BodyReader but
	// does not close it; an io.ReadSeeker can be replayed for retries.
	Body       []byte
	BodyReader io.Reader
	BodyLength int64
	JSON       any
	// File names, in the audit, the local file the body is read from or
	// the answer is saved into (an MCP tool's files folder); it sends
	// nothing and is not read by the vault.
	File    string
	Reason  string
	Context map[string]any
	// Caller is who makes the call, as the transport established it. A
	// registered caller may use only its grants; "" is the operator.
	Caller string
	// Tool, Client and SessionID are recorded in the audit (MCP tool name,
	// MCP client name/version, MCP session).
	Tool      string
	Client    string
	SessionID string
	Timeout   time.Duration // whole call including retries and reading the response body; 0: none beyond ctx
	// CallerLabel names, in the audit, who makes a call whose Caller is the
	// operator (""): the MCP client of an operator's stdio session. It
	// grants nothing; Caller alone decides which grants may be used.
	CallerLabel string
	// OAuth names the OAuth access token that authenticated Caller, for the
	// audit; zero when there was none (an API key, stdio).
	OAuth OAuthIdentity
	// AuditID, when set, is the id of the call's audit entry, so that the
	// caller can name it (an MCP tool returns it as audit_id). It must be
	// a fresh id from audit.NewID; "" lets the vault make one.
	AuditID string
	// TraceID and SpanID, when set, name the trace and span that made the
	// call (W3C trace context, hex), recorded in its audit entry.
	TraceID, SpanID string
	// Approval, when set, is who approved this write of a confirm_writes
	// grant (or refused it, for Decline), recorded in its audit entry.
	Approval *audit.Approval
}

// Request makes one call with the grant c.Grant and returns AWS's answer,
// whatever its status: an AWS error is a response, not a Go error. The
// response body streams from AWS; close it, which writes the call's audit end
// record (reading it to EOF does too). An answer of status 300 or more also
// carries what AWS said, parsed once for the audit: awserr.FromResponse(resp)
// gives its code, message (redacted as the audit keeps it) and request ids,
// whatever has been read of the body since.
//
// Errors: ErrInvalid (the call itself is malformed), ErrNotAWS (wrapping
// urlparse's reason), ErrGrantNotFound, ErrGrantRevoked, ErrGrantExpired,
// ErrCredentials, ErrCallerNotFound, ErrCallerRevoked, ErrCallerNotAllowed,
// *DeniedError (the policy or a rate limit refused), ErrAudit (the begin
// record could not be written), ErrWrongMasterKey, or a network error after
// the last attempt. In every case but the last nothing was sent. Every
// refusal after the URL is read is audited as a denial.
func (v *Vault) Request(ctx context.Context, c Call) (*http.Response, error) {
	o, err := outgoingFromCall(&c)
	if err != nil {
		return nil, err
	}
	return v.do(ctx, o)
}

// outgoing is a request on its way through the pipeline, from a Call or
// from an HTTPClient's request.
type outgoing struct {
	method string
	rawURL string
	header http.Header
	body   *payload
	meta   callMeta
	// orig is the request an HTTPClient was given, reported as the
	// response's Request; nil for Request.
	orig *http.Request
	sent *url.URL // where it was sent
	// redactFields: mask credentials in AWS's answer (the grant's own
	// secrets are masked always).
	redactFields bool
}

// callMeta is what the audit records about who called and why.
type callMeta struct {
	grant, caller, callerLabel, reason, tool, client, session, auditID string
	traceID, spanID, file                                              string
	oauth                                                              OAuthIdentity
	approval                                                           *audit.Approval
	context                                                            map[string]any
	timeout                                                            time.Duration
}

func outgoingFromCall(c *Call) (*outgoing, error) {
	o := &outgoing{
		method: strings.ToUpper(strings.TrimSpace(c.Method)),
		rawURL: c.URL,
		meta: callMeta{grant: c.Grant, caller: c.Caller, reason: c.Reason, tool: c.Tool,
			client: c.Client, session: c.SessionID, context: c.Context, timeout: c.Timeout, auditID: c.AuditID, callerLabel: c.CallerLabel,
			oauth: c.OAuth, traceID: c.TraceID, spanID: c.SpanID, approval: c.Approval, file: c.File},
	}
	var err error
	if o.header, err = cleanHeader(c.Header); err != nil {
		return nil, err
	}
	if c.AuditID != "" && !audit.ValidID(c.AuditID) {
		return nil, fmt.Errorf("%w: Call.AuditID %q is not an audit id: make one with audit.NewID", ErrInvalid, text.Clip(c.AuditID, 40))
	}
	n := 0
	for _, set := range []bool{c.Body != nil, c.BodyReader != nil, c.JSON != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: give the body once: Body, BodyReader or JSON", ErrInvalid)
	}
	switch {
	case c.Body != nil:
		o.body = bytesBody(c.Body)
	case c.BodyReader != nil:
		o.body = streamBody(c.BodyReader, c.BodyLength)
	case c.JSON != nil:
		b, err := json.Marshal(c.JSON)
		if err != nil {
			return nil, fmt.Errorf("%w: JSON body: %w", ErrInvalid, err)
		}
		o.body = bytesBody(b)
		if o.header.Get("Content-Type") == "" {
			o.header.Set("Content-Type", "application/json")
		}
	}
	if o.method == "" {
		o.method = http.MethodGet
		if o.body.present() {
			o.method = http.MethodPost
		}
	}
	if !validMethod(o.method) {
		return nil, fmt.Errorf("%w: method %q is not an HTTP method", ErrInvalid, text.Clip(c.Method, 20))
	}
	if len(c.Query) > 0 {
		extra := url.Values(c.Query).Encode()
		base, frag, hasFrag := strings.Cut(o.rawURL, "#")
		if strings.Contains(base, "?") {
			base += "&" + extra
		} else {
			base += "?" + extra
		}
		if hasFrag {
			base += "#" + frag
		}
		o.rawURL = base
	}
	return o, nil
}

func validMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// Headers the vault sets itself; whatever a caller put there is dropped.
var vaultHeaders = []string{
	"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
	"X-Amz-Decoded-Content-Length", "X-Amz-Region-Set", "Host", "Content-Length",
	"Transfer-Encoding", "Connection", "Te", "Trailer", "Upgrade", "Proxy-Authorization",
}

// cleanHeader returns h as it will go on the wire (wireHeader), without
// the headers the vault sets itself.
func cleanHeader(h http.Header) (http.Header, error) {
	out, err := wireHeader(h)
	if err != nil {
		return nil, err
	}
	for _, k := range vaultHeaders {
		delete(out, k)
	}
	return out, nil
}

// presignParams are query parameters of an already-signed URL.
var presignParams = []string{"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-amz-algorithm", "awsaccesskeyid", "signature"}

// do runs the pipeline of the package documentation.
func (v *Vault) do(ctx context.Context, o *outgoing) (resp *http.Response, err error) {
	start := v.now()
	e := v.newEntry(o.meta, start)
	e.Method, e.URL = o.method, audit.RedactURL(text.Clip(o.rawURL, MaxURLBytes))
	cancel := context.CancelFunc(func() {})
	if o.meta.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, o.meta.timeout)
	}
	defer func() {
		if err != nil {
			cancel()
			o.body.close()
		}
	}()
	ctxJSON, err := contextJSON(o.meta.context)
	if err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	if err := checkCaps(o.meta.reason, ctxJSON, o.rawURL); err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	e.Context = ctxJSON

	// 1. The URL: AWS (or a configured endpoint), or nothing is signed.
	ep, err := v.parser.Parse(o.rawURL)
	if err != nil {
		return nil, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrNotAWS, err))
	}
	u, err := url.Parse(o.rawURL)
	if err != nil { // urlparse accepted it, so this does not happen
		return nil, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrNotAWS, err))
	}
	describe(e, ep, catalog.Operation{})
	q := u.Query()
	for _, p := range presignParams {
		for k := range q {
			if strings.EqualFold(k, p) {
				return nil, v.refuse(ctx, e, fmt.Errorf("%w: the URL is already signed (it has %s in its query); give the plain URL: the vault signs", ErrInvalid, k))
			}
		}
	}

	// 2. The grant and the caller.
	g, err := v.loadGrant(ctx, o.meta.grant)
	if err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	e.GrantID, e.GrantName = g.ID, g.Name
	now := v.now()
	if err := v.usable(g, now); err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	if err := v.checkCaller(ctx, o.meta.caller, g); err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	pol, err := decodePolicy(g)
	if err != nil {
		return nil, v.refuse(ctx, e, fmt.Errorf("%w: %w", ErrInvalid, err))
	}

	// 3. The operation and the policy.
	if err := o.body.buffer(bodyNamesOperation(ep)); err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	var data []byte
	if o.body != nil {
		data = o.body.data
	}
	op := catalog.Identify(ep, o.method, u.EscapedPath(), u.RawQuery, o.header, data)
	describe(e, ep, op)
	e.Inputs = decidingInputs(u.RawQuery, o.header, data)
	in := inputFor(ep, op, o.method, u)
	in.Reason, in.Caller, in.Time, in.BodyBytes = o.meta.reason, o.meta.caller, now, 0
	if o.body.present() {
		in.BodyBytes = o.body.length
	}
	e.RequestBytes = max(in.BodyBytes, 0)
	j := judge(&pol, in, op, o.header)
	// A refused call takes its token too: refusals are audited, so an agent
	// that keeps asking for what it may not have is slowed like any other.
	d := v.limiter.Allow(g.ID, o.meta.caller, &pol, now)
	if !j.decision.Allow || d.Allow {
		d = j.decision
	}
	if !d.Allow {
		e.Rule = d.Rule
		return nil, v.refuse(ctx, e, &DeniedError{Grant: g.Name, Decision: d})
	}
	// Credentials in AWS's answers are masked unless the grant may issue
	// them; S3 objects are the caller's data and are left whole.
	o.redactFields = !pol.IssueCredentials && !ep.S3()

	// 4. Where it goes and how its body is signed.
	target, routed, err := v.target(ep, u)
	if err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	if routed {
		e.Endpoint = target.Scheme + "://" + target.Host
	}
	if o.body == nil {
		o.body = &payload{}
	}
	if err := o.body.plan(ep.S3()); err != nil {
		return nil, v.refuse(ctx, e, err)
	}
	if o.body.present() {
		e.RequestSHA = o.body.hash
	}

	// 5. The begin record, durable before anything leaves.
	if err := v.auditor.Begin(ctx, e); err != nil {
		v.log.Error("audit begin failed; the call was not sent", "grant", g.ID, "operation", op.Action, "err", err)
		return nil, fmt.Errorf("%w: %v; nothing was sent. Check the store (disk space, permissions) and retry", ErrAudit, err)
	}

	// 6. Sign and send, retrying what may be retried.
	idempotent := op.ReadOnly
	switch o.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		idempotent = true
	}
	ans, err := v.send(ctx, g, ep, target, o, idempotent)
	o.body.close()
	e.Attempts = ans.attempts
	if err != nil {
		e.Outcome = audit.OutcomeNetworkError
		if ans.attempts == 0 {
			e.Outcome = audit.OutcomeError
		}
		e.ErrorMessage = text.Clip(err.Error(), 1024)
		e.DurationMS = v.now().Sub(start).Milliseconds()
		v.end(ctx, e)
		v.log.Warn("call failed", "grant", g.ID, "operation", op.Action, "attempts", ans.attempts, "err", err)
		return nil, err
	}

	// 7. The answer, audited when its body is done.
	o.sent = target
	return v.respond(ctx, e, ans, start, cancel, o), nil
}

// bodyNamesOperation reports whether requests to ep may name their operation
// in the body (Action= in a form, for services that answer a query
// protocol), so that the whole body must be read before the policy can
// decide: a long body must not hide its Action from the policy.
func bodyNamesOperation(ep urlparse.Endpoint) bool {
	if ep.S3() {
		return false
	}
	s, ok := catalog.Service(ep.Service)
	if !ok {
		return true
	}
	for _, p := range s.Protocols {
		if p == "query" || p == "ec2" {
			return true
		}
	}
	return false
}

// refuse audits a call that is not sent and returns err. A failure to audit
// it is logged; the call is refused either way.
func (v *Vault) refuse(ctx context.Context, e *audit.Entry, err error) error {
	e.Decision, e.Outcome = audit.DecisionDeny, audit.OutcomeDenied
	if e.Rule == "" {
		e.Rule = refusalRule(err)
	}
	e.ErrorMessage = text.Clip(err.Error(), 1024)
	e.DurationMS = v.now().Sub(e.Time).Milliseconds()
	actx := context.WithoutCancel(ctx)
	if aerr := v.auditor.Begin(actx, e); aerr != nil {
		v.log.Error("audit of a refused call failed", "rule", e.Rule, "err", aerr)
		return err
	}
	v.writeEnd(actx, e, true)
	v.log.Info("call refused", "grant", e.GrantID, "caller", e.Caller, "rule", e.Rule, "operation", e.Action)
	return &auditedError{id: e.ID, err: err}
}

// auditedError is a refusal the audit trail recorded, under id.
type auditedError struct {
	id  string
	err error
}

func (e *auditedError) Error() string { return e.err.Error() }
func (e *auditedError) Unwrap() error { return e.err }

// AuditedID returns the id of the audit entry that records the refusal err,
// when the vault wrote one: every refusal after the URL is read is audited,
// unless the audit itself failed.
func AuditedID(err error) (string, bool) {
	var a *auditedError
	if errors.As(err, &a) {
		return a.id, true
	}
	return "", false
}

// refusalRule names, for the audit, why a call that the policy did not see
// was refused.
func refusalRule(err error) string {
	for _, r := range []struct {
		err  error
		rule string
	}{
		{ErrNotAWS, "not_aws"}, {ErrGrantNotFound, "grant_not_found"}, {ErrGrantRevoked, "grant_revoked"},
		{ErrGrantExpired, "grant_expired"}, {ErrCredentials, "credentials"}, {ErrWrongMasterKey, "master_key"},
		{ErrCallerNotFound, "caller_not_found"}, {ErrCallerRevoked, "caller_revoked"},
		{ErrCallerNotAllowed, "caller_not_allowed"}, {ErrInvalid, "invalid"},
	} {
		if errors.Is(err, r.err) {
			return r.rule
		}
	}
	return "error"
}

// laterEnder is an Auditor that can commit an end record without the
// call waiting for it (audit.Log.EndLater).
type laterEnder interface {
	EndLater(ctx context.Context, e *audit.Entry) error
}

// end writes e's end record, logging a failure: the call already happened.
// Its begin record is durable, so the end is only queued for the next group
// commit when the auditor can: a crash before that commit leaves the entry
// open, and it is marked interrupted, as a call that died in flight.
func (v *Vault) end(ctx context.Context, e *audit.Entry) { v.writeEnd(ctx, e, false) }

// writeEnd writes e's end record, waiting for its commit when wait is set:
// a refusal's, which nothing else waits on (it is written right after its
// begin), and which readers such as metrics expect by the time the caller
// is told.
func (v *Vault) writeEnd(ctx context.Context, e *audit.Entry, wait bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	end := v.auditor.End
	if l, ok := v.auditor.(laterEnder); ok && !wait {
		end = l.EndLater
	}
	if err := end(ctx, e); err != nil {
		v.log.Error("audit end record failed", "entry", e.ID, "grant", e.GrantID, "err", err)
	}
}
