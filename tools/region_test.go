package tools

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

const (
	fakeKeyID  = "AKIAIOSFODNN7EXAMPLE"
	fakeSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var scopeRegion = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/`)

// farS3 is an S3 whose one bucket lives in eu-west-1, and answers as S3
// does requests signed for another region. Signatures are checked by
// sigcheck first.
type farS3 struct {
	mu   sync.Mutex
	seen []string // "METHOD path region"
}

func (f *farS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	region := ""
	if m := scopeRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region = m[1]
	}
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path+" "+region)
	f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/custom")
	w.Header().Set("X-Amz-Request-Id", "req-1")
	switch {
	case path == "/" && r.Method == http.MethodGet: // ListBuckets, with a stale region
		fmt.Fprint(w, `<ListAllMyBucketsResult><Buckets><Bucket><Name>far-bucket</Name><CreationDate>2024-01-01T00:00:00Z</CreationDate><BucketRegion>us-west-2</BucketRegion></Bucket></Buckets></ListAllMyBucketsResult>`)
	case !strings.HasPrefix(path, "/far-bucket"):
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`)
	case region != "eu-west-1" && r.Method == http.MethodHead:
		w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
		w.WriteHeader(http.StatusMovedPermanently)
	case region != "eu-west-1" && r.URL.Query().Has("list-type"):
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region '%s' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>`, region)
	case region != "eu-west-1":
		w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
		w.WriteHeader(http.StatusMovedPermanently)
		fmt.Fprint(w, `<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>far-bucket.s3.eu-west-1.amazonaws.com</Endpoint></Error>`)
	case r.Method == http.MethodHead:
		w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
	case r.URL.Query().Has("list-type"):
		fmt.Fprint(w, `<ListBucketResult><Name>far-bucket</Name><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>2</Size></Contents></ListBucketResult>`)
	default:
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hi")
	}
}

func (f *farS3) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.seen
	f.seen = nil
	return out
}

func TestBucketRegions(t *testing.T) {
	far := &farS3{}
	srv := httptest.NewServer(sigcheck.Handler(far, sigcheck.Static(fakeKeyID, fakeSecret)))
	t.Cleanup(srv.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, func(o *vault.Options) {
		o.Custom = []urlparse.Custom{{URL: srv.URL + "/custom", Region: "eu-west-1", Service: "s3"}}
	})
	e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")

	// The region is found with HEAD, then remembered.
	if m := c.ok(t, "s3_list", map[string]any{"bucket": "far-bucket"}); m["region"] != "eu-west-1" {
		t.Fatalf("s3_list: %v", m)
	}
	if got := strings.Join(far.requests(), ", "); got != "HEAD /far-bucket/ us-east-1, GET /far-bucket/ eu-west-1" {
		t.Errorf("requests: %s", got)
	}
	c.ok(t, "s3_get", map[string]any{"bucket": "far-bucket", "key": "k"})
	if got := strings.Join(far.requests(), ", "); got != "GET /far-bucket/k eu-west-1" {
		t.Errorf("requests with the region known: %s", got)
	}

	// A stale region (here from ListBuckets) is corrected by the answer.
	c.ok(t, "s3_list_buckets", nil)
	far.requests()
	if m := c.ok(t, "s3_list", map[string]any{"bucket": "far-bucket"}); m["region"] != "eu-west-1" {
		t.Fatalf("s3_list with a stale region: %v", m)
	}
	if got := strings.Join(far.requests(), ", "); got != "GET /far-bucket/ us-west-2, GET /far-bucket/ eu-west-1" {
		t.Errorf("requests with a stale region: %s", got)
	}

	// aws_request does not retry; it says where the bucket is.
	m := c.call2(t, "aws_request", map[string]any{"url": "https://far-bucket.s3.us-east-1.amazonaws.com/k"})
	if m["error_code"] != "PermanentRedirect" || !strings.Contains(str(m, "hint"), "s3.eu-west-1.amazonaws.com") {
		t.Errorf("aws_request to the wrong region: %v", m)
	}
	m = c.call2(t, "aws_request", map[string]any{"url": "https://far-bucket.s3.us-east-1.amazonaws.com/", "query": map[string]any{"list-type": "2"}})
	if m["error_code"] != "AuthorizationHeaderMalformed" || !strings.Contains(str(m, "hint"), "eu-west-1") {
		t.Errorf("aws_request signed for the wrong region: %v", m)
	}

	// A custom endpoint: region and service are checked against its
	// configuration, never taken from the agent.
	m = c.ok(t, "aws_request", map[string]any{"url": srv.URL + "/custom/far-bucket/k", "region": "eu-west-1", "service": "s3"})
	if m["body"] != "hi" || m["region"] != "eu-west-1" || m["operation"] != "GetObject" {
		t.Errorf("custom endpoint: %v", m)
	}
	m = c.fail(t, "aws_request", map[string]any{"url": srv.URL + "/custom/far-bucket/k", "region": "us-east-1"}, "invalid_arguments")
	if !strings.Contains(str(m, "message"), "configured for region eu-west-1") {
		t.Errorf("custom endpoint, wrong region: %v", m)
	}
	c.fail(t, "aws_request", map[string]any{"url": srv.URL + "/custom/far-bucket/k", "service": "sqs"}, "invalid_arguments")
	far.requests()
	c.fail(t, "s3_list", map[string]any{"bucket": "no-bucket"}, "aws_error")
}
