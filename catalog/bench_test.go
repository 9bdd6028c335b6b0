package catalog

import (
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

type benchCase struct {
	name string
	request
}

var benchCases = []benchCase{
	{"s3-get", request{s3Virtual, "GET", "/photos/2024/cat.jpg", "", http.Header{"User-Agent": {"x"}}, ""}},
	{"s3-get-path-style", request{s3Path, "GET", "/bucket/photos/2024/cat.jpg", "", nil, ""}},
	{"s3-list-v2", request{s3Virtual, "GET", "/", "list-type=2&prefix=photos%2F&max-keys=100", nil, ""}},
	{"s3-upload-part", request{s3Virtual, "PUT", "/big.bin", "partNumber=3&uploadId=VXBsb2FkIElE", http.Header{"Content-Length": {"5242880"}}, ""}},
	{"dynamodb-getitem", request{ddb, "POST", "/", "", target("DynamoDB_20120810.GetItem"), `{"TableName":"t","Key":{"pk":{"S":"a"}}}`}},
	{"sts-form", request{sts, "POST", "/", "", form, "Action=GetCallerIdentity&Version=2011-06-15"}},
	{"lambda-invoke", request{lambda, "POST", "/2015-03-31/functions/my-fn/invocations", "", nil, `{}`}},
	{"bedrock-converse", request{bedrockRT, "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", "", nil, `{}`}},
	{"ec2-describe", request{ec2, "POST", "/", "", form, "Action=DescribeInstances&Version=2016-11-15&MaxResults=5"}},
	{"cloudwatch-cbor", request{cw, "POST", "/service/GraniteServiceVersion20100801/operation/GetMetricData", "", nil, ""}},
	// connect has the most REST operations of one method (154 POST).
	{"connect-post", request{urlparse.Endpoint{Service: "connect", SigningName: "connect"}, "POST", "/contact/attributes", "", nil, `{}`}},
	{"unknown-service", request{unknown, "GET", "/", "", nil, ""}},
}

func BenchmarkIdentify(b *testing.B) {
	get()
	for _, bc := range benchCases {
		body := []byte(bc.body)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, body)
			}
		})
	}
}

// BenchmarkDecode measures the first-use cost: gunzip and index the table.
func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(catalogGz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	get()
	b.ReportAllocs()
	for b.Loop() {
		Search("s3", "object")
	}
}

// TestIdentifyAllocations keeps the hot path allocation-free: the vault
// parses and identifies every request before it signs it. A request that is
// not identified is refused, and its reason may allocate.
func TestIdentifyAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are checked in full runs")
	}
	get()
	for _, bc := range benchCases {
		body := []byte(bc.body)
		if Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, body).Name == "" {
			continue
		}
		n := testing.AllocsPerRun(100, func() {
			Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, body)
		})
		if n > 0 {
			t.Errorf("%s: %v allocations per Identify, want 0", bc.name, n)
		}
	}
}
