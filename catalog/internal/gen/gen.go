package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Header is the first line of the table; catalog refuses any other.
const Header = "alter-mcp-catalog 1"

// supported lists the wire protocols catalog can recognise, as botocore
// spells them.
var supported = map[string]bool{
	"rest-xml": true, "rest-json": true, "json": true, "query": true, "ec2": true,
	"smithy-rpc-v2-cbor": true,
}

// Catalog is what the generator extracts from botocore.
type Catalog struct {
	Version  string // botocore.__version__
	Services []Service
}

// Service is one botocore service model, reduced to what request
// identification needs.
type Service struct {
	Name            string   // the data folder: "s3", "bedrock-runtime", "cloudwatch"
	ID              string   // metadata.serviceId: "S3", "Bedrock Runtime"
	EndpointPrefix  string   // metadata.endpointPrefix: "s3", "bedrock-runtime", "monitoring"
	SigningName     string   // metadata.signingName, else endpointPrefix
	Protocols       []string // supported protocols in the model's order of preference
	JSONVersion     string
	TargetPrefix    string
	APIVersion      string
	QueryCompatible bool // metadata.awsQueryCompatible: the service still answers the query protocol
	Operations      []Operation
}

// Operation is one operation of a service.
type Operation struct {
	Name       string
	Method     string // REST only
	RequestURI string // REST only: http.requestUri, literal query included ("/{Bucket}?acl")
	// RequiredQuery and RequiredHeaders are the required members bound to
	// the query string or headers, kept only for REST operations whose
	// method, path template and literal query are shared with another
	// operation of the service (S3 PutObject / UploadPart / CopyObject /
	// UploadPartCopy): there, and only there, they decide which one a
	// request is.
	RequiredQuery   []string
	RequiredHeaders []string
	Deprecated      bool
}

func (s *Service) rest() bool { return strings.HasPrefix(s.Protocols[0], "rest-") }

// NumOperations counts the operations of all services.
func (c *Catalog) NumOperations() int {
	n := 0
	for _, s := range c.Services {
		n += len(s.Operations)
	}
	return n
}

// model is the part of service-2.json the generator reads.
type model struct {
	Metadata struct {
		APIVersion         string          `json:"apiVersion"`
		EndpointPrefix     string          `json:"endpointPrefix"`
		Protocol           string          `json:"protocol"`
		Protocols          []string        `json:"protocols"`
		ServiceID          string          `json:"serviceId"`
		SigningName        string          `json:"signingName"`
		JSONVersion        string          `json:"jsonVersion"`
		TargetPrefix       string          `json:"targetPrefix"`
		AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
	} `json:"metadata"`
	Operations map[string]struct {
		Name string `json:"name"`
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
		Deprecated bool `json:"deprecated"`
	} `json:"operations"`
	Shapes map[string]struct {
		Required []string `json:"required"`
		Members  map[string]struct {
			Location     string `json:"location"`
			LocationName string `json:"locationName"`
		} `json:"members"`
	} `json:"shapes"`
}

// findBotocore returns the botocore package directory: python3 is asked
// first (it knows virtualenvs and pyenv), then the usual install places.
func findBotocore() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err == nil {
		if dir := strings.TrimSpace(string(out)); isBotocore(dir) {
			return dir, nil
		}
	}
	home, _ := os.UserHomeDir()
	var globs = []string{
		"/usr/lib/python3/dist-packages/botocore",
		"/usr/lib/python3*/site-packages/botocore",
		"/usr/local/lib/python3*/*-packages/botocore",
		"/opt/homebrew/lib/python3*/site-packages/botocore",
		filepath.Join(home, ".local/lib/python3*/site-packages/botocore"),
		filepath.Join(home, ".pyenv/versions/*/lib/python3*/site-packages/botocore"),
		"/root/.pyenv/versions/*/lib/python3*/site-packages/botocore",
	}
	for _, g := range globs {
		matches, _ := filepath.Glob(g)
		for i := len(matches) - 1; i >= 0; i-- {
			if isBotocore(matches[i]) {
				return matches[i], nil
			}
		}
	}
	return "", errors.New("botocore not found: pip install botocore, or pass -botocore DIR (or set ALTER_MCP_BOTOCORE)")
}

func isBotocore(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "data"))
	return err == nil && st.IsDir()
}

var versionRE = regexp.MustCompile(`(?m)^__version__\s*=\s*['"]([^'"]+)['"]`)

// Load reads every service model under dir/data, the newest API version of
// each.
func Load(dir string) (*Catalog, error) {
	cat := &Catalog{Version: "unknown"}
	if init, err := os.ReadFile(filepath.Join(dir, "__init__.py")); err == nil {
		if m := versionRE.FindSubmatch(init); m != nil {
			cat.Version = string(m[1])
		}
	}
	data := filepath.Join(dir, "data")
	entries, err := os.ReadDir(data)
	if err != nil {
		return nil, fmt.Errorf("read botocore data: %w", err)
	}
	var files []string // one model per service, newest API version
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if f := newestModel(filepath.Join(data, e.Name())); f != "" {
			files = append(files, f)
			names = append(names, e.Name())
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no service models under %s", data)
	}

	services := make([]*Service, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				services[i], errs[i] = loadService(names[i], files[i])
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, s := range services {
		if s != nil {
			cat.Services = append(cat.Services, *s)
		}
	}
	return cat, nil
}

// newestModel returns the service-2.json(.gz) of the newest API version
// (folder names are ISO dates, so the greatest sorts last), or "".
func newestModel(svcDir string) string {
	entries, err := os.ReadDir(svcDir)
	if err != nil {
		return ""
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(versions)))
	for _, v := range versions {
		for _, f := range []string{"service-2.json", "service-2.json.gz"} {
			p := filepath.Join(svcDir, v, f)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

func loadService(name, file string) (*Service, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		defer zr.Close()
		r = zr
	}
	var m model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	md := &m.Metadata
	s := &Service{
		Name:            name,
		ID:              md.ServiceID,
		EndpointPrefix:  md.EndpointPrefix,
		SigningName:     md.SigningName,
		JSONVersion:     md.JSONVersion,
		TargetPrefix:    md.TargetPrefix,
		APIVersion:      md.APIVersion,
		QueryCompatible: len(md.AWSQueryCompatible) > 0 && string(md.AWSQueryCompatible) != "null",
	}
	if s.SigningName == "" {
		s.SigningName = s.EndpointPrefix
	}
	protocols := md.Protocols
	if len(protocols) == 0 {
		protocols = []string{md.Protocol}
	}
	for _, p := range protocols {
		if supported[p] {
			s.Protocols = append(s.Protocols, p)
		}
	}
	if len(s.Protocols) == 0 {
		fmt.Fprintf(os.Stderr, "gen: skipping %s: no supported protocol in %v\n", name, protocols)
		return nil, nil
	}

	for key, o := range m.Operations {
		op := Operation{Name: key, Deprecated: o.Deprecated}
		if o.Name != "" {
			op.Name = o.Name
		}
		if s.rest() {
			op.Method = strings.ToUpper(o.HTTP.Method)
			op.RequestURI = o.HTTP.RequestURI
			if op.Method == "" || !strings.HasPrefix(op.RequestURI, "/") {
				return nil, fmt.Errorf("%s %s: REST operation without method or URI", name, op.Name)
			}
		}
		s.Operations = append(s.Operations, op)
	}
	sort.Slice(s.Operations, func(i, j int) bool { return s.Operations[i].Name < s.Operations[j].Name })

	if s.rest() {
		s.addDisambiguators(&m)
	}
	return s, validate(s)
}

// routeKey is what REST routing sees of an operation: method, path template
// with label names erased, and the sorted literal query.
func routeKey(method, uri string) string {
	path, query, _ := strings.Cut(uri, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") {
			if strings.HasSuffix(seg, "+}") {
				segs[i] = "{+}"
			} else {
				segs[i] = "{}"
			}
		}
	}
	q := strings.Split(query, "&")
	sort.Strings(q)
	return method + " /" + strings.Join(segs, "/") + "?" + strings.Join(q, "&")
}

// addDisambiguators records required query and header members for
// operations that share a route with another operation.
func (s *Service) addDisambiguators(m *model) {
	byRoute := map[string][]int{}
	for i, op := range s.Operations {
		k := routeKey(op.Method, op.RequestURI)
		byRoute[k] = append(byRoute[k], i)
	}
	for _, idx := range byRoute {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			op := &s.Operations[i]
			o := m.Operations[op.Name]
			if o.Input == nil {
				continue
			}
			shape := m.Shapes[o.Input.Shape]
			for _, member := range shape.Required {
				mb, ok := shape.Members[member]
				if !ok {
					continue
				}
				wire := mb.LocationName
				if wire == "" {
					wire = member
				}
				switch mb.Location {
				case "querystring":
					op.RequiredQuery = append(op.RequiredQuery, wire)
				case "header":
					op.RequiredHeaders = append(op.RequiredHeaders, strings.ToLower(wire))
				}
			}
			sort.Strings(op.RequiredQuery)
			sort.Strings(op.RequiredHeaders)
		}
	}
}

// validate refuses values the table format cannot carry.
func validate(s *Service) error {
	bad := func(v string) bool { return strings.ContainsAny(v, "\t\n\r,") }
	for _, v := range []string{s.Name, s.ID, s.EndpointPrefix, s.SigningName, s.JSONVersion, s.TargetPrefix, s.APIVersion} {
		if strings.ContainsAny(v, "\t\n\r") {
			return fmt.Errorf("%s: metadata value %q has a tab or newline", s.Name, v)
		}
	}
	for _, op := range s.Operations {
		for _, v := range append([]string{op.Name, op.Method, op.RequestURI}, append(op.RequiredQuery, op.RequiredHeaders...)...) {
			if bad(v) {
				return fmt.Errorf("%s %s: value %q has a tab, comma or newline", s.Name, op.Name, v)
			}
		}
	}
	return nil
}

// Encode writes the table: a header line, then for each service an S line
// followed by its O lines. Fields are tab-separated; lists inside a field are
// comma-separated; trailing empty fields are dropped.
//
//	S name serviceId endpointPrefix signingName protocols jsonVersion targetPrefix apiVersion flags(q: awsQueryCompatible)
//	O name method requestUri requiredQuery requiredHeaders flags(d: deprecated)
func (c *Catalog) Encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s botocore=%s\n", Header, c.Version)
	line := func(fields ...string) {
		for len(fields) > 1 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
	}
	for _, s := range c.Services {
		flags := ""
		if s.QueryCompatible {
			flags = "q"
		}
		line("S", s.Name, s.ID, s.EndpointPrefix, s.SigningName, strings.Join(s.Protocols, ","),
			s.JSONVersion, s.TargetPrefix, s.APIVersion, flags)
		for _, op := range s.Operations {
			flags := ""
			if op.Deprecated {
				flags = "d"
			}
			line("O", op.Name, op.Method, op.RequestURI, strings.Join(op.RequiredQuery, ","),
				strings.Join(op.RequiredHeaders, ","), flags)
		}
	}
	return b.Bytes()
}

// Gzip returns Encode, compressed. The gzip header carries no name or time,
// so the same table compresses to the same bytes.
func (c *Catalog) Gzip() ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(c.Encode()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
