package catalog

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/alter-mcp/alter-mcp/internal/text"
)

// Implied is an IAM action that AWS authorizes because of a request header,
// beyond the operation's own action: the source of a copy is read
// (s3:GetObject), an ACL header sets the object's ACL (s3:PutObjectAcl), a
// KMS key id uses that key (kms:GenerateDataKey). The policy judges each one
// as it judges the operation itself.
type Implied struct {
	// Header is the canonical name of the header that implies the action:
	// "X-Amz-Copy-Source".
	Header string
	// Value is the header's value as sent, without the spaces and tabs
	// around it (for the audit and messages).
	Value string
	// Action is the IAM action: "s3:GetObject", "s3:PutObjectAcl".
	Action string
	// ReadOnly reports whether Action only reads.
	ReadOnly bool
	// Bucket and Key name the object the action acts on when it is not the
	// request's own (a copy source); both empty for the request's own.
	Bucket, Key string
	// AccessPoint is set when the resource is named through an access point
	// (an ARN copy source): the vault cannot know which bucket it fronts.
	// It is the access point's name, or "outpost/ID" for an Outposts ARN
	// that names none.
	AccessPoint string
	// Region is the region an ARN names; "" for the request's own.
	Region string
	// KMSKeyID is the KMS key an encryption header names.
	KMSKeyID string
	// Source cites the AWS documentation the rule comes from.
	Source string
}

// HeaderError reports a header the table lists whose value cannot be read:
// the request cannot be judged and must be refused.
type HeaderError struct {
	Header string // canonical name
	Value  string // as sent, clipped
	Reason string
}

func (e *HeaderError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Header, e.Value, e.Reason)
}

// HeaderActions returns the actions the request's headers imply beyond
// op.Action, from the package's table of header-borne actions, in the
// table's order. It returns an error, naming the header (a *HeaderError),
// when a header the table lists cannot be read (a copy source that is not
// BUCKET/KEY or an access point ARN, a header sent twice): the request
// cannot be judged and must be refused.
//
// Header names are matched case-insensitively; values are trimmed of the
// spaces and tabs HTTP trims. A request without such headers returns nil
// without allocating. An unidentified operation (empty Name) implies
// nothing: it is refused anyway.
func HeaderActions(op Operation, header http.Header) ([]Implied, error) {
	if op.Name == "" || len(header) == 0 {
		return nil, nil
	}
	rules := rulesFor(op.Service, op.Name)
	if len(rules) == 0 || !anyHeader(header, rules) {
		return nil, nil
	}
	var out []Implied
	for _, r := range rules {
		v, n := headerValue(header, r.header)
		if n == 0 {
			continue
		}
		if n > 1 {
			return nil, &HeaderError{Header: r.header, Value: text.Clip(v, maxQuoted), Reason: "is sent more than once"}
		}
		v = strings.Trim(v, " \t")
		if r.when != nil && !r.when(v) {
			continue
		}
		imp := Implied{
			Header: r.header, Value: v, Action: r.actionFor(op), ReadOnly: r.readOnly, Source: r.source,
		}
		if err := r.read(&imp, v); err != nil {
			return nil, err
		}
		out = append(out, imp)
	}
	return out, nil
}

// anyHeader reports whether h has a header one of the rules names, in one
// pass over h.
func anyHeader(h http.Header, rules []*headerRule) bool {
	for k := range h {
		for _, r := range rules {
			if len(k) == len(r.header) && strings.EqualFold(k, r.header) {
				return true
			}
		}
	}
	return false
}

// headerRule is one entry of headerRules.
type headerRule struct {
	service  string   // botocore service name of the operations
	ops      []string // the operations the header counts on
	header   string   // canonical header name
	action   string   // the IAM action implied
	readOnly bool
	kind     valueKind
	when     func(value string) bool // nil: any value implies the action
	source   string
}

// valueKind says what a header's value names.
type valueKind uint8

const (
	plainValue valueKind = iota // nothing beyond the request's own resource
	copySource                  // BUCKET/KEY or an access point ARN, URL-encoded
	kmsKey                      // a KMS key id, alias or ARN
	arnRegion                   // an id or ARN; an ARN's region is kept
)

// actionFor puts an S3 action in the namespace of the operation's own
// action (s3-outposts, s3-object-lambda).
func (r *headerRule) actionFor(op Operation) string {
	if !strings.HasPrefix(r.action, "s3:") {
		return r.action
	}
	if ns, _, ok := strings.Cut(op.Action, ":"); ok && strings.HasPrefix(ns, "s3") {
		return ns + r.action[2:]
	}
	return r.action
}

// read fills in what the value names.
func (r *headerRule) read(imp *Implied, v string) error {
	switch r.kind {
	case copySource:
		return readCopySource(imp, r.header, v)
	case kmsKey:
		if v == "" {
			return &HeaderError{Header: r.header, Value: v, Reason: "names no KMS key"}
		}
		imp.KMSKeyID = v
		imp.Region = arnRegionOf(v)
	case arnRegion:
		if v == "" {
			return &HeaderError{Header: r.header, Value: v, Reason: "is empty"}
		}
		imp.Region = arnRegionOf(v)
	}
	return nil
}

// readCopySource reads an x-amz-copy-source value: URL-encoded BUCKET/KEY
// (with or without a leading slash), or the ARN of an object through an
// access point (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY, and
// the s3-outposts and s3-object-lambda forms), either followed by
// ?versionId=ID. Anything else is an error: AWS might read it otherwise.
func readCopySource(imp *Implied, header, v string) error {
	bad := func(reason string) error {
		return &HeaderError{Header: header, Value: text.Clip(v, maxQuoted), Reason: reason}
	}
	if v == "" {
		return bad("is empty")
	}
	raw, query, hasQuery := strings.Cut(v, "?")
	if hasQuery {
		id, ok := strings.CutPrefix(query, "versionId=")
		if !ok || id == "" || strings.ContainsAny(id, "&=") {
			return bad("has a query other than ?versionId=ID")
		}
		imp.Action = strings.TrimSuffix(imp.Action, "GetObject") + "GetObjectVersion"
	}
	if strings.IndexByte(raw, '+') >= 0 {
		// Encoders write a space as %20 and a plus as %2B; a bare plus
		// could be read as either.
		return bad("has a bare '+': encode it as %2B, or a space as %20")
	}
	src, err := url.PathUnescape(raw)
	if err != nil {
		return bad("is not URL-encoded correctly")
	}
	if strings.HasPrefix(src, "arn:") {
		return readCopySourceARN(imp, src, bad)
	}
	src = strings.TrimPrefix(src, "/")
	bucket, key, ok := strings.Cut(src, "/")
	switch {
	case !ok || key == "":
		return bad("names no object key: want BUCKET/KEY or an access point ARN")
	case bucket == "":
		return bad("names no bucket")
	}
	imp.Bucket, imp.Key = bucket, key
	return nil
}

// readCopySourceARN reads arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE,
// where RESOURCE is accesspoint/NAME/object/KEY,
// outpost/ID/accesspoint/NAME/object/KEY or outpost/ID/object/KEY.
func readCopySourceARN(imp *Implied, arn string, bad func(string) error) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[1] == "" || parts[3] == "" || parts[4] == "" {
		return bad("is not an ARN of an object through an access point")
	}
	service, region, resource := parts[2], parts[3], parts[5]
	switch service {
	case "s3", "s3-outposts", "s3-object-lambda":
	default:
		return bad("names a service that holds no S3 objects")
	}
	var ap string
	if rest, ok := strings.CutPrefix(resource, "outpost/"); ok && service == "s3-outposts" {
		id, after, _ := strings.Cut(rest, "/")
		if id == "" {
			return bad("names no outpost")
		}
		ap, resource = "outpost/"+id, after
	}
	if rest, ok := strings.CutPrefix(resource, "accesspoint/"); ok {
		name, after, _ := strings.Cut(rest, "/")
		if name == "" {
			return bad("names no access point")
		}
		ap, resource = name, after
	}
	key, ok := strings.CutPrefix(resource, "object/")
	if ap == "" || !ok || key == "" {
		return bad("is not an ARN of an object through an access point")
	}
	if ns, _, _ := strings.Cut(imp.Action, ":"); ns != service {
		imp.Action = service + imp.Action[len(ns):]
	}
	imp.AccessPoint, imp.Key, imp.Region = ap, key, region
	return nil
}

// arnRegionOf returns the region of an ARN, or "".
func arnRegionOf(v string) string {
	if !strings.HasPrefix(v, "arn:") {
		return ""
	}
	parts := strings.SplitN(v, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

var (
	rulesOnce sync.Once
	rulesByOp map[string][]*headerRule // "service/Operation" → rules, in table order
)

// rulesFor returns the rules that count on an operation, without
// allocating.
func rulesFor(service, operation string) []*headerRule {
	rulesOnce.Do(func() {
		rulesByOp = map[string][]*headerRule{}
		for i := range headerRules {
			r := &headerRules[i]
			for _, o := range r.ops {
				key := r.service + "/" + o
				rulesByOp[key] = append(rulesByOp[key], r)
			}
		}
	})
	if len(service)+1+len(operation) > 128 {
		return nil
	}
	var buf [128]byte
	key := append(append(append(buf[:0], service...), '/'), operation...)
	return rulesByOp[string(key)]
}
