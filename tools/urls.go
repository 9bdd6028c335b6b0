package tools

import (
	"strings"
	"sync"
)

// awsEscape percent-encodes s as AWS reads URLs: every byte but the
// unreserved characters (A-Z a-z 0-9 - _ . ~), and '/' when keepSlash is
// set, is %XX. A space is %20, '+' is %2B, a '%' is %25.
func awsEscape(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// encodeQuery encodes parameters, sorted by name, with awsEscape.
func encodeQuery(q map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(q) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(awsEscape(k, false))
		b.WriteByte('=')
		b.WriteString(awsEscape(q[k], false))
	}
	return b.String()
}

// dnsSuffix is the DNS suffix of AWS endpoints in region.
func dnsSuffix(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-isob-"):
		return "sc2s.sgov.gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "c2s.ic.gov"
	}
	return "amazonaws.com"
}

// virtualHostable reports whether a bucket can be a DNS label of its own:
// virtual-hosted addressing over https, which a bucket with dots breaks
// (the certificate covers one label).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// s3URL is the URL of key in bucket (key "" for the bucket itself), with
// the query rawQuery (already encoded): virtual-hosted when the bucket
// allows it, else path style. Each segment of the key is escaped once.
func s3URL(region, bucket, key, rawQuery string) string {
	host := "s3." + region + "." + dnsSuffix(region)
	path := "/"
	if virtualHostable(bucket) {
		host = bucket + "." + host
	} else {
		path += awsEscape(bucket, false) + "/"
	}
	u := "https://" + host + path + awsEscape(key, true)
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	return u
}

// regionCache remembers the region of buckets. It holds at most max
// buckets, forgetting all when full: regions are cheap to find again.
type regionCache struct {
	mu  sync.Mutex
	max int
	m   map[string]string
}

func newRegionCache(max int) *regionCache { return &regionCache{max: max, m: map[string]string{}} }

func (c *regionCache) get(bucket string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[bucket]
}

func (c *regionCache) set(bucket, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[bucket] = region
}
