package tools

// Shaping AWS answers for a model: bodies as JSON (XML converted), text or
// base64, cut to a size with a way to read on; the headers worth reading;
// AWS error codes with a hint on what to do.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Body formats.
const (
	formatAuto   = "auto"
	formatJSON   = "json"
	formatText   = "text"
	formatBase64 = "base64"
)

// Sizes of what a tool returns.
const (
	defaultMaxBytes = 16 << 10
	maxMaxBytes     = 1 << 20
	// maxErrorBody bounds what is read of an error answer, which is never
	// spooled.
	maxErrorBody = 64 << 10
)

// readHead reads up to n bytes of r. more is set when r holds more; then
// rest reads what follows, starting with the byte that told.
func readHead(r io.Reader, n int) (head []byte, more bool, rest io.Reader, err error) {
	head = make([]byte, n)
	k, err := io.ReadFull(r, head)
	head = head[:k]
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return head, false, nil, nil
	case err != nil:
		return head, false, nil, err
	}
	var one [1]byte
	m, err := io.ReadFull(r, one[:])
	if m == 0 {
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return head, false, nil, err
	}
	return head, true, io.MultiReader(bytes.NewReader(one[:m]), r), nil
}

// cutUTF8 shortens b, a slice that may end inside a character, to its last
// whole character, when the rest of it is valid UTF-8.
func cutUTF8(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if r, _ := utf8.DecodeRune(b[len(b)-i:]); r == utf8.RuneError && !utf8.FullRune(b[len(b)-i:]) {
				if utf8.Valid(b[:len(b)-i]) {
					return b[:len(b)-i]
				}
			}
			break
		}
	}
	return b
}

// isText reports whether b reads as text: valid UTF-8 without NUL bytes.
func isText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// mediaType is the media type of a Content-Type, lower-case.
func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasPrefix(mt, "application/x-amz-json") || strings.HasSuffix(mt, "+json")
}

func isXMLType(mt string) bool {
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// shapeBody renders a whole body in format: JSON (XML converted to JSON),
// text or base64. auto picks JSON for JSON and XML bodies that parse, text
// for other text and base64 for the rest. It returns the format used and
// the value for the result's body.
func shapeBody(b []byte, contentType, format string) (string, any) {
	mt := mediaType(contentType)
	trimmed := bytes.TrimSpace(b)
	switch format {
	case formatBase64:
		return formatBase64, b
	case formatText:
		if isText(b) {
			return formatText, string(b)
		}
		return formatBase64, b
	}
	if len(trimmed) == 0 {
		return formatText, ""
	}
	looksJSON := isJSONType(mt) || trimmed[0] == '{' || trimmed[0] == '['
	looksXML := isXMLType(mt) || trimmed[0] == '<' && !strings.HasPrefix(mt, "text/html")
	switch {
	case looksJSON && json.Valid(trimmed):
		return formatJSON, json.RawMessage(trimmed)
	case looksXML:
		if v, err := xmlToJSON(trimmed); err == nil {
			return formatJSON, v
		}
	}
	if isText(b) {
		return formatText, string(b)
	}
	return formatBase64, b
}

// xmlNode is an XML element as JSON: an element with only text is its
// text; one with children is an object of its children in document order,
// where repeated names make an array; attributes other than namespaces are
// "@name" members. The root element is the only member of the top object.
type xmlNode struct {
	keys   []string
	values map[string]any
}

func (n *xmlNode) add(k string, v any) {
	if n.values == nil {
		n.values = map[string]any{}
	}
	old, ok := n.values[k]
	switch {
	case !ok:
		n.keys = append(n.keys, k)
		n.values[k] = v
	default:
		if arr, isArr := old.([]any); isArr {
			n.values[k] = append(arr, v)
		} else {
			n.values[k] = []any{old, v}
		}
	}
}

// MarshalJSON writes the members in document order.
func (n *xmlNode) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range n.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(n.values[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// xmlToJSON converts an XML document to a value that marshals as JSON.
func xmlToJSON(data []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	type frame struct {
		name string
		node *xmlNode
		text strings.Builder
	}
	root := &xmlNode{}
	stack := []*frame{{node: root}}
	seen := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f := &frame{name: t.Name.Local, node: &xmlNode{}}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				f.node.add("@"+a.Name.Local, a.Value)
			}
			stack = append(stack, f)
			seen = true
		case xml.CharData:
			top := stack[len(stack)-1]
			if top.text.Len() < maxMaxBytes {
				top.text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var v any = f.node
			if len(f.node.keys) == 0 {
				v = f.text.String()
			} else if s := strings.TrimSpace(f.text.String()); s != "" {
				f.node.add("#text", s)
			}
			stack[len(stack)-1].node.add(f.name, v)
		}
	}
	if !seen || len(stack) != 1 {
		return nil, errors.New("not an XML document")
	}
	return root, nil
}

// shownHeaders are the response headers a result shows: what describes the
// body, identifies the request, or says what to do next.
var shownHeaders = []string{
	"Content-Type", "Content-Length", "Content-Range", "Content-Encoding", "ETag", "Last-Modified", "Location",
	"Retry-After", "X-Amz-Request-Id", "X-Amzn-Requestid", "X-Amz-Id-2", "X-Amzn-Errortype",
	"X-Amz-Bucket-Region", "X-Amz-Version-Id", "X-Amz-Delete-Marker", "X-Amz-Storage-Class",
	"X-Amz-Server-Side-Encryption", "X-Amz-Expiration", "X-Amz-Restore", "X-Amz-Mp-Parts-Count",
	"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Website-Redirect-Location",
	"X-Amz-Checksum-Crc32", "X-Amz-Checksum-Crc32c", "X-Amz-Checksum-Sha256", "X-Amzn-Query-Error",
}

// selectHeaders picks the shown headers and the user metadata of S3
// (x-amz-meta-*), lower-cased.
func selectHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range shownHeaders {
		if v := h.Values(k); len(v) > 0 {
			out[strings.ToLower(k)] = strings.Join(v, ", ")
		}
	}
	for k, v := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") {
			out[lk] = strings.Join(v, ", ")
		}
	}
	return out
}

// answerError is what an AWS error answer says, for the hints: as the
// vault parsed it (awserr.FromResponse), or parsed here from head, the start
// of the body, for an answer that did not come from vault.Request.
func answerError(resp *http.Response, head []byte) *awserr.Error {
	if e, ok := awserr.FromResponse(resp); ok {
		return forHints(*e)
	}
	return parseAWSError(resp.StatusCode, resp.Header, head)
}

// parseAWSError parses an error answer for the hints.
func parseAWSError(status int, h http.Header, body []byte) *awserr.Error {
	return forHints(*awserr.Parse(status, h, body))
}

// forHints completes what AWS said for hintFor and the agent: S3 answers a
// HEAD for a bucket of another region with a bare 301, and names in a
// redirect the bucket's endpoint, whose region says where to go. The message
// is redacted (it may repeat the signed request).
func forHints(e awserr.Error) *awserr.Error {
	if e.Code == "" && e.Status == http.StatusMovedPermanently {
		e.Code = "PermanentRedirect"
	}
	if e.Region == "" && e.Endpoint != "" {
		e.Region = regionOfEndpoint(e.Endpoint)
	}
	e.Message = vault.RedactText(e.Message)
	return &e
}

// regionOfEndpoint reads the region of an S3 endpoint host such as
// bucket.s3.eu-west-1.amazonaws.com. A bucket label urlparse refuses (a
// name too short) leaves the labels after it, which name the region too.
func regionOfEndpoint(host string) string {
	for range 2 {
		if ep, err := urlparse.Parse("https://" + host + "/"); err == nil && ep.S3() {
			return ep.Region
		}
		_, host, _ = strings.Cut(host, ".")
	}
	return ""
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// hintFor says what to do about an AWS error, for the errors an agent
// meets and cannot read its way out of.
func hintFor(e *awserr.Error) string {
	if e.Throttling() {
		return "AWS is throttling this account; the vault already retried. Wait before calling again, and make fewer calls."
	}
	switch e.Code {
	case "SignatureDoesNotMatch":
		return "AWS computed a different signature. Usually the URL is encoded in a way AWS reads differently: encode each path segment once (a space as %20, '+' as %2B, keep '/'), do not encode it twice, and send query values as given. " +
			"If a plain request to the same service fails too, the grant's secret key is wrong: tell the user (alter-mcp doctor checks grants). Do not repeat the request unchanged."
	case "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired":
		return "The grant's temporary credentials have expired. Tell the user: the operator must refresh the grant (alter-mcp grant update-credential), or use another grant (list_grants)."
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden":
		return "AWS itself (IAM or a resource policy), not the vault, refused: the grant's AWS identity lacks a permission for this action or resource. " +
			"Call aws_whoami to see the identity and aws_operations for the IAM action; then ask the user to grant it, or use another grant (list_grants). Repeating the call will not help."
	case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId":
		return "AWS does not know the grant's access key: it was deleted or deactivated, or belongs to another partition. Tell the user (alter-mcp doctor checks grants), or use another grant (list_grants)."
	case "IncompleteSignature", "MissingAuthenticationToken", "MissingAuthenticationTokenException":
		return "AWS could not read the request's signature. This usually means the URL does not name an operation of this service (check the path and the service with aws_operations), or a header the vault sets was changed."
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "TemporaryRedirect":
		if e.Region != "" {
			return "The bucket is in region " + e.Region + ": repeat the request with that region in the URL (https://BUCKET." + urlparse.Host("s3", e.Region) + "/...). The s3_* tools find a bucket's region by themselves."
		}
		return "The bucket is in another region: find it with a HEAD request to the bucket (x-amz-bucket-region), or use the s3_* tools, which find it by themselves."
	case "RequestTimeTooSkewed", "InvalidSignatureException":
		if strings.Contains(strings.ToLower(e.Message), "expired") || strings.Contains(strings.ToLower(e.Message), "time") {
			return "The server's clock is off from AWS's by more than 5 minutes. Tell the user: the machine running alter-mcp must sync its clock."
		}
		return hintFor(&awserr.Error{Code: "SignatureDoesNotMatch"})
	case "NoSuchKey":
		return "No object has this key. Keys are case-sensitive and exact: list the bucket with s3_list (with a prefix) to find the right one."
	case "NoSuchBucket":
		return "No bucket has this name (bucket names are global). s3_list_buckets lists the buckets of the grant's account."
	}
	return ""
}
