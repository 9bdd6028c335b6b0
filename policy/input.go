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
// IssuesCredentials is op.IssuesCredentials and CustomerHost
// ep.CustomerOwned(). BodyBytes is -1 (unknown); the caller sets it, with
// Reason, Caller, Time and Presign.
//
// An S3 request that names a bucket gets the path-style Path /BUCKET/KEY
// whatever its addressing, so that a path rule such as "/reports/**" means
// the same bucket for https://reports.s3.amazonaws.com/x and
// https://s3.amazonaws.com/reports/x: an agent cannot step around it by
// switching addressing styles. An S3 request that reaches its bucket
// through an access point, an alias, S3 Control and the like gets Via and
// the Path /VIA/KEY instead, and a Lambda request gets its function's bare
// name in the path (see the package documentation).
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
	var via string
	if ep.Service == "lambda" {
		path, via = lambdaPath(path, ep.SigningRegion)
	} else if v, own := s3Via(&ep); v != "" {
		via = v
		if own {
			path = "/" + via + path
		} else {
			path = keyPath(via, ep.Key)
		}
	} else if ep.S3() && ep.Bucket != "" && (ep.Addressing == urlparse.VirtualHosted || ep.Addressing == urlparse.PathStyle) {
		path = keyPath(ep.Bucket, ep.Key)
	}
	return Input{
		Services:          services,
		Region:            ep.SigningRegion,
		Method:            method,
		Host:              ep.Host,
		Path:              path,
		Action:            op.Action,
		ReadOnly:          op.Action != "" && op.ReadOnly,
		BodyBytes:         -1,
		IssuesCredentials: op.IssuesCredentials,
		CustomerHost:      ep.CustomerOwned(),
		Via:               via,
	}
}

// The kinds of Input.Via: each ends in a colon, which no bucket name holds,
// so that a Via path is never a bucket's path.
const (
	viaAccessPoint  = "accesspoint:"   // NAME-ACCOUNT.s3-accesspoint.REGION...
	viaAlias        = "alias:"         // an access point alias used as a bucket name
	viaMRAP         = "mrap:"          // ALIAS.mrap.accesspoint.s3-global...
	viaObjectLambda = "object-lambda:" // NAME-ACCOUNT.s3-object-lambda.REGION...
	viaOutposts     = "outposts:"      // NAME-ACCOUNT.op-ID.s3-outposts.REGION...
	viaS3Control    = "s3-control:"    // [ACCOUNT.]s3-control.REGION...
	viaLambda       = "lambda:"        // a function name InputFor does not map
)

// aliasSuffixes end the names S3 reserves for aliases, which stand for a
// bucket the vault cannot know. Directory buckets (--x-s3) are buckets.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
var aliasSuffixes = []string{
	"-s3alias",   // access point aliases (access-points-alias.html)
	"--ol-s3",    // Object Lambda access point aliases (olap-use.html#ol-access-points-alias)
	"--op-s3",    // S3 on Outposts access point aliases (S3onOutposts/ap-alias.html)
	"--table-s3", // S3 Tables bucket aliases (s3-tables-buckets-naming.html)
}

// s3Via returns the Via of an S3 request that reaches its bucket through
// something else, or "". own says that the request's path is its own (S3
// Control, an Object Lambda request route), to be kept after the Via,
// rather than an object key.
func s3Via(ep *urlparse.Endpoint) (via string, own bool) {
	switch {
	case ep.Service == "s3-control":
		return viaS3Control + ep.AccountID, true
	case ep.Service == "s3-object-lambda":
		if ep.AccessPoint != "" {
			return viaObjectLambda + accountLabel(ep.AccessPoint, ep.AccountID), false
		}
		return viaObjectLambda + ep.Resource, true
	case ep.Service == "s3-outposts" && ep.Addressing != urlparse.NoBucket:
		first := ep.Bucket
		if ep.AccessPoint != "" {
			first = accountLabel(ep.AccessPoint, ep.AccountID)
		}
		return viaOutposts + first + "." + ep.OutpostID, false
	case !ep.S3():
		return "", false
	case ep.Addressing == urlparse.AccessPointStyle && ep.Global: // only Multi-Region Access Points are global
		return viaMRAP + ep.AccessPoint, false
	case ep.Addressing == urlparse.AccessPointStyle:
		return viaAccessPoint + accountLabel(ep.AccessPoint, ep.AccountID), false
	case ep.Bucket != "" && isAlias(ep.Bucket):
		return viaAlias + ep.Bucket, false
	}
	return "", false
}

// accountLabel is an access point's first host label, NAME-ACCOUNT.
func accountLabel(name, account string) string {
	if account == "" {
		return name
	}
	return name + "-" + account
}

func isAlias(bucket string) bool {
	for _, s := range aliasSuffixes {
		if len(bucket) > len(s) && equal(bucket[len(bucket)-len(s):], s, true) {
			return true
		}
	}
	return false
}

// keyPath is the path of key under its bucket or Via: "/FIRST/KEY", or
// "/FIRST" for no key.
func keyPath(first, key string) string {
	if key == "" {
		return "/" + first
	}
	return "/" + first + "/" + key
}

// lambdaPath maps the function of a Lambda API path,
// /VERSION/functions/FUNCTION/..., to its bare name: FUNCTION may be NAME,
// NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER] or
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax).
// The path is cleaned first, so that dot segments cannot move another
// name into the function's place. A FUNCTION of none of these forms, or an
// ARN of another region than region, is left as sent and named by Via
// ("lambda:" and FUNCTION), which path rules refuse unless named.
func lambdaPath(path, region string) (string, string) {
	path = cleanPath(path)
	version, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || version == "" || !strings.HasPrefix(path, "/") {
		return path, ""
	}
	fn, ok := strings.CutPrefix(rest, "functions/")
	if !ok {
		return path, ""
	}
	fn, tail, hasTail := strings.Cut(fn, "/")
	if !strings.Contains(fn, ":") {
		return path, ""
	}
	name, ok := functionName(fn, region)
	if !ok {
		via := viaLambda + fn
		return "/" + via + path, via
	}
	mapped := "/" + version + "/functions/" + name
	if hasTail {
		mapped += "/" + tail
	}
	return mapped, ""
}

// functionName reads the name of a function named with a colon, or reports
// that it cannot be read as a function of region.
func functionName(fn, region string) (string, bool) {
	parts := strings.Split(fn, ":")
	var name string
	switch {
	case len(parts) == 2: // NAME:QUALIFIER
		name = parts[0]
	case (len(parts) == 3 || len(parts) == 4) && parts[1] == "function": // ACCOUNT:function:NAME[:QUALIFIER]
		name = parts[2]
	case (len(parts) == 7 || len(parts) == 8) && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		if parts[3] == "" || parts[3] != region {
			return "", false
		}
		name = parts[6]
	default:
		return "", false
	}
	if name == "" || parts[len(parts)-1] == "" {
		return "", false
	}
	return name, true
}

// InputForImplied describes an action a request header implies
// (catalog.HeaderActions) as a call of its own, for Evaluate: the base call's
// method, host, caller, reason, body size and time, with
//
//   - Action, ReadOnly and Header from imp;
//   - Services: the IAM prefix of imp.Action, and the base call's names when
//     that prefix is one of them (an s3 action implied by an S3 request), so
//     that deny_services and allow_services see "kms" for a KMS key;
//   - Region: imp.Region (an ARN's) when set, else the base region;
//   - Path: /BUCKET/KEY for a copy source named by bucket (with Via for an
//     alias), /VIA/KEY for one named through an access point, else the base
//     path and Via;
//   - IssuesCredentials and CustomerHost false: the host rules still see the
//     base host, and the base call answered for both.
func InputForImplied(base Input, imp catalog.Implied) Input {
	in := base
	in.Action, in.Header = imp.Action, imp.Header
	in.ReadOnly = imp.Action != "" && imp.ReadOnly
	in.IssuesCredentials, in.CustomerHost = false, false
	if prefix, _, _ := strings.Cut(imp.Action, ":"); prefix != "" {
		in.Services = []string{prefix}
		if _, ok := foldEntry(base.Services, prefix); ok {
			for _, s := range base.Services {
				if _, dup := foldEntry(in.Services, s); !dup {
					in.Services = append(in.Services, s)
				}
			}
		}
	}
	if imp.Region != "" {
		in.Region = imp.Region
	}
	switch {
	case imp.AccessPoint != "":
		in.Via = accessPointVia(imp.AccessPoint)
		in.Path = keyPath(in.Via, imp.Key)
	case imp.Bucket != "":
		in.Via = ""
		if isAlias(imp.Bucket) {
			in.Via = viaAlias + imp.Bucket
			in.Path = keyPath(in.Via, imp.Key)
		} else {
			in.Path = keyPath(imp.Bucket, imp.Key)
		}
	}
	return in
}

// accessPointVia is the Via of an access point a header names: by ARN
// (arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME, the Object Lambda,
// Outposts and Multi-Region forms), it is the Via of the same access point
// called by its host; by bare name, "accesspoint:NAME", which names no
// account and so no host's Via.
func accessPointVia(ap string) string {
	parts := strings.SplitN(ap, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return viaAccessPoint + ap
	}
	service, account, resource := parts[2], parts[4], strings.Split(parts[5], "/")
	switch {
	case service == "s3" && parts[3] == "" && len(resource) >= 2 && resource[0] == "accesspoint":
		return viaMRAP + resource[1]
	case service == "s3" && len(resource) >= 2 && resource[0] == "accesspoint":
		return viaAccessPoint + accountLabel(resource[1], account)
	case service == "s3-object-lambda" && len(resource) >= 2 && resource[0] == "accesspoint":
		return viaObjectLambda + accountLabel(resource[1], account)
	case service == "s3-outposts" && len(resource) >= 4 && resource[0] == "outpost" && resource[2] == "accesspoint":
		return viaOutposts + accountLabel(resource[3], account) + "." + resource[1]
	}
	return viaAccessPoint + ap
}
