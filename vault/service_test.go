package vault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/internal/testutil"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// AWS's documented example key, never a real one.
const (
	svcKeyID  = "AKIAIOSFODNN7EXAMPLE"
	svcSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// blockingAuditor refuses every begin record.
type blockingAuditor struct{}

func (blockingAuditor) Begin(context.Context, *audit.Entry) error { return errors.New("disk full") }
func (blockingAuditor) End(context.Context, *audit.Entry) error   { return nil }

// fakeSTS checks every signature (for the host it received) and answers
// with handler; hits counts what reached it.
func fakeSTS(t *testing.T, hits *atomic.Int64, handler http.HandlerFunc) *httptest.Server {
	checked := sigcheck.Handler(handler, sigcheck.Static(svcKeyID, svcSecret))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		checked.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func openTestVault(t *testing.T, env map[string]string, mod func(*Options)) *Vault {
	t.Helper()
	o := testOptions(filepath.Join(t.TempDir(), "home"), env, nil)
	if mod != nil {
		mod(&o)
	}
	return mustOpenWith(t, o)
}

// testOptions are the options of a test vault in home whose environment is
// env alone; with a log, it logs there as JSON.
func testOptions(home string, env map[string]string, log *testutil.Buffer) Options {
	o := Options{Home: home, Getenv: func(k string) string { return env[k] }}
	if log != nil {
		o.Logger = slog.New(slog.NewJSONHandler(log, nil))
	}
	return o
}

// openWith opens a vault with o, closed when t ends.
func openWith(t *testing.T, o Options) (*Vault, error) {
	v, err := Open(t.Context(), o)
	if err == nil {
		t.Cleanup(func() { v.Close() })
	}
	return v, err
}

// mustOpenWith is openWith failing t on an error.
func mustOpenWith(t *testing.T, o Options) *Vault {
	t.Helper()
	v, err := openWith(t, o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func auditEntries(t *testing.T, v *Vault, kind string) []audit.Entry {
	t.Helper()
	recs, err := v.Store().ListAudit(t.Context(), store.AuditQuery{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, r := range recs {
		var e audit.Entry
		if err := json.Unmarshal(r.Data, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestServiceEndpoint(t *testing.T) {
	ctx := t.Context()
	creds := sigv4.Credentials{AccessKeyID: svcKeyID, SecretAccessKey: svcSecret}
	var hits atomic.Int64
	srv := fakeSTS(t, &hits, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(body), "Action=GetCallerIdentity"):
			w.Header().Set("X-Amzn-Requestid", "req-identity")
			io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ops</Arn><Account>123456789012</Account><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		case strings.Contains(string(body), "Action=AssumeRole"):
			w.WriteHeader(403)
			io.WriteString(w, `<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>req-denied</RequestId></ErrorResponse>`)
		default:
			w.Header().Set("Location", "https://example.com/")
			w.WriteHeader(307)
		}
	})
	v := openTestVault(t, map[string]string{"AWS_ENDPOINT_URL_STS": srv.URL}, nil)
	g, err := v.AddGrant(ctx, GrantSpec{Name: "ops", Static: &StaticCredentials{AccessKeyID: svcKeyID, SecretAccessKey: svcSecret}})
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := v.store.GetGrant(ctx, g.ID)

	// Routed before signing: credsrc signs for the emulator's host, with
	// the region and service of the AWS endpoint.
	sts, err := v.serviceEndpointFor(credsrc.STS("eu-west-1"), serviceCall{tool: "doctor", grant: sg})
	if err != nil {
		t.Fatal(err)
	}
	if sts.URL != srv.URL+"/" || sts.Region != "eu-west-1" || sts.Service != "sts" || sts.Client == nil {
		t.Fatalf("endpoint %+v", sts)
	}
	id, err := sts.CallerIdentity(ctx, creds)
	if err != nil || id.ARN != "arn:aws:iam::123456789012:user/ops" {
		t.Fatalf("CallerIdentity: %+v, %v", id, err)
	}
	ends := auditEntries(t, v, audit.KindEnd)
	if len(ends) != 1 {
		t.Fatalf("%d end records", len(ends))
	}
	e := ends[0]
	if e.Tool != "doctor" || e.Caller != operatorCaller || e.GrantID != g.ID || e.GrantName != "ops" || e.Service != "sts" ||
		e.Region != "eu-west-1" || e.Operation != "GetCallerIdentity" || e.Action != "sts:GetCallerIdentity" ||
		e.URL != "https://sts.eu-west-1.amazonaws.com/" || e.Endpoint != srv.URL || e.Status != 200 || e.RequestID != "req-identity" ||
		e.Outcome != audit.OutcomeOK || e.RequestSHA == "" || e.RequestBytes == 0 || e.ResponseBytes == 0 || e.Decision != audit.DecisionAllow {
		t.Errorf("audit entry %+v", e)
	}

	// An AWS error is audited with its code and request id.
	ar := &credsrc.AssumeRole{Source: creds, RoleARN: "arn:aws:iam::123456789012:role/r", STS: sts}
	if err := ar.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err = ar.Fetch(ctx)
	var ae *credsrc.APIError
	if !errors.As(err, &ae) || ae.Code != "AccessDenied" {
		t.Fatalf("AssumeRole: %v", err)
	}
	ends = auditEntries(t, v, audit.KindEnd)
	if e := ends[len(ends)-1]; e.Operation != "AssumeRole" || e.ErrorCode != "AccessDenied" || e.RequestID != "req-denied" || e.Outcome != audit.OutcomeAWSError || e.Status != 403 {
		t.Errorf("audit of an AWS error %+v", e)
	}

	// A redirect is an answer, never followed.
	before := hits.Load()
	var out struct{}
	err = sts.Call(ctx, creds, map[string][]string{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}}, &out)
	if !errors.As(err, &ae) || ae.Status != 307 || hits.Load() != before+1 {
		t.Errorf("redirect: %v, %d requests", err, hits.Load()-before)
	}

	// The client sends only to its endpoint.
	req, _ := http.NewRequest("POST", "https://evil.example.com/", strings.NewReader("Action=GetCallerIdentity"))
	if _, err := sts.Client.Do(req); !errors.Is(err, ErrInvalid) {
		t.Errorf("another host: %v", err)
	}

	// Without routing the URL stays AWS's; a URL that is not AWS is refused.
	plain := openTestVault(t, nil, nil)
	e2, err := plain.serviceEndpointFor(credsrc.IAM("cn-north-1"), serviceCall{tool: "t"})
	if err != nil || e2.URL != "https://iam.cn-north-1.amazonaws.com.cn/" || e2.Region != "cn-north-1" {
		t.Errorf("unrouted: %+v, %v", e2, err)
	}
	if _, err := plain.serviceEndpointFor(credsrc.Endpoint{URL: "https://127.0.0.1/", Region: "us-east-1", Service: "sts"}, serviceCall{}); !errors.Is(err, ErrNotAWS) {
		t.Errorf("an IP literal: %v", err)
	}

	// The begin record comes first: when it fails, nothing is sent.
	blocked := openTestVault(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, func(o *Options) { o.Auditor = blockingAuditor{} })
	bsts, err := blocked.serviceEndpointFor(credsrc.STS(""), serviceCall{tool: "doctor"})
	if err != nil {
		t.Fatal(err)
	}
	before = hits.Load()
	if _, err := bsts.CallerIdentity(ctx, creds); !errors.Is(err, ErrAudit) || hits.Load() != before {
		t.Errorf("audit failure: %v, %d requests sent", err, hits.Load()-before)
	}
}

// TestRotateRefusals: grants whose key cannot be rotated are refused
// before anything is sent.
func TestRotateRefusals(t *testing.T) {
	ctx := t.Context()
	var sent atomic.Int64
	v := openTestVault(t, nil, func(o *Options) {
		o.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) {
			sent.Add(1)
			return nil, errors.New("no network in this test")
		})
	})
	add := func(name string, c StaticCredentials) string {
		g, err := v.AddGrant(ctx, GrantSpec{Name: name, Static: &c})
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	temp := add("temp", StaticCredentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: svcSecret, SessionToken: "token"})
	revoked := add("revoked", StaticCredentials{AccessKeyID: svcKeyID, SecretAccessKey: svcSecret})
	if err := v.RevokeGrant(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	busy := add("busy", StaticCredentials{AccessKeyID: svcKeyID, SecretAccessKey: svcSecret})
	now := time.Now().UTC()
	if err := v.store.PutRotation(ctx, &store.Rotation{GrantID: busy, Step: rotateCreating, OldAccessKeyID: svcKeyID, StartedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	profile, err := v.AddGrant(ctx, GrantSpec{Name: "prof", Profile: "team"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		grant string
		want  error
		text  string
	}{
		{temp, ErrCredentials, "temporary credentials"},
		{revoked, ErrGrantRevoked, "revoked"},
		{profile.ID, ErrInvalid, "profile"},
		{busy, ErrRotationInProgress, "another rotation"},
		{"grt_missing", ErrGrantNotFound, "no grant"},
	} {
		_, err := v.Rotate(ctx, tc.grant)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("Rotate %s: %v, want %v with %q", tc.grant, err, tc.want, tc.text)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	if r, err := v.store.GetRotation(ctx, busy); err != nil || !r.UpdatedAt.Equal(now) {
		t.Errorf("the busy record was changed: %+v %v", r, err)
	}
}
