package vault

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/internal/text"
)

// respond records what AWS said in e and hands the response over with a body
// that writes the end record when it is done: at EOF, on a read error, or at
// Close. A body known to be empty (HEAD, 204, 304, Content-Length 0) is done
// at once, so that callers who never close it still leave an end record.
func (v *Vault) respond(ctx context.Context, e *audit.Entry, a sendResult, start time.Time, cancel context.CancelFunc, o *outgoing) *http.Response {
	resp := a.resp
	e.Status = resp.StatusCode
	e.RequestID, e.AmzID2 = awserr.RequestID(resp.Header), awserr.HostID(resp.Header)
	e.AccessKeyID = a.creds.AccessKeyID
	e.Outcome = audit.OutcomeOK
	var answered *awserr.Error
	if resp.StatusCode >= 300 {
		answered = recordError(e, resp, a.peek)
	}
	if resp.StatusCode >= 400 || e.ErrorCode != "" {
		e.Outcome = audit.OutcomeAWSError
	}
	// The signed request carries the session token: the caller gets the
	// request it made, never the one that was sent. Request's answers carry
	// the error parsed above in that request's context (awserr.FromResponse);
	// an HTTPClient's caller gets its own request back untouched.
	if o.orig != nil {
		resp.Request = o.orig
	} else {
		rctx := ctx
		if answered != nil {
			rctx = awserr.NewContext(ctx, answered)
		}
		resp.Request = (&http.Request{Method: o.method, URL: o.sent, Header: o.header, Host: o.sent.Host}).WithContext(rctx)
	}
	if resp.Body != nil && resp.Body != http.NoBody {
		// The grant's secrets never reach the reader; credentials in the
		// answer only when the grant may issue them (redact.go).
		if needles, fields := secretNeedles(a.creds), o.redactFields; len(needles) > 0 || fields {
			resp.Body = wrappedBody{newRedactor(resp.Body, needles, fields), resp.Body}
		}
	}
	b := &auditedBody{rc: resp.Body}
	b.finish = func(n int64, err error) {
		e.ResponseBytes = n
		e.DurationMS = v.now().Sub(start).Milliseconds()
		if err != nil {
			if e.Outcome == audit.OutcomeOK {
				e.Outcome = audit.OutcomeNetworkError
			}
			if e.ErrorMessage == "" {
				e.ErrorMessage = text.Clip("reading the response: "+err.Error(), 1024)
			}
		}
		v.end(ctx, e)
		cancel()
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
		b.rc = http.NoBody
	}
	resp.Body = b
	if o.method == http.MethodHead || resp.ContentLength == 0 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		b.done(nil)
	}
	v.log.Debug("call answered", "grant", e.GrantID, "operation", e.Action, "status", e.Status,
		"request_id", e.RequestID, "attempts", e.Attempts)
	return resp
}

// auditedBody is a response body that counts what is read and calls finish
// once, at EOF, on a read error, or when closed.
type auditedBody struct {
	rc     io.ReadCloser
	n      atomic.Int64
	once   sync.Once
	finish func(n int64, err error)
}

func (b *auditedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n.Add(int64(n))
	if err != nil {
		if errors.Is(err, io.EOF) {
			b.done(nil)
		} else {
			b.done(err)
		}
	}
	return n, err
}

func (b *auditedBody) Close() error {
	err := b.rc.Close()
	b.done(nil)
	return err
}

func (b *auditedBody) done(err error) {
	b.once.Do(func() { b.finish(b.n.Load(), err) })
}

// Bounds of what the audit keeps of an AWS error.
const (
	maxErrorCode    = 128
	maxErrorMessage = 512
)

// recordError parses an error answer, from its headers and the start of its
// body the vault peeked, and records in e what AWS said: the code, the
// message (redacted, then clipped) and the request ids, which an XML body
// may hold when the headers do not. The Error returned carries the redacted
// message, for whoever shows it.
func recordError(e *audit.Entry, resp *http.Response, peek []byte) *awserr.Error {
	ae := awserr.Parse(resp.StatusCode, resp.Header, peek)
	ae.Message = audit.RedactText(ae.Message)
	e.ErrorCode = text.Clip(ae.Code, maxErrorCode)
	e.ErrorMessage = text.Clip(ae.Message, maxErrorMessage)
	e.RequestID, e.AmzID2 = ae.RequestID, ae.HostID
	return ae
}
