package urlparse_test

import (
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

const presignTail = "&X-Amz-Date=20240501T123045Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef"

func fromCredential(e urlparse.Endpoint, signingName, signingRegion, regionSet string) urlparse.Endpoint {
	e.SigningName, e.SigningRegion, e.RegionSet, e.FromCredential = signingName, signingRegion, regionSet, true
	return e
}

// A presigned URL's credential scope wins over the host.
var credentialCases = []accepted{
	{"presigned get", "https://my-bucket.s3.us-east-1.amazonaws.com/cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request" + presignTail,
		fromCredential(s3("us-east-1", func(e *urlparse.Endpoint) {
			e.Bucket, e.Key, e.Addressing = "my-bucket", "cat.jpg", urlparse.VirtualHosted
		}), "s3", "us-east-1", "")},
	{"scope region beats global host", "https://s3.amazonaws.com/my-bucket/cat.jpg?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/20240501/eu-west-1/s3/aws4_request" + presignTail,
		fromCredential(with(global("aws", "", "s3", "s3", "us-east-1"), func(e *urlparse.Endpoint) {
			e.Bucket, e.Key, e.Addressing = "my-bucket", "cat.jpg", urlparse.PathStyle
		}), "s3", "eu-west-1", "")},
	{"lower-case escapes", "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2f20240501%2fus-east-1%2fsts%2faws4_request" + presignTail,
		fromCredential(global("aws", "", "sts", "sts", "us-east-1"), "sts", "us-east-1", "")},
	{"sigv4a", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240501%2Fs3%2Faws4_request&X-Amz-Region-Set=us-east-1%2Cus-west-2" + presignTail,
		fromCredential(with(E("aws", "", "s3", "s3", ""), func(e *urlparse.Endpoint) {
			e.Global, e.AccessPoint, e.Key, e.Addressing = true, "mfzwi23gnjvgw.mrap", "k", urlparse.AccessPointStyle
		}), "s3", "", "us-east-1,us-west-2")},
	{"sigv4a on a regional host", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIA/20240501/sqs/aws4_request&X-Amz-Region-Set=*" + presignTail,
		fromCredential(E("aws", "us-east-1", "sqs", "sqs", "us-east-1"), "sqs", "", "*")},
	{"other query parameters alone", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Date=20240501T123045Z&X-Amz-Credentials=x", E("aws", "us-east-1", "sqs", "sqs", "us-east-1")},
}

func TestCredential(t *testing.T) { runAccepted(t, nil, credentialCases) }

var credentialRefusedCases = []refused{
	{"too few parts", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA%2F20240501%2Faws4_request", urlparse.ErrCredential, []string{"ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request"}},
	{"too many parts", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/us-east-1/sqs/x/aws4_request", urlparse.ErrCredential, nil},
	{"bad terminator", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/us-east-1/sqs/aws4_reques", urlparse.ErrCredential, nil},
	{"bad date", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/2024-05-01/us-east-1/sqs/aws4_request", urlparse.ErrCredential, nil},
	{"empty access key", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=/20240501/us-east-1/sqs/aws4_request", urlparse.ErrCredential, nil},
	{"bad region", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/US%20EAST/sqs/aws4_request", urlparse.ErrCredential, []string{"region in X-Amz-Credential"}},
	{"empty region", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501//sqs/aws4_request", urlparse.ErrCredential, []string{"region"}},
	{"bad service", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/us-east-1/s%20qs/aws4_request", urlparse.ErrCredential, []string{"service in X-Amz-Credential"}},
	{"empty service", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/us-east-1//aws4_request", urlparse.ErrCredential, []string{"service"}},
	{"bad escape", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA%zz/20240501/us-east-1/sqs/aws4_request", urlparse.ErrCredential, []string{"percent-encoding"}},
	{"twice", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/us-east-1/sqs/aws4_request&X-Amz-Credential=AKIA/20240501/us-west-2/sqs/aws4_request", urlparse.ErrCredential, []string{"more than once"}},
	{"sigv4a without region set", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/sqs/aws4_request", urlparse.ErrCredential, []string{"X-Amz-Region-Set"}},
	{"sigv4a bad region set", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Credential=AKIA/20240501/sqs/aws4_request&X-Amz-Region-Set=us-east-1,,x", urlparse.ErrCredential, []string{"X-Amz-Region-Set"}},
	{"sigv4 algorithm with sigv4a scope", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA/20240501/sqs/aws4_request&X-Amz-Region-Set=*", urlparse.ErrCredential, nil},
	{"sigv4a algorithm with sigv4 scope", "https://sqs.us-east-1.amazonaws.com/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIA/20240501/us-east-1/sqs/aws4_request", urlparse.ErrCredential, nil},
}

func TestCredentialRefusals(t *testing.T) {
	for _, c := range credentialRefusedCases {
		t.Run(c.name, func(t *testing.T) {
			ep, err := urlparse.Parse(c.url)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", c.url, ep)
			}
			checkRefusal(t, c, err)
			if strings.Contains(err.Error(), "AKIA") {
				t.Errorf("error %q repeats the access key id", err)
			}
		})
	}
}
