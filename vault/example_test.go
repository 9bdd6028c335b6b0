package vault_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// An operator stores an access key once, as a grant with a policy; agents
// then name the grant and never see the key.
func ExampleVault_AddGrant() {
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{}) // ALTER_MCP_HOME, ALTER_MCP_STORE, ALTER_MCP_MASTER_KEY
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	g, err := v.AddGrant(ctx, vault.GrantSpec{
		Name: "reports-reader",
		Static: &vault.StaticCredentials{
			AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		},
		Policy: policy.Policy{
			ReadOnly:      true,
			AllowServices: []string{"s3"},
			AllowRegions:  []string{"eu-west-1"},
			RequireReason: true,
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.ID) // grt_…
}

// Request makes one call: the grant's policy decides, the vault signs, and
// the answer streams back. AWS errors are responses; Go errors mean nothing
// (or, for network errors, nothing usable) came back.
func ExampleVault_Request() {
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	resp, err := v.Request(ctx, vault.Call{
		Grant:  "reports-reader",
		URL:    "https://my-reports.s3.eu-west-1.amazonaws.com/",
		Query:  map[string][]string{"list-type": {"2"}, "prefix": {"2024/"}},
		Reason: "summarize last year's reports for the user",
	})
	var denied *vault.DeniedError
	switch {
	case errors.As(err, &denied):
		fmt.Println("refused:", denied.Decision.Rule, denied.Decision.Message)
		return
	case err != nil:
		log.Fatal(err)
	}
	defer resp.Body.Close() // closing writes the audit end record
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, len(body), resp.Header.Get("X-Amz-Request-Id"))
}

// AWSConfig runs aws-sdk-go-v2 clients through the vault: the SDK builds
// requests, the vault checks, signs, sends and audits them.
func ExampleVault_AWSConfig() {
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	cfg, err := v.AWSConfig(ctx, "reports-reader", "eu-west-1", vault.ClientOptions{
		Reason: "nightly report",
		Tool:   "report-job",
	})
	if err != nil {
		log.Fatal(err)
	}
	client := s3.NewFromConfig(cfg)
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("my-reports")})
	if err != nil {
		log.Fatal(err) // a denial unwraps to *vault.DeniedError
	}
	for _, o := range out.Contents {
		fmt.Println(aws.ToString(o.Key))
	}
}

// HTTPClient suits code that already speaks HTTP: every request is checked,
// signed and audited with the grant.
func ExampleVault_HTTPClient() {
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	client := v.HTTPClient("reports-reader", vault.ClientOptions{Reason: "fetch a report"})
	resp, err := client.Get("https://my-reports.s3.eu-west-1.amazonaws.com/2024/q1.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Println("AWS said", resp.Status)
	}
}
