// Package awserr reads AWS error answers, whatever the protocol: the error
// code and message of an XML body (rest-xml, query, ec2), a JSON body (awsJson,
// rest-json), a CBOR body (Smithy RPC v2) or the x-amzn-ErrorType header; the
// request ids an auditor joins to CloudTrail; and whether the answer asks to
// be retried (throttling, transient failures).
//
// It is the module's one parser of AWS errors. It depends only on the
// standard library, never fails (an answer it cannot read has an empty Code),
// and does not redact: a message may repeat parts of the request, so callers
// that show or store it redact it first.
package awserr

import (
	"context"
	"net/http"
	"strconv"
)

// Error is what an AWS error answer says.
type Error struct {
	Status int // the HTTP status
	// Code is the error code without a namespace or URI:
	// "NoSuchKey", "ThrottlingException" (from
	// "com.amazonaws.dynamodb.v20120810#ThrottlingException" or
	// "ThrottlingException:http://internal.amazon.com/coral/...").
	Code    string
	Message string // as AWS wrote it, trimmed; it may repeat parts of the request
	// RequestID is AWS's id of the request (RequestID's headers, else
	// <RequestId> or <RequestID> in an XML body), to join CloudTrail.
	RequestID string
	// HostID is S3's extended request id (x-amz-id-2, else <HostId>).
	HostID string
	// Region is the region S3 says a bucket is in: x-amz-bucket-region,
	// else <Region> (AuthorizationHeaderMalformed, redirects).
	Region string
	// Endpoint is the host S3 says to use instead (<Endpoint> of a
	// PermanentRedirect), as AWS wrote it.
	Endpoint string
}

func (e *Error) Error() string {
	s := "AWS answered " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Parse reads an error answer: its status, headers and body (or the start of
// it; nil for an answer without one, such as HEAD's). The code of an
// x-amzn-ErrorType header comes before the body's. Parse never fails: an
// answer that says nothing it can read gives an Error with an empty Code.
func Parse(status int, h http.Header, body []byte) *Error {
	e := &Error{Status: status, RequestID: RequestID(h), HostID: HostID(h), Region: h.Get("X-Amz-Bucket-Region")}
	if t := h.Get("X-Amzn-Errortype"); t != "" {
		e.Code = cleanCode(t)
	}
	parseBody(e, body)
	return e
}

// RequestID is AWS's id of a request, from the answer's headers:
// x-amzn-RequestId (JSON and query protocols), x-amz-request-id (S3) or
// x-amzn-request-id.
func RequestID(h http.Header) string {
	for _, k := range [...]string{"X-Amzn-Requestid", "X-Amz-Request-Id", "X-Amzn-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// HostID is S3's extended request id, x-amz-id-2, which AWS support asks
// for beside the request id.
func HostID(h http.Header) string { return h.Get("X-Amz-Id-2") }

// Retryable reports whether the AWS SDKs retry the answer: a 429, 500, 502,
// 503 or 504, or an error status whose code says throttling or a transient
// failure. 501 (not implemented) is never retried.
func (e *Error) Retryable() bool {
	switch e.Status {
	case 429, 500, 502, 503, 504:
		return true
	}
	return e.Status >= 400 && (throttlingCodes[e.Code] || transientCodes[e.Code])
}

// Throttling reports whether the code says "too many requests, slow down".
func (e *Error) Throttling() bool { return throttlingCodes[e.Code] }

type contextKey struct{}

// NewContext returns a copy of ctx that carries e. A sender that parsed an
// answer gives it to the answer's Request this way, so that FromResponse
// finds it whatever the reader did with the body since.
func NewContext(ctx context.Context, e *Error) context.Context {
	return context.WithValue(ctx, contextKey{}, e)
}

// FromContext returns the Error ctx carries, if any.
func FromContext(ctx context.Context) (*Error, bool) {
	e, ok := ctx.Value(contextKey{}).(*Error)
	return e, ok && e != nil
}

// FromResponse returns the Error whoever sent resp parsed and attached to
// resp.Request's context (vault.Request does for every answer of status 300
// or more). ok is false when none was attached: parse the body with Parse.
func FromResponse(resp *http.Response) (e *Error, ok bool) {
	if resp == nil || resp.Request == nil {
		return nil, false
	}
	return FromContext(resp.Request.Context())
}
