package urlparse_test

import (
	"testing"

	"github.com/alter-mcp/alter-mcp/urlparse"
)

var benchSink urlparse.Endpoint

// benchCases are the URLs an agent sends most, and one refusal.
func benchCases() []struct {
	name, url string
	parser    *urlparse.Parser
} {
	custom := &urlparse.Parser{Custom: []urlparse.Custom{{URL: "http://localhost:4566", Region: "us-east-1", Service: "s3"}}}
	return []struct {
		name, url string
		parser    *urlparse.Parser
	}{
		{"s3-virtual", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg", nil},
		{"s3-path", "https://s3.us-west-2.amazonaws.com/examplebucket/photos/2024/cat.jpg", nil},
		{"s3-accesspoint", "https://reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/2024/q1.csv", nil},
		{"s3-presigned", "https://examplebucket.s3.us-east-1.amazonaws.com/cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240501%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240501T123045Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", nil},
		{"bedrock-runtime", "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse", nil},
		{"sqs", "https://sqs.eu-central-1.amazonaws.com/", nil},
		{"global-iam", "https://iam.amazonaws.com/", nil},
		{"vpce", "https://vpce-0123456789abcdef0-abcdefgh.monitoring.us-east-2.vpce.amazonaws.com/", nil},
		{"fips", "https://kms-fips.us-gov-west-1.amazonaws.com/", nil},
		{"custom", "http://localhost:4566/examplebucket/cat.jpg", custom},
		{"refuse-not-aws", "https://s3.amazonaws.com.evil.example/", nil},
	}
}

// BenchmarkParse measures Parse on the URLs an agent sends most. An S3 GET
// (s3-virtual) is the budget case: Parse plus an operation lookup must stay
// well under 2 µs.
//
//	go test -run '^$' -bench . -benchmem ./urlparse/
func BenchmarkParse(b *testing.B) {
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			parse := urlparse.Parse
			if c.parser != nil {
				parse = c.parser.Parse
			}
			b.ReportAllocs()
			for b.Loop() {
				benchSink, _ = parse(c.url)
			}
		})
	}
}

// TestParseAllocations holds the README's claim that Parse allocates
// nothing for the URLs an agent sends (a refusal may allocate its error).
func TestParseAllocations(t *testing.T) {
	for _, c := range benchCases() {
		parse := urlparse.Parse
		if c.parser != nil {
			parse = c.parser.Parse
		}
		if _, err := parse(c.url); err != nil {
			continue
		}
		if n := testing.AllocsPerRun(100, func() { benchSink, _ = parse(c.url) }); n > 0 {
			t.Errorf("%s: %v allocations per Parse, want 0", c.name, n)
		}
	}
}
