package catalog

import (
	"net/http"
	"strings"

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
// A request that is not identified returns an Operation with an empty Name
// and ReadOnly false (Service is still set if the service is known).
func Identify(ep urlparse.Endpoint, method, path, rawQuery string, header http.Header, body []byte) Operation {
	c := get()
	cands := c.candidates(&ep)
	if len(cands) == 0 {
		return Operation{}
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
		if id.unresolved && id.op != nil {
			id.conflict = true
		}
	}

	m := methodIndex(method)
	if m < 0 && method != "" {
		m = methodIndex(strings.ToUpper(method))
	}
	if m >= 0 && !id.conflict {
		for _, s := range cands {
			if !s.rest {
				continue
			}
			var p splitPath
			p.split(path, s == c.s3 && virtualBucket(&ep), ep.Bucket, ep.AccessPoint)
			r := s.matchREST(m, &p, rawQuery, header)
			if r == nil && s.stagePrefix && p.n > 1 {
				p.dropFirst()
				r = s.matchREST(m, &p, rawQuery, header)
			}
			if r != nil {
				o := r.op
				if s == c.s3 && o.name == "ListBuckets" && isS3Express(&ep) {
					o = s.byName["ListDirectoryBuckets"]
				}
				id.add(o, o.svc.info.Protocol)
				break
			}
		}
	}

	if id.op == nil || id.conflict {
		if len(c.execAPI) > 0 && cands[0] == c.execAPI[0] && !id.conflict {
			// Any other request to an API Gateway host invokes the API.
			return Operation{
				Service: "execute-api", Name: "Invoke", Action: "execute-api:Invoke",
				EventSource: "execute-api.amazonaws.com",
			}
		}
		return Operation{Service: cands[0].info.Name, EventSource: cands[0].info.EventSource}
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
		Service:     o.svc.info.Name,
		Name:        o.name,
		Action:      action,
		EventSource: o.svc.info.EventSource,
		ReadOnly:    o.readOnly,
		Protocol:    id.protocol,
	}
}

// identification collects what each signal of a request says; signals that
// name different operations make the request unidentified.
type identification struct {
	op       *op
	protocol string
	conflict bool
	// unresolved: a signal of a protocol the service answers named no
	// operation it knows. Alone, that is an unknown request; next to a
	// signal that did resolve, it is a request AWS may read the other way.
	unresolved bool
}

func (id *identification) add(o *op, protocol string) {
	switch {
	case id.op == nil:
		id.op, id.protocol = o, protocol
	case id.op != o:
		id.conflict = true
	}
}

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

// identifyRPC reads the RPC signals: X-Amz-Target, Action=, and the Smithy
// RPC v2 path.
func identifyRPC(id *identification, cands []*svc, path, rawQuery string, header http.Header, body []byte) {
	// JSON: X-Amz-Target: Prefix.Operation
	if targets := headerValues(header, "X-Amz-Target"); len(targets) > 0 {
		t := targets[0]
		for _, other := range targets[1:] {
			if other != t {
				id.conflict = true
				return
			}
		}
		found, accepted := false, false
		if dot := strings.LastIndexByte(t, '.'); dot > 0 {
			prefix, name := t[:dot], t[dot+1:]
			for _, s := range cands {
				if s.protos&pJSON == 0 {
					continue
				}
				accepted = true
				if s.info.TargetPrefix == prefix {
					if o := s.byName[name]; o != nil {
						id.add(o, "json")
						found = true
						break
					}
				}
			}
		} else {
			for _, s := range cands {
				accepted = accepted || s.protos&pJSON != 0
			}
		}
		id.unresolved = id.unresolved || (accepted && !found)
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
					id.add(o, "smithy-rpc-v2-cbor")
					found = true
					break
				}
			}
		}
		id.unresolved = id.unresolved || (accepted && !found)
	}

	// Query and EC2: Action= in the query string or a form body.
	query := false
	for _, s := range cands {
		if s.protos&(pQuery|pEC2) != 0 {
			query = true
			break
		}
	}
	if !query {
		return
	}
	var abuf, bbuf, vbuf [maxValue]byte
	action, n, same := formValue(rawQuery, "Action", abuf[:0])
	version, _, _ := formValue(rawQuery, "Version", vbuf[:0])
	if !same {
		id.conflict = true
		return
	}
	if len(body) > 0 && isForm(header) {
		bodyAction, bn, bsame := formValue(body, "Action", bbuf[:0])
		if !bsame || (n > 0 && bn > 0 && string(bodyAction) != string(action)) {
			id.conflict = true
			return
		}
		if n == 0 {
			action, n = bodyAction, bn
		}
		if len(version) == 0 {
			version, _, _ = formValue(body, "Version", vbuf[:0])
		}
	}
	if n == 0 {
		return
	}
	// Services sharing an endpoint (elb and elbv2) are told apart by
	// Version=; without a match, the first that knows the action wins.
	pass := 0
	if len(version) == 0 {
		pass = 1
	}
	for ; pass < 2; pass++ {
		for _, s := range cands {
			if s.protos&(pQuery|pEC2) == 0 || (pass == 0 && s.info.APIVersion != string(version)) {
				continue
			}
			if o := s.byName[string(action)]; o != nil {
				p := "query"
				if s.protos&pEC2 != 0 {
					p = "ec2"
				}
				id.add(o, p)
				return
			}
		}
	}
	id.unresolved = true
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
