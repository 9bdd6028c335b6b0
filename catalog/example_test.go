package catalog_test

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/alter-mcp/alter-mcp/catalog"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

func ExampleIdentify() {
	raw := "https://my-bucket.s3.us-east-1.amazonaws.com/reports/2024.csv?versionId=v1"
	u, _ := url.Parse(raw)
	ep, err := urlparse.Parse(raw)
	if err != nil {
		panic(err)
	}
	op := catalog.Identify(ep, "GET", u.EscapedPath(), u.RawQuery, nil, nil)
	fmt.Println(op.Service, op.Name, op.Action, op.EventSource, op.ReadOnly)
	// Output: s3 GetObject s3:GetObjectVersion s3.amazonaws.com true
}

func ExampleIdentify_json() {
	ep := urlparse.Endpoint{Service: "dynamodb", SigningName: "dynamodb", Region: "eu-west-1"}
	h := http.Header{"X-Amz-Target": {"DynamoDB_20120810.PutItem"}}
	op := catalog.Identify(ep, "POST", "/", "", h, []byte(`{"TableName":"orders"}`))
	fmt.Println(op.Name, op.Action, op.Protocol, op.ReadOnly)
	// Output: PutItem dynamodb:PutItem json false
}

func ExampleIdentify_unknown() {
	ep := urlparse.Endpoint{Service: "sts", SigningName: "sts"}
	op := catalog.Identify(ep, "POST", "/", "", nil, []byte("Action=MintMoney"))
	fmt.Printf("%q %q %v\n", op.Service, op.Name, op.ReadOnly)
	fmt.Println(op.Unidentified)
	// Output:
	// "sts" "" false
	// Action "MintMoney" is not an operation of sts
}

func ExampleSearch() {
	for _, op := range catalog.Search("bedrock", "converse") {
		fmt.Println(op.Service, op.Name, op.Method, op.URITemplate, op.Action, op.ReadOnly)
	}
	// Output:
	// bedrock-runtime Converse POST /model/{modelId}/converse bedrock:InvokeModel false
	// bedrock-runtime ConverseStream POST /model/{modelId}/converse-stream bedrock:InvokeModelWithResponseStream false
}

func ExampleService() {
	s, _ := catalog.Service("monitoring")
	fmt.Println(s.Name, s.Protocols, s.IAMPrefix, s.EventSource)
	// Output: cloudwatch [smithy-rpc-v2-cbor json query] cloudwatch monitoring.amazonaws.com
}

func ExampleHeaderActions() {
	raw := "https://my-bucket.s3.us-east-1.amazonaws.com/reports/copy.csv"
	u, _ := url.Parse(raw)
	ep, err := urlparse.Parse(raw)
	if err != nil {
		panic(err)
	}
	h := http.Header{
		"X-Amz-Copy-Source": {"/other-bucket/reports/2024.csv?versionId=v1"},
		"X-Amz-Acl":         {"public-read"},
	}
	op := catalog.Identify(ep, "PUT", u.EscapedPath(), u.RawQuery, h, nil)
	fmt.Println(op.Name, op.Action)
	implied, err := catalog.HeaderActions(op, h)
	if err != nil {
		panic(err)
	}
	for _, imp := range implied {
		fmt.Println(imp.Header, imp.Action, imp.Bucket, imp.Key)
	}
	// Output:
	// CopyObject s3:PutObject
	// X-Amz-Copy-Source s3:GetObjectVersion other-bucket reports/2024.csv
	// X-Amz-Acl s3:PutObjectAcl
}
