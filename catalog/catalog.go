package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"net/textproto"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen -out catalog.tsv.gz

// catalogGz is the generated table; internal/gen documents its format.
//
//go:embed catalog.tsv.gz
var catalogGz []byte

const header = "alter-mcp-catalog 1"

// Operation is what Identify says about a request.
type Operation struct {
	// Service is the botocore service name, which is also the AWS CLI's:
	// "s3", "bedrock-runtime", "cloudwatch" (endpoint prefix "monitoring"),
	// "sesv2" (endpoint prefix "email"). It is unique, where endpoint
	// prefixes are not. Set whenever the service is known, even when the
	// operation is not. "execute-api" for a request that invokes an API
	// Gateway API (Name "Invoke"), which botocore does not model.
	Service string
	// Name is the operation, as in botocore and CloudTrail's eventName:
	// "GetObject". Empty when the request was not identified.
	Name string
	// Action is the IAM action that authorizes the request: "s3:GetObject",
	// "s3:ListBucket" for ListObjectsV2, "s3:GetObjectVersion" for a
	// GetObject with versionId=, "s3-outposts:GetObject" through an
	// Outposts access point. Empty when Name is.
	Action string
	// EventSource is the CloudTrail eventSource: "s3.amazonaws.com",
	// "bedrock.amazonaws.com" for bedrock-runtime.
	EventSource string
	// ReadOnly follows the package's documented rule; false when Name is
	// empty.
	ReadOnly bool
	// Protocol is the protocol the request used: "rest-xml", "rest-json",
	// "json", "query", "ec2" or "smithy-rpc-v2-cbor" (SQS and CloudWatch
	// answer several); empty for an execute-api Invoke, whose protocol is
	// the API owner's.
	Protocol string
	// IssuesCredentials reports that the operation returns credentials,
	// tokens, signed URLs or sign-in URLs (sts:GetSessionToken,
	// iam:CreateAccessKey, ecr:GetAuthorizationToken, lambda:GetFunction's
	// code URL): whoever reads the answer can act without the vault.
	IssuesCredentials bool
	// Unidentified says, when Name is empty, why the request could not be
	// read as one operation ("X-Amz-Target ... is not an operation of
	// dynamodb", "Action is named in both the query and the body"); empty
	// when Name is set.
	Unidentified string
}

// OperationInfo describes one operation, for listing and search.
type OperationInfo struct {
	Service     string // botocore service name
	Name        string
	Method      string // HTTP method: "POST" for the RPC protocols
	URITemplate string // "/{Bucket}/{Key+}?acl"; "/" for the RPC protocols
	ReadOnly    bool
	Action      string // IAM action; the versioned S3 variants are not listed
	Protocol    string // the service's preferred protocol
}

// ServiceInfo describes one service.
type ServiceInfo struct {
	Name           string // botocore (and AWS CLI) service name: "bedrock-runtime"
	ID             string // botocore serviceId: "Bedrock Runtime"
	EndpointPrefix string // "bedrock-runtime"; shared by several services for some ("email", "rds")
	SigningName    string // "bedrock"
	IAMPrefix      string // "bedrock"
	EventSource    string // "bedrock.amazonaws.com"
	Protocol       string // the preferred protocol: Protocols[0]
	// Protocols are the protocols the service answers, preferred first:
	// those botocore lists, then "query" for services marked
	// awsQueryCompatible (SQS, CloudWatch).
	Protocols    []string
	JSONVersion  string // "1.0" for the JSON protocol's content type
	TargetPrefix string // X-Amz-Target prefix (JSON), or Smithy service name (RPC v2 CBOR)
	APIVersion   string // "2023-09-30"
	Operations   int
}

// protocol bits.
const (
	pRESTXML uint8 = 1 << iota
	pRESTJSON
	pJSON
	pQuery
	pEC2
	pCBOR
)

var protocolBits = map[string]uint8{
	"rest-xml": pRESTXML, "rest-json": pRESTJSON, "json": pJSON, "query": pQuery,
	"ec2": pEC2, "smithy-rpc-v2-cbor": pCBOR,
}

type svc struct {
	info    ServiceInfo
	protos  uint8
	rest    bool
	ops     []op // sorted by name
	byName  map[string]*op
	routes  [numMethods]routeTable // REST templates per method
	keyBits map[string]uint8       // query keys routes need, numbered for masks
	// stagePrefix: the API Gateway management API is reached under the
	// stage: /STAGE/@connections/ID.
	stagePrefix bool
}

type op struct {
	svc           *svc
	name          string
	method        string
	uri           string
	action        string
	versionAction string // action when the query names versionId (S3)
	readOnly      bool
	deprecated    bool
	issues        bool // returns credentials, tokens or signed URLs (issuing.go)
}

type catalog struct {
	version  string
	services []*svc // sorted by name
	byName   map[string]*svc
	// identify maps what urlparse reports as Endpoint.Service (an endpoint
	// prefix, a botocore name, an alias) to the services that may answer,
	// most likely first.
	identify map[string][]*svc
	// lookup maps lower-cased names, endpoint prefixes, service ids and
	// signing names to services, for Service and Search.
	lookup  map[string][]*svc
	s3      *svc
	s3only  []*svc
	execAPI []*svc
}

var (
	loadOnce sync.Once
	loaded   *catalog
)

// get decodes the embedded table on first use. The table is built and
// tested with the package, so a failure to decode it is a build defect.
func get() *catalog {
	loadOnce.Do(func() {
		c, err := decode(catalogGz)
		if err != nil {
			panic("catalog: embedded table: " + err.Error())
		}
		loaded = c
	})
	return loaded
}

// BotocoreVersion is the version of botocore the table was generated from.
func BotocoreVersion() string { return get().version }

func decode(gz []byte) (*catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	text := string(raw) // fields below are substrings of this one string

	first, rest, _ := strings.Cut(text, "\n")
	if !strings.HasPrefix(first, header+" ") {
		return nil, fmt.Errorf("unknown header %q", first)
	}
	c := &catalog{
		version:  strings.TrimPrefix(strings.TrimPrefix(first, header+" "), "botocore="),
		byName:   map[string]*svc{},
		identify: map[string][]*svc{},
		lookup:   map[string][]*svc{},
	}

	var cur *svc
	var fields [10]string
	for lineNo := 2; rest != ""; lineNo++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		f := split(line, fields[:0])
		switch f[0] {
		case "S":
			if len(f) < 9 {
				return nil, fmt.Errorf("line %d: short service line", lineNo)
			}
			cur = &svc{info: ServiceInfo{
				Name: f[1], ID: f[2], EndpointPrefix: f[3], SigningName: f[4],
				JSONVersion: f[6], TargetPrefix: f[7], APIVersion: f[8],
			}}
			cur.info.Protocols = strings.Split(f[5], ",")
			if len(f) > 9 && strings.Contains(f[9], "q") && !contains(cur.info.Protocols, "query") {
				cur.info.Protocols = append(cur.info.Protocols, "query")
			}
			for _, p := range cur.info.Protocols {
				cur.protos |= protocolBits[p]
			}
			cur.info.Protocol = cur.info.Protocols[0]
			cur.rest = strings.HasPrefix(cur.info.Protocol, "rest-")
			cur.info.IAMPrefix = iamPrefix(cur.info.SigningName)
			cur.info.EventSource = cur.info.SigningName + ".amazonaws.com"
			c.services = append(c.services, cur)
		case "O":
			if cur == nil || len(f) < 2 {
				return nil, fmt.Errorf("line %d: operation outside a service", lineNo)
			}
			o := op{svc: cur, name: f[1], method: "POST", uri: "/"}
			if cur.rest {
				if len(f) < 4 {
					return nil, fmt.Errorf("line %d: REST operation without method and URI", lineNo)
				}
				o.method, o.uri = f[2], f[3]
			}
			o.deprecated = len(f) > 6 && strings.Contains(f[6], "d")
			cur.ops = append(cur.ops, o)
			if cur.rest {
				var reqQ, reqH string
				if len(f) > 4 {
					reqQ = f[4]
				}
				if len(f) > 5 {
					reqH = f[5]
				}
				// Routes point into cur.ops, which may still grow: keep
				// the index and resolve pointers once the service is
				// complete.
				r, err := parseRoute(o.uri, reqQ, reqH)
				if err != nil {
					return nil, fmt.Errorf("line %d: %s %s: %w", lineNo, cur.info.Name, o.name, err)
				}
				r.opIndex = len(cur.ops) - 1
				m := methodIndex(o.method)
				if m < 0 {
					return nil, fmt.Errorf("line %d: %s %s: unknown method %q", lineNo, cur.info.Name, o.name, o.method)
				}
				cur.routes[m].all = append(cur.routes[m].all, r)
			}
		default:
			return nil, fmt.Errorf("line %d: unknown record %q", lineNo, f[0])
		}
	}
	for _, s := range c.services {
		c.finish(s)
	}
	c.index()
	return c, nil
}

// finish builds a service's per-operation facts and indexes.
func (c *catalog) finish(s *svc) {
	s.byName = make(map[string]*op, len(s.ops))
	for i := range s.ops {
		o := &s.ops[i]
		key := s.info.Name + "/" + o.name
		o.issues = issues(s.info.Name, o.name)
		o.readOnly = readOnly(s.info.Name, o.name, o.method, s.rest)
		if a, ok := iamActions[key]; ok {
			o.action = a
		} else {
			o.action = s.info.IAMPrefix + ":" + o.name
		}
		o.versionAction = versionActions[key]
		s.byName[o.name] = o
	}
	s.info.Operations = len(s.ops)
	for m := range s.routes {
		for _, r := range s.routes[m].all {
			r.op = &s.ops[r.opIndex]
		}
	}
	s.keyBits = queryKeyBits(s)
	for m := range s.routes {
		s.routes[m].build(s.keyBits)
	}
	s.stagePrefix = s.info.Name == "apigatewaymanagementapi"
	c.byName[s.info.Name] = s
}

// index builds the name indexes.
func (c *catalog) index() {
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].info.Name < c.services[j].info.Name })

	// Endpoint prefixes first, the service whose name is the prefix ahead
	// of the others (rds before docdb and neptune, which share its
	// endpoint), then newer API versions.
	for _, s := range c.services {
		p := s.info.EndpointPrefix
		c.identify[p] = append(c.identify[p], s)
	}
	for p, list := range c.identify {
		sort.SliceStable(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if (a.info.Name == p) != (b.info.Name == p) {
				return a.info.Name == p
			}
			if a.info.APIVersion != b.info.APIVersion {
				return a.info.APIVersion > b.info.APIVersion
			}
			return a.info.Name < b.info.Name
		})
	}
	for _, s := range c.services {
		if _, ok := c.identify[s.info.Name]; !ok {
			c.identify[s.info.Name] = []*svc{s}
		}
	}
	if c.s3 = c.byName["s3"]; c.s3 != nil {
		c.s3only = []*svc{c.s3}
	}
	for alias, name := range endpointAliases {
		if s := c.byName[name]; s != nil {
			if _, ok := c.identify[alias]; !ok {
				c.identify[alias] = []*svc{s}
			}
		}
	}
	c.execAPI = c.identify["execute-api"]

	// Names people and agents use, most exact first.
	add := func(key string, s *svc) {
		key = strings.ToLower(key)
		for _, have := range c.lookup[key] {
			if have == s {
				return
			}
		}
		c.lookup[key] = append(c.lookup[key], s)
	}
	for _, s := range c.services {
		add(s.info.Name, s)
	}
	for _, s := range c.services {
		for _, t := range c.identify[s.info.EndpointPrefix] {
			add(t.info.EndpointPrefix, t)
		}
	}
	for _, s := range c.services {
		add(s.info.ID, s)
		add(strings.ReplaceAll(s.info.ID, " ", "-"), s)
	}
	for _, s := range c.services {
		add(s.info.SigningName, s)
	}
}

// split splits a tab-separated line into dst without allocating.
func split(line string, dst []string) []string {
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func canonicalHeaders(csv string) []string {
	if csv == "" {
		return nil
	}
	hs := strings.Split(csv, ",")
	for i, h := range hs {
		hs[i] = textproto.CanonicalMIMEHeaderKey(h)
	}
	return hs
}

// resolve returns the services a name may mean: a botocore service name,
// an endpoint prefix, a service id or a signing name (case-insensitive),
// the most exact first.
func (c *catalog) resolve(name string) []*svc {
	return c.lookup[strings.ToLower(strings.TrimSpace(name))]
}

// Services lists every service, sorted by name.
func Services() []ServiceInfo {
	c := get()
	out := make([]ServiceInfo, len(c.services))
	for i, s := range c.services {
		out[i] = s.info
		out[i].Protocols = append([]string(nil), s.info.Protocols...)
	}
	return out
}

// Service describes the service a name means: a botocore service name
// ("sesv2"), an endpoint prefix ("monitoring"), a service id ("Bedrock
// Runtime") or a signing name, case-insensitive. Where a name means several
// services, the most exact wins: the service of that name ("rds", not docdb
// or neptune, which share its endpoint), then, for an endpoint prefix, the
// newest API ("email" is sesv2, "elasticloadbalancing" is elbv2).
func Service(name string) (ServiceInfo, bool) {
	list := get().resolve(name)
	if len(list) == 0 {
		return ServiceInfo{}, false
	}
	info := list[0].info
	info.Protocols = append([]string(nil), info.Protocols...)
	return info, true
}

// Lookup describes one operation of a service named as Service accepts.
func Lookup(service, operation string) (OperationInfo, bool) {
	for _, s := range get().resolve(service) {
		if o := s.byName[operation]; o != nil {
			return o.info(), true
		}
	}
	return OperationInfo{}, false
}

func (o *op) info() OperationInfo {
	return OperationInfo{
		Service: o.svc.info.Name, Name: o.name, Method: o.method, URITemplate: o.uri,
		ReadOnly: o.readOnly, Action: o.action, Protocol: o.svc.info.Protocol,
	}
}

// Search finds operations for a tool or a person. service is named as
// Service accepts, and a name shared by several services searches them all
// ("bedrock" finds bedrock-runtime's InvokeModel too, "email" searches
// sesv2, pinpoint-email and ses); an empty service searches every service.
// text is matched case-insensitively against operation names: "getobject",
// "get-object", "get object" and "s3:GetObject" all find GetObject first,
// and "object tagging" finds GetObjectTagging, PutObjectTagging and
// DeleteObjectTagging. Empty text lists every operation.
//
// Results are ordered: exact name, then names that begin with the text,
// then names that contain it, then names that contain every word; within
// each, the most exactly named service first, then shorter names, then
// alphabetically.
func Search(service, text string) []OperationInfo {
	c := get()
	var services []*svc
	if strings.TrimSpace(service) == "" {
		services = c.services
	} else {
		services = c.resolve(service)
	}
	q := newQuery(text)

	type hit struct {
		o     *op
		score int
		rank  int
	}
	var hits []hit
	var lower []byte
	for rank, s := range services {
		for i := range s.ops {
			o := &s.ops[i]
			lower = append(lower[:0], o.name...)
			for j, b := range lower {
				if 'A' <= b && b <= 'Z' {
					lower[j] = b + 'a' - 'A'
				}
			}
			if score, ok := q.match(string(lower)); ok {
				hits = append(hits, hit{o, score, rank})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.score != b.score {
			return a.score < b.score
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if len(a.o.name) != len(b.o.name) && q.joined != "" {
			return len(a.o.name) < len(b.o.name)
		}
		return a.o.name < b.o.name
	})
	out := make([]OperationInfo, len(hits))
	for i, h := range hits {
		out[i] = h.o.info()
	}
	return out
}

type query struct {
	joined string   // the words run together: "getobject"
	words  []string // "get", "object"
}

func newQuery(text string) query {
	if i := strings.LastIndexByte(text, ':'); i >= 0 { // "s3:GetObject"
		text = text[i+1:]
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	return query{joined: strings.Join(words, ""), words: words}
}

// match scores a lower-cased name; lower is better.
func (q query) match(name string) (int, bool) {
	switch {
	case q.joined == "":
		return 0, true
	case name == q.joined:
		return 0, true
	case strings.HasPrefix(name, q.joined):
		return 1, true
	case strings.Contains(name, q.joined):
		return 2, true
	}
	if len(q.words) < 2 {
		return 0, false
	}
	for _, w := range q.words {
		if !strings.Contains(name, w) {
			return 0, false
		}
	}
	return 3, true
}
