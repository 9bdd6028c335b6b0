package catalog

import (
	"net/url"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

// TestIdentifyParsed goes through urlparse.Parse, as the vault does.
func TestIdentifyParsed(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		want        string
		readOnly    bool
	}{
		{"GET", "https://bucket.s3.us-east-1.amazonaws.com/photos/cat.jpg", "s3/GetObject", true},
		{"GET", "https://s3.us-east-1.amazonaws.com/bucket/photos/cat.jpg", "s3/GetObject", true},
		{"GET", "https://bucket.s3.us-east-1.amazonaws.com/?list-type=2&prefix=photos%2F", "s3/ListObjectsV2", true},
		{"GET", "https://s3.amazonaws.com/", "s3/ListBuckets", true},
		{"PUT", "https://bucket.s3.us-east-1.amazonaws.com/", "s3/CreateBucket", false},
		{"GET", "https://bucket.s3.us-east-1.amazonaws.com/?acl", "s3/GetBucketAcl", true},
		{"PUT", "https://bucket.s3.us-east-1.amazonaws.com/k?partNumber=1&uploadId=abc", "s3/UploadPart", false},
		{"GET", "https://my-ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com/key", "s3/GetObject", true},
		{"GET", "https://b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/?session", "s3/CreateSession", false},
		{"GET", "https://s3express-control.us-east-1.amazonaws.com/", "s3/ListDirectoryBuckets", true},
		{"GET", "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/accesspoint/ap", "s3control/GetAccessPoint", true},
		{"POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", "bedrock-runtime/Converse", false},
		{"POST", "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-endpoint/invocations", "sagemaker-runtime/InvokeEndpoint", false},
		{"POST", "https://data-ats.iot.us-east-1.amazonaws.com/topics/a%2Fb", "iot-data/Publish", false},
		{"GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", "sts/GetCallerIdentity", true},
		{"GET", "https://monitoring.us-east-1.amazonaws.com/?Action=ListMetrics&Version=2010-08-01", "cloudwatch/ListMetrics", true},
		{"GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/", "lambda/ListFunctions", true},
		{"GET", "https://abc123.execute-api.us-east-1.amazonaws.com/prod/pets", "execute-api/Invoke", false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := urlparse.Parse(tc.url)
		if err != nil {
			t.Errorf("urlparse.Parse(%s): %v", tc.url, err)
			continue
		}
		got := Identify(ep, tc.method, u.EscapedPath(), u.RawQuery, nil, nil)
		if got.Service+"/"+got.Name != tc.want || got.ReadOnly != tc.readOnly {
			t.Errorf("%s %s: %+v (endpoint service %q, addressing %d), want %s readOnly %v",
				tc.method, tc.url, got, ep.Service, ep.Addressing, tc.want, tc.readOnly)
		}
	}
}

// BenchmarkParseIdentify is the vault's per-request cost of knowing what a
// request is.
func BenchmarkParseIdentify(b *testing.B) {
	get()
	for _, bc := range []struct{ name, method, url string }{
		{"s3-get", "GET", "https://bucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg"},
		{"s3-list-v2", "GET", "https://bucket.s3.us-east-1.amazonaws.com/?list-type=2&prefix=photos%2F"},
		{"bedrock-converse", "POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"},
	} {
		u, _ := url.Parse(bc.url)
		path, query := u.EscapedPath(), u.RawQuery
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ep, err := urlparse.Parse(bc.url)
				if err != nil {
					b.Fatal(err)
				}
				Identify(ep, bc.method, path, query, nil, nil)
			}
		})
	}
}
