package catalog

import (
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

type benchCase struct {
	name   string
	ep     urlparse.Endpoint
	method string
	path   string
	query  string
	header http.Header
	body   []byte
}

var benchCases = []benchCase{
	{"s3-get", s3Virtual, "GET", "/photos/2024/cat.jpg", "", http.Header{"User-Agent": {"x"}}, nil},
	{"s3-get-path-style", s3Path, "GET", "/bucket/photos/2024/cat.jpg", "", nil, nil},
	{"s3-list-v2", s3Virtual, "GET", "/", "list-type=2&prefix=photos%2F&max-keys=100", nil, nil},
	{"s3-upload-part", s3Virtual, "PUT", "/big.bin", "partNumber=3&uploadId=VXBsb2FkIElE", http.Header{"Content-Length": {"5242880"}}, nil},
	{"dynamodb-getitem", ddb, "POST", "/", "", target("DynamoDB_20120810.GetItem"), []byte(`{"TableName":"t","Key":{"pk":{"S":"a"}}}`)},
	{"sts-form", sts, "POST", "/", "", form, []byte("Action=GetCallerIdentity&Version=2011-06-15")},
	{"lambda-invoke", lambda, "POST", "/2015-03-31/functions/my-fn/invocations", "", nil, []byte(`{}`)},
	{"bedrock-converse", bedrockRT, "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", "", nil, []byte(`{}`)},
	{"ec2-describe", ec2, "POST", "/", "", form, []byte("Action=DescribeInstances&Version=2016-11-15&MaxResults=5")},
	{"cloudwatch-cbor", cw, "POST", "/service/GraniteServiceVersion20100801/operation/GetMetricData", "", nil, nil},
	// connect has the most REST operations of one method (154 POST).
	{"connect-post", urlparse.Endpoint{Service: "connect", SigningName: "connect"}, "POST", "/contact/attributes", "", nil, []byte(`{}`)},
	{"unknown-service", unknown, "GET", "/", "", nil, nil},
}

func BenchmarkIdentify(b *testing.B) {
	get()
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, bc.body)
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
		if Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, bc.body).Name == "" {
			continue
		}
		n := testing.AllocsPerRun(100, func() {
			Identify(bc.ep, bc.method, bc.path, bc.query, bc.header, bc.body)
		})
		if n > 0 {
			t.Errorf("%s: %v allocations per Identify, want 0", bc.name, n)
		}
	}
}
