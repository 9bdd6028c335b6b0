package urlparse

import (
	"net/url"
	"strings"
	"testing"
)

func TestPartitionOf(t *testing.T) {
	for _, tc := range []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"eu-west-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"eusc-de-east-1", "aws-eusc"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"us-isof-south-1", "aws-iso-f"},
		{"us-gov-west-1", "aws-us-gov"},
		{"", ""},
		{"REGION", ""},
		{"us-east-1.evil", ""},
		{"aws-global", ""},
	} {
		got, ok := PartitionOf(tc.region)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("PartitionOf(%q) = %q, %v; want %q", tc.region, got, ok, tc.want)
		}
	}
}

// The known bug this fixes: regions of eusc, iso-e and iso-f got
// amazonaws.com hosts.
func TestHost(t *testing.T) {
	for _, tc := range []struct{ prefix, region, want string }{
		{"sqs", "us-east-1", "sqs.us-east-1.amazonaws.com"},
		{"sts", "cn-north-1", "sts.cn-north-1.amazonaws.com.cn"},
		{"bedrock-runtime", "eusc-de-east-1", "bedrock-runtime.eusc-de-east-1.amazonaws.eu"},
		{"sts", "us-iso-east-1", "sts.us-iso-east-1.c2s.ic.gov"},
		{"sts", "us-isob-east-1", "sts.us-isob-east-1.sc2s.sgov.gov"},
		{"sts", "eu-isoe-west-1", "sts.eu-isoe-west-1.cloud.adc-e.uk"},
		{"sts", "us-isof-south-1", "sts.us-isof-south-1.csp.hci.ic.gov"},
		{"s3", "us-gov-west-1", "s3.us-gov-west-1.amazonaws.com"},
		{"runtime.sagemaker", "eu-west-1", "runtime.sagemaker.eu-west-1.amazonaws.com"},
		{"dynamodb", "REGION", "dynamodb.REGION.amazonaws.com"},
	} {
		if got := Host(tc.prefix, tc.region); got != tc.want {
			t.Errorf("Host(%q, %q) = %s, want %s", tc.prefix, tc.region, got, tc.want)
		}
	}
}

func TestGlobalHost(t *testing.T) {
	for _, tc := range []struct{ prefix, region, host, signing string }{
		{"iam", "", "iam.amazonaws.com", "us-east-1"},
		{"iam", "eu-west-1", "iam.amazonaws.com", "us-east-1"},
		{"iam", "cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"iam", "us-gov-east-1", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
		{"iam", "us-iso-west-1", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
		{"iam", "us-isob-east-1", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
		{"iam", "us-isof-east-1", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},
		{"route53", "eu-isoe-west-1", "route53.cloud.adc-e.uk", "eu-isoe-west-1"},
		{"sts", "", "sts.amazonaws.com", "us-east-1"},
		{"iam", "eusc-de-east-1", "", ""}, // no global IAM endpoint listed there
		{"sqs", "us-east-1", "", ""},      // regional only
		{"iam", "REGION", "", ""},
	} {
		host, signing, ok := GlobalHost(tc.prefix, tc.region)
		if host != tc.host || signing != tc.signing || ok != (tc.host != "") {
			t.Errorf("GlobalHost(%q, %q) = %s, %s, %v; want %s, %s", tc.prefix, tc.region, host, signing, ok, tc.host, tc.signing)
		}
	}
}

func TestS3URL(t *testing.T) {
	for _, tc := range []struct{ region, bucket, key, query, want string }{
		{"us-east-1", "my-bucket", "", "", "https://my-bucket.s3.us-east-1.amazonaws.com/"},
		{"eu-west-1", "my-bucket", "dir one/a+b%c/été.txt", "", "https://my-bucket.s3.eu-west-1.amazonaws.com/dir%20one/a%2Bb%25c/%C3%A9t%C3%A9.txt"},
		{"us-east-1", "my.dotted.bucket", "k", "", "https://s3.us-east-1.amazonaws.com/my.dotted.bucket/k"},
		{"us-east-1", "Legacy_Bucket", "k", "", "https://s3.us-east-1.amazonaws.com/Legacy_Bucket/k"},
		{"us-east-1", "123", "k", "", "https://s3.us-east-1.amazonaws.com/123/k"}, // all digits reads as an IP address in a host
		{"cn-north-1", "b-c", "a//b", "", "https://b-c.s3.cn-north-1.amazonaws.com.cn/a//b"},
		{"eusc-de-east-1", "b-c", "k", "", "https://b-c.s3.eusc-de-east-1.amazonaws.eu/k"},
		{"eu-isoe-west-1", "b-c", "k", "", "https://b-c.s3.eu-isoe-west-1.cloud.adc-e.uk/k"},
		{"us-isof-south-1", "b-c", "k", "", "https://b-c.s3.us-isof-south-1.csp.hci.ic.gov/k"},
		{"us-east-1", "b-c", "", EncodeQuery(map[string]string{"prefix": "a b/+", "list-type": "2"}), "https://b-c.s3.us-east-1.amazonaws.com/?list-type=2&prefix=a%20b%2F%2B"},
	} {
		if got := S3URL(tc.region, tc.bucket, tc.key, tc.query); got != tc.want {
			t.Errorf("S3URL(%q, %q, %q) = %s, want %s", tc.region, tc.bucket, tc.key, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want, path string }{
		{"AZaz09-_.~", "AZaz09-_.~", "AZaz09-_.~"},
		{" /+%", "%20%2F%2B%25", "%20/%2B%25"},
		{"a:b@c=d&e?f#g", "a%3Ab%40c%3Dd%26e%3Ff%23g", "a%3Ab%40c%3Dd%26e%3Ff%23g"},
		{"é\x00\xff", "%C3%A9%00%FF", "%C3%A9%00%FF"},
		{"", "", ""},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := EscapePath(tc.in); got != tc.path {
			t.Errorf("EscapePath(%q) = %s, want %s", tc.in, got, tc.path)
		}
		if got, err := url.PathUnescape(Escape(tc.in)); err != nil || got != tc.in {
			t.Errorf("PathUnescape(Escape(%q)) = %q, %v", tc.in, got, err)
		}
	}
	if got := EncodeQuery(map[string]string{"b": "2 3", "a": "1", "c+": ""}); got != "a=1&b=2%203&c%2B=" {
		t.Errorf("EncodeQuery = %s", got)
	}
	if got := EncodeQuery(nil); got != "" {
		t.Errorf("EncodeQuery(nil) = %q", got)
	}
}

// Every host a builder makes is one Parse accepts, with the service,
// region and partition it was built for: every endpoint prefix in a region
// of each partition, and every region of every partition.
func TestBuiltHostsParse(t *testing.T) {
	check := func(prefix, region, pid string) {
		t.Helper()
		host := Host(prefix, region)
		ep, err := Parse("https://" + host + "/")
		if err != nil {
			t.Errorf("Host(%q, %q) = %s, which Parse refuses: %v", prefix, region, host, err)
			return
		}
		if ep.Service != prefix || ep.Region != region || ep.Partition != pid || ep.SigningRegion != region {
			t.Errorf("Host(%q, %q) = %s, which Parse reads as service %q region %q (signing %q) partition %q", prefix, region, host, ep.Service, ep.Region, ep.SigningRegion, ep.Partition)
		}
	}
	for _, p := range partitions {
		for _, r := range p.regions {
			check("sts", r, p.id)
			check("bedrock-runtime", r, p.id)
			check("s3", r, p.id)
		}
		for prefix := range services {
			check(prefix, p.regions[0], p.id)
		}
	}
}

func TestBuiltGlobalHostsParse(t *testing.T) {
	for k, host := range globalHosts() {
		p := partitions[k.partition]
		got, signing, ok := GlobalHost(k.service, p.regions[0])
		if !ok || got != host {
			t.Errorf("GlobalHost(%q, %q) = %s, %v; the index has %s", k.service, p.regions[0], got, ok, host)
			continue
		}
		ep, err := Parse("https://" + host + "/")
		if err != nil {
			t.Errorf("GlobalHost(%q, %q) = %s, which Parse refuses: %v", k.service, p.regions[0], host, err)
			continue
		}
		if !ep.Global || ep.Service != k.service || ep.Partition != p.id || ep.SigningRegion != signing {
			t.Errorf("GlobalHost(%q, %q) = %s signing %s, which Parse reads as %+v", k.service, p.regions[0], host, signing, ep)
		}
	}
}

func TestBuiltS3URLsParse(t *testing.T) {
	buckets := []string{"my-bucket", "abc", "a.b.c", "Legacy_Bucket", "123", "1-2", "xn--bucket", strings.Repeat("b", 63), strings.Repeat("b", 64)}
	keys := []string{"", "k", "dir one/a+b%c/été.txt", "a//b", "/lead", "trail/", "?#[]", "~!*'()"}
	for _, p := range partitions {
		for _, r := range []string{p.regions[0], p.regions[len(p.regions)-1]} {
			for _, b := range buckets {
				for _, k := range keys {
					u := S3URL(r, b, k, "")
					ep, err := Parse(u)
					if err != nil {
						t.Errorf("S3URL(%q, %q, %q) = %s, which Parse refuses: %v", r, b, k, u, err)
						continue
					}
					if ep.Service != "s3" || ep.Region != r || ep.Partition != p.id || ep.Bucket != b || ep.Key != k {
						t.Errorf("S3URL(%q, %q, %q) = %s, which Parse reads as region %q partition %q bucket %q key %q", r, b, k, u, ep.Region, ep.Partition, ep.Bucket, ep.Key)
					}
					if want := virtualHostable(b); (ep.Addressing == VirtualHosted) != want {
						t.Errorf("S3URL(%q, %q, %q) = %s: addressing %v", r, b, k, u, ep.Addressing)
					}
				}
			}
		}
	}
}

// TestRegionalized: services with only a partition-wide endpoint are not
// regionalized, and each has a GlobalHost to call; STS has both.
func TestRegionalized(t *testing.T) {
	for _, p := range []string{"iam", "route53", "cloudfront", "organizations"} {
		if Regionalized(p) {
			t.Errorf("%s is regionalized", p)
		}
		if _, _, ok := GlobalHost(p, ""); !ok {
			t.Errorf("%s has no global host", p)
		}
	}
	for _, p := range []string{"sts", "s3", "dynamodb", "bedrock-runtime"} {
		if !Regionalized(p) {
			t.Errorf("%s is not regionalized", p)
		}
	}
}
