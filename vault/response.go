package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/text"
)

// respond records what AWS said in e and hands the response over with a body
// that writes the end record when it is done: at EOF, on a read error, or at
// Close. A body known to be empty (HEAD, 204, 304, Content-Length 0) is done
// at once, so that callers who never close it still leave an end record.
func (v *Vault) respond(ctx context.Context, e *audit.Entry, a sendResult, start time.Time, cancel context.CancelFunc, o *outgoing) *http.Response {
	resp := a.resp
	e.Status = resp.StatusCode
	e.RequestID = firstHeader(resp.Header, "X-Amzn-Requestid", "X-Amz-Request-Id", "X-Amzn-Request-Id")
	e.AmzID2 = resp.Header.Get("X-Amz-Id-2")
	e.Outcome = audit.OutcomeOK
	if resp.StatusCode >= 300 {
		e.ErrorCode, e.ErrorMessage = parseError(a.peek, resp.Header)
		e.ErrorMessage = audit.RedactText(e.ErrorMessage)
	}
	if resp.StatusCode >= 400 || e.ErrorCode != "" {
		e.Outcome = audit.OutcomeAWSError
	}
	// The signed request carries the session token: the caller gets the
	// request it made, never the one that was sent.
	if o.orig != nil {
		resp.Request = o.orig
	} else {
		resp.Request = (&http.Request{Method: o.method, URL: o.sent, Header: o.header, Host: o.sent.Host}).WithContext(ctx)
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

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if s := h.Get(n); s != "" {
			return s
		}
	}
	return ""
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

// maxErrorMessage bounds the error message kept in the audit.
const maxErrorMessage = 512

// parseError finds the AWS error code and message of an error response:
// x-amzn-ErrorType, an XML body (<Error><Code>, also inside <ErrorResponse>)
// or a JSON body ({"__type": "...#Code", "message": "..."}).
func parseError(body []byte, h http.Header) (code, message string) {
	if t := h.Get("X-Amzn-Errortype"); t != "" {
		code, _, _ = strings.Cut(t, ":")
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
	case body[0] == '<':
		c, m := xmlError(body)
		code, message = firstNonEmpty(code, c), m
	case body[0] == '{':
		var j map[string]any
		if json.Unmarshal(body, &j) == nil {
			for _, k := range []string{"__type", "code", "Code"} {
				if s, ok := j[k].(string); ok && s != "" && code == "" {
					code = s
				}
			}
			for _, k := range []string{"message", "Message", "errorMessage"} {
				if s, ok := j[k].(string); ok && s != "" && message == "" {
					message = s
				}
			}
		}
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return text.Clip(strings.TrimSpace(code), 128), text.Clip(strings.TrimSpace(message), maxErrorMessage)
}

// xmlError returns the text of the first complete Code and Message elements.
func xmlError(body []byte) (code, message string) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	var cur string
	var text []byte
	for code == "" || message == "" {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur, text = t.Name.Local, text[:0]
		case xml.CharData:
			if len(text) < 4<<10 {
				text = append(text, t...)
			}
		case xml.EndElement:
			switch {
			case t.Name.Local != cur:
			case cur == "Code" && code == "":
				code = string(text)
			case cur == "Message" && message == "":
				message = string(text)
			}
			cur = ""
		}
	}
	return code, message
}
