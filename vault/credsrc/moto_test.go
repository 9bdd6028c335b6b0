//go:build unix

package credsrc_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// recorder is a reverse proxy in front of moto that keeps each request's form.
type recorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (r *recorder) actions(name string) []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []url.Values
	for _, f := range r.forms {
		if f.Get("Action") == name {
			out = append(out, f)
		}
	}
	return out
}

func startRecorder(t *testing.T, target string) (*recorder, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		rec.mu.Lock()
		rec.forms = append(rec.forms, form)
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/"
}

// moto checks the trust policy's principal by exact ARN (AWS would accept the
// account root too) and its sts:ExternalId condition.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Condition":{"StringEquals":{"sts:ExternalId":"ticket-4711"}},"Action":"sts:AssumeRole"}]}`

func TestAssumeRoleAgainstMoto(t *testing.T) {
	endpoint := motoserver.Start(t, motoserver.WithAuth(motoserver.AdminSetupActions))
	admin := motoserver.CreateAdminUser(t, endpoint, "admin")
	adminCreds := sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	ctx := context.Background()

	iam := credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "iam"}
	for _, form := range []url.Values{
		{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"agent"}, "AssumeRolePolicyDocument": {trustPolicy}},
		{"Action": {"PutRolePolicy"}, "Version": {"2010-05-08"}, "RoleName": {"agent"}, "PolicyName": {"all"}, "PolicyDocument": {motoserver.AdminPolicyDocument}},
	} {
		var out struct{}
		if err := iam.Call(ctx, adminCreds, form, &out); err != nil {
			t.Fatal(err)
		}
	}

	rec, proxied := startRecorder(t, endpoint)
	sts := credsrc.Endpoint{URL: proxied, Region: "us-east-1", Service: "sts"}
	ar := &credsrc.AssumeRole{
		Source:      adminCreds,
		RoleARN:     "arn:aws:iam::123456789012:role/agent",
		ExternalID:  "ticket-4711",
		SessionName: "alter-test",
		Duration:    20 * time.Minute,
		Policy:      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		STS:         sts,
	}
	if err := ar.Validate(); err != nil {
		t.Fatal(err)
	}

	// Many concurrent callers, one STS call.
	var wg sync.WaitGroup
	results := make([]sigv4.Credentials, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ar.Retrieve(ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = c
		}()
	}
	wg.Wait()
	calls := rec.actions("AssumeRole")
	if len(calls) != 1 {
		t.Fatalf("20 concurrent Retrieve calls made %d AssumeRole calls, want 1", len(calls))
	}
	sent := calls[0]
	for k, want := range map[string]string{"RoleArn": ar.RoleARN, "RoleSessionName": "alter-test", "ExternalId": "ticket-4711", "DurationSeconds": "1200", "Policy": ar.Policy} {
		if sent.Get(k) != want {
			t.Errorf("AssumeRole sent %s=%q, want %q", k, sent.Get(k), want)
		}
	}
	creds := results[0]
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SessionToken == "" || creds.Expires.IsZero() {
		t.Fatalf("assumed credentials %v (expires %v)", creds, creds.Expires)
	}
	for _, c := range results {
		if c != creds {
			t.Fatal("callers got different credentials")
		}
	}

	// The temporary credentials are accepted, and are the role's.
	id, err := sts.CallerIdentity(ctx, creds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(id.ARN, "assumed-role/agent/alter-test") || id.Account != "123456789012" {
		t.Errorf("identity %+v, want the assumed role's", id)
	}

	// The trust policy's external id condition is checked: a wrong id is AccessDenied.
	other := &credsrc.AssumeRole{Source: adminCreds, RoleARN: ar.RoleARN, ExternalID: "ticket-0000", STS: sts}
	var denied *credsrc.APIError
	if _, err := other.Retrieve(ctx); !errors.As(err, &denied) || denied.Code != "AccessDenied" || credsrc.IsAuthError(err) {
		t.Errorf("wrong external id: %v, want AccessDenied", err)
	}

	// A wrong secret is AWS's error, typed, and never shows the secret.
	bad := &credsrc.AssumeRole{Source: sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: "wrong-secret-value-123"}, RoleARN: ar.RoleARN, STS: sts}
	_, err = bad.Retrieve(ctx)
	var apiErr *credsrc.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || !credsrc.IsAuthError(err) {
		t.Fatalf("wrong secret: %v, want a 403 APIError that IsAuthError", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value-123") || strings.Contains(err.Error(), admin.SecretAccessKey) {
		t.Errorf("error shows a secret: %v", err)
	}
}

func TestAssumeRoleValidate(t *testing.T) {
	t.Parallel()
	good := func() *credsrc.AssumeRole {
		return &credsrc.AssumeRole{Source: sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, RoleARN: "arn:aws:iam::123456789012:role/path/name"}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("valid configuration refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*credsrc.AssumeRole)
		want string
	}{
		{"no source", func(a *credsrc.AssumeRole) { a.Source = nil }, "no source credentials"},
		{"bad arn", func(a *credsrc.AssumeRole) { a.RoleARN = "arn:aws:iam::123:user/x" }, "role ARN"},
		{"bad session", func(a *credsrc.AssumeRole) { a.SessionName = "has space" }, "session name"},
		{"short session", func(a *credsrc.AssumeRole) { a.SessionName = "x" }, "session name"},
		{"long session", func(a *credsrc.AssumeRole) { a.SessionName = strings.Repeat("x", 65) }, "session name"},
		{"long role name", func(a *credsrc.AssumeRole) { a.RoleARN = "arn:aws:iam::123456789012:role/" + strings.Repeat("x", 513) }, "role ARN"},
		{"empty role name", func(a *credsrc.AssumeRole) { a.RoleARN = "arn:aws:iam::123456789012:role/" }, "role ARN"},
		{"short duration", func(a *credsrc.AssumeRole) { a.Duration = time.Minute }, "15m to 12h"},
		{"long duration", func(a *credsrc.AssumeRole) { a.Duration = 13 * time.Hour }, "15m to 12h"},
		{"bad external id", func(a *credsrc.AssumeRole) { a.ExternalID = "x" }, "external id"},
		{"long policy", func(a *credsrc.AssumeRole) { a.Policy = strings.Repeat("x", 2049) }, "at most 2048"},
	} {
		a := good()
		tc.edit(a)
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}
