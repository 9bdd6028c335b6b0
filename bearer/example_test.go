package bearer_test

import (
	"fmt"
	"time"

	"github.com/alter-mcp/alter-mcp/bearer"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

// A Bedrock API key for credentials the caller holds, valid for an hour,
// and what it says about itself.
func ExampleGenerate() {
	creds := sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tok, err := bearer.Generate(bearer.Bedrock, creds, "us-west-2", time.Hour, now)
	if err != nil {
		panic(err)
	}
	info, _ := bearer.Decode(tok.Value) // no credentials needed
	fmt.Println(tok.Value[:len(bearer.Bedrock.Prefix)])
	fmt.Println(info.Kind, info.Region, info.Service, info.AccessKeyID)
	fmt.Println(info.Expires, info.Remaining(now))
	// Output:
	// bedrock-api-key-
	// bedrock us-west-2 bedrock AKIAIOSFODNN7EXAMPLE
	// 2026-12-01 10:00:00 +0000 UTC 1h0m0s
}
