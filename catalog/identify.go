package catalog

import (
	"net/http"
	"sort"
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

// ---- REST ----

const numMethods = 7

func methodIndex(m string) int {
	switch m {
	case "GET":
		return 0
	case "PUT":
		return 1
	case "POST":
		return 2
	case "DELETE":
		return 3
	case "HEAD":
		return 4
	case "PATCH":
		return 5
	case "OPTIONS":
		return 6
	}
	return -1
}

const (
	segLiteral = iota
	segLabel
	segGreedy
)

type segment struct {
	kind uint8
	lit  string
}

type queryLiteral struct {
	key, value string
	hasValue   bool
}

type route struct {
	op      *op
	opIndex int
	rank    int       // position in its method's table, most specific first
	segs    []segment // the path template; at most one segGreedy
	greedy  int       // index of the {Label+} segment, or -1
	query   []queryLiteral
	reqQ    []string // required query keys (only where a template is shared)
	reqH    []string // required headers, canonical
	nLit    int

	// qmask has a bit for each query key the route needs (its service's
	// keyBits); qcheck and reqQcheck are what the mask cannot check: literal
	// values (list-type=2) and keys beyond 64.
	qmask     uint64
	qcheck    []queryLiteral
	reqQcheck []string
}

// routeTable holds one method's routes of a service.
type routeTable struct {
	all   []*route            // most specific first
	byLit map[string][]*route // routes whose first segment is this literal
	wild  []*route            // routes whose first segment is a label, or that have none
}

// build sorts the routes and indexes them.
func (t *routeTable) build(keyBits map[string]uint8) {
	sortRoutes(t.all)
	for i, r := range t.all {
		r.rank = i
		if len(r.segs) > 0 && r.segs[0].kind == segLiteral {
			if t.byLit == nil {
				t.byLit = map[string][]*route{}
			}
			t.byLit[r.segs[0].lit] = append(t.byLit[r.segs[0].lit], r)
		} else {
			t.wild = append(t.wild, r)
		}
		r.qcheck, r.reqQcheck = nil, nil
		for _, q := range r.query {
			bit, ok := keyBits[q.key]
			if ok {
				r.qmask |= 1 << bit
			}
			if !ok || q.hasValue {
				r.qcheck = append(r.qcheck, q)
			}
		}
		for _, k := range r.reqQ {
			if bit, ok := keyBits[k]; ok {
				r.qmask |= 1 << bit
			} else {
				r.reqQcheck = append(r.reqQcheck, k)
			}
		}
	}
}

// queryKeyBits numbers the query keys a service's routes need, up to 64.
func queryKeyBits(s *svc) map[string]uint8 {
	var bits map[string]uint8
	for m := range s.routes {
		for _, r := range s.routes[m].all {
			keys := r.reqQ
			for _, q := range r.query {
				keys = append(keys[:len(keys):len(keys)], q.key)
			}
			for _, k := range keys {
				if _, ok := bits[k]; ok || len(bits) == 64 {
					continue
				}
				if bits == nil {
					bits = map[string]uint8{}
				}
				bits[k] = uint8(len(bits))
			}
		}
	}
	return bits
}

// queryMask sets the bit of every key of rawQuery that the service knows.
func (s *svc) queryMask(rawQuery string) uint64 {
	if len(s.keyBits) == 0 {
		return 0
	}
	var mask uint64
	var buf [maxValue]byte
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, _, _ := strings.Cut(kv, "=")
		if strings.IndexByte(k, '%') >= 0 || strings.IndexByte(k, '+') >= 0 {
			if bit, ok := s.keyBits[string(decodeInto(k, buf[:0]))]; ok {
				mask |= 1 << bit
			}
		} else if bit, ok := s.keyBits[k]; ok {
			mask |= 1 << bit
		}
	}
	return mask
}

func parseRoute(uri, reqQ, reqH string) (*route, error) {
	path, q, _ := strings.Cut(uri, "?")
	r := &route{greedy: -1}
	path = strings.Trim(path, "/")
	if path != "" {
		for i, p := range strings.Split(path, "/") {
			switch {
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
				if r.greedy >= 0 {
					return nil, errGreedy
				}
				r.greedy = i
				r.segs = append(r.segs, segment{kind: segGreedy})
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
				r.segs = append(r.segs, segment{kind: segLabel})
			default:
				r.segs = append(r.segs, segment{kind: segLiteral, lit: p})
				r.nLit++
			}
		}
	}
	if len(r.segs) >= maxSegs {
		return nil, errLong
	}
	if q != "" {
		for _, kv := range strings.Split(q, "&") {
			k, v, has := strings.Cut(kv, "=")
			r.query = append(r.query, queryLiteral{key: k, value: v, hasValue: has})
		}
	}
	if reqQ != "" {
		r.reqQ = strings.Split(reqQ, ",")
	}
	r.reqH = canonicalHeaders(reqH)
	return r, nil
}

type routeError string

func (e routeError) Error() string { return string(e) }

const (
	errGreedy = routeError("more than one greedy label")
	errLong   = routeError("too many path segments")
)

// sortRoutes orders routes most specific first: more literal segments, then
// literal segments further left (a literal beats a label, a label beats a
// greedy label), then more literal query keys, then more required members,
// then deprecated last, then by name. Identify takes the first that matches.
func sortRoutes(rs []*route) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.nLit != b.nLit {
			return a.nLit > b.nLit
		}
		for k := 0; k < len(a.segs) && k < len(b.segs); k++ {
			if a.segs[k].kind != b.segs[k].kind {
				return a.segs[k].kind < b.segs[k].kind
			}
		}
		if len(a.query) != len(b.query) {
			return len(a.query) > len(b.query)
		}
		if na, nb := len(a.reqQ)+len(a.reqH), len(b.reqQ)+len(b.reqH); na != nb {
			return na > nb
		}
		if a.op.deprecated != b.op.deprecated {
			return !a.op.deprecated
		}
		return a.op.name < b.op.name
	})
}

func (s *svc) matchREST(m int, p *splitPath, rawQuery string, h http.Header) *route {
	t := &s.routes[m]
	if len(t.all) == 0 {
		return nil
	}
	qmask := s.queryMask(rawQuery)
	// Candidates are the routes that start with the path's first segment
	// and those that start with a label, merged back into rank order. A
	// virtual-hosted bucket is not a path segment: no literal matches it.
	var lit []*route
	if p.n > 0 && !p.virtual {
		if strings.IndexByte(p.segs[0], '%') >= 0 {
			for _, r := range t.all { // an escaped first segment: try them all
				if r.match(p, qmask, rawQuery, h) {
					return r
				}
			}
			return nil
		}
		lit = t.byLit[p.segs[0]]
	}
	wild := t.wild
	for len(lit) > 0 || len(wild) > 0 {
		var r *route
		if len(wild) == 0 || (len(lit) > 0 && lit[0].rank < wild[0].rank) {
			r, lit = lit[0], lit[1:]
		} else {
			r, wild = wild[0], wild[1:]
		}
		if r.match(p, qmask, rawQuery, h) {
			return r
		}
	}
	return nil
}

func (r *route) match(p *splitPath, qmask uint64, rawQuery string, h http.Header) bool {
	if r.qmask&^qmask != 0 || !r.matchPath(p) {
		return false
	}
	if p.virtual && len(r.segs) > 0 && r.segs[0].kind == segLiteral {
		return false
	}
	for _, q := range r.qcheck {
		if !hasQuery(rawQuery, q) {
			return false
		}
	}
	for _, k := range r.reqQcheck {
		if !hasQueryKey(rawQuery, k) {
			return false
		}
	}
	for _, k := range r.reqH {
		if len(headerValues(h, k)) == 0 {
			return false
		}
	}
	return true
}

func (r *route) matchPath(p *splitPath) bool {
	n := p.n
	endsGreedy := r.greedy >= 0 && r.greedy == len(r.segs)-1
	if !endsGreedy && n > 0 && n <= maxSegs && p.segs[n-1] == "" {
		n-- // a trailing slash; no label or literal matches an empty segment
	}
	if r.greedy < 0 {
		if n != len(r.segs) {
			return false
		}
		return matchSegs(r.segs, p.segs[:n])
	}
	g := r.greedy
	suffix := r.segs[g+1:]
	if n < len(r.segs) || (len(suffix) > 0 && n > maxSegs) || p.offs[g] < 0 {
		return false
	}
	if !matchSegs(r.segs[:g], p.segs[:g]) || !matchSegs(suffix, p.segs[n-len(suffix):n]) {
		return false
	}
	// The greedy label takes one or more whole segments, and not nothing:
	// /bucket/ is the bucket, not an object with an empty key.
	start, end := p.offs[g], len(p.path)
	if len(suffix) > 0 {
		end = p.offs[n-len(suffix)] - 1
	}
	return end > start
}

func matchSegs(tmpl []segment, segs []string) bool {
	for i, sg := range tmpl {
		seg := segs[i]
		if sg.kind == segLiteral {
			if seg != sg.lit && !pathUnescapedEqual(seg, sg.lit) {
				return false
			}
		} else if seg == "" {
			return false
		}
	}
	return true
}

// maxSegs bounds the segments kept; the longest botocore template has 11,
// plus a virtual-hosted bucket. Longer paths match only templates that end
// in a greedy label.
const maxSegs = 32

// splitPath is a path cut into segments without allocating. For a
// virtual-hosted S3 request the bucket is segment 0.
type splitPath struct {
	path    string
	segs    [maxSegs]string
	offs    [maxSegs]int // where segs[i] starts in path; -1 for the virtual bucket
	n       int          // number of segments, which may exceed maxSegs
	virtual bool
}

func (p *splitPath) split(path string, virtual bool, bucket, accessPoint string) {
	p.path, p.n, p.virtual = path, 0, virtual
	if virtual {
		if bucket == "" {
			bucket = accessPoint
		}
		if bucket == "" {
			bucket = "_"
		}
		p.segs[0], p.offs[0], p.n = bucket, -1, 1
	}
	if path == "" || path == "/" {
		return
	}
	start := 0
	if path[0] == '/' {
		start = 1
	}
	for {
		i := strings.IndexByte(path[start:], '/')
		end := len(path)
		if i >= 0 {
			end = start + i
		}
		if p.n < maxSegs {
			p.segs[p.n], p.offs[p.n] = path[start:end], start
		}
		p.n++
		if i < 0 {
			return
		}
		start = end + 1
	}
}

// dropFirst removes segment 0 (an API Gateway stage).
func (p *splitPath) dropFirst() {
	k := min(p.n, maxSegs)
	copy(p.segs[:], p.segs[1:k])
	copy(p.offs[:], p.offs[1:k])
	p.n--
}

// ---- query strings ----

// hasQuery reports whether rawQuery has the literal key (and value).
func hasQuery(rawQuery string, q queryLiteral) bool {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(kv, "=")
		if unescapedEqual(k, q.key) && (!q.hasValue || unescapedEqual(v, q.value)) {
			return true
		}
	}
	return false
}

func hasQueryKey(rawQuery, key string) bool {
	return hasQuery(rawQuery, queryLiteral{key: key})
}

// maxValue bounds the form values Identify decodes (Action, Version); the
// longest operation name has 63 characters.
const maxValue = 128

// formValue finds key in the form-encoded s. It decodes the first value
// into buf (empty if it does not fit), and reports how many times key
// occurs and whether every occurrence decodes to the same value: a request
// naming two actions is not identified. It does not allocate.
func formValue[T string | []byte](s T, key string, buf []byte) (value []byte, n int, same bool) {
	var other [maxValue]byte
	same = true
	for len(s) > 0 {
		kv := s
		if i := indexByte(s, '&'); i >= 0 {
			kv, s = s[:i], s[i+1:]
		} else {
			s = s[:0]
		}
		k, v := kv, kv[:0]
		if i := indexByte(kv, '='); i >= 0 {
			k, v = kv[:i], kv[i+1:]
		}
		if !decodesTo(k, key, true) {
			continue
		}
		if n == 0 {
			value = decodeInto(v, buf)
		} else if string(decodeInto(v, other[:0])) != string(value) {
			same = false
		}
		n++
	}
	return value, n, same
}

func indexByte[T string | []byte](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// decodeInto appends the form-decoded s to buf, or returns buf empty if it
// does not fit (no operation name is that long).
func decodeInto[T string | []byte](s T, buf []byte) []byte {
	buf = buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		case c == '+':
			c = ' '
		}
		if len(buf) == cap(buf) {
			return buf[:0]
		}
		buf = append(buf, c)
	}
	return buf
}

// unescapedEqual reports whether the form-encoded s decodes to want,
// without allocating.
func unescapedEqual(s, want string) bool { return decodesTo(s, want, true) }

// pathUnescapedEqual is unescapedEqual for a path segment, where + is +.
func pathUnescapedEqual(s, want string) bool { return decodesTo(s, want, false) }

func decodesTo[T string | []byte](s T, want string, plusIsSpace bool) bool {
	if string(s) == want {
		return true
	}
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '%':
			if i+2 >= len(s) {
				return false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return false
			}
			c = hi<<4 | lo
			i += 2
		case '+':
			if plusIsSpace {
				c = ' '
			}
		}
		if j >= len(want) || want[j] != c {
			return false
		}
		j++
	}
	return j == len(want)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
