package urlparse

import (
	"strings"
)

// S3's hostnames, parsed by hand: botocore describes them in endpoint rule
// sets, not in tables.
//
//	BUCKET.s3.REGION.amazonaws.com                  virtual hosted (also s3-fips, s3.dualstack, s3-fips.dualstack)
//	s3.REGION.amazonaws.com/BUCKET/KEY              path style
//	[BUCKET.]s3.amazonaws.com                       global: us-east-1
//	[BUCKET.]s3-REGION.amazonaws.com                legacy dash form; s3-external-1 is us-east-1
//	BUCKET.s3-accelerate[.dualstack].amazonaws.com  Transfer Acceleration
//	NAME-ACCOUNT.s3-accesspoint[-fips][.dualstack].REGION.amazonaws.com
//	NAME-ACCOUNT.s3-object-lambda[-fips].REGION.amazonaws.com   signs as s3-object-lambda
//	NAME-ACCOUNT.OUTPOST_ID.s3-outposts.REGION.amazonaws.com    signs as s3-outposts
//	BUCKET--AZ--x-s3.s3express[-fips]-AZ.REGION.amazonaws.com   S3 Express One Zone, signs as s3express
//	s3express-control[-fips].REGION.amazonaws.com/BUCKET        S3 Express bucket API, signs as s3express
//	ALIAS.mrap.accesspoint.s3-global.amazonaws.com              Multi-Region Access Point: SigV4a, region set *
//	[ACCOUNT.]s3-control[-fips][.dualstack].REGION.amazonaws.com   S3 Control, signs as s3
//	[PREFIX.]vpce-ID.s3.REGION.vpce.amazonaws.com   PrivateLink; PREFIX is bucket, BUCKET.bucket,
//	                                                NAME-ACCOUNT.accesspoint, control or ACCOUNT.control

// parseS3 reads PRE.LABEL.REGION.SUFFIX where LABEL starts with "s3". It
// returns false when LABEL is not an S3 endpoint (s3tables, s3vectors, ...),
// for the generic rules to handle.
func (p *parse) parseS3(host, pre, label string) bool {
	e := &p.ep
	if z, ok := strings.CutPrefix(label, "s3express-"); ok {
		if rest, ok := strings.CutPrefix(z, "fips-"); ok {
			e.FIPS, z = true, rest
		}
		e.Service, e.SigningName = "s3express", "s3express"
		if z == "control" || z == "control-fips" {
			e.FIPS = e.FIPS || z == "control-fips"
			if pre != "" {
				p.fail(ErrUnrecognized, "%q is not an S3 Express endpoint urlparse knows: the bucket API is s3express-control.REGION with the bucket in the path", host)
				return true
			}
			p.path = pathBucket
			return true
		}
		// Zonal endpoint: BUCKET--AZ--x-s3.s3express-AZ.REGION.
		e.Zone = z
		if pre == "" {
			return true // CreateSession and ListDirectoryBuckets-style calls on the zone
		}
		if !strings.HasSuffix(pre, "--"+z+"--x-s3") || !validBucketDNS(pre) {
			p.fail(ErrMalformed, "%q is not a directory bucket of zone %s: S3 Express bucket names end in --%s--x-s3", pre, z, z)
			return true
		}
		p.virtualBucket(pre)
		return true
	}
	name, fips := strings.CutSuffix(label, "-fips")
	e.FIPS = e.FIPS || fips
	if strings.HasPrefix(name, "s3-website") {
		p.fail(ErrUnrecognized, "%q is an S3 website endpoint: it serves a bucket's public content and takes no signature; call S3 itself (BUCKET.s3.REGION.amazonaws.com)", host)
		return true
	}
	switch name {
	case "s3":
		e.Service, e.SigningName = "s3", "s3"
		p.bucketHost(pre)
	case "s3-accelerate":
		e.Service, e.SigningName = "s3", "s3"
		p.bucketHost(pre)
		p.path = pathKey
	case "s3-accesspoint":
		e.Service, e.SigningName = "s3", "s3"
		if !p.accessPoint(host, pre, "s3-accesspoint") {
			return true
		}
	case "s3-object-lambda":
		e.Service, e.SigningName = "s3-object-lambda", "s3-object-lambda"
		switch {
		case pre == "":
		case strings.Contains(pre, "."):
			p.fail(ErrUnrecognized, "%q is not an S3 Object Lambda endpoint urlparse knows: they look like NAME-ACCOUNT.s3-object-lambda.REGION", host)
		default:
			if ap, acct, ok := splitAccount(pre); ok {
				e.AccessPoint, e.AccountID, e.Addressing = ap, acct, AccessPointStyle
				p.path = pathKey
			} else {
				// WriteGetObjectResponse: REQUEST_ROUTE.s3-object-lambda.REGION.
				e.Resource = pre
			}
		}
	case "s3-outposts":
		e.Service, e.SigningName = "s3-outposts", "s3-outposts"
		if pre == "" {
			return true // the S3 on Outposts API (ListEndpoints, ...)
		}
		first, outpost, ok := strings.Cut(pre, ".")
		if !ok || strings.Contains(outpost, ".") || !validOutpostID(outpost) {
			p.fail(ErrUnrecognized, "%q is not an S3 on Outposts endpoint urlparse knows: they look like NAME-ACCOUNT.op-OUTPOSTID.s3-outposts.REGION", host)
			return true
		}
		e.OutpostID = outpost
		if ap, acct, ok := splitAccount(first); ok {
			e.AccessPoint, e.AccountID, e.Addressing = ap, acct, AccessPointStyle
			p.path = pathKey
		} else {
			p.virtualBucket(first) // an access point alias (...--op-s3)
		}
	case "s3-control":
		e.Service, e.SigningName = "s3-control", signingName("s3-control")
		if pre != "" && !validAccount(pre) {
			p.fail(ErrUnrecognized, "%q is not an S3 Control endpoint urlparse knows: they look like ACCOUNT_ID.s3-control.REGION with a 12-digit account id", host)
			return true
		}
		e.AccountID = pre
	default:
		return false
	}
	return true
}

// bucketHost sets the bucket of a bucket-addressable S3 host: virtual hosted
// when labels precede the S3 label, else path style.
func (p *parse) bucketHost(pre string) {
	if pre == "" {
		p.path = pathBucket
		return
	}
	if !validBucketDNS(pre) {
		p.fail(ErrMalformed, "%q is not a valid bucket name for a virtual-hosted URL: bucket names are 3-63 lower-case letters, digits, dots and hyphens and are not IP addresses", pre)
		return
	}
	p.virtualBucket(pre)
}

func (p *parse) virtualBucket(bucket string) {
	p.ep.Bucket = bucket
	p.ep.Addressing = VirtualHosted
	p.path = pathKey
}

// accessPoint reads NAME-ACCOUNT before an access point label.
func (p *parse) accessPoint(host, pre, label string) bool {
	ap, acct, ok := splitAccount(pre)
	if !ok {
		p.fail(ErrMalformed, "%q is not an S3 access point host: they look like NAME-ACCOUNT.%s.REGION, with a 12-digit account id", host, label)
		return false
	}
	e := &p.ep
	e.AccessPoint, e.AccountID, e.Addressing = ap, acct, AccessPointStyle
	p.path = pathKey
	return true
}

// parseS3Global reads S3 hosts that name no region as their last label:
// s3.amazonaws.com, s3-external-1, s3-REGION, s3-accelerate and Multi-Region
// Access Points. It returns false when rest is none of them.
func (p *parse) parseS3Global(sx *suffix, rest string) bool {
	dual := false
	if r, ok := strings.CutSuffix(rest, ".dualstack"); ok {
		rest, dual = r, true
	}
	label, pre := lastLabel(rest)
	if !strings.HasPrefix(label, "s3") {
		return false
	}
	e := &p.ep
	aws := !sx.dualStack && partitions[sx.parts[0]].id == "aws"
	switch {
	case aws && !dual && label == "s3":
		e.Partition, e.SigningRegion, e.Global = "aws", partitions[sx.parts[0]].globalRegion, true
		e.Service, e.SigningName = "s3", "s3"
		p.bucketHost(pre)
	case aws && !dual && label == "s3-external-1":
		e.Partition, e.Region, e.SigningRegion = "aws", "us-east-1", "us-east-1"
		e.Service, e.SigningName = "s3", "s3"
		p.bucketHost(pre)
	case aws && label == "s3-accelerate":
		// Acceleration names no region; S3 wants the bucket's region in the
		// signature and says which in its error when us-east-1 is wrong.
		e.Partition, e.SigningRegion, e.Global, e.DualStack = "aws", partitions[sx.parts[0]].globalRegion, true, dual
		e.Service, e.SigningName = "s3", "s3"
		if pre != "" {
			p.bucketHost(pre)
		}
	case aws && !dual && label == "s3-global":
		alias, ok := strings.CutSuffix(pre, ".accesspoint")
		if !ok || alias == "" {
			return false
		}
		e.Partition, e.Global = "aws", true
		e.Service, e.SigningName, e.RegionSet = "s3", "s3", "*"
		e.AccessPoint, e.Addressing = alias, AccessPointStyle
		p.path = pathKey
	case !dual && strings.HasPrefix(label, "s3-"):
		// Legacy dash form: s3-us-west-2.amazonaws.com, s3-fips-us-gov-west-1.
		region := label[len("s3-"):]
		if r, ok := strings.CutPrefix(region, "fips-"); ok {
			region, e.FIPS = r, true
		}
		pi, ok := sx.region(region)
		if !ok {
			return false
		}
		e.Partition, e.Region, e.SigningRegion = partitions[pi].id, region, region
		e.Service, e.SigningName = "s3", "s3"
		p.bucketHost(pre)
	default:
		return false
	}
	return true
}

// parseS3VPCE reads the labels before vpce-ID in an S3 PrivateLink host.
func (p *parse) parseS3VPCE(host, pre string) {
	e := &p.ep
	e.Service, e.SigningName = "s3", "s3"
	switch {
	case pre == "" || pre == "bucket":
		p.path = pathBucket
	case strings.HasSuffix(pre, ".bucket"):
		p.bucketHost(strings.TrimSuffix(pre, ".bucket"))
	case strings.HasSuffix(pre, ".accesspoint"):
		p.accessPoint(host, strings.TrimSuffix(pre, ".accesspoint"), "accesspoint.vpce-ID.s3")
	case pre == "control":
		e.Service, e.SigningName = "s3-control", signingName("s3-control")
	case strings.HasSuffix(pre, ".control") && validAccount(strings.TrimSuffix(pre, ".control")):
		e.Service, e.SigningName = "s3-control", signingName("s3-control")
		e.AccountID = strings.TrimSuffix(pre, ".control")
	default:
		p.fail(ErrUnrecognized, "%q is not an S3 PrivateLink name urlparse knows: they start bucket.vpce-, BUCKET.bucket.vpce-, NAME-ACCOUNT.accesspoint.vpce- or control.vpce-", host)
	}
}

// s3Path reads the bucket and key from the URL path, after the first base
// bytes (a custom endpoint's base path, which has no escapes).
func (p *parse) s3Path(u *parts, base int) {
	e := &p.ep
	path := u.path[base:]
	switch p.path {
	case pathKey:
		e.Key = strings.TrimPrefix(path, "/")
	case pathBucket:
		path = strings.TrimPrefix(path, "/")
		if path == "" {
			return // ListBuckets, or the service root
		}
		bucket, key, _ := strings.Cut(path, "/")
		// Percent-encoding in the bucket segment would let this parse and
		// S3 disagree about where the bucket ends.
		raw := strings.TrimPrefix(u.rawPath[base:], "/")
		if seg, _, _ := strings.Cut(raw, "/"); strings.IndexByte(seg, '%') >= 0 {
			p.fail(ErrMalformed, "the bucket name in the path is percent-encoded: bucket names never need encoding; write it plainly")
			return
		}
		if !validBucketPath(bucket) {
			p.fail(ErrMalformed, "%q is not a valid bucket name: bucket names are 3-63 letters, digits, dots and hyphens (older buckets: up to 255, with underscores)", printable(bucket))
			return
		}
		e.Bucket, e.Key, e.Addressing = bucket, key, PathStyle
	}
}

// validBucketDNS applies the rules for bucket names that appear in a host:
// 3-63 characters, not an IP address. The host check already allowed only
// lower-case letters, digits, hyphens and dots in non-empty labels.
func validBucketDNS(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	digitsAndDots := true
	for i := 0; i < len(b); i++ {
		if c := b[i]; c != '.' && (c < '0' || c > '9') {
			digitsAndDots = false
			break
		}
	}
	return !digitsAndDots
}

// validBucketPath applies the rules for bucket names in a path, which may be
// legacy us-east-1 names (up to 255 characters, upper case, underscores).
func validBucketPath(b string) bool {
	if len(b) < 3 || len(b) > 255 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if (i == 0 || i == len(b)-1) && !alnum {
			return false
		}
		if !alnum && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// splitAccount splits NAME-ACCOUNT, the first label of an access point host.
func splitAccount(label string) (name, account string, ok bool) {
	i := strings.LastIndexByte(label, '-')
	if i < 1 || strings.IndexByte(label, '.') >= 0 || !validAccount(label[i+1:]) {
		return "", "", false
	}
	return label[:i], label[i+1:], true
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validOutpostID: op- and 17 hex digits.
func validOutpostID(s string) bool {
	id, ok := strings.CutPrefix(s, "op-")
	if !ok || len(id) != 17 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
