package urlparse_test

import (
	"fmt"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

func ExampleHost() {
	fmt.Println(urlparse.Host("bedrock-runtime", "us-west-2"))
	fmt.Println(urlparse.Host("sts", "cn-north-1"))
	fmt.Println(urlparse.Host("sts", "eusc-de-east-1"))
	host, region, _ := urlparse.GlobalHost("iam", "us-gov-east-1")
	fmt.Println(host, "signs in", region)
	// Output:
	// bedrock-runtime.us-west-2.amazonaws.com
	// sts.cn-north-1.amazonaws.com.cn
	// sts.eusc-de-east-1.amazonaws.eu
	// iam.us-gov.amazonaws.com signs in us-gov-west-1
}

func ExampleS3URL() {
	q := urlparse.EncodeQuery(map[string]string{"list-type": "2", "prefix": "reports/2024 Q1"})
	fmt.Println(urlparse.S3URL("eu-west-1", "my-bucket", "", q))
	fmt.Println(urlparse.S3URL("eu-west-1", "my.dotted.bucket", "a b/c+d.txt", ""))
	// Output:
	// https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=reports%2F2024%20Q1
	// https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/a%20b/c%2Bd.txt
}
