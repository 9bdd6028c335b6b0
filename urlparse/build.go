package urlparse

import (
	"slices"
	"strings"
	"sync"
)

// Building AWS hosts and URLs. Parse reads hosts; these write them, from the
// same generated partition table, so that a host the module builds is one
// Parse accepts (build_test.go checks every partition).

// PartitionOf returns the partition of a region name: "aws" for us-east-1,
// "aws-cn" for cn-north-1, "aws-eusc" for eusc-de-east-1. ok is false when
// the name is a region of no partition.
func PartitionOf(region string) (partition string, ok bool) {
	pi, ok := partitionOf(region)
	if !ok {
		return "", false
	}
	return partitions[pi].id, true
}

// Host returns the host of a service's regional endpoint: the endpoint
// prefix, the region and the DNS suffix of the region's partition
// (sqs.us-east-1.amazonaws.com, sts.cn-north-1.amazonaws.com.cn,
// bedrock-runtime.eusc-de-east-1.amazonaws.eu).
//
// A region of no partition gets the commercial suffix, amazonaws.com: Parse
// then refuses the host and says why, and a placeholder reads as one
// (Host("sqs", "REGION") is "sqs.REGION.amazonaws.com").
func Host(prefix, region string) string {
	return prefix + "." + region + "." + dnsSuffixOf(region)
}

// dnsSuffixOf is the DNS suffix of region's partition, or the commercial
// partition's for a region of none.
func dnsSuffixOf(region string) string {
	if pi, ok := partitionOf(region); ok {
		return partitions[pi].dnsSuffix
	}
	return partitions[0].dnsSuffix
}

// GlobalHost returns the host of a service's partition-wide endpoint in
// region's partition and the region requests to it are signed for:
// iam.amazonaws.com and us-east-1 for any commercial region (and for ""),
// iam.cn-north-1.amazonaws.com.cn and cn-north-1 in China,
// iam.us-gov.amazonaws.com and us-gov-west-1 in GovCloud. ok is false when
// botocore lists no global endpoint of the service in that partition; its
// regional endpoint (Host) is then the one to call.
//
// Where a partition has several (iam.amazonaws.com and
// iam.us-east-1.amazonaws.com), the one without FIPS or dual-stack that names
// no region is chosen, then the shortest.
func GlobalHost(prefix, region string) (host, signingRegion string, ok bool) {
	pi := 0
	if region != "" {
		if pi, ok = partitionOf(region); !ok {
			return "", "", false
		}
	}
	host, ok = globalHosts()[globalKey{prefix, uint8(pi)}]
	if !ok {
		return "", "", false
	}
	return host, exactHosts[host].signingRegion, true
}

// Regionalized reports whether a service (by endpoint prefix) has regional
// endpoints. One that does not (IAM, Route 53, CloudFront, Organizations,
// ...; botocore's isRegionalized false) is called at its partition-wide
// endpoint (GlobalHost): a SERVICE.REGION host of it does not exist, though
// Parse reads the name. STS has both, and is regionalized.
func Regionalized(prefix string) bool { return !unregionalized[prefix] }

type globalKey struct {
	service   string
	partition uint8
}

// globalHosts indexes the global endpoints of exactHosts by service and
// partition, choosing one host for each as GlobalHost says.
var globalHosts = sync.OnceValue(func() map[globalKey]string {
	better := func(a, b string) bool { // is host a a better choice than b?
		x, y := exactHosts[a], exactHosts[b]
		if (x.region == "") != (y.region == "") {
			return x.region == ""
		}
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	}
	m := map[globalKey]string{}
	for host, x := range exactHosts {
		if !x.global || x.fips || x.dualStack {
			continue
		}
		k := globalKey{x.service, x.partition}
		if cur, ok := m[k]; !ok || better(host, cur) {
			m[k] = host
		}
	}
	return m
})

// S3URL returns the https URL of key in bucket, in region (key "" for the
// bucket itself), with rawQuery (already encoded, as EncodeQuery makes it)
// after a '?' when not empty.
//
// The bucket is in the host (virtual-hosted, https://BUCKET.s3.REGION.SUFFIX/KEY)
// when its name is a DNS label of its own, and in the path otherwise
// (https://s3.REGION.SUFFIX/BUCKET/KEY): a name with dots would break the
// certificate's one-label wildcard, and legacy names (upper case,
// underscores) are no DNS labels at all. The key is escaped with EscapePath.
func S3URL(region, bucket, key, rawQuery string) string {
	host := Host("s3", region)
	path := "/"
	if virtualHostable(bucket) {
		host = bucket + "." + host
	} else {
		path += Escape(bucket) + "/"
	}
	u := "https://" + host + path + EscapePath(key)
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// virtualHostable reports whether a bucket name can be a DNS label of its
// own: lower-case letters, digits and hyphens, 3-63 of them, no hyphen at
// either end, and not all digits (Parse would read it as an IP address).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > maxLabel || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return validBucketDNS(bucket)
}

// Escape percent-encodes s as AWS reads URL paths and query strings (and as
// SigV4 canonicalizes them): every byte but the unreserved characters of RFC
// 3986 (A-Z a-z 0-9 - _ . ~) becomes %XX with upper-case hex digits. A space
// is %20, '+' is %2B, '/' is %2F, '%' is %25.
func Escape(s string) string { return escape(s, false) }

// EscapePath is Escape that keeps '/': for an S3 key, whose slashes are
// path separators AWS reads as such, or a path of several segments.
func EscapePath(s string) string { return escape(s, true) }

func escape(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i], keepSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c, keepSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte, keepSlash bool) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || keepSlash && c == '/'
}

// EncodeQuery encodes parameters as a query string, sorted by name, each
// name and value escaped with Escape: {"prefix": "a b/", "list-type": "2"}
// is "list-type=2&prefix=a%20b%2F".
func EncodeQuery(q map[string]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(Escape(k))
		b.WriteByte('=')
		b.WriteString(Escape(q[k]))
	}
	return b.String()
}
