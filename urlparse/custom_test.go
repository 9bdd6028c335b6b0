package urlparse_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

var customParser = &urlparse.Parser{Custom: []urlparse.Custom{
	{URL: "http://localhost:4566", Region: "us-east-1", Service: "s3"},
	{URL: "https://proxy.internal:8443/aws", Region: "eu-west-1", Service: "bedrock-runtime"},
	{URL: "https://proxy.internal:8443/aws/sqs/", Region: "eu-west-1", Service: "sqs"},
	{URL: "http://127.0.0.1:9324", Region: "elasticmq", Service: "sqs", SigningName: "sqs", Partition: "local"},
	{URL: "https://gateway.example.com", Region: "us-west-2", Service: "execute-api"},
}}

func custom(host, partition, region, service, signingName string, f func(*urlparse.Endpoint)) urlparse.Endpoint {
	e := urlparse.Endpoint{Host: host, Partition: partition, Region: region, Service: service, SigningName: signingName, SigningRegion: region, Custom: true}
	e.Scheme = "https"
	if strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "127.") {
		e.Scheme = "http"
	}
	if f != nil {
		f(&e)
	}
	return e
}

var customCases = []accepted{
	{"localstack s3 path style", "http://localhost:4566/my-bucket/a%20b.txt", custom("localhost:4566", "aws", "us-east-1", "s3", "s3", func(e *urlparse.Endpoint) {
		e.Bucket, e.Key, e.Addressing = "my-bucket", "a b.txt", urlparse.PathStyle
	})},
	{"localstack list buckets", "http://localhost:4566/", custom("localhost:4566", "aws", "us-east-1", "s3", "s3", nil)},
	{"localstack host is case-insensitive", "http://LOCALHOST:4566/b-1", custom("localhost:4566", "aws", "us-east-1", "s3", "s3", func(e *urlparse.Endpoint) {
		e.Bucket, e.Addressing = "b-1", urlparse.PathStyle
	})},
	{"proxy base path", "https://proxy.internal:8443/aws/model/m/invoke", custom("proxy.internal:8443", "aws", "eu-west-1", "bedrock-runtime", "bedrock", nil)},
	{"proxy base path exactly", "https://proxy.internal:8443/aws", custom("proxy.internal:8443", "aws", "eu-west-1", "bedrock-runtime", "bedrock", nil)},
	{"proxy longest base path wins", "https://proxy.internal:8443/aws/sqs/123456789012/q", custom("proxy.internal:8443", "aws", "eu-west-1", "sqs", "sqs", nil)},
	{"ip literal when configured", "http://127.0.0.1:9324/queue/q", custom("127.0.0.1:9324", "local", "elasticmq", "sqs", "sqs", nil)},
	{"default https port", "https://gateway.example.com:443/prod/x", custom("gateway.example.com", "aws", "us-west-2", "execute-api", "execute-api", nil)},
	{"custom presigned", "http://localhost:4566/b-1/k?X-Amz-Credential=test%2F20240101%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Signature=abc",
		custom("localhost:4566", "aws", "us-east-1", "s3", "s3", func(e *urlparse.Endpoint) {
			e.Bucket, e.Key, e.Addressing, e.SigningRegion, e.FromCredential = "b-1", "k", urlparse.PathStyle, "us-west-2", true
		})},
	{"aws hosts still parse", "https://sqs.us-east-1.amazonaws.com/", E("aws", "us-east-1", "sqs", "sqs", "us-east-1")},
}

func TestCustom(t *testing.T) { runAccepted(t, customParser, customCases) }

// Custom endpoints match on scheme, host, port and base path exactly.
var customRefusedCases = []refused{
	{"other port", "http://localhost:4567/b", urlparse.ErrScheme, []string{"http is not allowed"}},
	{"https instead of http", "https://localhost:4566/b", urlparse.ErrPort, nil},
	{"http instead of https", "http://proxy.internal:8443/aws/x", urlparse.ErrScheme, nil},
	{"outside the base path", "https://proxy.internal:8443/other", urlparse.ErrPort, nil},
	{"base path prefix is not a segment", "https://proxy.internal:8443/awsx/y", urlparse.ErrPort, nil},
	{"encoded base path", "https://proxy.internal:8443/%61ws/x", urlparse.ErrPort, nil},
	{"other host", "http://localhost.evil.example:4566/b", urlparse.ErrScheme, nil},
	{"trailing dot", "http://localhost.:4566/b", urlparse.ErrScheme, nil},
	{"userinfo", "http://user@localhost:4566/b", urlparse.ErrUserinfo, nil},
	{"bad bucket", "http://localhost:4566/a/k", urlparse.ErrMalformed, []string{"not a valid bucket name"}},
	{"unconfigured ip", "http://127.0.0.1:4566/", urlparse.ErrScheme, nil},
}

func TestCustomRefusals(t *testing.T) {
	for _, c := range customRefusedCases {
		t.Run(c.name, func(t *testing.T) {
			ep, err := customParser.Parse(c.url)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", c.url, ep)
			}
			checkRefusal(t, c, err)
		})
	}
}

func TestCustomConfig(t *testing.T) {
	for _, c := range []struct {
		name   string
		custom urlparse.Custom
		says   string
	}{
		{"no region", urlparse.Custom{URL: "http://localhost:4566", Service: "s3"}, "Region is required"},
		{"no service", urlparse.Custom{URL: "http://localhost:4566", Region: "us-east-1"}, "Service is required"},
		{"bad region", urlparse.Custom{URL: "http://localhost:4566", Region: "US East", Service: "s3"}, "Region is required"},
		{"bad signing name", urlparse.Custom{URL: "http://localhost:4566", Region: "us-east-1", Service: "s3", SigningName: "s 3"}, "SigningName"},
		{"no scheme", urlparse.Custom{URL: "localhost:4566", Region: "us-east-1", Service: "s3"}, "http:// or https://"},
		{"ftp", urlparse.Custom{URL: "ftp://localhost", Region: "us-east-1", Service: "s3"}, "http:// or https://"},
		{"no host", urlparse.Custom{URL: "http:///x", Region: "us-east-1", Service: "s3"}, "no host"},
		{"userinfo", urlparse.Custom{URL: "http://u:p@localhost:4566", Region: "us-east-1", Service: "s3"}, "userinfo"},
		{"query", urlparse.Custom{URL: "http://localhost:4566/?a=b", Region: "us-east-1", Service: "s3"}, "query"},
		{"encoded path", urlparse.Custom{URL: "http://localhost:4566/a%20b", Region: "us-east-1", Service: "s3"}, "percent-encoded"},
		{"path needing encoding", urlparse.Custom{URL: "http://localhost:4566/a b", Region: "us-east-1", Service: "s3"}, "percent-encoded"},
		{"not a url", urlparse.Custom{URL: "http://[::1", Region: "us-east-1", Service: "s3"}, "not a valid URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &urlparse.Parser{Custom: []urlparse.Custom{{URL: "http://localhost:1", Region: "us-east-1", Service: "sqs"}, c.custom}}
			err := p.Validate()
			if err == nil || !errors.Is(err, urlparse.ErrConfig) || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "custom endpoint 1") {
				t.Fatalf("Validate() = %v, want ErrConfig saying %q about custom endpoint 1", err, c.says)
			}
			// A broken configuration refuses everything, loudly.
			if _, err2 := p.Parse("https://sqs.us-east-1.amazonaws.com/"); !errors.Is(err2, urlparse.ErrConfig) {
				t.Errorf("Parse with a broken configuration: %v, want ErrConfig", err2)
			}
			if strings.Contains(err.Error(), "u:p") {
				t.Errorf("error %q repeats userinfo", err)
			}
		})
	}
	if err := customParser.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	var zero urlparse.Parser
	if err := zero.Validate(); err != nil {
		t.Errorf("zero Parser: Validate() = %v", err)
	}
}
