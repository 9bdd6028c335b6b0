package credsrc

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// APIError is an error answer of an AWS query-protocol API (STS, IAM). It
// carries what AWS said and never any credential.
type APIError struct {
	Operation string // "AssumeRole"
	Status    int
	Code      string // "AccessDenied", "InvalidClientTokenId", ...
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: AWS answered %d %s", e.Operation, e.Status, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Endpoint is an AWS query API to call: where to send, and what to sign for.
type Endpoint struct {
	URL     string // "https://sts.us-east-1.amazonaws.com/"
	Region  string // signing region
	Service string // signing name: "sts", "iam"
	// Client sends the request; nil means a client with a 30 s timeout.
	Client *http.Client
}

// STS returns the regional STS endpoint of region (us-east-1 when empty),
// in the region's partition.
func STS(region string) Endpoint {
	if region == "" {
		region = "us-east-1"
	}
	return Endpoint{URL: "https://" + urlparse.Host("sts", region) + "/", Region: region, Service: "sts"}
}

// IAM returns the global IAM endpoint of region's partition (the
// commercial one when region is ""), or its regional endpoint in a
// partition that has no global one.
func IAM(region string) Endpoint {
	if _, ok := urlparse.PartitionOf(region); !ok {
		region = ""
	}
	if host, signing, ok := urlparse.GlobalHost("iam", region); ok {
		return Endpoint{URL: "https://" + host + "/", Region: signing, Service: "iam"}
	}
	return Endpoint{URL: "https://" + urlparse.Host("iam", region) + "/", Region: region, Service: "iam"}
}

var defaultClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// maxAnswer bounds what is read of an answer: query APIs answer in kilobytes.
const maxAnswer = 1 << 20

// Call makes one query-protocol call (form-encoded POST) signed with creds
// and decodes the XML answer into out. Errors AWS returns are *APIError.
func (e Endpoint) Call(ctx context.Context, creds sigv4.Credentials, form url.Values, out any) error {
	_, err := e.call(ctx, creds, form, out)
	return err
}

// call is Call that also returns the answer's headers.
func (e Endpoint) call(ctx context.Context, creds sigv4.Credentials, form url.Values, out any) (http.Header, error) {
	op := form.Get("Action")
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, creds, sigv4.Options{Region: e.Region, Service: e.Service, Payload: []byte(body)}); err != nil {
		return nil, fmt.Errorf("%s: sign: %w", op, err)
	}
	client := e.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return resp.Header, fmt.Errorf("%s: read the answer: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.Header, decodeError(op, resp, data)
	}
	if err := xml.Unmarshal(data, out); err != nil {
		return resp.Header, fmt.Errorf("%s: the answer is not the XML expected: %w", op, err)
	}
	return resp.Header, nil
}

func decodeError(op string, resp *http.Response, data []byte) error {
	ae := awserr.Parse(resp.StatusCode, resp.Header, data)
	e := &APIError{Operation: op, Status: resp.StatusCode, Code: ae.Code, Message: ae.Message, RequestID: ae.RequestID}
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	return e
}

// Identity is who a set of credentials is (STS GetCallerIdentity).
type Identity struct {
	Account string `xml:"GetCallerIdentityResult>Account" json:"account"`
	ARN     string `xml:"GetCallerIdentityResult>Arn" json:"arn"`
	UserID  string `xml:"GetCallerIdentityResult>UserId" json:"user_id"`
	// ServerTime is the answer's Date header (zero when absent), to measure
	// clock skew: AWS refuses signatures more than 5 minutes off.
	ServerTime time.Time `xml:"-" json:"-"`
}

// CallerIdentity asks STS who creds belong to.
func (e Endpoint) CallerIdentity(ctx context.Context, creds sigv4.Credentials) (Identity, error) {
	var id Identity
	h, err := e.call(ctx, creds, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, &id)
	if h != nil {
		if t, perr := http.ParseTime(h.Get("Date")); perr == nil {
			id.ServerTime = t
		}
	}
	return id, err
}

// IsAuthError reports whether err says AWS does not accept the credentials
// themselves (as opposed to a permission or a network failure).
func IsAuthError(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId":
		return true
	}
	return false
}
