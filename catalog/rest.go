package catalog

import (
	"net/http"
	"sort"
	"strings"
)

// REST protocols: routes are the URI templates of a service, matched most
// specific first.

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

	// sub has a bit for each sub-resource key of the route: its literal
	// query keys (S3 ?acl, ?uploads, ?list-type=2) and the required query
	// members that tell a shared template apart (uploadId, partNumber);
	// subSlow holds those beyond the mask.
	sub     uint64
	subSlow []string
}

// routeTable holds one method's routes of a service.
type routeTable struct {
	all   []*route            // most specific first
	byLit map[string][]*route // routes whose first segment is this literal
	wild  []*route            // routes whose first segment is a label, or that have none
	subs  []*route            // routes with sub-resource keys, most specific first
	slow  bool                // a route of subs has keys beyond the mask
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
		r.sub, r.subSlow = 0, nil
		for _, q := range r.query {
			r.addSub(keyBits, q.key)
		}
		for _, k := range r.reqQ {
			r.addSub(keyBits, k)
		}
		if r.sub != 0 || len(r.subSlow) > 0 {
			t.subs = append(t.subs, r)
			t.slow = t.slow || len(r.subSlow) > 0
		}
	}
}

func (r *route) addSub(keyBits map[string]uint8, key string) {
	if bit, ok := keyBits[key]; ok {
		r.sub |= 1 << bit
	} else if !contains(r.subSlow, key) {
		r.subSlow = append(r.subSlow, key)
	}
}

// subBeyond reports whether r has a sub-resource key that best has not.
func (r *route) subBeyond(best *route) bool {
	if r.sub&^best.sub != 0 {
		return true
	}
	for _, k := range r.subSlow {
		if !contains(best.subSlow, k) {
			return true
		}
	}
	return false
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

// matchREST returns the most specific route that matches the request, and
// a rival when the request is ambiguous: another route of the method also
// matches, and it needs a sub-resource key the best route does not have.
// S3 POST /b/k?uploads&select&select-type=2 names both
// CreateMultipartUpload and SelectObjectContent; whichever ranks first, AWS
// may act as the other. A route without sub-resources that also matches is
// no rival: GET /b/k?acl is GetObjectAcl, not GetObject.
func (s *svc) matchREST(m int, p *splitPath, rawQuery string, h http.Header) (best, rival *route) {
	t := &s.routes[m]
	if len(t.all) == 0 {
		return nil, nil
	}
	qmask := s.queryMask(rawQuery)
	best = t.best(p, qmask, rawQuery, h)
	if best == nil || (qmask == 0 && !t.slow) {
		return best, nil
	}
	for _, r := range t.subs {
		if r != best && r.subBeyond(best) && r.match(p, qmask, rawQuery, h) {
			return best, r
		}
	}
	return best, nil
}

// best returns the first route, in rank order, that matches.
func (t *routeTable) best(p *splitPath, qmask uint64, rawQuery string, h http.Header) *route {
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
