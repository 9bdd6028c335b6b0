package policy

import (
	"strings"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// InputFor describes a call from what urlparse and the catalog say about it:
// ep is the URL's endpoint, op the operation catalog.Identify found (or the
// zero Operation), method the HTTP method and path the URL's decoded path
// (URL.Path, not the escaped form catalog.Identify takes).
//
// Services holds every name of the service, without repeats: the IAM
// prefix (from op.Action, or the catalog's for op.Service when the
// operation is unknown), ep.SigningName, ep.Service and op.Service.
// BodyBytes is -1 (unknown); the caller sets it, with Reason, Caller, Time
// and Presign.
//
// An S3 request that names a bucket gets the path-style Path /BUCKET/KEY
// whatever its addressing, so that a path rule such as "/reports/**" means
// the same bucket for https://reports.s3.amazonaws.com/x and
// https://s3.amazonaws.com/reports/x: an agent cannot step around it by
// switching addressing styles.
func InputFor(ep urlparse.Endpoint, op catalog.Operation, method, path string) Input {
	prefix, _, _ := strings.Cut(op.Action, ":")
	if prefix == "" && op.Service != "" {
		if s, ok := catalog.Service(op.Service); ok {
			prefix = s.IAMPrefix
		}
	}
	services := make([]string, 0, 4)
	for _, name := range [...]string{prefix, ep.SigningName, ep.Service, op.Service} {
		if name == "" {
			continue
		}
		if _, dup := foldEntry(services, name); !dup {
			services = append(services, name)
		}
	}
	if ep.S3() && ep.Bucket != "" && (ep.Addressing == urlparse.VirtualHosted || ep.Addressing == urlparse.PathStyle) {
		path = "/" + ep.Bucket
		if ep.Key != "" {
			path += "/" + ep.Key
		}
	}
	return Input{
		Services:  services,
		Region:    ep.SigningRegion,
		Method:    method,
		Host:      ep.Host,
		Path:      path,
		Action:    op.Action,
		ReadOnly:  op.Action != "" && op.ReadOnly,
		BodyBytes: -1,
	}
}

// InputForImplied describes an action a request header implies
// (catalog.HeaderActions) as a call of its own, for Evaluate: the base call's
// method, host, caller, reason and time, with the implied action, its
// resource (a copy source's /BUCKET/KEY, or the base path) and its region (an
// ARN's, or the base region).
func InputForImplied(base Input, imp catalog.Implied) Input {
	in := base
	in.Action, in.ReadOnly, in.Header = imp.Action, imp.ReadOnly, imp.Header
	return in
}
