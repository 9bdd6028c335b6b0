package vault

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// sendResult is what send got back.
type sendResult struct {
	resp *http.Response
	// peek is the start (up to peekLimit bytes) of an error response's body,
	// read ahead to see its error code; resp.Body still yields all of it.
	peek     []byte
	attempts int // requests sent
	// creds signed the last attempt: the answer is searched for its
	// secrets (redact.go).
	creds sigv4.Credentials
}

// peekLimit bounds how much of an error response is read ahead.
const peekLimit = 64 << 10

// Retry policy: attempts are retried when the request is idempotent (GET,
// HEAD, PUT, DELETE, OPTIONS, or an operation the catalog knows to be
// read-only) and its body can be replayed, on a network error (a reset
// connection; an endpoint that stalls past ResponseHeaderTimeout), a 5xx
// other than 501, a 429, or a throttling error code. Each attempt is signed anew.
// The delay before attempt n+1 is random in [0, min(max, base·2^(n-1))]
// ("full jitter"), or Retry-After when AWS asks for longer.
func (v *Vault) send(ctx context.Context, g *store.Grant, ep urlparse.Endpoint, target *url.URL, o *outgoing, idempotent bool) (sendResult, error) {
	limit := 1
	if idempotent && o.body.replayable() {
		limit = v.maxAttempts
	}
	var a sendResult
	for {
		req, creds, err := v.signed(ctx, g, ep, target, o)
		if err != nil {
			return a, err
		}
		a.creds = creds
		a.attempts++
		resp, err := v.transport.RoundTrip(req)
		if err == nil && resp == nil {
			err = errors.New("the transport returned no response and no error")
		}
		var peek []byte
		if err == nil && resp.StatusCode >= 300 && o.method != http.MethodHead {
			peek = peekBody(resp)
		}
		if a.attempts < limit && ctx.Err() == nil {
			if why := retryReason(resp, err, peek); why != "" {
				delay := v.backoff(a.attempts, resp)
				if resp != nil {
					io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
					resp.Body.Close()
				}
				v.log.Debug("retrying", "grant", g.ID, "attempt", a.attempts, "reason", why, "delay", delay)
				t := time.NewTimer(delay)
				select {
				case <-ctx.Done():
					t.Stop()
					return a, fmt.Errorf("send %s %s: gave up after %d attempts (%s): %w", o.method, audit.RedactURL(target.String()), a.attempts, why, ctx.Err())
				case <-t.C:
				}
				continue
			}
		}
		if err != nil {
			return a, fmt.Errorf("send %s %s (attempt %d): %w", o.method, audit.RedactURL(target.String()), a.attempts, err)
		}
		a.resp, a.peek = resp, peek
		return a, nil
	}
}

// signed builds and signs the request of one attempt. The grant's secret is
// decrypted here, used, and dropped before the request leaves; the signing
// key derived from it lives in a cache made for this one signature.
func (v *Vault) signed(ctx context.Context, g *store.Grant, ep urlparse.Endpoint, target *url.URL, o *outgoing) (*http.Request, sigv4.Credentials, error) {
	u := *target
	req := (&http.Request{
		Method:     o.method,
		URL:        &u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     o.header.Clone(),
		Host:       u.Host,
	}).WithContext(ctx)
	// Set before signing, in the spelling sigv4 leaves out of the signed
	// headers: CloudTrail's userAgent then names alter-mcp and the grant.
	setUserAgent(req, UserAgent(g.Name))
	rc, err := o.body.reader()
	if err != nil {
		return nil, sigv4.Credentials{}, err
	}
	if rc != nil {
		req.Body, req.ContentLength = rc, o.body.length
	}
	creds, err := v.credentialsFor(ctx, g, cmp.Or(o.meta.caller, o.meta.callerLabel))
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, sigv4.Credentials{}, err
	}
	signer := sigv4.Signer{Keys: &sigv4.KeyCache{Size: 1}}
	opts := sigv4.Options{Region: ep.SigningRegion, RegionSet: ep.RegionSet, Service: ep.SigningName}
	switch o.body.mode {
	case payloadChunked:
		err = signer.SignStreaming(req, creds, opts, 0)
	default:
		opts.PayloadHash = o.body.hash
		err = signer.Sign(req, creds, opts)
	}
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, sigv4.Credentials{}, fmt.Errorf("%w: sign the request for grant %s: %w", ErrInvalid, g.ID, err)
	}
	return req, creds, nil
}

// peekBody reads up to peekLimit bytes of an error response ahead and puts
// them back in front of the rest of the body.
func peekBody(resp *http.Response) []byte {
	if resp.Body == nil || resp.Body == http.NoBody || resp.ContentLength > peekLimit {
		return nil
	}
	size := int64(4 << 10)
	if resp.ContentLength >= 0 {
		size = resp.ContentLength
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, peekLimit+1))
	peek := buf.Bytes()
	var rest io.Reader = resp.Body
	switch {
	case err != nil:
		rest = errReader{err}
	case len(peek) <= peekLimit:
		// The whole body: an AWS error that repeats the canonical request
		// (SignatureDoesNotMatch) would show the session token; it is
		// taken out before anyone reads the answer.
		if red := audit.RedactText(string(peek)); red != string(peek) {
			peek = []byte(red)
			resp.ContentLength = int64(len(peek))
			resp.Header.Set("Content-Length", strconv.Itoa(len(peek)))
		}
		rest = http.NoBody
	}
	resp.Body = wrappedBody{io.MultiReader(bytes.NewReader(peek), rest), resp.Body}
	return peek
}

// wrappedBody is a response body read through a wrapper (the peeked start
// put back, the redactor) and closed as the original.
type wrappedBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// retryReason says why an attempt's result should be retried, or "": the
// statuses and error codes the AWS SDKs retry (awserr.Error.Retryable).
func retryReason(resp *http.Response, err error, peek []byte) string {
	if err != nil {
		switch {
		case errors.Is(err, context.Canceled):
			return ""
		case errors.Is(err, context.DeadlineExceeded):
			// send asks only while the call's context is alive: this is
			// the transport's own timeout (a stalled endpoint), which net/http
			// reports as a deadline.
			return "no response in time"
		}
		return "network error"
	}
	if resp.StatusCode < 400 {
		return ""
	}
	e := awserr.Parse(resp.StatusCode, resp.Header, peek)
	switch {
	case !e.Retryable():
		return ""
	case e.Code != "":
		return strconv.Itoa(resp.StatusCode) + " " + text.Clip(e.Code, maxErrorCode)
	}
	return strconv.Itoa(resp.StatusCode)
}

// backoff is the delay before the attempt after attempt n.
func (v *Vault) backoff(n int, resp *http.Response) time.Duration {
	ceiling := v.maxDelay
	if n-1 < 30 {
		ceiling = min(v.maxDelay, v.baseDelay<<(n-1))
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	if resp != nil {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			if ra := time.Duration(s) * time.Second; ra > d && ra <= v.maxDelay {
				d = ra
			}
		}
	}
	return d
}
