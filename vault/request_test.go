package vault_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/alter-mcp/alter-mcp/vault"
)

const (
	s3URL       = "https://s3.us-east-1.amazonaws.com/my-bucket/report.csv"
	dynamoURL   = "https://dynamodb.us-east-1.amazonaws.com/"
	dynamoJSON  = "application/x-amz-json-1.0"
	getItemBody = `{"TableName":"t","Key":{"id":{"S":"1"}}}`
)

func dynamoCall(grant, op, body string) vault.Call {
	return vault.Call{
		Method: "POST", URL: dynamoURL, Grant: grant, Body: []byte(body),
		Header: http.Header{"X-Amz-Target": {"DynamoDB_20120810." + op}, "Content-Type": {dynamoJSON}},
	}
}

func TestNoRedirectFollowed(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://evil.example.com/steal")
		w.WriteHeader(http.StatusTemporaryRedirect)
		io.WriteString(w, `<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request to the specified temporary endpoint.</Message></Error>`)
	})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	resp, _ := do(t, h.v, vault.Call{URL: s3URL, Grant: g.ID})
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") == "" {
		t.Fatalf("status %d: the 3xx must come back as the response", resp.StatusCode)
	}
	if f.hits.Load() != 1 {
		t.Errorf("server got %d requests, want 1", f.hits.Load())
	}
	if e := h.lastEnd(t); e.ErrorCode != "TemporaryRedirect" {
		t.Errorf("audit error code %q", e.ErrorCode)
	}

	// HTTPClient does not follow either.
	client := h.v.HTTPClient(g.ID, vault.ClientOptions{})
	resp, err := client.Get(s3URL)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusTemporaryRedirect || f.hits.Load() != 2 {
		t.Errorf("HTTPClient: status %d after %d requests", resp.StatusCode, f.hits.Load())
	}
}

func TestNotAWSNeverSent(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	for _, u := range []struct {
		url  string
		kind error
	}{
		{"https://evil.example.com/", urlparse.ErrNotAWS},
		{f.URL + "/bucket/key", urlparse.ErrScheme},
		{"https://93.184.216.34/", urlparse.ErrIPLiteral},
		{"https://[::1]/", urlparse.ErrIPLiteral},
		{"https://user:pw@s3.us-east-1.amazonaws.com/b/k", urlparse.ErrUserinfo},
		{"http://s3.us-east-1.amazonaws.com/b/k", urlparse.ErrScheme},
		{"https://s3.us-east-1.amazonaws.com:8443/b/k", urlparse.ErrPort},
		{"https://my-lb-123.us-east-1.elb.amazonaws.com/", urlparse.ErrUnrecognized},
	} {
		_, err := h.v.Request(t.Context(), vault.Call{URL: u.url, Grant: g.ID})
		if !errors.Is(err, vault.ErrNotAWS) || !errors.Is(err, u.kind) {
			t.Errorf("%s: err = %v, want ErrNotAWS and %v", u.url, err, u.kind)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: the error repeats the userinfo: %v", u.url, err)
		}
	}
	if f.hits.Load() != 0 {
		t.Fatalf("%d requests reached a server", f.hits.Load())
	}
	e := h.lastEnd(t)
	if e.Decision != audit.DecisionDeny || e.Rule != "not_aws" || e.Outcome != audit.OutcomeDenied {
		t.Errorf("refusal audited as %+v", e)
	}
}

func TestTypedErrors(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {})
	failing := &failingAuditor{}
	h := routedHarness(t, f, nil)
	ctx := t.Context()
	open := h.addGrant(t, "open", policy.Policy{})
	revoked := h.addGrant(t, "revoked", policy.Policy{})
	if err := h.v.RevokeGrant(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	expired, err := h.v.AddGrant(ctx, vault.GrantSpec{Name: "expired", Expires: past,
		Static: &vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := h.v.AddGrant(ctx, vault.GrantSpec{Name: "stale",
		Static: &vault.StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret, SessionToken: "tok", Expires: past}})
	if err != nil {
		t.Fatal(err)
	}
	readOnly := h.addGrant(t, "read-only", policy.Policy{ReadOnly: true})
	other := h.addGrant(t, "other", policy.Policy{})
	if _, _, err := h.v.AddCaller(ctx, "agent", []string{open.Name}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.v.AddCaller(ctx, "gone", []string{open.Name}); err != nil {
		t.Fatal(err)
	}
	if err := h.v.RevokeCaller(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	_ = other

	tests := []struct {
		name string
		call vault.Call
		want error
		rule string
	}{
		{"grant not found", vault.Call{URL: s3URL, Grant: "nope"}, vault.ErrGrantNotFound, "grant_not_found"},
		{"no grant", vault.Call{URL: s3URL}, vault.ErrGrantNotFound, "grant_not_found"},
		{"grant revoked", vault.Call{URL: s3URL, Grant: revoked.ID}, vault.ErrGrantRevoked, "grant_revoked"},
		{"grant expired", vault.Call{URL: s3URL, Grant: expired.Name}, vault.ErrGrantExpired, "grant_expired"},
		{"credentials expired", vault.Call{URL: s3URL, Grant: stale.Name}, vault.ErrCredentials, "credentials"},
		{"caller not found", vault.Call{URL: s3URL, Grant: open.ID, Caller: "stranger"}, vault.ErrCallerNotFound, "caller_not_found"},
		{"caller revoked", vault.Call{URL: s3URL, Grant: open.ID, Caller: "gone"}, vault.ErrCallerRevoked, "caller_revoked"},
		{"caller not allowed", vault.Call{URL: s3URL, Grant: other.ID, Caller: "agent"}, vault.ErrCallerNotAllowed, "caller_not_allowed"},
		{"not AWS", vault.Call{URL: "https://example.com/", Grant: open.ID}, vault.ErrNotAWS, "not_aws"},
		{"two bodies", vault.Call{URL: s3URL, Grant: open.ID, Body: []byte("a"), JSON: 1}, vault.ErrInvalid, ""},
		{"bad method", vault.Call{Method: "GE T", URL: s3URL, Grant: open.ID}, vault.ErrInvalid, ""},
		{"presigned URL", vault.Call{URL: s3URL + "?X-Amz-Signature=abc", Grant: open.ID}, vault.ErrInvalid, "invalid"},
		{"length mismatch", vault.Call{Method: "PUT", URL: s3URL, Grant: open.ID, BodyReader: strings.NewReader("abc"), BodyLength: 10}, vault.ErrInvalid, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.audit(t))
			resp, err := h.v.Request(ctx, tt.call)
			if resp != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", resp, err, tt.want)
			}
			recs := h.audit(t)
			if tt.rule == "" {
				if len(recs) != before {
					t.Errorf("a malformed call was audited")
				}
				return
			}
			if len(recs) != before+2 || recs[len(recs)-1].Entry.Rule != tt.rule || recs[len(recs)-1].Entry.Decision != audit.DecisionDeny {
				t.Errorf("audit: %d new records, last %+v; want a deny with rule %s", len(recs)-before, recs[len(recs)-1].Entry, tt.rule)
			}
		})
	}

	t.Run("denied by policy", func(t *testing.T) {
		_, err := h.v.Request(ctx, vault.Call{Method: "PUT", URL: s3URL, Grant: readOnly.ID, Body: []byte("x")})
		var denied *vault.DeniedError
		if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleReadOnly || denied.Grant != "read-only" {
			t.Fatalf("err = %v, want a read_only DeniedError", err)
		}
		mustContain(t, err.Error(), "denied by grant read-only (read_only)", "s3:PutObject")
		e := h.lastEnd(t)
		if e.Rule != policy.RuleReadOnly || e.Action != "s3:PutObject" || e.Operation != "PutObject" || e.Outcome != audit.OutcomeDenied {
			t.Errorf("audit %+v", e)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		limited := h.addGrant(t, "limited", policy.Policy{Rate: &policy.Rate{PerSecond: 0.001, Burst: 1}})
		before := f.hits.Load()
		do(t, h.v, vault.Call{URL: s3URL, Grant: limited.ID})
		defer func() {
			if got := f.hits.Load() - before; got != 1 { // the one call that was allowed
				t.Errorf("%d requests reached the server, want 1", got)
			}
		}()
		_, err := h.v.Request(ctx, vault.Call{URL: s3URL, Grant: limited.ID})
		var denied *vault.DeniedError
		if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleRate {
			t.Fatalf("err = %v, want a rate DeniedError", err)
		}
	})

	t.Run("refused calls take rate tokens", func(t *testing.T) {
		// A read-only grant with a burst of 2: two refused writes use both
		// tokens, so the read that follows is rate limited, not sent.
		g := h.addGrant(t, "refusals-count", policy.Policy{ReadOnly: true, Rate: &policy.Rate{PerSecond: 0.001, Burst: 2}})
		for range 2 {
			_, err := h.v.Request(ctx, vault.Call{Method: "PUT", URL: s3URL, Grant: g.ID, Body: []byte("x")})
			var denied *vault.DeniedError
			if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleReadOnly {
				t.Fatalf("err = %v, want a read_only DeniedError", err)
			}
		}
		_, err := h.v.Request(ctx, vault.Call{URL: s3URL, Grant: g.ID})
		var denied *vault.DeniedError
		if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleRate {
			t.Fatalf("err = %v, want a rate DeniedError after two refusals", err)
		}
	})

	t.Run("audit failure sends nothing", func(t *testing.T) {
		h2 := routedHarness(t, f, func(o *vault.Options) { o.Auditor = failing })
		g := h2.addGrant(t, "g", policy.Policy{})
		hits := f.hits.Load()
		_, err := h2.v.Request(ctx, vault.Call{URL: s3URL, Grant: g.ID})
		if !errors.Is(err, vault.ErrAudit) || !strings.Contains(err.Error(), "nothing was sent") {
			t.Fatalf("err = %v, want ErrAudit saying nothing was sent", err)
		}
		if f.hits.Load() != hits || failing.begins.Load() != 1 {
			t.Errorf("hits %d → %d, begins %d", hits, f.hits.Load(), failing.begins.Load())
		}
	})

	if f.hits.Load() > 1 { // only the rate-limited subtest's first call may be sent
		t.Errorf("%d requests reached the server, want at most 1", f.hits.Load())
	}
}

// TestLongFormBodyIsRead: an Action hidden behind a megabyte of padding is
// still seen by the policy.
func TestLongFormBodyIsRead(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{DenyActions: []string{"sqs:DeleteQueue"}})
	form := "Action=DeleteQueue&Version=2012-11-05&QueueUrl=q&pad=" + strings.Repeat("x", 2<<20)
	_, err := h.v.Request(t.Context(), vault.Call{Method: "POST", URL: "https://sqs.us-east-1.amazonaws.com/", Grant: g.ID,
		BodyReader: strings.NewReader(form), BodyLength: int64(len(form)),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	var denied *vault.DeniedError
	if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleDenyActions || f.hits.Load() != 0 {
		t.Fatalf("err = %v, %d sent; want a deny_actions denial", err, f.hits.Load())
	}
}

func TestResponseStreamsAndAuditsAtClose(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", "rid-1")
		w.Write(big)
	})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	resp, err := h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID, Reason: "report", Context: map[string]any{"task": 7}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Request.Header.Get("Authorization") != "" || resp.Request.Header.Get("X-Amz-Date") != "" {
		t.Error("the response exposes the signed request")
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	recs := h.audit(t)
	if len(recs) != 1 || recs[0].Kind != audit.KindBegin {
		t.Fatalf("before the body is done the audit holds %d records, want the begin record", len(recs))
	}
	resp.Body.Close()
	e := h.lastEnd(t)
	if e.ResponseBytes < 1000 || e.ResponseBytes >= int64(len(big)) {
		t.Errorf("response_bytes %d: the body was closed after 1000 bytes", e.ResponseBytes)
	}
	if e.RequestID != "rid-1" || e.Status != 200 || e.Outcome != audit.OutcomeOK || e.Reason != "report" || string(e.Context) != `{"task":7}` {
		t.Errorf("audit %+v", e)
	}
	if e.Operation != "GetObject" || e.Action != "s3:GetObject" || !e.ReadOnly || e.Region != "us-east-1" || e.GrantName != "g" {
		t.Errorf("audit %+v", e)
	}
	if e.Endpoint != f.URL {
		t.Errorf("audit endpoint %q, want %q", e.Endpoint, f.URL)
	}

	// Read to EOF: the end record is written without Close.
	resp, err = h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	if e := h.lastEnd(t); e.ResponseBytes != n || n != int64(len(big)) {
		t.Errorf("response_bytes %d, read %d", e.ResponseBytes, n)
	}
	resp.Body.Close()
	if got := len(h.audit(t)); got != 4 {
		t.Errorf("%d audit records, want 4 (Close after EOF adds none)", got)
	}

	// A HEAD answer has no body to wait for: its end record is written at
	// once, even if the caller never closes it.
	resp, err = h.v.Request(t.Context(), vault.Call{Method: "HEAD", URL: s3URL, Grant: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	if recs := h.audit(t); len(recs) != 6 || recs[5].Kind != audit.KindEnd || recs[5].Entry.Method != "HEAD" {
		t.Errorf("HEAD: %d records", len(recs))
	}
	resp.Body.Close()
}

func TestTimeout(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	h := routedHarness(t, f, func(o *vault.Options) { o.MaxAttempts = 1 })
	g := h.addGrant(t, "g", policy.Policy{})
	_, err := h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID, Timeout: 100 * time.Millisecond})
	if err == nil || !errors.Is(err, errDeadline) && !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if e := h.lastEnd(t); e.Outcome != audit.OutcomeNetworkError {
		t.Errorf("audit outcome %q", e.Outcome)
	}
}

var errDeadline = errors.New("context deadline exceeded")

func TestEndpointRouting(t *testing.T) {
	type seen struct{ path, host, scope string }
	record := func(ch chan seen) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			_, scope, _ := strings.Cut(auth, "Credential="+testKeyID+"/")
			scope, _, _ = strings.Cut(scope, ",")
			ch <- seen{r.URL.EscapedPath(), r.Host, scope[9:]} // drop the date
		}
	}
	s3ch, allch, brch := make(chan seen, 10), make(chan seen, 10), make(chan seen, 10)
	s3srv, all, bedrock := newFakeAWS(t, record(s3ch)), newFakeAWS(t, record(allch)), newFakeAWS(t, record(brch))
	e := env{
		"AWS_ENDPOINT_URL":                 all.URL,
		"AWS_ENDPOINT_URL_S3":              s3srv.URL + "/base/",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.URL,
	}
	h := newHarness(t, e, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	for _, tt := range []struct {
		url  string
		ch   chan seen
		want seen
	}{
		{"https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b.txt", s3ch, seen{"/base/my-bucket/dir/a%20b.txt", "", "eu-west-1/s3/aws4_request"}},
		{"https://s3.eu-west-1.amazonaws.com/my-bucket/k", s3ch, seen{"/base/my-bucket/k", "", "eu-west-1/s3/aws4_request"}},
		{"https://my-bucket.s3.amazonaws.com/", s3ch, seen{"/base/my-bucket/", "", "us-east-1/s3/aws4_request"}},
		{"https://sts.ap-south-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", allch, seen{"/", "", "ap-south-1/sts/aws4_request"}},
		{"https://bedrock-runtime.us-west-2.amazonaws.com/model/m/invoke", brch, seen{"/model/m/invoke", "", "us-west-2/bedrock/aws4_request"}},
	} {
		method := "GET"
		if strings.Contains(tt.url, "/invoke") {
			method = "POST" // InvokeModel; a GET is no operation, and refused
		}
		resp, _ := do(t, h.v, vault.Call{Method: method, URL: tt.url, Grant: g.ID})
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tt.url, resp.StatusCode)
			continue
		}
		got := <-tt.ch
		got.host = ""
		if got != tt.want {
			t.Errorf("%s: server saw %+v, want %+v", tt.url, got, tt.want)
		}
	}
	for _, f := range []*fakeAWS{s3srv, all, bedrock} {
		if f.verifier.Verified() != f.hits.Load() {
			t.Errorf("%s: %d of %d requests verified", f.URL, f.verifier.Verified(), f.hits.Load())
		}
	}

	// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns routing off, and a broken
	// variable is a clear error, not a request to somewhere else.
	e["AWS_ENDPOINT_URL_S3"] = "ftp://nope"
	_, err := h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID})
	if !errors.Is(err, vault.ErrInvalid) || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_S3") {
		t.Errorf("err = %v, want ErrInvalid naming AWS_ENDPOINT_URL_S3", err)
	}
	e["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
	e["AWS_ENDPOINT_URL_S3"] = s3srv.URL
	ctx := t.Context()
	_, err = h.v.Request(ctx, vault.Call{URL: s3URL, Grant: g.ID, Timeout: 50 * time.Millisecond})
	if err == nil {
		t.Error("with routing ignored the call reached a fake")
	}
}

func TestCustomEndpoint(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	h := newHarness(t, nil, func(o *vault.Options) {
		o.Custom = []urlparse.Custom{{URL: f.URL + "/proxy", Region: "eu-central-1", Service: "s3"}}
	})
	g := h.addGrant(t, "g", policy.Policy{AllowRegions: []string{"eu-central-1"}})
	resp, body := do(t, h.v, vault.Call{URL: f.URL + "/proxy/bucket/key", Grant: g.ID})
	if resp.StatusCode != 200 || body != "/proxy/bucket/key" || f.verifier.Verified() != 1 {
		t.Fatalf("status %d body %q verified %d", resp.StatusCode, body, f.verifier.Verified())
	}
	if e := h.lastEnd(t); e.Operation != "GetObject" || e.Region != "eu-central-1" {
		t.Errorf("audit %+v", e)
	}
}

func TestRequestBodies(t *testing.T) {
	var last struct {
		body    []byte
		ct, sha string
	}
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		last.body, _ = io.ReadAll(r.Body)
		last.ct, last.sha = r.Header.Get("Content-Type"), r.Header.Get("X-Amz-Content-Sha256")
	})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	big := bytes.Repeat([]byte("z"), 3<<20)

	for _, tt := range []struct {
		name string
		call vault.Call
		want []byte
		ct   string
	}{
		{"bytes", vault.Call{Method: "PUT", URL: s3URL, Body: []byte("hello")}, []byte("hello"), ""},
		{"JSON", vault.Call{URL: dynamoURL, JSON: map[string]string{"TableName": "t"},
			Header: http.Header{"X-Amz-Target": {"DynamoDB_20120810.DescribeTable"}}}, []byte(`{"TableName":"t"}`), "application/json"},
		{"stream of unknown length", vault.Call{Method: "PUT", URL: s3URL, BodyReader: io.MultiReader(strings.NewReader("ab"), strings.NewReader("cd")), BodyLength: -1}, []byte("abcd"), ""},
		{"large seekable stream to a non-S3 service", vault.Call{URL: dynamoURL, BodyReader: bytes.NewReader(big), BodyLength: int64(len(big)),
			Header: http.Header{"X-Amz-Target": {"DynamoDB_20120810.DescribeTable"}, "Content-Type": {dynamoJSON}}}, big, dynamoJSON},
		{"large one-shot stream to a non-S3 service", vault.Call{URL: dynamoURL, BodyReader: io.MultiReader(bytes.NewReader(big)), BodyLength: int64(len(big)),
			Header: http.Header{"X-Amz-Target": {"DynamoDB_20120810.DescribeTable"}, "Content-Type": {dynamoJSON}}}, big, dynamoJSON},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.Grant = g.ID
			resp, body := do(t, h.v, tt.call)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if !bytes.Equal(last.body, tt.want) || last.ct != tt.ct {
				t.Errorf("server got %d bytes, content type %q", len(last.body), last.ct)
			}
			if strings.Contains(tt.call.URL, "s3.") && last.sha != sum(tt.want) {
				t.Errorf("x-amz-content-sha256 %q", last.sha)
			}
			if e := h.lastEnd(t); e.RequestBytes != int64(len(tt.want)) || e.RequestSHA != sum(tt.want) {
				t.Errorf("audit request_bytes %d sha %q", e.RequestBytes, e.RequestSHA)
			}
		})
	}

	// A body longer than its given length is refused, not cut short.
	hits := f.hits.Load()
	_, err := h.v.Request(t.Context(), vault.Call{URL: dynamoURL, Grant: g.ID, BodyReader: bytes.NewReader(big), BodyLength: 2 << 20,
		Header: http.Header{"X-Amz-Target": {"DynamoDB_20120810.DescribeTable"}, "Content-Type": {dynamoJSON}}})
	if !errors.Is(err, vault.ErrInvalid) || !strings.Contains(err.Error(), "holds more") || f.hits.Load() != hits {
		t.Errorf("longer body: %v", err)
	}
}

// TestS3StreamOverHTTPS: a long S3 upload over https is sent as it is read,
// aws-chunked with every chunk signed (aws-sdk-go-v2's verifier checks the
// seed signature), and, being readable once, is not retried.
func TestS3StreamOverHTTPS(t *testing.T) {
	verifier := sigcheck.NewLookup(sigcheck.Static(testKeyID, testSecret))
	var hits atomic.Int64
	var got struct {
		n   int
		sha string
	}
	srv := httptest.NewTLSServer(verifier.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n, _, err := decodeChunked(r.Body, io.Discard)
		if err != nil {
			t.Errorf("aws-chunked body: %v", err)
		}
		got.n, got.sha = int(n), r.Header.Get("X-Amz-Content-Sha256")
		w.WriteHeader(503)
	})))
	t.Cleanup(srv.Close)
	h := newHarness(t, env{"AWS_ENDPOINT_URL_S3": srv.URL}, func(o *vault.Options) { o.Transport = srv.Client().Transport })
	g := h.addGrant(t, "g", policy.Policy{})
	big := bytes.Repeat([]byte("q"), 2<<20)
	resp, _ := do(t, h.v, vault.Call{Method: "PUT", URL: s3URL, Grant: g.ID, BodyReader: io.MultiReader(bytes.NewReader(big)), BodyLength: int64(len(big))})
	if resp.StatusCode != 503 || hits.Load() != 1 || verifier.Verified() != 1 {
		t.Fatalf("status %d, %d requests, %d verified; want one verified 503", resp.StatusCode, hits.Load(), verifier.Verified())
	}
	if got.n != len(big) || got.sha != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" {
		t.Errorf("server got %d bytes with x-amz-content-sha256 %q", got.n, got.sha)
	}

	// A seekable one is retried.
	resp, _ = do(t, h.v, vault.Call{Method: "PUT", URL: s3URL, Grant: g.ID, BodyReader: bytes.NewReader(big), BodyLength: int64(len(big))})
	if resp.StatusCode != 503 || hits.Load() != 4 || verifier.Verified() != 4 || got.n != len(big) {
		t.Fatalf("status %d, %d requests, %d verified, last body %d bytes", resp.StatusCode, hits.Load(), verifier.Verified(), got.n)
	}
}

func TestSigV4a(t *testing.T) {
	var auth, regionSet string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, regionSet = r.Header.Get("Authorization"), r.Header.Get("X-Amz-Region-Set")
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t, env{"AWS_ENDPOINT_URL": srv.URL}, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	do(t, h.v, vault.Call{URL: "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key", Grant: g.ID})
	if !strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256 ") || regionSet != "*" {
		t.Errorf("Authorization %q, X-Amz-Region-Set %q; want SigV4a for every region", auth, regionSet)
	}
}

func TestHTTPClient(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", "rid")
		io.WriteString(w, `{"ok":true}`)
	})
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{AllowServices: []string{"dynamodb"}})
	if _, _, err := h.v.AddCaller(t.Context(), "bot", []string{"g"}); err != nil {
		t.Fatal(err)
	}
	client := h.v.HTTPClient("g", vault.ClientOptions{Caller: "bot", Reason: "because", Tool: "aws_request"})
	req, _ := http.NewRequest("POST", dynamoURL, strings.NewReader(getItemBody))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	req.Header.Set("Content-Type", dynamoJSON)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 forged")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != `{"ok":true}` || resp.Request != req {
		t.Fatalf("body %q; resp.Request is the caller's: %v", body, resp.Request == req)
	}
	if f.verifier.Verified() != 1 {
		t.Error("signature not verified")
	}
	e := h.lastEnd(t)
	if e.Caller != "bot" || e.Reason != "because" || e.Tool != "aws_request" || e.Operation != "GetItem" || e.GrantID != g.ID {
		t.Errorf("audit %+v", e)
	}

	// A denial is an error from Do, and nothing is sent.
	_, err = client.Get(s3URL)
	var denied *vault.DeniedError
	if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleAllowServices || f.hits.Load() != 1 {
		t.Errorf("err = %v after %d requests, want an allow_services denial", err, f.hits.Load())
	}
}

// TestCallAuditID: a caller-chosen audit id names the call's entry; a
// malformed one is refused before anything happens.
func TestCallAuditID(t *testing.T) {
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	h := routedHarness(t, f, nil)
	g := h.addGrant(t, "g", policy.Policy{})
	id := audit.NewID()
	resp, _ := do(t, h.v, vault.Call{URL: "https://sqs.us-east-1.amazonaws.com/?Action=ListQueues", Grant: g.ID, AuditID: id})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	e, _, err := h.v.AuditLog().Get(t.Context(), id)
	if err != nil || e.ID != id || e.GrantID != g.ID || e.Operation != "ListQueues" {
		t.Errorf("entry %q: %+v, %v", id, e, err)
	}
	for _, bad := range []string{"aud_short", "x" + id[1:], id + "a", strings.ToUpper(id)} {
		_, err := h.v.Request(t.Context(), vault.Call{URL: "https://sqs.us-east-1.amazonaws.com/?Action=ListQueues", Grant: g.ID, AuditID: bad})
		if !errors.Is(err, vault.ErrInvalid) {
			t.Errorf("AuditID %q: %v, want ErrInvalid", bad, err)
		}
	}
}
