//go:build unix

package vault_test

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/bearer"
	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// newestEntry is the newest audit entry of h's vault.
func newestEntry(t *testing.T, h *harness) audit.Entry {
	t.Helper()
	es, err := h.v.AuditLog().List(t.Context(), audit.Query{Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit: %d entries, %v", len(es), err)
	}
	return es[0]
}

func TestToken(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	h := newHarness(t, nil, func(o *vault.Options) { o.Now = func() time.Time { return now } })
	temp := vault.StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: testSecret, SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN", Expires: now.Add(45 * time.Minute)}
	g := h.addGrant(t, "models", policy.Policy{AllowServices: []string{"bedrock", "aws-external-anthropic"}}, temp)

	for _, kind := range bearer.Kinds {
		tok, err := h.v.Token(t.Context(), g.Name, kind, "us-west-2", 0, vault.ClientOptions{Caller: "", Reason: "agent needs model access", Tool: "token"})
		if err != nil {
			t.Fatal(err)
		}
		if !tok.Expires.Equal(now.Add(45 * time.Minute)) {
			t.Errorf("%s: expires %v, want the credentials' expiry %v", kind.Name, tok.Expires, now.Add(45*time.Minute))
		}
		info, err := bearer.Decode(tok.Value)
		if err != nil || info.Kind != kind.Name || info.Region != "us-west-2" || info.Service != kind.Service || info.AccessKeyID != temp.AccessKeyID || !info.SessionToken || !info.Expires.Equal(tok.Expires) {
			t.Errorf("%s: Decode = %+v, %v", kind.Name, info, err)
		}
		// aws-sdk-go-v2's signer accepts it.
		raw := strings.TrimSuffix(mustDecode(t, strings.TrimPrefix(tok.Value, kind.Prefix)), "&Version=1")
		req, _ := http.NewRequest(http.MethodPost, "https://"+raw, nil)
		if err := sigcheck.New(aws.Credentials{AccessKeyID: temp.AccessKeyID, SecretAccessKey: temp.SecretAccessKey, SessionToken: temp.SessionToken}).Check(req, nil); err != nil {
			t.Errorf("%s: the token's signature does not verify: %v", kind.Name, err)
		}
		e := newestEntry(t, h)
		if e.Operation != vault.OperationIssueBearerToken || !e.Expires.Equal(tok.Expires) || e.GrantID != g.ID || e.Outcome != audit.OutcomeOK ||
			e.Action != kind.Service+":CallWithBearerToken" || e.Reason != "agent needs model access" || e.Region != "us-west-2" {
			t.Errorf("%s: audit entry %+v", kind.Name, e)
		}
		recs, _ := h.v.Store().ListAudit(t.Context(), store.AuditQuery{})
		for _, r := range recs {
			if strings.Contains(string(r.Data), tok.Value[len(kind.Prefix):len(kind.Prefix)+40]) || strings.Contains(string(r.Data), temp.SessionToken) {
				t.Fatalf("the audit holds the token or the session token: %s", r.Data)
			}
		}
	}

	for _, tc := range []struct {
		name   string
		policy policy.Policy
		region string
		life   time.Duration
		rule   string
		err    error
	}{
		{"deny_presign", policy.Policy{DenyPresign: true}, "us-east-1", time.Hour, "deny_presign", nil},
		{"read-only", policy.Policy{ReadOnly: true}, "us-east-1", time.Hour, "read_only", nil},
		{"other services", policy.Policy{AllowServices: []string{"s3"}}, "us-east-1", time.Hour, "allow_services", nil},
		{"other regions", policy.Policy{AllowRegions: []string{"eu-*"}}, "us-east-1", time.Hour, "allow_regions", nil},
		{"unknown region", policy.Policy{}, "mars-north-1", time.Hour, "", vault.ErrInvalid},
		{"too long", policy.Policy{}, "us-east-1", 13 * time.Hour, "", vault.ErrInvalid},
	} {
		g := h.addGrant(t, "g-"+strings.ReplaceAll(tc.name, " ", "-"), tc.policy)
		_, err := h.v.Token(t.Context(), g.ID, bearer.Bedrock, tc.region, tc.life, vault.ClientOptions{})
		var denied *vault.DeniedError
		switch {
		case tc.rule != "" && (!errors.As(err, &denied) || denied.Decision.Rule != tc.rule):
			t.Errorf("%s: %v, want a denial by %s", tc.name, err, tc.rule)
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
		if e := newestEntry(t, h); e.Decision != audit.DecisionDeny || e.Operation != vault.OperationIssueBearerToken {
			t.Errorf("%s: the refusal was not audited: %+v", tc.name, e)
		}
	}
}

// TestPresignAgainstMoto: a presigned S3 GET works at moto, with signature
// checking, until it expires; the policy decides what may be presigned.
// moto's own check cannot read presigned URLs (it wants an Authorization
// header and answers 500), so aws-sdk-go-v2's verifier (internal/sigcheck)
// checks every request, expiry included, in front of a moto without auth.
func TestPresignAgainstMoto(t *testing.T) {
	moto := motoserver.Start(t)
	verifier := httptest.NewServer(sigcheck.Handler(sigcheck.Forward(moto), sigcheck.Static(testKeyID, testSecret)))
	t.Cleanup(verifier.Close)
	endpoint := verifier.URL
	h := newHarness(t, env{"AWS_ENDPOINT_URL": endpoint}, nil)
	key := vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	rw := h.addGrant(t, "rw", policy.Policy{}, key)
	ro := h.addGrant(t, "ro", policy.Policy{ReadOnly: true}, key)
	no := h.addGrant(t, "no", policy.Policy{DenyPresign: true}, key)
	const bucket = "presign-bucket"
	obj := "https://" + bucket + ".s3.us-east-1.amazonaws.com/report.csv"
	if resp, body := do(t, h.v, vault.Call{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/" + bucket, Grant: rw.ID}); resp.StatusCode != 200 {
		t.Fatalf("CreateBucket: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, h.v, vault.Call{Method: "PUT", URL: obj, Grant: rw.ID, Body: []byte("a,b\n")}); resp.StatusCode != 200 {
		t.Fatalf("PutObject: %d %s", resp.StatusCode, body)
	}

	p, err := h.v.Presign(t.Context(), ro.ID, "GET", obj, 3*time.Second, vault.ClientOptions{Reason: "share the report"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.URL, endpoint+"/"+bucket+"/report.csv?") || !strings.Contains(p.URL, "X-Amz-Expires=3") {
		t.Errorf("presigned URL %s", p.URL)
	}
	get := func() (int, string) {
		resp, err := http.Get(p.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != "a,b\n" {
		t.Errorf("presigned GET: %d %q", code, body)
	}
	e := newestEntry(t, h)
	if e.Operation != vault.OperationPresign || e.Action != "s3:GetObject" || !e.Expires.Equal(p.Expires) || strings.Contains(e.URL, "X-Amz-Signature=") && !strings.Contains(e.URL, "REDACTED") {
		t.Errorf("audit entry %+v", e)
	}
	time.Sleep(time.Until(p.Expires) + 1500*time.Millisecond)
	if code, body := get(); code != 403 {
		t.Errorf("expired presigned GET: %d %s, want 403", code, body)
	}

	var denied *vault.DeniedError
	if _, err := h.v.Presign(t.Context(), ro.ID, "PUT", obj, time.Minute, vault.ClientOptions{}); !errors.As(err, &denied) || denied.Decision.Rule != "read_only" {
		t.Errorf("read-only grant presigning a PUT: %v", err)
	}
	if _, err := h.v.Presign(t.Context(), no.ID, "GET", obj, time.Minute, vault.ClientOptions{}); !errors.As(err, &denied) || denied.Decision.Rule != "deny_presign" {
		t.Errorf("deny_presign grant: %v", err)
	}
	if _, err := h.v.Presign(t.Context(), rw.ID, "GET", obj, 8*24*time.Hour, vault.ClientOptions{}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("8 days: %v", err)
	}
	if _, err := h.v.Presign(t.Context(), rw.ID, "GET", "https://example.com/x", time.Minute, vault.ClientOptions{}); !errors.Is(err, vault.ErrNotAWS) {
		t.Errorf("not AWS: %v", err)
	}
}

func mustDecode(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
