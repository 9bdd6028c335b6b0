package urlparse_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// refused is a URL Parse must refuse, of the given kind, with a reason that
// contains every string in says.
type refused struct {
	name string
	url  string
	kind error
	says []string
}

var refusedCases = []refused{
	// Not AWS.
	{"other host", "https://example.com/", urlparse.ErrNotAWS, []string{`"example.com" is not an AWS host`, ".amazonaws.com, .amazonaws.com.cn, .api.aws, .on.aws"}},
	{"look-alike suffix", "https://s3.amazonaws.com.evil.example/", urlparse.ErrNotAWS, []string{"is not an AWS host"}},
	{"look-alike prefix", "https://evilamazonaws.com/", urlparse.ErrNotAWS, []string{`"evilamazonaws.com" is not an AWS host: AWS hosts end in .amazonaws.com`}},
	{"look-alike label", "https://s3.us-east-1.amazonaws.co/", urlparse.ErrNotAWS, []string{"is not an AWS host"}},
	{"suffix alone", "https://amazonaws.com/", urlparse.ErrNotAWS, []string{`"amazonaws.com" names no service`}},
	{"api.aws alone", "https://api.aws/", urlparse.ErrNotAWS, []string{"names no service"}},
	{"localhost without configuration", "https://localhost/", urlparse.ErrNotAWS, []string{"custom endpoint"}},

	// Under an AWS suffix, but not an API endpoint.
	{"load balancer", "https://my-lb-1234567890.us-east-1.elb.amazonaws.com/", urlparse.ErrUnrecognized, []string{"load balancers"}},
	{"ec2 public dns", "https://ec2-54-1-2-3.compute-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"ec2 regional public dns", "https://ec2-54-1-2-3.us-west-2.compute.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"rds instance", "https://mydb.abc123xyz.us-east-1.rds.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"s3 website", "https://my-bucket.s3-website-us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"S3 websites"}},
	{"s3 website dot form", "https://my-bucket.s3-website.eu-west-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"S3 website endpoint", "takes no signature"}},
	{"customer privatelink service", "https://vpce-0123abcd-ef01.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com/", urlparse.ErrUnrecognized, []string{`"vpce-svc-0123456789abcdef0" is not a service's endpoint prefix`}},
	{"privatelink unknown service", "https://vpce-0123abcd.brand-new.us-east-1.vpce.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not a service's endpoint prefix"}},
	{"msk broker", "https://b-1.cluster.abc123.c2.kafka.us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"amazon mq broker", "https://b-0123-4567.mq.us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"network load balancer", "https://my-nlb-0123456789.elb.us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"iot credentials provider", "https://c1a2b3.credentials.iot.us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"elasticache", "https://my-cache.abc123.ng.0001.use1.cache.amazonaws.com/", urlparse.ErrUnrecognized, []string{"not an AWS API endpoint"}},
	{"ecr registry", "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/", urlparse.ErrUnrecognized, []string{`"123456789012.dkr.ecr" is not a service's endpoint prefix`}},
	{"region without service", "https://us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"names a region but no service"}},
	{"single label without region", "https://www.amazonaws.com/", urlparse.ErrUnrecognized, []string{"SERVICE.REGION.amazonaws.com"}},
	{"on.aws other than lambda", "https://svc-abc.1234567.vpc-lattice-svcs.us-east-1.on.aws/", urlparse.ErrUnrecognized, []string{"Lambda function URL"}},
	{"vpce without vpce id", "https://monitoring.us-east-2.vpce.amazonaws.com/", urlparse.ErrUnrecognized, []string{"VPC endpoint"}},
	{"vpce labels before a non-s3 service", "https://x.vpce-0123.sqs.us-east-2.vpce.amazonaws.com/", urlparse.ErrUnrecognized, []string{"VPC endpoint"}},
	{"s3 privatelink unknown prefix", "https://foo.vpce-0123.s3.us-east-1.vpce.amazonaws.com/", urlparse.ErrUnrecognized, []string{"PrivateLink"}},
	{"s3 control bad account", "https://12345.s3-control.us-east-1.amazonaws.com/", urlparse.ErrUnrecognized, []string{"12-digit"}},
	{"outposts without outpost id", "https://ap-123456789012.s3-outposts.us-west-2.amazonaws.com/", urlparse.ErrUnrecognized, []string{"op-OUTPOSTID"}},

	// Regions.
	{"unknown region format", "https://s3.us-east-x.amazonaws.com/", urlparse.ErrRegion, []string{`"us-east-x"`, "not a region name", "us-east-1"}},
	{"region without number", "https://sqs.eu-west.amazonaws.com/", urlparse.ErrRegion, []string{"not a region name"}},
	{"china region on the commercial suffix", "https://s3.cn-north-1.amazonaws.com/", urlparse.ErrRegion, []string{"cn-north-1 is in partition aws-cn", ".amazonaws.com.cn"}},
	{"commercial region on the china suffix", "https://ec2.us-east-1.amazonaws.com.cn/", urlparse.ErrRegion, []string{"us-east-1 is in partition aws"}},
	{"iso region on the commercial suffix", "https://ec2.us-iso-east-1.amazonaws.com/", urlparse.ErrRegion, []string{"partition aws-iso", ".c2s.ic.gov"}},
	{"vpce wrong partition", "https://vpce-0123.sqs.cn-north-1.vpce.amazonaws.com/", urlparse.ErrRegion, []string{"partition aws-cn"}},

	// IP literals, in every notation.
	{"ipv4", "https://52.216.0.1/bucket/key", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 with port", "https://127.0.0.1:443/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv6", "https://[::1]/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv6 with port", "https://[2600:1f18::1]:443/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 decimal", "https://2130706433/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 hex", "https://0x7f.1/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 hex whole", "https://0x7f000001/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 octal", "https://0177.0.0.1/", urlparse.ErrIPLiteral, []string{"IP address"}},
	{"ipv4 short", "https://127.1/", urlparse.ErrIPLiteral, []string{"IP address"}},

	// Userinfo, with and without a password.
	{"userinfo", "https://user@s3.us-east-1.amazonaws.com/", urlparse.ErrUserinfo, []string{"userinfo"}},
	{"userinfo with password", "https://AKIAIOSFODNN7EXAMPLE:secret@s3.us-east-1.amazonaws.com/", urlparse.ErrUserinfo, []string{"remove it"}},
	{"empty userinfo", "https://@s3.us-east-1.amazonaws.com/", urlparse.ErrUserinfo, []string{"userinfo"}},
	{"userinfo hiding the host", "https://s3.us-east-1.amazonaws.com@evil.example/", urlparse.ErrUserinfo, []string{"userinfo"}},

	// Labels and characters.
	{"empty label", "https://s3..amazonaws.com/", urlparse.ErrMalformed, []string{"empty label"}},
	{"leading dot", "https://.s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"empty label"}},
	{"trailing dot", "https://s3.us-east-1.amazonaws.com./", urlparse.ErrMalformed, []string{"ends with a dot", "remove the trailing dot"}},
	{"hyphen at label edge", "https://-s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"hyphen"}},
	{"underscore", "https://my_bucket.s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{`the character '_'`}},
	{"percent-encoded host", "https://s3%2eus-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"percent-encoded"}},
	{"percent-encoded non-ascii host", "https://s3.us-east-1.amazonaws.com%C3%A9/", urlparse.ErrMalformed, []string{"percent-encoded"}},
	{"percent-encoded percent", "https://s3%25.amazonaws.com/", urlparse.ErrMalformed, []string{"percent-encoded"}},
	{"non-ascii host", "https://s3.us-east-1.amazonaws.cöm/", urlparse.ErrMalformed, []string{"non-ASCII"}},
	{"overlong label", "https://" + strings.Repeat("a", 64) + ".s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"label of 64 characters"}},
	{"overlong host", "https://" + strings.Repeat("abcdefghi.", 26) + "s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"at most 253"}},
	{"no scheme", "s3.us-east-1.amazonaws.com/bucket", urlparse.ErrMalformed, []string{"no scheme", "https://HOST/PATH"}},
	{"no host", "https:///bucket/key", urlparse.ErrMalformed, []string{"no host"}},
	{"opaque", "https:s3.amazonaws.com", urlparse.ErrMalformed, []string{"no host"}},
	{"space in host", "https://s3 .amazonaws.com/", urlparse.ErrMalformed, []string{"not a valid URL"}},
	{"control character", "https://s3.amazonaws.com/\x00", urlparse.ErrMalformed, []string{"not a valid URL"}},
	{"bad escape in path", "https://s3.amazonaws.com/b/%zz", urlparse.ErrMalformed, []string{"not a valid URL"}},
	{"backslash before userinfo", `https://s3.amazonaws.com\@evil.example/`, urlparse.ErrMalformed, []string{"not a valid URL"}},
	{"backslash in host", `https://s3.amazonaws.com\evil.example/`, urlparse.ErrMalformed, []string{"not a valid URL"}},

	// Buckets.
	{"bucket too short", "https://ab.s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"not a valid bucket name"}},
	{"bucket like an ip", "https://192.168.1.1.s3.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"not a valid bucket name"}},
	{"path bucket invalid", "https://s3.us-east-1.amazonaws.com/a!b/k", urlparse.ErrMalformed, []string{"not a valid bucket name"}},
	{"path bucket dot-dot", "https://s3.us-east-1.amazonaws.com/../other/k", urlparse.ErrMalformed, []string{"not a valid bucket name"}},
	{"path bucket percent-encoded", "https://s3.us-east-1.amazonaws.com/my-bucket%2Fother/k", urlparse.ErrMalformed, []string{"bucket name in the path is percent-encoded"}},
	{"path bucket encoded letter", "https://s3.us-east-1.amazonaws.com/my-buck%65t/k", urlparse.ErrMalformed, []string{"percent-encoded"}},
	{"access point without account", "https://finance.s3-accesspoint.us-west-2.amazonaws.com/", urlparse.ErrMalformed, []string{"NAME-ACCOUNT"}},
	{"express bucket of another zone", "https://logs--use1-az5--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/", urlparse.ErrMalformed, []string{"--use1-az4--x-s3"}},

	// Ports and schemes.
	{"port", "https://s3.us-east-1.amazonaws.com:8443/", urlparse.ErrPort, []string{`port "8443"`, "remove the port"}},
	{"port 80", "https://s3.us-east-1.amazonaws.com:80/", urlparse.ErrPort, []string{"443"}},
	{"zero-padded 443", "https://s3.us-east-1.amazonaws.com:0443/", urlparse.ErrPort, []string{"0443"}},
	{"empty port", "https://s3.us-east-1.amazonaws.com:/", urlparse.ErrPort, []string{"port"}},
	{"http", "http://s3.us-east-1.amazonaws.com/", urlparse.ErrScheme, []string{"http is not allowed", "https://"}},
	{"ftp", "ftp://s3.us-east-1.amazonaws.com/", urlparse.ErrScheme, []string{`scheme "ftp"`}},
	{"file", "file:///etc/passwd", urlparse.ErrScheme, []string{`scheme "file"`}},
	{"wss", "wss://abc.appsync-realtime-api.us-east-1.amazonaws.com/", urlparse.ErrScheme, []string{`scheme "wss"`}},
	{"upper-case scheme still https only", "HTTP://s3.us-east-1.amazonaws.com/", urlparse.ErrScheme, []string{"http is not allowed"}},
}

func TestRefusals(t *testing.T) {
	for _, c := range refusedCases {
		t.Run(c.name, func(t *testing.T) {
			ep, err := urlparse.Parse(c.url)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", c.url, ep)
			}
			checkRefusal(t, c, err)
		})
	}
}

func checkRefusal(t *testing.T, c refused, err error) {
	t.Helper()
	if !errors.Is(err, c.kind) {
		t.Errorf("Parse(%q) error %q is not %v", c.url, err, c.kind)
	}
	var pe *urlparse.Error
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q) error %T is not *urlparse.Error", c.url, err)
	}
	if pe.Kind != c.kind {
		t.Errorf("Kind = %v, want %v", pe.Kind, c.kind)
	}
	for _, s := range c.says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("Parse(%q) error %q does not say %q", c.url, err, s)
		}
	}
	if !strings.HasPrefix(err.Error(), "urlparse: ") {
		t.Errorf("error %q does not start with urlparse: ", err)
	}
}

// Errors repeat scheme://host/path only: never the query, fragment or
// userinfo, where signatures, tokens and passwords travel.
func TestErrorsKeepSecretsOut(t *testing.T) {
	const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
	for _, raw := range []string{
		"https://AKIA:" + secret + "@s3.us-east-1.amazonaws.com/b/k",
		"https://evil.example/b/k?X-Amz-Security-Token=" + secret,
		"http://s3.us-east-1.amazonaws.com/b/k?X-Amz-Signature=" + secret,
		"https://s3.us-east-1.amazonaws.com:8443/b/k?X-Amz-Signature=" + secret + "#" + secret,
		"https://s3 .amazonaws.com/b/k?X-Amz-Signature=" + secret,
		"https://s3.amazonaws.com/b/%zz?X-Amz-Signature=" + secret,
		"https://s3.amazonaws.com/b/k?X-Amz-Credential=" + secret + "%2F20240101%2Fus-east-1%2Fs3%2Fbad",
		"https://s3.amazonaws.com/b/k?X-Amz-Credential=" + secret + "&X-Amz-Credential=" + secret,
		"https://user:" + secret + "@[::1/",
	} {
		_, err := urlparse.Parse(raw)
		if err == nil {
			t.Fatalf("Parse(%q) succeeded", raw)
		}
		var pe *urlparse.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%T", err)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(pe.URL, secret) {
			t.Errorf("Parse(%q): error repeats the secret: %q (URL %q)", raw, err, pe.URL)
		}
		if strings.ContainsAny(pe.URL, "?#@") {
			t.Errorf("Parse(%q): Error.URL %q keeps a query, fragment or userinfo", raw, pe.URL)
		}
	}
}

func TestErrorURL(t *testing.T) {
	_, err := urlparse.Parse("https://user:pw@s3.us-east-1.amazonaws.com/b/k?X-Amz-Signature=x#f")
	var pe *urlparse.Error
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	if want := "https://s3.us-east-1.amazonaws.com/b/k"; pe.URL != want {
		t.Errorf("URL = %q, want %q", pe.URL, want)
	}
	long := "https://evil.example/" + strings.Repeat("x", 1000)
	_, err = urlparse.Parse(long)
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	if len(pe.URL) > 250 {
		t.Errorf("URL is %d bytes; errors should truncate long URLs", len(pe.URL))
	}
}
