package vault

// Judging a request as AWS will execute it: the headers as they go on the
// wire, the operation they name, the actions their headers add, and the
// limits on what an agent may make the vault write down.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Caps on what a call may carry. A call beyond one is refused (ErrInvalid,
// audited with the field clipped), so that an agent cannot fill the store,
// and with it stop every caller, through the audit trail.
const (
	// MaxReasonBytes caps Call.Reason: a sentence or a short paragraph.
	MaxReasonBytes = 2048
	// MaxContextBytes caps Call.Context, as JSON.
	MaxContextBytes = 16 << 10
	// MaxURLBytes caps the URL, query included (S3 and API Gateway refuse
	// request lines much shorter than this).
	MaxURLBytes = 16 << 10
	// MaxHeaderBytes caps the request headers, names and values together
	// (S3 allows 8 KiB).
	MaxHeaderBytes = 64 << 10
)

// Rules the vault reports, beyond the policy's (policy.Rule*).
const (
	// RuleUnidentified: the request could not be read as exactly one AWS
	// operation, so no policy can judge it.
	RuleUnidentified = "unidentified"
	// RuleHeader: a header that changes what AWS does could not be read.
	RuleHeader = "header"
)

// checkCaps refuses a call whose reason, context or URL is over its cap.
func checkCaps(reason string, contextJSON []byte, rawURL string) error {
	switch {
	case len(reason) > MaxReasonBytes:
		return fmt.Errorf("%w: the reason is %d bytes; at most %d are accepted: say in one or two sentences why you make this call", ErrInvalid, len(reason), MaxReasonBytes)
	case len(contextJSON) > MaxContextBytes:
		return fmt.Errorf("%w: the context is %d bytes as JSON; at most %d are accepted: keep it to the ids and facts an auditor needs", ErrInvalid, len(contextJSON), MaxContextBytes)
	case len(rawURL) > MaxURLBytes:
		return fmt.Errorf("%w: the URL is %d bytes; at most %d are accepted", ErrInvalid, len(rawURL), MaxURLBytes)
	}
	return nil
}

// wireHeader returns h as net/http will write it: keys canonical (two keys
// differing only in case become one, as they would on the wire), values
// trimmed of the optional whitespace the transport strips. A header the
// transport would refuse to send, or that is over MaxHeaderBytes, is an
// ErrInvalid: nothing is sent, and it is the caller's to fix.
func wireHeader(h http.Header) (http.Header, error) {
	out := make(http.Header, len(h))
	size := 0
	for k, vs := range h {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("%w: header name %q is not a valid HTTP header name (letters, digits and !#$%%&'*+-.^_`|~ only)", ErrInvalid, text.Clip(k, 60))
		}
		ck := textproto.CanonicalMIMEHeaderKey(k)
		for _, v := range vs {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("%w: the value of header %s holds a control character (a line break, NUL or similar), which HTTP does not allow", ErrInvalid, ck)
			}
			v = textproto.TrimString(v)
			size += len(ck) + len(v) + 4
			out[ck] = append(out[ck], v)
		}
	}
	if size > MaxHeaderBytes {
		return nil, fmt.Errorf("%w: the headers are %d bytes; at most %d are accepted", ErrInvalid, size, MaxHeaderBytes)
	}
	return out, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue: no control characters but horizontal tab (RFC 9110
// field-value; net/http refuses the rest).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// judgement is what the vault makes of a request before rate limits.
type judgement struct {
	op       catalog.Operation
	in       policy.Input
	implied  []catalog.Implied
	decision policy.Decision
}

// inputFor is policy.InputFor with what the vault knows beyond the URL and
// the operation.
func inputFor(ep urlparse.Endpoint, op catalog.Operation, method string, u *url.URL) policy.Input {
	in := policy.InputFor(ep, op, method, u.Path)
	in.IssuesCredentials = op.IssuesCredentials
	in.CustomerHost = ep.CustomerOwned()
	return in
}

// judge decides a request under pol: the policy on the operation, then on
// every action its headers imply, then, when the policy allowed all of it,
// a refusal for a request that is not exactly one known operation. in must
// be complete (reason, caller, time, body size).
func judge(pol *policy.Policy, in policy.Input, op catalog.Operation, header http.Header) judgement {
	j := judgement{op: op, in: in}
	imps, err := catalog.HeaderActions(op, header)
	if err != nil {
		j.decision = policy.Decision{Rule: RuleHeader, Message: err.Error() +
			"; the vault cannot tell what AWS would do with it, so the call is refused. Fix or remove the header."}
		return j
	}
	j.implied = imps
	j.decision = pol.Evaluate(in)
	if j.decision.Allow && len(imps) > 0 {
		j.decision = pol.EvaluateImplied(in, imps)
	}
	if j.decision.Allow && op.Name == "" {
		why := op.Unidentified
		if why == "" {
			why = "the request was not identified as a known AWS operation"
		}
		j.decision = policy.Decision{Rule: RuleUnidentified, Message: why +
			". The vault sends only requests it can read as exactly one AWS operation, as AWS will execute it. " +
			"Check the URL, method and headers (X-Amz-Target, Action=) against the API reference (aws_operations shows how to call each operation)."}
	}
	return j
}

// maxInputValue bounds each value recorded in Entry.Inputs.
const maxInputValue = 256

// decidingInputs returns what decided the operation, for the audit, so that
// any refused or odd call can be reconstructed: X-Amz-Target, Action= in the
// query and in a form body, the x-amz-* headers that change the operation or
// the resource (copy sources, ACLs, tagging, object lock, KMS keys) and the
// Content-Type. Values are clipped. nil when there is nothing to record.
func decidingInputs(rawQuery string, header http.Header, body []byte) map[string]string {
	var m map[string]string
	put := func(k, v string) {
		if m == nil {
			m = make(map[string]string, 4)
		}
		m[k] = text.Clip(v, maxInputValue)
	}
	keys := make([]string, 0, len(header))
	for k := range header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") || ownHeader(lk) || strings.HasPrefix(lk, "x-amz-meta-") {
			continue
		}
		put(lk, strings.Join(header[k], ", "))
	}
	if actions := formValues(rawQuery, "Action"); actions != nil {
		put("query:Action", strings.Join(actions, ", "))
	}
	if len(body) > 0 && len(body) <= 1<<20 {
		ct := header.Get("Content-Type")
		if ct == "" || strings.Contains(strings.ToLower(ct), "x-www-form-urlencoded") {
			if actions := formValues(string(body), "Action"); actions != nil {
				put("body:Action", strings.Join(actions, ", "))
			}
		}
	}
	if m != nil {
		if ct := header.Get("Content-Type"); ct != "" {
			put("content-type", ct)
		}
	}
	return m
}

// ownHeader: headers about the signature and the transfer, not the operation.
func ownHeader(lk string) bool {
	switch lk {
	case "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-decoded-content-length",
		"x-amz-user-agent", "x-amz-sdk-checksum-algorithm", "x-amz-trailer":
		return true
	}
	return strings.HasPrefix(lk, "x-amz-checksum-")
}

// formValues returns every value of key in the form-encoded s, or nil.
func formValues(s, key string) []string {
	var out []string
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil && dk == key {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			out = append(out, v)
		}
	}
	return out
}

// contextJSON marshals a call's context for the audit.
func contextJSON(c map[string]any) ([]byte, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("%w: context is not JSON: %w", ErrInvalid, err)
	}
	return b, nil
}
