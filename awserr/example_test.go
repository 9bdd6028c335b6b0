package awserr_test

import (
	"fmt"
	"net/http"

	"github.com/alter-mcp/alter-mcp/awserr"
)

func ExampleParse() {
	h := http.Header{"X-Amzn-Requestid": {"4f7a"}}
	e := awserr.Parse(400, h, []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Rate exceeded"}`))
	fmt.Println(e.Code, e.Throttling(), e.Retryable())
	fmt.Println(e)

	e = awserr.Parse(404, nil, []byte(`<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R1</RequestId></Error>`))
	fmt.Println(e.Code, e.RequestID, e.Retryable())
	// Output:
	// ProvisionedThroughputExceededException true true
	// AWS answered 400 ProvisionedThroughputExceededException: Rate exceeded (request id 4f7a)
	// NoSuchKey R1 false
}
