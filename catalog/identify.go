package catalog

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// Identify says which operation a request is. ep is what urlparse.Parse
// said about the URL; method, path (escaped, as sent: URL.EscapedPath) and
// rawQuery (URL.RawQuery) are the request line; header and body are needed
// only for the JSON protocols (X-Amz-Target), query protocols sent as a
// form-urlencoded body, and S3 operations told apart by a header (CopyObject).
// The body is only read, and only for services that answer a query protocol.
//
// The service is ep.Service looked up as a botocore endpoint prefix
// ("monitoring", "email", "api.ecr", "runtime.sagemaker"), then as a
// botocore service name ("cloudwatch"); S3 requests (ep.Addressing set) are
// S3's. Operation.Service is the botocore service name.
//
// A request that is not identified returns an Operation with an empty Name,
// ReadOnly false and Unidentified saying why (Service is still set if the
// service is known). Identify fails closed: a request AWS could read as
// another operation, or as two, is not identified.
func Identify(ep urlparse.Endpoint, method, path, rawQuery string, header http.Header, body []byte) Operation {
	c := get()
	cands := c.candidates(&ep)
	if len(cands) == 0 {
		if ep.Service == "" {
			return Operation{Unidentified: "the URL names no AWS service"}
		}
		return Operation{Unidentified: fmt.Sprintf("%q is not an AWS service the catalog knows", text.Clip(ep.Service, maxQuoted))}
	}

	var id identification
	var rpc bool
	for _, s := range cands {
		if s.protos&(pJSON|pQuery|pEC2|pCBOR) != 0 {
			rpc = true
			break
		}
	}
	if rpc {
		identifyRPC(&id, cands, path, rawQuery, header, body)
	}

	m := methodIndex(method)
	if m < 0 && method != "" {
		m = methodIndex(strings.ToUpper(method))
	}
	if !id.conflict {
		identifyREST(&id, c, &ep, cands, m, method, path, rawQuery, header)
	}
	if id.unresolved != "" && id.op != nil {
		// One signal names an operation, another of a protocol the
		// service answers names none: AWS may read the request the
		// other way.
		id.refuse(fmt.Sprintf("%s, while %s names %s", id.unresolved, id.signal, id.op.name))
	}

	if id.op == nil || id.conflict {
		if len(c.execAPI) > 0 && cands[0] == c.execAPI[0] && !id.conflict {
			// Any other request to an API Gateway host invokes the API.
			return Operation{
				Service: "execute-api", Name: "Invoke", Action: "execute-api:Invoke",
				EventSource: "execute-api.amazonaws.com",
			}
		}
		return Operation{
			Service: cands[0].info.Name, EventSource: cands[0].info.EventSource,
			Unidentified: id.why(cands, method, path, rawQuery),
		}
	}
	o := id.op
	action := o.action
	if o.versionAction != "" && hasQueryKey(rawQuery, "versionId") {
		action = o.versionAction
	}
	if o.svc == c.s3 && (ep.SigningName == "s3-outposts" || ep.SigningName == "s3-object-lambda") && strings.HasPrefix(action, "s3:") {
		// S3 on Outposts and Object Lambda access points have IAM
		// namespaces of their own for the same operations.
		action = ep.SigningName + action[2:]
	}
	return Operation{
		Service:           o.svc.info.Name,
		Name:              o.name,
		Action:            action,
		EventSource:       o.svc.info.EventSource,
		ReadOnly:          o.readOnly,
		Protocol:          id.protocol,
		IssuesCredentials: o.issues,
	}
}

// identification collects what each signal of a request says; signals that
// name different operations make the request unidentified. The reasons are
// built only when a request fails, so that identifying one does not
// allocate.
type identification struct {
	op       *op
	protocol string
	signal   string // what named op: "X-Amz-Target", "Action", "the path"
	conflict bool
	reason   string // why the request is refused, when conflict
	// unresolved says why a signal of a protocol the service answers named
	// no operation it knows. Alone, that is an unknown request; next to a
	// signal that did resolve, it is a request AWS may read the other way.
	unresolved string
}

func (id *identification) add(o *op, protocol, signal string) {
	switch {
	case id.op == nil:
		id.op, id.protocol, id.signal = o, protocol, signal
	case id.op != o:
		id.refuse(fmt.Sprintf("%s names %s but %s names %s", id.signal, id.op.name, signal, o.name))
	}
}

// refuse marks the request as not one operation; the first reason stays.
func (id *identification) refuse(reason string) {
	if !id.conflict {
		id.conflict, id.reason = true, reason
	}
}

func (id *identification) unresolve(reason string) {
	if id.unresolved == "" {
		id.unresolved = reason
	}
}

// why explains an unidentified request.
func (id *identification) why(cands []*svc, method, path, rawQuery string) string {
	switch {
	case id.reason != "":
		return id.reason
	case id.unresolved != "":
		return id.unresolved
	}
	s := cands[0]
	switch {
	case s.rest:
		target := path
		if rawQuery != "" {
			target += "?" + rawQuery
		}
		if methodIndex(strings.ToUpper(method)) < 0 {
			return fmt.Sprintf("%q is not an HTTP method an AWS operation uses", text.Clip(method, maxQuoted))
		}
		return fmt.Sprintf("%s %q is no operation of %s", strings.ToUpper(method), text.Clip(target, maxQuoted), s.info.Name)
	case s.protos&pJSON != 0:
		return fmt.Sprintf("the request names no operation of %s: it has no X-Amz-Target header", s.info.Name)
	case s.protos&(pQuery|pEC2) != 0:
		return fmt.Sprintf("the request names no operation of %s: it has no Action parameter", s.info.Name)
	}
	return fmt.Sprintf("the request names no operation of %s", s.info.Name)
}

// maxQuoted is how much of a value the agent wrote a reason quotes: reasons
// are read by people and logged, and the value may be long.
const maxQuoted = 64

func (c *catalog) candidates(ep *urlparse.Endpoint) []*svc {
	if ep.Addressing != urlparse.NoBucket && c.s3 != nil {
		return c.s3only
	}
	if list := c.identify[ep.Service]; len(list) > 0 {
		return list
	}
	if ep.Service != "" {
		return c.identify[strings.ToLower(ep.Service)]
	}
	return nil
}

// virtualBucket reports whether the bucket is in the host, not the path.
func virtualBucket(ep *urlparse.Endpoint) bool {
	return ep.Addressing == urlparse.VirtualHosted || ep.Addressing == urlparse.AccessPointStyle
}

func isS3Express(ep *urlparse.Endpoint) bool {
	return ep.Service == "s3express" || ep.SigningName == "s3express" ||
		strings.HasPrefix(ep.Host, "s3express-control.")
}

// identifyREST matches the request line against the REST templates of the
// candidate services; the first service with a matching route answers.
func identifyREST(id *identification, c *catalog, ep *urlparse.Endpoint, cands []*svc, m int, method, path, rawQuery string, header http.Header) {
	if m < 0 {
		return
	}
	for _, s := range cands {
		if !s.rest {
			continue
		}
		var p splitPath
		p.split(path, s == c.s3 && virtualBucket(ep), ep.Bucket, ep.AccessPoint)
		r, other := s.matchREST(m, &p, rawQuery, header)
		if r == nil && s.stagePrefix && p.n > 1 {
			p.dropFirst()
			r, other = s.matchREST(m, &p, rawQuery, header)
		}
		if r == nil {
			continue
		}
		if other != nil {
			id.refuse(fmt.Sprintf("the query %q names sub-resources of two %s operations, %s and %s",
				text.Clip(rawQuery, maxQuoted), s.info.Name, r.op.name, other.op.name))
			return
		}
		o := r.op
		if s == c.s3 && o.name == "ListBuckets" && isS3Express(ep) {
			o = s.byName["ListDirectoryBuckets"]
		}
		id.add(o, o.svc.info.Protocol, "the path")
		return
	}
}

// identifyRPC reads the RPC signals: X-Amz-Target, Action=, and the Smithy
// RPC v2 path.
func identifyRPC(id *identification, cands []*svc, path, rawQuery string, header http.Header, body []byte) {
	// JSON: X-Amz-Target: Prefix.Operation, matched exactly. Only the
	// optional whitespace around a header value is trimmed, as HTTP does
	// on the wire (net/http writes values trimmed): what AWS reads is the
	// trimmed value.
	if t, n := headerValue(header, "X-Amz-Target"); n > 0 {
		if n > 1 {
			id.refuse("X-Amz-Target is sent twice")
			return
		}
		t = strings.Trim(t, " \t")
		found, accepted := false, false
		prefix, name := "", ""
		if dot := strings.LastIndexByte(t, '.'); dot > 0 {
			prefix, name = t[:dot], t[dot+1:]
		}
		for _, s := range cands {
			if s.protos&pJSON == 0 {
				continue
			}
			accepted = true
			if s.info.TargetPrefix == prefix {
				if o := s.byName[name]; o != nil {
					id.add(o, "json", "X-Amz-Target")
					found = true
					break
				}
			}
		}
		if accepted && !found {
			id.unresolve(fmt.Sprintf("X-Amz-Target %q is not an operation of %s", text.Clip(t, maxQuoted), servicesOf(cands, pJSON)))
		}
	}

	// Smithy RPC v2 CBOR: POST [prefix]/service/NAME/operation/OPERATION
	if svcName, name, ok := rpcV2Path(path); ok {
		found, accepted := false, false
		for _, s := range cands {
			if s.protos&pCBOR == 0 {
				continue
			}
			accepted = true
			if s.info.TargetPrefix == svcName {
				if o := s.byName[name]; o != nil {
					id.add(o, "smithy-rpc-v2-cbor", "the path")
					found = true
					break
				}
			}
		}
		if accepted && !found {
			id.unresolve(fmt.Sprintf("the path names operation %q of %q, which is not an operation of %s",
				text.Clip(name, maxQuoted), text.Clip(svcName, maxQuoted), servicesOf(cands, pCBOR)))
		}
	}

	// Query and EC2: Action= in the query string or a form body.
	query := false
	for _, s := range cands {
		if s.protos&(pQuery|pEC2) != 0 {
			query = true
			break
		}
	}
	if query {
		identifyQuery(id, cands, rawQuery, header, body)
	}
}

// identifyQuery reads Action= (and Version=) from the query string and a
// form body. AWS takes parameters from both; a request that names Action
// twice, in both places, empty, or in another letter case could be read as
// another action than the one the vault judged, and is refused.
func identifyQuery(id *identification, cands []*svc, rawQuery string, header http.Header, body []byte) {
	var abuf, bbuf, vbuf, wbuf [maxValue]byte
	qa := formValue(rawQuery, "Action", abuf[:0])
	qv := formValue(rawQuery, "Version", vbuf[:0])
	var ba, bv formField
	if len(body) > 0 {
		if _, n := headerValue(header, "Content-Type"); n > 1 {
			// Whether the body is a form depends on which one AWS reads.
			id.refuse("Content-Type is sent twice")
			return
		}
	}
	if len(body) > 0 && isForm(header) {
		ba = formValue(body, "Action", bbuf[:0])
		bv = formValue(body, "Version", wbuf[:0])
	} else if len(body) > 0 && formValue(body, "Action", bbuf[:0]).n > 0 {
		// A body that names an Action but is not declared a form: whether
		// AWS reads it depends on the endpoint, so it is not judged either
		// way.
		id.refuse("the body names an Action but its Content-Type is not application/x-www-form-urlencoded")
		return
	}
	switch {
	case qa.n > 0 && ba.n > 0:
		id.refuse("Action is named in both the query string and the body")
		return
	case qa.n > 1 || ba.n > 1:
		id.refuse("Action is sent twice")
		return
	case qa.folded > 0 || ba.folded > 0:
		id.refuse("a parameter is named Action in another letter case")
		return
	}
	action := qa
	if ba.n > 0 {
		action = ba
	}
	if action.n == 0 {
		return
	}
	if len(action.value) == 0 && !action.long {
		id.unresolve("Action is empty")
		return
	}
	version := qv
	if qv.n == 0 {
		version = bv
	}
	if (qv.n > 0 && !qv.same) || (bv.n > 0 && !bv.same) || (qv.n > 0 && bv.n > 0 && string(qv.value) != string(bv.value)) {
		id.refuse("Version names two API versions")
		return
	}
	// Services sharing an endpoint (elb and elbv2) are told apart by
	// Version=; without a match, the first that knows the action wins.
	pass := 0
	if len(version.value) == 0 {
		pass = 1
	}
	for ; pass < 2; pass++ {
		for _, s := range cands {
			if s.protos&(pQuery|pEC2) == 0 || (pass == 0 && s.info.APIVersion != string(version.value)) {
				continue
			}
			if o := s.byName[string(action.value)]; o != nil {
				p := "query"
				if s.protos&pEC2 != 0 {
					p = "ec2"
				}
				id.add(o, p, "Action")
				return
			}
		}
	}
	if action.long {
		id.unresolve(fmt.Sprintf("Action (%d bytes) is not an operation of %s", action.size, servicesOf(cands, pQuery|pEC2)))
		return
	}
	id.unresolve(fmt.Sprintf("Action %q is not an operation of %s", text.Clip(string(action.value), maxQuoted), servicesOf(cands, pQuery|pEC2)))
}

// servicesOf names the candidate services that answer a protocol, for
// reasons: "dynamodb", "elb or elbv2".
func servicesOf(cands []*svc, protos uint8) string {
	var names []string
	for _, s := range cands {
		if s.protos&protos != 0 {
			names = append(names, s.info.Name)
		}
	}
	return strings.Join(names, " or ")
}

// rpcV2Path parses a Smithy RPC v2 path: .../service/NAME/operation/OP.
func rpcV2Path(path string) (svc, op string, ok bool) {
	i := strings.LastIndex(path, "/operation/")
	if i < 0 {
		return "", "", false
	}
	op = path[i+len("/operation/"):]
	head := path[:i]
	j := strings.LastIndex(head, "/service/")
	if j < 0 {
		return "", "", false
	}
	svc = head[j+len("/service/"):]
	if svc == "" || op == "" || strings.IndexByte(svc, '/') >= 0 || strings.IndexByte(op, '/') >= 0 {
		return "", "", false
	}
	return svc, op, true
}

func isForm(h http.Header) bool {
	ct := headerValues(h, "Content-Type")
	if len(ct) == 0 {
		return true // AWS would reject it; read what it asks for anyway
	}
	return containsFold(ct[0], "application/x-www-form-urlencoded")
}

// headerValue returns the first value of a header and how many values it
// has, under its canonical key and any other spelling of it: a header built
// by hand may hold "x-amz-target" beside "X-Amz-Target", and HTTP sends
// both.
func headerValue(h http.Header, key string) (first string, n int) {
	if v := h[key]; len(v) > 0 {
		first, n = v[0], len(v)
	}
	for k, v := range h {
		if len(k) == len(key) && k != key && strings.EqualFold(k, key) && len(v) > 0 {
			if n == 0 {
				first = v[0]
			}
			n += len(v)
		}
	}
	return first, n
}

// headerValues returns h[key] for a canonical key, falling back to a
// case-insensitive search for headers built by hand.
func headerValues(h http.Header, key string) []string {
	if h == nil {
		return nil
	}
	if v, ok := h[key]; ok {
		return v
	}
	for k, v := range h {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
