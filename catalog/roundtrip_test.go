package catalog

import (
	"net/http"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// TestEveryOperationIdentifies builds, for every operation of every service,
// the request an SDK would send, and checks that Identify finds that
// operation again, or one with the same route (the deprecated twins of S3,
// services that share an endpoint and a path).
func TestEveryOperationIdentifies(t *testing.T) {
	c := get()
	n, shared := 0, 0
	for _, s := range c.services {
		for i := range s.ops {
			o := &s.ops[i]
			ep := urlparse.Endpoint{Service: s.info.EndpointPrefix, SigningName: s.info.SigningName}
			for _, req := range sdkRequests(s, o) {
				if s == c.s3 {
					ep.Addressing, ep.Bucket = urlparse.PathStyle, "p0"
					if o.name == "ListBuckets" || o.name == "ListDirectoryBuckets" || o.name == "WriteGetObjectResponse" {
						ep.Addressing, ep.Bucket = urlparse.NoBucket, ""
					}
					if o.name == "ListDirectoryBuckets" {
						ep.Service = "s3express"
					}
				}
				got := Identify(ep, req.method, req.path, req.query, req.header, []byte(req.body))
				n++
				if got.Service == s.info.Name && got.Name == o.name {
					continue
				}
				other, ok := Lookup(got.Service, got.Name)
				if ok && got.Name == o.name {
					shared++
					continue // a service sharing the endpoint has the same operation
				}
				if ok && other.Method == o.method && routeKey(other.URITemplate) == routeKey(o.uri) && req.protocol[:4] == "rest" {
					t.Logf("same route: %s %s -> %s/%s", s.info.Name, o.name, got.Service, got.Name)
					continue // the same route
				}
				t.Errorf("%s %s (%s %s %s?%s): identified as %s/%s", s.info.Name, o.name, req.protocol, req.method, req.path, req.query, got.Service, got.Name)
			}
		}
	}
	t.Logf("%d requests, %d answered by a service sharing the endpoint", n, shared)
}

type sdkRequest struct {
	protocol, method, path, query, body string
	header                              http.Header
}

// sdkRequests returns one request per protocol the service answers.
func sdkRequests(s *svc, o *op) []sdkRequest {
	var out []sdkRequest
	for _, p := range s.info.Protocols {
		switch p {
		case "rest-xml", "rest-json":
			out = append(out, restRequest(s, o, p))
		case "json":
			out = append(out, sdkRequest{protocol: p, method: "POST", path: "/",
				header: http.Header{"X-Amz-Target": {s.info.TargetPrefix + "." + o.name}, "Content-Type": {"application/x-amz-json-" + s.info.JSONVersion}},
				body:   "{}"})
		case "query", "ec2":
			out = append(out, sdkRequest{protocol: p, method: "POST", path: "/",
				header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				body:   "Action=" + o.name + "&Version=" + s.info.APIVersion})
		case "smithy-rpc-v2-cbor":
			out = append(out, sdkRequest{protocol: p, method: "POST",
				path:   "/service/" + s.info.TargetPrefix + "/operation/" + o.name,
				header: http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}}})
		}
	}
	return out
}

func restRequest(s *svc, o *op, protocol string) sdkRequest {
	r := sdkRequest{protocol: protocol, method: o.method, header: http.Header{}}
	path, query, _ := strings.Cut(o.uri, "?")
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		switch {
		case strings.HasSuffix(seg, "+}"):
			segs[i] = "g1/g2"
		case strings.HasPrefix(seg, "{"):
			segs[i] = "p" + string(rune('0'+i%10)) + "x"
		}
	}
	if s.info.Name == "s3" && len(segs) > 1 && segs[1] != "" && strings.HasPrefix(path, "/{Bucket}") {
		segs[1] = "p0"
	}
	r.path = strings.Join(segs, "/")
	var q []string
	if query != "" {
		q = append(q, query)
	}
	for m := range s.routes {
		for _, rt := range s.routes[m].all {
			if rt.op != o {
				continue
			}
			for _, k := range rt.reqQ {
				q = append(q, k+"=1")
			}
			for _, h := range rt.reqH {
				r.header.Set(h, "1")
			}
		}
	}
	r.query = strings.Join(q, "&")
	return r
}

// routeKey erases label names: "/{Bucket}/{Key+}?acl" → "/{}/{+}?acl".
func routeKey(uri string) string {
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if uri[i] != '{' {
			b.WriteByte(uri[i])
			continue
		}
		j := strings.IndexByte(uri[i:], '}')
		if j < 0 {
			b.WriteString(uri[i:])
			break
		}
		if uri[i+j-1] == '+' {
			b.WriteString("{+}")
		} else {
			b.WriteString("{}")
		}
		i += j
	}
	return strings.TrimSuffix(b.String(), "/")
}

// TestEveryS3OperationVirtualHosted repeats the round trip for S3 requests
// that name their bucket in the host, and through an access point.
func TestEveryS3OperationVirtualHosted(t *testing.T) {
	c := get()
	for _, ep := range []urlparse.Endpoint{s3Virtual, s3AP} {
		for i := range c.s3.ops {
			o := &c.s3.ops[i]
			if !strings.HasPrefix(o.uri, "/{Bucket}") {
				continue
			}
			req := restRequest(c.s3, o, "rest-xml")
			req.path = strings.TrimPrefix(req.path, "/p0")
			if req.path == "" {
				req.path = "/"
			}
			got := Identify(ep, req.method, req.path, req.query, req.header, nil)
			if got.Name == o.name {
				continue
			}
			if other, ok := Lookup("s3", got.Name); ok && other.Method == o.method && routeKey(other.URITemplate) == routeKey(o.uri) {
				continue
			}
			t.Errorf("%s %s %s?%s on %s: identified as %q", o.name, req.method, req.path, req.query, ep.Host, got.Name)
		}
	}
}
