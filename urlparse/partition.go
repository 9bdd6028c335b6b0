package urlparse

import (
	"slices"
	"sort"
	"strings"
)

//go:generate go run ./internal/gen

// partition is an AWS partition as botocore's partitions.json describes it.
type partition struct {
	id              string // aws, aws-cn, ...
	dnsSuffix       string // amazonaws.com
	dualStackSuffix string // api.aws
	globalRegion    string // the region global endpoints sign for when botocore names none
	regionRegex     string // botocore's region regex, for tests and messages
	// regionPrefixes are the literal prefixes of regionRegex: a region is one
	// of them followed by \w+-\d+ ("us-" + "east-1").
	regionPrefixes []string
	regions        []string // the regions botocore lists
}

// isRegion reports whether s is a region name of p, as p's region regex
// would say, without a regexp on the hot path.
func (p *partition) isRegion(s string) bool {
	for _, pre := range p.regionPrefixes {
		if len(s) > len(pre) && s[:len(pre)] == pre && isRegionTail(s[len(pre):]) {
			return true
		}
	}
	return false
}

// isRegionTail reports whether s matches \w+-\d+ in full.
func isRegionTail(s string) bool {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		if c := s[j]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	for j := i + 1; j < len(s); j++ {
		if c := s[j]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// exactHost is a generated entry for a hostname parsed by table lookup.
type exactHost struct {
	partition     uint8
	service       string
	signingName   string
	region        string
	signingRegion string
	global        bool
	fips          bool
	dualStack     bool
}

// suffix is a DNS suffix AWS hosts end in.
type suffix struct {
	name      string
	dualStack bool
	onAWS     bool    // on.aws: Lambda function URLs
	parts     []uint8 // the partitions that use it, in partitions order
}

// onAWS is the suffix of Lambda function URLs (ID.lambda-url.REGION.on.aws).
// botocore's partitions do not list it.
const onAWS = "on.aws"

var (
	suffixes     []suffix // in the order to try them
	suffixList   string   // ".amazonaws.com, .amazonaws.com.cn, ..." for messages
	regionShapes []string // every partition's region prefixes, for messages
)

func init() {
	byName := map[string]int{}
	add := func(name string, dual, on bool, pi int) {
		if name == "" {
			return
		}
		i, ok := byName[name]
		if !ok {
			i = len(suffixes)
			byName[name] = i
			suffixes = append(suffixes, suffix{name: name, dualStack: dual, onAWS: on})
		}
		if pi >= 0 {
			suffixes[i].parts = append(suffixes[i].parts, uint8(pi))
		}
	}
	for pi := range partitions {
		p := &partitions[pi]
		add(p.dnsSuffix, false, false, pi)
		regionShapes = append(regionShapes, p.regionPrefixes...)
	}
	for pi := range partitions {
		add(partitions[pi].dualStackSuffix, true, false, pi)
	}
	for pi := range partitions {
		if id := partitions[pi].id; id == "aws" || id == "aws-us-gov" {
			add(onAWS, false, true, pi)
		}
	}
	// For messages: the commercial and China suffixes, api.aws and on.aws
	// first, then the rest in partition order.
	first := []string{"amazonaws.com", "amazonaws.com.cn", "api.aws", onAWS}
	names := slices.Clone(first)
	for _, s := range suffixes {
		if !slices.Contains(first, s.name) {
			names = append(names, s.name)
		}
	}
	suffixList = "." + strings.Join(names, ", .")
	// Try amazonaws.com first (the partitions' order), except that a suffix
	// ending with another suffix must be tried before it: order by how many
	// other suffixes each ends with, most first, keeping the order otherwise.
	nested := func(s suffix) int {
		n := 0
		for _, o := range suffixes {
			if strings.HasSuffix(s.name, "."+o.name) {
				n++
			}
		}
		return n
	}
	sort.SliceStable(suffixes, func(i, j int) bool { return nested(suffixes[i]) > nested(suffixes[j]) })
}

// matchSuffix finds the AWS DNS suffix host ends in and returns the labels
// before it. rest is empty when host is the suffix itself.
func matchSuffix(host string) (s *suffix, rest string, ok bool) {
	for i := range suffixes {
		sx := &suffixes[i]
		n := len(sx.name)
		if len(host) < n || host[len(host)-n:] != sx.name {
			continue
		}
		if len(host) == n {
			return sx, "", true
		}
		if host[len(host)-n-1] == '.' {
			return sx, host[:len(host)-n-1], true
		}
	}
	return nil, "", false
}

// region returns the partition among the suffix's that region belongs to.
func (s *suffix) region(region string) (int, bool) {
	for _, pi := range s.parts {
		if partitions[pi].isRegion(region) {
			return int(pi), true
		}
	}
	return 0, false
}

// partitionOf returns the partition of a region name, in any partition.
func partitionOf(region string) (int, bool) {
	for pi := range partitions {
		if partitions[pi].isRegion(region) {
			return pi, true
		}
	}
	return 0, false
}

// looksLikeRegion reports whether a label starts like a region of some
// partition (us-, eu-, cn-, us-gov-, ...), for a better message.
func looksLikeRegion(label string) bool {
	for _, pre := range regionShapes {
		if strings.HasPrefix(label, pre) {
			return true
		}
	}
	return false
}

// signingName returns the signing name of an endpoint prefix.
func signingName(service string) string {
	if sn, ok := services[service]; ok {
		return sn
	}
	return service
}
