package urlparse_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// accepted is a URL Parse must accept, and what it must say. Scheme and Host
// may be left empty: they default to https and the URL's host without :443.
type accepted struct {
	name string
	url  string
	want urlparse.Endpoint
}

// E is shorthand for the fields most cases set.
func E(partition, region, service, signingName, signingRegion string) urlparse.Endpoint {
	return urlparse.Endpoint{Partition: partition, Region: region, Service: service, SigningName: signingName, SigningRegion: signingRegion}
}

// with returns e changed by f (if any), to keep tables short.
func with(e urlparse.Endpoint, f func(*urlparse.Endpoint)) urlparse.Endpoint {
	if f != nil {
		f(&e)
	}
	return e
}

// object returns e naming key in bucket, addressed as a says.
func object(e urlparse.Endpoint, a urlparse.Addressing, bucket, key string) urlparse.Endpoint {
	e.Bucket, e.Key, e.Addressing = bucket, key, a
	return e
}

func runAccepted(t *testing.T, p *urlparse.Parser, cases []accepted) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want.Scheme == "" {
				want.Scheme = "https"
			}
			if want.Host == "" {
				u, err := url.Parse(c.url)
				if err != nil {
					t.Fatal(err)
				}
				want.Host = strings.TrimSuffix(strings.ToLower(u.Host), ":443")
			}
			parse := urlparse.Parse
			if p != nil {
				parse = p.Parse
			}
			got, err := parse(c.url)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.url, err)
			}
			if got != want {
				t.Errorf("Parse(%q):\n%s", c.url, diff(got, want))
			}
		})
	}
}

// diff lists the fields of two Endpoints that differ.
func diff(got, want urlparse.Endpoint) string {
	var b strings.Builder
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		if g, w := gv.Field(i).Interface(), wv.Field(i).Interface(); g != w {
			b.WriteString("\t" + gv.Type().Field(i).Name + ": got " + quote(g) + ", want " + quote(w) + "\n")
		}
	}
	return b.String()
}

func quote(v any) string {
	switch v := v.(type) {
	case string:
		return `"` + v + `"`
	case bool:
		if v {
			return "true"
		}
		return "false"
	case urlparse.Addressing:
		return [...]string{"NoBucket", "PathStyle", "VirtualHosted", "AccessPointStyle"}[v]
	}
	return "?"
}

// The six hostname patterns the README documents, and PrivateLink for S3.
var documentedCases = []accepted{
	{"s3 regional", "https://s3.us-east-1.amazonaws.com/", E("aws", "us-east-1", "s3", "s3", "us-east-1")},
	{"bedrock-runtime signs as bedrock", "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke",
		E("aws", "us-west-2", "bedrock-runtime", "bedrock", "us-west-2")},
	{"s3 virtual hosted", "https://my-bucket.s3.us-west-2.amazonaws.com/photos/cat.jpg",
		object(E("aws", "us-west-2", "s3", "s3", "us-west-2"), urlparse.VirtualHosted, "my-bucket", "photos/cat.jpg")},
	{"vpc endpoint", "https://vpce-0a1b2c3d4e5f67890-abcdefgh.monitoring.us-east-2.vpce.amazonaws.com/",
		with(E("aws", "us-east-2", "monitoring", "monitoring", "us-east-2"), func(e *urlparse.Endpoint) { e.VPCE = "vpce-0a1b2c3d4e5f67890-abcdefgh" })},
	{"zonal vpc endpoint", "https://vpce-0a1b2c3d4e5f67890-abcdefgh-us-east-2c.monitoring.us-east-2.vpce.amazonaws.com/",
		with(E("aws", "us-east-2", "monitoring", "monitoring", "us-east-2"), func(e *urlparse.Endpoint) {
			e.VPCE, e.Zone = "vpce-0a1b2c3d4e5f67890-abcdefgh", "us-east-2c"
		})},
	{"govcloud s3", "https://s3.us-gov-west-1.amazonaws.com/", E("aws-us-gov", "us-gov-west-1", "s3", "s3", "us-gov-west-1")},
	{"s3 privatelink path style", "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com/my-bucket/reports/q1.csv",
		with(E("aws", "us-east-1", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.VPCE, e.Bucket, e.Key, e.Addressing = "vpce-1a2b3c4d-5e6f", "my-bucket", "reports/q1.csv", urlparse.PathStyle
		})},
	{"s3 privatelink virtual hosted", "https://my-bucket.bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com/reports/q1.csv",
		with(E("aws", "us-east-1", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.VPCE, e.Bucket, e.Key, e.Addressing = "vpce-1a2b3c4d-5e6f", "my-bucket", "reports/q1.csv", urlparse.VirtualHosted
		})},
	{"s3 privatelink access point", "https://finance-123456789012.accesspoint.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com/q1.csv",
		with(E("aws", "us-east-1", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.VPCE, e.AccessPoint, e.AccountID, e.Key, e.Addressing = "vpce-1a2b3c4d-5e6f", "finance", "123456789012", "q1.csv", urlparse.AccessPointStyle
		})},
	{"s3 privatelink control", "https://123456789012.control.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com/v20180820/jobs",
		with(E("aws", "us-east-1", "s3-control", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.VPCE, e.AccountID = "vpce-1a2b3c4d-5e6f", "123456789012"
		})},
	{"s3 privatelink generic name", "https://vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com/my-bucket/k",
		with(E("aws", "us-east-1", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.VPCE, e.Bucket, e.Key, e.Addressing = "vpce-1a2b3c4d-5e6f", "my-bucket", "k", urlparse.PathStyle
		})},
	{"privatelink fips", "https://vpce-0123abcd.kms-fips.us-east-1.vpce.amazonaws.com/",
		with(E("aws", "us-east-1", "kms", "kms", "us-east-1"), func(e *urlparse.Endpoint) { e.VPCE, e.FIPS = "vpce-0123abcd", true })},
	{"privatelink china", "https://vpce-0123abcd.sqs.cn-north-1.vpce.amazonaws.com.cn/",
		with(E("aws-cn", "cn-north-1", "sqs", "sqs", "cn-north-1"), func(e *urlparse.Endpoint) { e.VPCE = "vpce-0123abcd" })},
}

func TestParseDocumented(t *testing.T) { runAccepted(t, nil, documentedCases) }

func global(partition, region, service, signingName, signingRegion string) urlparse.Endpoint {
	e := E(partition, region, service, signingName, signingRegion)
	e.Global = true
	return e
}

// Global endpoints sign for their partition's region.
var globalCases = []accepted{
	{"iam", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", global("aws", "", "iam", "iam", "us-east-1")},
	{"iam fips", "https://iam-fips.amazonaws.com/", with(global("aws", "", "iam", "iam", "us-east-1"), func(e *urlparse.Endpoint) { e.FIPS = true })},
	{"iam dual-stack", "https://iam.global.api.aws/", with(global("aws", "", "iam", "iam", "us-east-1"), func(e *urlparse.Endpoint) { e.DualStack = true })},
	{"sts global", "https://sts.amazonaws.com/", global("aws", "", "sts", "sts", "us-east-1")},
	{"sts regional", "https://sts.eu-west-1.amazonaws.com/", E("aws", "eu-west-1", "sts", "sts", "eu-west-1")},
	{"sts regional fips", "https://sts-fips.us-east-2.amazonaws.com/", with(E("aws", "us-east-2", "sts", "sts", "us-east-2"), func(e *urlparse.Endpoint) { e.FIPS = true })},
	{"route53", "https://route53.amazonaws.com/2013-04-01/hostedzone", global("aws", "", "route53", "route53", "us-east-1")},
	{"cloudfront", "https://cloudfront.amazonaws.com/2020-05-31/distribution", global("aws", "", "cloudfront", "cloudfront", "us-east-1")},
	{"organizations", "https://organizations.us-east-1.amazonaws.com/", global("aws", "us-east-1", "organizations", "organizations", "us-east-1")},
	{"budgets", "https://budgets.amazonaws.com/", global("aws", "", "budgets", "budgets", "us-east-1")},
	{"health", "https://global.health.amazonaws.com/", global("aws", "", "health", "health", "us-east-1")},
	{"importexport signs as IngestionService", "https://importexport.amazonaws.com/", global("aws", "", "importexport", "IngestionService", "us-east-1")},
	{"s3 global", "https://s3.amazonaws.com/", with(global("aws", "", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {})},
	{"s3 global virtual hosted", "https://my-bucket.s3.amazonaws.com/a.txt", object(global("aws", "", "s3", "s3", "us-east-1"), urlparse.VirtualHosted, "my-bucket", "a.txt")},
	{"iam govcloud", "https://iam.us-gov.amazonaws.com/", global("aws-us-gov", "", "iam", "iam", "us-gov-west-1")},
	{"route53 govcloud", "https://route53.us-gov.amazonaws.com/", global("aws-us-gov", "", "route53", "route53", "us-gov-west-1")},
	{"iam china", "https://iam.cn-north-1.amazonaws.com.cn/", global("aws-cn", "cn-north-1", "iam", "iam", "cn-north-1")},
	{"route53 china", "https://route53.amazonaws.com.cn/", global("aws-cn", "", "route53", "route53", "cn-northwest-1")},
	{"route53 iso", "https://route53.c2s.ic.gov/", global("aws-iso", "", "route53", "route53", "us-iso-east-1")},
	{"budgets iso-b", "https://budgets.global.sc2s.sgov.gov/", global("aws-iso-b", "", "budgets", "budgets", "us-isob-east-1")},
	{"simpledb legacy host", "https://sdb.amazonaws.com/", E("aws", "us-east-1", "sdb", "sdb", "us-east-1")},
}

func TestParseGlobal(t *testing.T) { runAccepted(t, nil, globalCases) }

func fips(e urlparse.Endpoint) urlparse.Endpoint { e.FIPS = true; return e }
func dual(e urlparse.Endpoint) urlparse.Endpoint { e.DualStack = true; return e }

// Partitions other than aws, dual-stack and FIPS hosts.
var partitionCases = []accepted{
	{"china", "https://ec2.cn-north-1.amazonaws.com.cn/", E("aws-cn", "cn-north-1", "ec2", "ec2", "cn-north-1")},
	{"china s3 virtual hosted", "https://logs.s3.cn-northwest-1.amazonaws.com.cn/2024/01.gz", object(E("aws-cn", "cn-northwest-1", "s3", "s3", "cn-northwest-1"), urlparse.VirtualHosted, "logs", "2024/01.gz")},
	{"china dual-stack", "https://ec2.cn-north-1.api.amazonwebservices.com.cn/", dual(E("aws-cn", "cn-north-1", "ec2", "ec2", "cn-north-1"))},
	{"iso", "https://ec2.us-iso-east-1.c2s.ic.gov/", E("aws-iso", "us-iso-east-1", "ec2", "ec2", "us-iso-east-1")},
	{"iso-b", "https://s3.us-isob-east-1.sc2s.sgov.gov/", E("aws-iso-b", "us-isob-east-1", "s3", "s3", "us-isob-east-1")},
	{"iso-e", "https://sts.eu-isoe-west-1.cloud.adc-e.uk/", E("aws-iso-e", "eu-isoe-west-1", "sts", "sts", "eu-isoe-west-1")},
	{"iso-f", "https://kms.us-isof-south-1.csp.hci.ic.gov/", E("aws-iso-f", "us-isof-south-1", "kms", "kms", "us-isof-south-1")},
	{"iso-f dual-stack", "https://lambda.us-isof-east-1.api.aws.hci.ic.gov/", dual(E("aws-iso-f", "us-isof-east-1", "lambda", "lambda", "us-isof-east-1"))},
	{"eusc", "https://s3.eusc-de-east-1.amazonaws.eu/", E("aws-eusc", "eusc-de-east-1", "s3", "s3", "eusc-de-east-1")},
	{"eusc dual-stack", "https://sqs.eusc-de-east-1.api.amazonwebservices.eu/", dual(E("aws-eusc", "eusc-de-east-1", "sqs", "sqs", "eusc-de-east-1"))},
	{"govcloud east", "https://dynamodb.us-gov-east-1.amazonaws.com/", E("aws-us-gov", "us-gov-east-1", "dynamodb", "dynamodb", "us-gov-east-1")},
	{"dual-stack api.aws", "https://ec2.us-east-1.api.aws/", dual(E("aws", "us-east-1", "ec2", "ec2", "us-east-1"))},
	{"dual-stack alias ecr", "https://ecr.us-east-1.api.aws/", dual(E("aws", "us-east-1", "api.ecr", "ecr", "us-east-1"))},
	{"dual-stack alias opensearch", "https://aos.us-east-1.api.aws/", dual(E("aws", "us-east-1", "es", "es", "us-east-1"))},
	{"dual-stack govcloud", "https://sqs.us-gov-west-1.api.aws/", dual(E("aws-us-gov", "us-gov-west-1", "sqs", "sqs", "us-gov-west-1"))},
	{"s3 dual-stack", "https://s3.dualstack.eu-west-1.amazonaws.com/my-bucket/k", object(dual(E("aws", "eu-west-1", "s3", "s3", "eu-west-1")), urlparse.PathStyle, "my-bucket", "k")},
	{"fips", "https://kms-fips.us-east-1.amazonaws.com/", fips(E("aws", "us-east-1", "kms", "kms", "us-east-1"))},
	{"fips govcloud", "https://kms-fips.us-gov-west-1.amazonaws.com/", fips(E("aws-us-gov", "us-gov-west-1", "kms", "kms", "us-gov-west-1"))},
	{"fips signs as bedrock", "https://bedrock-runtime-fips.us-east-1.amazonaws.com/", fips(E("aws", "us-east-1", "bedrock-runtime", "bedrock", "us-east-1"))},
	{"fips dual-stack", "https://athena-fips.us-east-1.api.aws/", dual(fips(E("aws", "us-east-1", "athena", "athena", "us-east-1")))},
	{"fips. prefix", "https://fips.batch.us-east-1.amazonaws.com/", fips(E("aws", "us-east-1", "batch", "batch", "us-east-1"))},
	{"fips. prefix eks", "https://fips.eks.us-west-2.amazonaws.com/", fips(E("aws", "us-west-2", "eks", "eks", "us-west-2"))},
	{"-fips inside a prefix", "https://api-fips.sagemaker.us-east-1.amazonaws.com/", fips(E("aws", "us-east-1", "api.sagemaker", "sagemaker", "us-east-1"))},
	{"-fips after a prefix", "https://data.iot-fips.us-east-1.amazonaws.com/", fips(E("aws", "us-east-1", "data-ats.iot", "iotdata", "us-east-1"))},
	{"s3 fips dual-stack", "https://s3-fips.dualstack.us-east-1.amazonaws.com/", dual(fips(E("aws", "us-east-1", "s3", "s3", "us-east-1")))},
	{"s3 fips virtual hosted", "https://my-bucket.s3-fips.us-gov-west-1.amazonaws.com/k", object(fips(E("aws-us-gov", "us-gov-west-1", "s3", "s3", "us-gov-west-1")), urlparse.VirtualHosted, "my-bucket", "k")},
	{"upper case is lowered", "https://SQS.US-EAST-1.AMAZONAWS.COM/", E("aws", "us-east-1", "sqs", "sqs", "us-east-1")},
	{"default port is dropped", "https://sqs.us-east-1.amazonaws.com:443/", E("aws", "us-east-1", "sqs", "sqs", "us-east-1")},
	{"no path", "https://sqs.us-east-1.amazonaws.com", E("aws", "us-east-1", "sqs", "sqs", "us-east-1")},
	{"new service", "https://brand-new-service.us-east-1.amazonaws.com/", E("aws", "us-east-1", "brand-new-service", "brand-new-service", "us-east-1")},
	{"operation host prefix", "https://data-servicediscovery.us-east-1.amazonaws.com/", E("aws", "us-east-1", "servicediscovery", "servicediscovery", "us-east-1")},
	{"operation host prefix maps.geo", "https://maps.geo.us-east-1.amazonaws.com/", E("aws", "us-east-1", "geo", "geo", "us-east-1")},
}

func TestParsePartitions(t *testing.T) { runAccepted(t, nil, partitionCases) }

func s3(region string, f func(*urlparse.Endpoint)) urlparse.Endpoint {
	return with(E("aws", region, "s3", "s3", region), f)
}

var s3Cases = []accepted{
	{"list buckets", "https://s3.us-east-1.amazonaws.com/", s3("us-east-1", func(e *urlparse.Endpoint) {})},
	{"path style", "https://s3.us-west-2.amazonaws.com/my-bucket/photos/2024/cat.jpg", object(s3("us-west-2", nil), urlparse.PathStyle, "my-bucket", "photos/2024/cat.jpg")},
	{"path style key is decoded", "https://s3.us-west-2.amazonaws.com/my-bucket/a%20b/c%2Fd%3F.txt", object(s3("us-west-2", nil), urlparse.PathStyle, "my-bucket", "a b/c/d?.txt")},
	{"path style bucket only", "https://s3.us-west-2.amazonaws.com/my-bucket?list-type=2", s3("us-west-2", func(e *urlparse.Endpoint) {
		e.Bucket, e.Addressing = "my-bucket", urlparse.PathStyle
	})},
	{"path style bucket with slash", "https://s3.us-west-2.amazonaws.com/my-bucket/", s3("us-west-2", func(e *urlparse.Endpoint) {
		e.Bucket, e.Addressing = "my-bucket", urlparse.PathStyle
	})},
	{"path style legacy bucket name", "https://s3.amazonaws.com/My_Legacy.Bucket/k", object(global("aws", "", "s3", "s3", "us-east-1"), urlparse.PathStyle, "My_Legacy.Bucket", "k")},
	{"virtual hosted key is decoded", "https://my-bucket.s3.us-west-2.amazonaws.com/a%20b+c.txt", object(s3("us-west-2", nil), urlparse.VirtualHosted, "my-bucket", "a b+c.txt")},
	{"virtual hosted bucket with dots", "https://logs.example.com.s3.eu-central-1.amazonaws.com/2024/01/01.gz", object(s3("eu-central-1", nil), urlparse.VirtualHosted, "logs.example.com", "2024/01/01.gz")},
	{"virtual hosted dual-stack", "https://my-bucket.s3.dualstack.us-east-2.amazonaws.com/k", s3("us-east-2", func(e *urlparse.Endpoint) {
		e.Bucket, e.Key, e.Addressing, e.DualStack = "my-bucket", "k", urlparse.VirtualHosted, true
	})},
	{"access point alias as bucket", "https://my-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias.s3.us-east-1.amazonaws.com/k", object(s3("us-east-1", nil), urlparse.VirtualHosted, "my-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias", "k")},
	{"legacy dash region", "https://s3-us-west-2.amazonaws.com/my-bucket/k", object(s3("us-west-2", nil), urlparse.PathStyle, "my-bucket", "k")},
	{"legacy dash region virtual hosted", "https://my-bucket.s3-eu-west-1.amazonaws.com/k", object(s3("eu-west-1", nil), urlparse.VirtualHosted, "my-bucket", "k")},
	{"legacy dash govcloud fips", "https://s3-fips-us-gov-west-1.amazonaws.com/my-bucket/k", object(fips(E("aws-us-gov", "us-gov-west-1", "s3", "s3", "us-gov-west-1")), urlparse.PathStyle, "my-bucket", "k")},
	{"s3-external-1", "https://s3-external-1.amazonaws.com/my-bucket/k", object(s3("us-east-1", nil), urlparse.PathStyle, "my-bucket", "k")},
	{"accelerate", "https://my-bucket.s3-accelerate.amazonaws.com/big.iso", object(global("aws", "", "s3", "s3", "us-east-1"), urlparse.VirtualHosted, "my-bucket", "big.iso")},
	{"accelerate dual-stack", "https://my-bucket.s3-accelerate.dualstack.amazonaws.com/big.iso", with(global("aws", "", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
		e.Bucket, e.Key, e.Addressing, e.DualStack = "my-bucket", "big.iso", urlparse.VirtualHosted, true
	})},
	{"access point", "https://finance-123456789012.s3-accesspoint.us-west-2.amazonaws.com/reports/q1.csv", s3("us-west-2", func(e *urlparse.Endpoint) {
		e.AccessPoint, e.AccountID, e.Key, e.Addressing = "finance", "123456789012", "reports/q1.csv", urlparse.AccessPointStyle
	})},
	{"access point with hyphens", "https://my-finance-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/", s3("us-west-2", func(e *urlparse.Endpoint) {
		e.AccessPoint, e.AccountID, e.Addressing = "my-finance-ap", "123456789012", urlparse.AccessPointStyle
	})},
	{"access point fips dual-stack", "https://finance-123456789012.s3-accesspoint-fips.dualstack.us-east-1.amazonaws.com/k", s3("us-east-1", func(e *urlparse.Endpoint) {
		e.AccessPoint, e.AccountID, e.Key, e.Addressing, e.FIPS, e.DualStack = "finance", "123456789012", "k", urlparse.AccessPointStyle, true, true
	})},
	{"object lambda", "https://redact-123456789012.s3-object-lambda.us-east-1.amazonaws.com/customers.csv",
		with(E("aws", "us-east-1", "s3-object-lambda", "s3-object-lambda", "us-east-1"), func(e *urlparse.Endpoint) {
			e.AccessPoint, e.AccountID, e.Key, e.Addressing = "redact", "123456789012", "customers.csv", urlparse.AccessPointStyle
		})},
	{"object lambda request route", "https://io-a1c1d5c7-d23a-4bba.s3-object-lambda.us-east-1.amazonaws.com/WriteGetObjectResponse",
		with(E("aws", "us-east-1", "s3-object-lambda", "s3-object-lambda", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "io-a1c1d5c7-d23a-4bba" })},
	{"outposts access point", "https://orders-123456789012.op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com/o/1.json",
		with(E("aws", "us-west-2", "s3-outposts", "s3-outposts", "us-west-2"), func(e *urlparse.Endpoint) {
			e.AccessPoint, e.AccountID, e.OutpostID, e.Key, e.Addressing = "orders", "123456789012", "op-01ac5d28a6a232904", "o/1.json", urlparse.AccessPointStyle
		})},
	{"outposts api", "https://s3-outposts.us-west-2.amazonaws.com/S3Outposts/ListEndpoints", E("aws", "us-west-2", "s3-outposts", "s3-outposts", "us-west-2")},
	{"express zonal", "https://logs--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/2024/01.gz",
		with(E("aws", "us-east-1", "s3express", "s3express", "us-east-1"), func(e *urlparse.Endpoint) {
			e.Bucket, e.Zone, e.Key, e.Addressing = "logs--use1-az4--x-s3", "use1-az4", "2024/01.gz", urlparse.VirtualHosted
		})},
	{"express zonal fips", "https://logs--usw2-az1--x-s3.s3express-fips-usw2-az1.us-west-2.amazonaws.com/k",
		with(fips(E("aws", "us-west-2", "s3express", "s3express", "us-west-2")), func(e *urlparse.Endpoint) {
			e.Bucket, e.Zone, e.Key, e.Addressing = "logs--usw2-az1--x-s3", "usw2-az1", "k", urlparse.VirtualHosted
		})},
	{"express control", "https://s3express-control.us-east-1.amazonaws.com/logs--use1-az4--x-s3",
		with(E("aws", "us-east-1", "s3express", "s3express", "us-east-1"), func(e *urlparse.Endpoint) {
			e.Bucket, e.Addressing = "logs--use1-az4--x-s3", urlparse.PathStyle
		})},
	{"express control list", "https://s3express-control.us-east-1.amazonaws.com/?x-id=ListDirectoryBuckets", E("aws", "us-east-1", "s3express", "s3express", "us-east-1")},
	{"multi-region access point", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/reports/q1.csv",
		with(E("aws", "", "s3", "s3", ""), func(e *urlparse.Endpoint) {
			e.RegionSet, e.Global, e.AccessPoint, e.Key, e.Addressing = "*", true, "mfzwi23gnjvgw.mrap", "reports/q1.csv", urlparse.AccessPointStyle
		})},
	{"s3 control", "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/accesspoint/finance",
		with(E("aws", "us-east-1", "s3-control", "s3", "us-east-1"), func(e *urlparse.Endpoint) { e.AccountID = "123456789012" })},
	{"s3 control fips dual-stack", "https://123456789012.s3-control-fips.dualstack.us-gov-west-1.amazonaws.com/v20180820/jobs",
		with(dual(fips(E("aws-us-gov", "us-gov-west-1", "s3-control", "s3", "us-gov-west-1"))), func(e *urlparse.Endpoint) { e.AccountID = "123456789012" })},
	{"s3tables is not s3", "https://s3tables.us-east-1.amazonaws.com/buckets", E("aws", "us-east-1", "s3tables", "s3tables", "us-east-1")},
}

func TestParseS3(t *testing.T) { runAccepted(t, nil, s3Cases) }

// Hosts that name a resource before (or around) their service.
var resourceCases = []accepted{
	{"lambda function url", "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/hook",
		with(E("aws", "us-east-1", "lambda-url", "lambda", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "abcdefghijklmnopqrstuvwxyz012345" })},
	{"api gateway", "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders",
		with(E("aws", "eu-west-1", "execute-api", "execute-api", "eu-west-1"), func(e *urlparse.Endpoint) { e.Resource = "a1b2c3d4e5" })},
	{"api gateway management", "https://execute-api.eu-west-1.amazonaws.com/", E("aws", "eu-west-1", "execute-api", "execute-api", "eu-west-1")},
	{"opensearch domain", "https://search-logs-abc123def456.us-east-1.es.amazonaws.com/_search",
		with(E("aws", "us-east-1", "es", "es", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "search-logs-abc123def456" })},
	{"opensearch vpc domain", "https://vpc-logs-abc123def456.us-east-1.es.amazonaws.com/_search",
		with(E("aws", "us-east-1", "es", "es", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "vpc-logs-abc123def456" })},
	{"opensearch api", "https://es.us-east-1.amazonaws.com/2021-01-01/opensearch/domain", E("aws", "us-east-1", "es", "es", "us-east-1")},
	{"opensearch serverless", "https://0a1b2c3d4e5f6g7h8i9j.us-east-1.aoss.amazonaws.com/index/_doc",
		with(E("aws", "us-east-1", "aoss", "aoss", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "0a1b2c3d4e5f6g7h8i9j" })},
	{"opensearch ingestion", "https://pipeline-abc123.us-west-2.osis.amazonaws.com/logs",
		with(E("aws", "us-west-2", "osis", "osis", "us-west-2"), func(e *urlparse.Endpoint) { e.Resource = "pipeline-abc123" })},
	{"cloudsearch domain", "https://search-movies-abc123.us-east-1.cloudsearch.amazonaws.com/2013-01-01/search",
		with(E("aws", "us-east-1", "cloudsearchdomain", "cloudsearch", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "search-movies-abc123" })},
	{"iot data ats", "https://data-ats.iot.us-east-1.amazonaws.com/things/t1/shadow", E("aws", "us-east-1", "data-ats.iot", "iotdata", "us-east-1")},
	{"iot data legacy", "https://data.iot.us-east-1.amazonaws.com/topics/a", E("aws", "us-east-1", "data-ats.iot", "iotdata", "us-east-1")},
	{"iot data account endpoint", "https://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/topics/a",
		with(E("aws", "us-east-1", "data-ats.iot", "iotdata", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "a1b2c3d4e5f6g7-ats" })},
	{"iot control plane", "https://iot.us-east-1.amazonaws.com/things", E("aws", "us-east-1", "iot", "iot", "us-east-1")},
	{"iot jobs data", "https://data.jobs.iot.us-east-1.amazonaws.com/things/t1/jobs", E("aws", "us-east-1", "data.jobs.iot", "iot-jobs-data", "us-east-1")},
	{"bedrock agent runtime", "https://bedrock-agent-runtime.us-east-1.amazonaws.com/agents/A/agentAliases/B/sessions/C/text", E("aws", "us-east-1", "bedrock-agent-runtime", "bedrock", "us-east-1")},
	{"sagemaker runtime", "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/e/invocations", E("aws", "us-east-1", "runtime.sagemaker", "sagemaker", "us-east-1")},
	{"appsync graphql", "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql",
		with(E("aws", "us-east-1", "appsync-api", "appsync", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "abcdefghijklmnopqrstuvwxyz" })},
	{"ses", "https://email.us-east-1.amazonaws.com/", E("aws", "us-east-1", "email", "ses", "us-east-1")},
	{"cloudwatch", "https://monitoring.us-east-1.amazonaws.com/", E("aws", "us-east-1", "monitoring", "monitoring", "us-east-1")},
	{"dynamodb streams", "https://streams.dynamodb.us-east-1.amazonaws.com/", E("aws", "us-east-1", "streams.dynamodb", "dynamodb", "us-east-1")},
	{"neptune graph", "https://g-abc123.neptune-graph.us-east-1.amazonaws.com/opencypher",
		with(E("aws", "us-east-1", "neptune-graph", "neptune-graph", "us-east-1"), func(e *urlparse.Endpoint) { e.Resource = "g-abc123" })},
	{"pinpoint signs as mobiletargeting", "https://pinpoint.us-east-1.amazonaws.com/", E("aws", "us-east-1", "pinpoint", "mobiletargeting", "us-east-1")},
}

func TestParseResourceHosts(t *testing.T) { runAccepted(t, nil, resourceCases) }

// allAccepted is every accepted URL, for the fuzz seeds.
func allAccepted() []accepted {
	var all []accepted
	for _, cs := range [][]accepted{documentedCases, globalCases, partitionCases, s3Cases, resourceCases, credentialCases} {
		all = append(all, cs...)
	}
	return all
}

func TestEndpointS3(t *testing.T) {
	for url, want := range map[string]bool{
		"https://my-bucket.s3.us-east-1.amazonaws.com/k":                                                true,
		"https://redact-123456789012.s3-object-lambda.us-east-1.amazonaws.com/k":                        true,
		"https://logs--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/k":                     true,
		"https://s3express-control.us-east-1.amazonaws.com/":                                            true,
		"https://orders-123456789012.op-01ac5d28a6a232904.s3-outposts.us-west-2.amazonaws.com/o/1.json": true,
		"https://s3-outposts.us-west-2.amazonaws.com/S3Outposts/ListEndpoints":                          false,
		"https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/jobs":                        false,
		"https://sqs.us-east-1.amazonaws.com/":                                                          false,
	} {
		ep, err := urlparse.Parse(url)
		if err != nil {
			t.Fatal(err)
		}
		if got := ep.S3(); got != want {
			t.Errorf("Parse(%q).S3() = %v, want %v", url, got, want)
		}
	}
}
