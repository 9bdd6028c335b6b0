package urlparse

import (
	"fmt"
	"strings"
	"sync"
)

// Parse tells which AWS endpoint rawURL names, or refuses it with an *Error
// that says why. It accepts only https URLs for AWS hosts; see Parser for
// custom endpoints (LocalStack, proxies). Parse is (&Parser{}).Parse.
//
// The host is lower-cased and a default :443 is dropped. A trailing dot
// ("s3.amazonaws.com.") is refused rather than stripped, so that the host
// urlparse approves is exactly the host the request is sent to.
func Parse(rawURL string) (Endpoint, error) { return defaultParser.Parse(rawURL) }

var defaultParser Parser

// Parser parses URLs for AWS endpoints and for the custom endpoints an
// operator configured. The zero value accepts AWS endpoints only.
//
// A Parser is safe for concurrent use. Do not change Custom, or copy the
// Parser, after its first use.
type Parser struct {
	// Custom endpoints are accepted only when a URL's scheme, host and port
	// match one exactly and its path starts with the custom URL's path.
	Custom []Custom

	once   sync.Once
	custom []customEndpoint
	err    error
}

// parse is the state of one Parse call.
type parse struct {
	ep     Endpoint
	path   pathUse
	kind   error
	reason string
}

// pathUse says what the URL path means for S3.
type pathUse uint8

const (
	pathIgnored pathUse = iota
	pathBucket          // path style: /BUCKET/KEY
	pathKey             // the bucket is in the host: /KEY
)

func (p *parse) fail(kind error, format string, args ...any) {
	p.kind = kind
	p.reason = fmt.Sprintf(format, args...)
}

func (p *parse) failed() bool { return p.kind != nil }

// Parse tells which endpoint rawURL names: a configured custom endpoint or an
// AWS endpoint. See the package function Parse for the rules.
func (ps *Parser) Parse(rawURL string) (Endpoint, error) {
	if len(ps.Custom) > 0 {
		if err := ps.Validate(); err != nil {
			return Endpoint{}, err
		}
	}
	u, err := split(rawURL)
	if err != nil {
		return Endpoint{}, urlError(rawURL, err)
	}
	var p parse
	ps.parseURL(&p, &u, rawURL)
	if p.failed() {
		return Endpoint{}, &Error{URL: printable(u.scheme + "://" + strings.ToLower(u.host) + u.rawPath), Reason: p.reason, Kind: p.kind}
	}
	return p.ep, nil
}

func (ps *Parser) parseURL(p *parse, u *parts, rawURL string) {
	if u.userinfo {
		p.fail(ErrUserinfo, "the URL carries userinfo (user@ or user:password@ before the host): remove it; AWS requests never carry credentials in the URL")
		return
	}
	scheme := u.scheme
	switch {
	case scheme == "":
		p.fail(ErrMalformed, "the URL has no scheme: write it in full, as https://HOST/PATH")
		return
	case scheme != "https" && scheme != "http":
		p.fail(ErrScheme, "scheme %q is not allowed: AWS endpoints are called over https://", scheme)
		return
	case u.opaque || u.host == "":
		p.fail(ErrMalformed, "the URL has no host: write it as %s://HOST/PATH", scheme)
		return
	}
	hostport := strings.ToLower(u.host)

	if ce := ps.matchCustom(scheme, hostport, u.rawPath); ce != nil {
		ce.parse(p, u)
		if !p.failed() {
			p.credential(u.rawQuery)
		}
		return
	}
	if scheme != "https" {
		p.fail(ErrScheme, "scheme http is not allowed: AWS endpoints are called over https:// (http is allowed only for a custom endpoint the operator configured, such as LocalStack)")
		return
	}
	host, port, hasPort := splitHostPort(hostport)
	if !checkHost(p, host, rawURL) {
		return
	}
	if hasPort && port != "443" {
		p.fail(ErrPort, "port %q is not allowed on %q: AWS endpoints listen on 443 (remove the port), and no custom endpoint the operator configured has this host and port", port, host)
		return
	}
	p.ep.Scheme = "https"
	p.ep.Host = host
	p.parseAWS(host)
	if p.failed() {
		return
	}
	p.s3Path(u, 0)
	if p.failed() {
		return
	}
	p.credential(u.rawQuery)
}

// splitHostPort splits host:port; an IPv6 literal keeps its brackets.
func splitHostPort(hostport string) (host, port string, hasPort bool) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.IndexByte(hostport[i:], ']') >= 0 {
		return hostport, "", false
	}
	return hostport[:i], hostport[i+1:], true
}

const (
	maxHost  = 253
	maxLabel = 63
)

// checkHost applies DNS rules to a lower-case host and refuses IP literals.
func checkHost(p *parse, host, rawURL string) bool {
	if host == "" {
		p.fail(ErrMalformed, "the URL has an empty host")
		return false
	}
	if host[0] == '[' {
		p.fail(ErrIPLiteral, "the host is an IP address (%s): use the endpoint's hostname, such as s3.us-east-1.amazonaws.com", printable(host))
		return false
	}
	if len(host) > maxHost {
		p.fail(ErrMalformed, "the host is %d characters long; a DNS name has at most %d", len(host), maxHost)
		return false
	}
	if host[len(host)-1] == '.' {
		p.fail(ErrMalformed, "host %q ends with a dot: remove the trailing dot", printable(host))
		return false
	}
	start := 0
	for i := 0; i <= len(host); i++ {
		if i < len(host) && host[i] != '.' {
			c := host[i]
			if chars[c]&hostChar != 0 {
				continue
			}
			switch {
			case strings.Contains(rawAuthority(rawURL), "%"):
				p.fail(ErrMalformed, "the host is percent-encoded: write the hostname in plain letters, digits, hyphens and dots")
			case c >= 0x80:
				p.fail(ErrMalformed, "host %q has non-ASCII characters: AWS hostnames are ASCII letters, digits, hyphens and dots", printable(host))
			default:
				p.fail(ErrMalformed, "host %q has the character %q: AWS hostnames have only letters, digits, hyphens and dots", printable(host), rune(c))
			}
			return false
		}
		label := host[start:i]
		switch {
		case label == "":
			p.fail(ErrMalformed, "host %q has an empty label (a leading dot or two dots in a row)", host)
			return false
		case len(label) > maxLabel:
			p.fail(ErrMalformed, "host %q has a label of %d characters; a DNS label has at most %d", host, len(label), maxLabel)
			return false
		case label[0] == '-' || label[len(label)-1] == '-':
			p.fail(ErrMalformed, "host %q has a label that starts or ends with a hyphen", host)
			return false
		}
		if i == len(host) && isNumericLabel(label) {
			// WHATWG URL parsers read a host whose last label is a number
			// (127.1, 0x7f.1, 2130706433) as an IPv4 address.
			p.fail(ErrIPLiteral, "the host is an IP address (%s): use the endpoint's hostname, such as s3.us-east-1.amazonaws.com", host)
			return false
		}
		start = i + 1
	}
	return true
}

// isNumericLabel reports whether a label is a decimal, octal or hex number.
func isNumericLabel(l string) bool {
	if len(l) >= 2 && l[0] == '0' && l[1] == 'x' {
		for i := 2; i < len(l); i++ {
			if c := l[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lastLabel splits s at its last dot: "a.b.c" → "c", "a.b".
func lastLabel(s string) (last, before string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, ""
	}
	return s[i+1:], s[:i]
}

// parseAWS reads an AWS host: lower-case, DNS-valid, without a port.
func (p *parse) parseAWS(host string) {
	sx, rest, ok := matchSuffix(host)
	switch {
	case !ok:
		p.fail(ErrNotAWS, "%q is not an AWS host: AWS hosts end in %s (to reach an emulator or proxy, the operator configures it as a custom endpoint)", host, suffixList)
		return
	case rest == "":
		p.fail(ErrNotAWS, "%q names no service: AWS hosts look like SERVICE.REGION.%s (sqs.us-east-1.amazonaws.com)", host, sx.name)
		return
	case sx.onAWS:
		p.parseOnAWS(host, sx, rest)
		return
	}
	if x, ok := exactHosts[host]; ok {
		e := &p.ep
		e.Partition = partitions[x.partition].id
		e.Region, e.SigningRegion = x.region, x.signingRegion
		e.Service, e.SigningName = x.service, x.signingName
		e.Global, e.FIPS, e.DualStack = x.global, x.fips, x.dualStack
		return
	}
	p.ep.DualStack = sx.dualStack
	last, before := lastLabel(rest)
	if pi, ok := sx.region(last); ok {
		p.parseRegional(host, sx, before, last, pi)
		return
	}
	switch last {
	case "vpce":
		if !sx.dualStack {
			p.parseVPCE(host, sx, before)
			return
		}
	case "es", "aoss", "osis", "cloudsearch":
		region, resource := lastLabel(before)
		if pi, ok := sx.region(region); ok && resource != "" && !strings.Contains(resource, ".") {
			p.parseDomain(sx, resource, region, last, pi)
			return
		}
	}
	if p.parseS3Global(sx, rest) {
		return
	}
	p.failPlace(host, sx, last)
}

// failPlace explains a host whose last label before the suffix is neither a
// region nor a form urlparse knows.
func (p *parse) failPlace(host string, sx *suffix, label string) {
	if pi, ok := partitionOf(label); ok {
		pt := &partitions[pi]
		p.fail(ErrRegion, "region %s is in partition %s, whose hosts end in .%s, not .%s", label, pt.id, pt.dnsSuffix, sx.name)
		return
	}
	if looksLikeRegion(label) {
		var ex []string
		for _, pi := range sx.parts {
			ex = append(ex, partitions[pi].globalRegion)
		}
		p.fail(ErrRegion, "%q in host %q is not a region name: regions of .%s look like %s", label, host, sx.name, strings.Join(ex, ", "))
		return
	}
	p.fail(ErrUnrecognized, "%q is under .%s but is not an AWS API endpoint urlparse knows: API hosts look like SERVICE.REGION.%s (sqs.%s.%s), BUCKET.s3.REGION.%s or a global endpoint (iam.amazonaws.com); hosts of customer resources (load balancers, EC2 instances, S3 websites) are refused",
		host, sx.name, sx.name, partitions[sx.parts[0]].globalRegion, sx.name, sx.name)
}

// parseRegional reads PREFIX.REGION.SUFFIX.
func (p *parse) parseRegional(host string, sx *suffix, prefix, region string, pi int) {
	e := &p.ep
	e.Partition = partitions[pi].id
	e.Region, e.SigningRegion = region, region
	if prefix == "" {
		p.fail(ErrUnrecognized, "%q names a region but no service: AWS hosts look like SERVICE.%s.%s", host, region, sx.name)
		return
	}
	if pre, ok := strings.CutSuffix(prefix, ".dualstack"); ok {
		e.DualStack = true
		prefix = pre
	}
	label, pre := lastLabel(prefix)
	if strings.HasPrefix(label, "s3") && p.parseS3(host, pre, label) {
		return
	}
	p.resolveService(host, prefix, false)
}

// resolveService sets Service and SigningName from the labels before the
// region: an endpoint prefix, a hostname alias, their FIPS forms, or
// RESOURCE.SERVICE for services whose hosts name a resource. Unless known is
// set, a single label the tables do not list is taken as a service newer than
// them.
func (p *parse) resolveService(host, prefix string, known bool) {
	e := &p.ep
	name, fips := stripFIPS(prefix)
	e.FIPS = e.FIPS || fips
	if sn, ok := services[name]; ok {
		e.Service, e.SigningName = name, sn
		return
	}
	if c, ok := hostAliases[name]; ok {
		e.Service, e.SigningName = c, signingName(c)
		return
	}
	if res, svc, ok := strings.Cut(name, "."); ok {
		switch {
		case svc == "execute-api": // API Gateway: API_ID.execute-api.REGION
			e.Service, e.SigningName = svc, signingName(svc)
		case svc == "appsync-api": // AppSync GraphQL: API_ID.appsync-api.REGION
			e.Service, e.SigningName = svc, "appsync"
		case svc == "iot" && strings.HasSuffix(res, "-ats"): // IoT data: ENDPOINT_ID-ats.iot.REGION
			e.Service = "data-ats.iot"
			e.SigningName = signingName(e.Service)
		case resourceLabels[svc] != "":
			e.Service, e.SigningName = svc, signingName(svc)
		default:
			p.fail(ErrUnrecognized, "%q is not an AWS API endpoint urlparse knows: %q is not a service's endpoint prefix", host, name)
			return
		}
		e.Resource = res
		return
	}
	if known || !isServiceToken(name) {
		p.fail(ErrUnrecognized, "%q is not an AWS API endpoint urlparse knows: %q is not a service's endpoint prefix", host, name)
		return
	}
	// A service newer than the generated tables: its endpoint prefix is its
	// signing name unless botocore says otherwise.
	e.Service, e.SigningName = name, name
}

// stripFIPS removes a FIPS marker: a leading "fips." label (fips.batch) or a
// "-fips" ending a label (kms-fips, api-fips.sagemaker, data.iot-fips).
func stripFIPS(prefix string) (string, bool) {
	if rest, ok := strings.CutPrefix(prefix, "fips."); ok {
		return rest, true
	}
	for i := 0; ; {
		j := strings.Index(prefix[i:], "-fips")
		if j < 0 {
			return prefix, false
		}
		j += i
		if end := j + len("-fips"); end == len(prefix) || prefix[end] == '.' {
			return prefix[:j] + prefix[end:], true
		}
		i = j + 1
	}
}

// isServiceToken reports whether s can be a service's endpoint prefix that
// the tables do not list: one label, starting with a letter.
func isServiceToken(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || strings.IndexByte(s, '.') >= 0 {
		return false
	}
	switch s {
	case "dualstack", "fips", "vpce", "global", "bucket", "accesspoint", "control":
		return false
	}
	return true
}

// parseVPCE reads a PrivateLink host: [S3 labels.]VPCE_ID[-AZ].SERVICE.REGION.vpce.SUFFIX.
func (p *parse) parseVPCE(host string, sx *suffix, before string) {
	region, prefix := lastLabel(before)
	pi, ok := sx.region(region)
	if !ok {
		p.failPlace(host, sx, region)
		return
	}
	e := &p.ep
	e.Partition = partitions[pi].id
	e.Region, e.SigningRegion = region, region
	// Find the vpce-... label.
	start := 0
	for {
		end := strings.IndexByte(prefix[start:], '.')
		if end < 0 {
			break
		}
		end += start
		if strings.HasPrefix(prefix[start:end], "vpce-") {
			id, svc := prefix[start:end], prefix[end+1:]
			pre := ""
			if start > 0 {
				pre = prefix[:start-1]
			}
			e.VPCE, e.Zone = id, ""
			// A zonal DNS name ends its first label with the zone: vpce-ID-us-east-2c.
			if n := len(id) - len(region) - 2; n > len("vpce-") && id[n] == '-' && id[n+1:n+1+len(region)] == region {
				if z := id[len(id)-1]; z >= 'a' && z <= 'z' {
					e.VPCE, e.Zone = id[:n], id[n+1:]
				}
			}
			if svc == "s3" || svc == "s3-fips" {
				e.FIPS = svc == "s3-fips"
				p.parseS3VPCE(host, pre)
				return
			}
			if pre != "" {
				break
			}
			// Only services the tables know: vpce-ID.vpce-svc-ID.REGION
			// names a customer's endpoint service, not AWS.
			p.resolveService(host, svc, true)
			return
		}
		start = end + 1
	}
	p.fail(ErrUnrecognized, "%q is not a VPC endpoint name urlparse knows: they look like vpce-ID.SERVICE.REGION.vpce.%s", host, sx.name)
}

// parseDomain reads hosts that put the resource before the region:
// OpenSearch domains (search-NAME-ID.REGION.es), OpenSearch Serverless
// collections (ID.REGION.aoss), OpenSearch Ingestion pipelines
// (NAME-ID.REGION.osis) and CloudSearch domains (search-NAME-ID.REGION.cloudsearch).
func (p *parse) parseDomain(sx *suffix, resource, region, svc string, pi int) {
	e := &p.ep
	e.Partition = partitions[pi].id
	e.Region, e.SigningRegion = region, region
	e.Resource = resource
	switch svc {
	case "cloudsearch":
		e.Service, e.SigningName = "cloudsearchdomain", signingName("cloudsearchdomain")
	default:
		e.Service, e.SigningName = svc, signingName(svc)
	}
}

// parseOnAWS reads Lambda function URLs: URL_ID.lambda-url.REGION.on.aws.
func (p *parse) parseOnAWS(host string, sx *suffix, rest string) {
	region, prefix := lastLabel(rest)
	pi, ok := sx.region(region)
	id, svc, _ := strings.Cut(prefix, ".")
	if !ok || svc != "lambda-url" || id == "" {
		p.fail(ErrUnrecognized, "%q is under .on.aws but is not a Lambda function URL (URL_ID.lambda-url.REGION.on.aws), the only .on.aws endpoint urlparse accepts", host)
		return
	}
	e := &p.ep
	e.Partition = partitions[pi].id
	e.Region, e.SigningRegion = region, region
	e.Service, e.SigningName = "lambda-url", "lambda"
	e.Resource = id
}
