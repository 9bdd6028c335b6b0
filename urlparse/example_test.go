package urlparse_test

import (
	"errors"
	"fmt"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

func ExampleParse() {
	ep, err := urlparse.Parse("https://my-bucket.s3.us-west-2.amazonaws.com/photos/cat%20one.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ep.Partition, ep.Region, ep.Service, ep.SigningName)
	fmt.Printf("bucket %q key %q\n", ep.Bucket, ep.Key)

	ep, _ = urlparse.Parse("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse")
	fmt.Println(ep.Service, "signs as", ep.SigningName, "in", ep.SigningRegion)

	ep, _ = urlparse.Parse("https://iam.amazonaws.com/")
	fmt.Println(ep.Service, "is global and signs in", ep.SigningRegion)
	// Output:
	// aws us-west-2 s3 s3
	// bucket "my-bucket" key "photos/cat one.jpg"
	// bedrock-runtime signs as bedrock in us-east-1
	// iam is global and signs in us-east-1
}

func ExampleParse_refused() {
	_, err := urlparse.Parse("https://s3.amazonaws.com.evil.example/my-bucket/key")
	fmt.Println(errors.Is(err, urlparse.ErrNotAWS))

	_, err = urlparse.Parse("https://0x7f.1/latest/meta-data/")
	fmt.Println(err)
	// Output:
	// true
	// urlparse: the host is an IP address (0x7f.1): use the endpoint's hostname, such as s3.us-east-1.amazonaws.com
}

func ExampleParser_custom() {
	p := &urlparse.Parser{Custom: []urlparse.Custom{
		{URL: "http://localhost:4566", Region: "us-east-1", Service: "s3"},                        // LocalStack
		{URL: "https://proxy.internal:8443/aws", Region: "eu-west-1", Service: "bedrock-runtime"}, // a proxy
	}}
	if err := p.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	ep, _ := p.Parse("http://localhost:4566/my-bucket/report.csv")
	fmt.Println(ep.Custom, ep.Scheme, ep.Host, ep.Region, ep.Service, ep.Bucket, ep.Key)

	ep, _ = p.Parse("https://proxy.internal:8443/aws/model/m/invoke")
	fmt.Println(ep.Custom, ep.Host, ep.Region, ep.SigningName)

	// Only the configured scheme, host and port are accepted.
	_, err := p.Parse("http://localhost:4567/my-bucket/report.csv")
	fmt.Println(errors.Is(err, urlparse.ErrScheme))
	// Output:
	// true http localhost:4566 us-east-1 s3 my-bucket report.csv
	// true proxy.internal:8443 eu-west-1 bedrock
	// true
}

func ExampleParse_presigned() {
	ep, _ := urlparse.Parse("https://s3.amazonaws.com/my-bucket/cat.jpg" +
		"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240501%2Feu-west-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20240501T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc")
	fmt.Println(ep.SigningRegion, ep.SigningName, ep.FromCredential)
	// Output:
	// eu-west-1 s3 true
}
