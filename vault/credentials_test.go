//go:build unix

package vault_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// callerIdentity is STS GetCallerIdentity as a form POST (moto miscomputes
// the signature of query-string GETs).
func callerIdentity(grant string) vault.Call {
	return vault.Call{Method: "POST", URL: "https://sts.us-east-1.amazonaws.com/", Grant: grant,
		Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
}

// whoami calls STS GetCallerIdentity through the vault and returns the ARN.
func whoami(t *testing.T, v *vault.Vault, grant string) string {
	t.Helper()
	resp, body := do(t, v, callerIdentity(grant))
	if resp.StatusCode != 200 {
		t.Fatalf("GetCallerIdentity with %s: %d %s", grant, resp.StatusCode, body)
	}
	_, rest, _ := strings.Cut(body, "<Arn>")
	arn, _, _ := strings.Cut(rest, "</Arn>")
	return arn
}

// actionCounter is a reverse proxy in front of moto that counts query-API
// actions and keeps each one's form and User-Agent, as moto receives them.
type actionCounter struct {
	*httptest.Server
	mu    sync.Mutex
	n     map[string]int
	forms map[string][]url.Values
	uas   map[string][]string
}

// roleHarness is a harness whose AWS is moto behind an action counter,
// with the grant base (src) holding moto's admin key, which may create the
// roles the role grants assume (createRole).
func roleHarness(t *testing.T) (h *harness, counter *actionCounter, src vault.Grant) {
	t.Helper()
	endpoint, admin := motoserver.StartWithAdmin(t, "admin")
	counter = newActionCounter(t, endpoint)
	h = newHarness(t, env{"AWS_ENDPOINT_URL": counter.URL}, nil)
	src = h.addGrant(t, "base", policy.Policy{}, vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey})
	return h, counter, src
}

// createRole makes the IAM role name, trusting whom trust says, with the
// grant base of a roleHarness.
func (h *harness) createRole(t *testing.T, name, trust string) {
	t.Helper()
	q := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {name}, "AssumeRolePolicyDocument": {trust}}
	if resp, body := do(t, h.v, vault.Call{Method: "POST", URL: "https://iam.amazonaws.com/", Grant: "base", Body: []byte(q.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}); resp.StatusCode != 200 {
		t.Fatalf("CreateRole: %d %s", resp.StatusCode, body)
	}
}

func newActionCounter(t *testing.T, upstream string) *actionCounter {
	u, _ := url.Parse(upstream)
	rp := httputil.NewSingleHostReverseProxy(u)
	c := &actionCounter{n: map[string]int{}, forms: map[string][]url.Values{}, uas: map[string][]string{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		action := form.Get("Action")
		if action == "" {
			action = r.URL.Query().Get("Action")
		}
		c.mu.Lock()
		c.n[action]++
		c.forms[action] = append(c.forms[action], form)
		c.uas[action] = append(c.uas[action], r.UserAgent())
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *actionCounter) count(action string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[action]
}

// sent returns the forms and User-Agents of the action's requests.
func (c *actionCounter) sent(action string) ([]url.Values, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.forms[action]), slices.Clone(c.uas[action])
}

// TestProfileGrant: a profile grant resolves the profile at call time, in
// the vault's process, and stores nothing secret.
func TestProfileGrant(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "profile-user")
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[team]\naws_access_key_id = "+admin.AccessKeyID+"\naws_secret_access_key = "+admin.SecretAccessKey+"\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "absent-config"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	h := newHarness(t, env{"AWS_ENDPOINT_URL": endpoint}, nil)
	g, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "team", Profile: "team", Policy: policy.Policy{AllowServices: []string{"sts"}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Source != "profile" || g.Profile != "team" || g.AccessKeyID != "" {
		t.Errorf("grant %+v", g)
	}
	if arn := whoami(t, h.v, g.ID); arn != "arn:aws:iam::123456789012:user/profile-user" {
		t.Errorf("profile grant is %q", arn)
	}
	// The key is read from the profile, never copied into the store: the
	// secret is nowhere in it, and the key id only in the audit entries of
	// the calls signed with it (access_key_id, which joins CloudTrail).
	for _, f := range []string{"alter.db", "alter.db-wal"} {
		data, _ := os.ReadFile(filepath.Join(h.home, f))
		if bytes.Contains(data, []byte(admin.SecretAccessKey)) {
			t.Errorf("%s holds the profile's secret", f)
		}
	}
	if got, err := h.v.Grant(t.Context(), g.ID); err != nil || got.AccessKeyID != "" {
		t.Errorf("the profile grant records a key id: %+v %v", got, err)
	}
	// A profile that does not exist is an error a person can act on.
	bad, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "missing", Profile: "nope"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.v.Request(t.Context(), callerIdentity(bad.ID))
	if !errors.Is(err, vault.ErrCredentials) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing profile: %v", err)
	}
}

// TestAssumeRoleGrant: an assume-role grant calls STS AssumeRole with its
// source grant's key once for many concurrent calls, and stops working when
// the source grant is revoked.
func TestAssumeRoleGrant(t *testing.T) {
	h, counter, src := roleHarness(t)

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/admin"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-4711"}}}]}`
	h.createRole(t, "deployer", trust)

	spec := &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/deployer", SourceGrant: "base", ExternalID: "x-4711", SessionName: "ci"}
	g, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "deployer", AssumeRole: spec})
	if err != nil {
		t.Fatal(err)
	}
	if g.Source != "assume_role" || g.RoleARN != spec.RoleARN || g.SourceGrant != src.ID {
		t.Errorf("grant %+v", g)
	}
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := h.v.Request(t.Context(), callerIdentity(g.ID))
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(body), "assumed-role/deployer/ci") {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 8 {
		t.Errorf("%d of 8 calls ran as the assumed role", ok.Load())
	}
	if n := counter.count("AssumeRole"); n != 1 {
		t.Errorf("8 concurrent calls made %d AssumeRole calls, want 1", n)
	}

	// Revoking the source grant stops the role at once, cached credentials or not.
	if err := h.v.RevokeGrant(t.Context(), src.ID); err != nil {
		t.Fatal(err)
	}
	_, err = h.v.Request(t.Context(), callerIdentity(g.ID))
	if !errors.Is(err, vault.ErrCredentials) || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("after revoking the source: %v", err)
	}
}

func TestAssumeRoleGrantValidation(t *testing.T) {
	h := newHarness(t, nil, nil)
	src := h.addGrant(t, "base", policy.Policy{})
	for _, tc := range []struct {
		name string
		spec vault.AssumeRoleSpec
		want string
	}{
		{"bad arn", vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::1:role/x", SourceGrant: src.ID}, "role ARN"},
		{"unknown source", vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/x", SourceGrant: "nope"}, "grant not found"},
		{"bad duration", vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/x", SourceGrant: src.ID, Duration: 1}, "15m to 12h"},
		{"policy not JSON", vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/x", SourceGrant: src.ID, SessionPolicy: "{"}, "not JSON"},
	} {
		spec := tc.spec
		_, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "r", AssumeRole: &spec})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	_, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "two", Profile: "p", AssumeRole: &vault.AssumeRoleSpec{}})
	if !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("two sources: %v", err)
	}
	// A role on a role works; the chain is validated.
	r1, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "r1", AssumeRole: &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/a", SourceGrant: src.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.v.AddGrant(t.Context(), vault.GrantSpec{Name: "r2", AssumeRole: &vault.AssumeRoleSpec{RoleARN: "arn:aws:iam::123456789012:role/b", SourceGrant: r1.Name}}); err != nil {
		t.Errorf("role chain: %v", err)
	}
	var g vault.Grant
	b, _ := json.Marshal(r1)
	json.Unmarshal(b, &g)
	if g.RoleARN == "" {
		t.Error("the grant's JSON lacks role_arn")
	}
	if g.SessionName != "alter-mcp-r1" {
		t.Errorf("session name %q, want the default alter-mcp-r1 (audit reconcile finds the role's sessions by it)", g.SessionName)
	}
}

func TestKeyInfoAndCheckGrant(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "hygiene")
	h := newHarness(t, env{"AWS_ENDPOINT_URL": endpoint}, nil)
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	all := h.addGrant(t, "all", policy.Policy{RequireReason: true}, key)
	s3only := h.addGrant(t, "s3only", policy.Policy{AllowServices: []string{"s3"}}, key)

	info, err := h.v.KeyInfo(t.Context(), all.ID)
	if err != nil {
		t.Fatal(err)
	}
	if info.AccessKeyID != admin.AccessKeyID || info.Status != "Active" || info.UserName != "hygiene" ||
		info.Created.IsZero() || info.Age(time.Now()) > time.Hour || len(info.Notes) != 0 {
		t.Errorf("KeyInfo = %+v", info)
	}
	info, err = h.v.KeyInfo(t.Context(), s3only.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Created.IsZero() || len(info.Notes) != 2 || !strings.Contains(info.Notes[0], "does not allow iam:ListAccessKeys") {
		t.Errorf("KeyInfo of an S3-only grant asked IAM anyway: %+v", info)
	}

	c := h.v.CheckGrant(t.Context(), s3only.ID) // the operator's check: the policy does not apply
	if c.Err != nil || c.Identity.ARN != "arn:aws:iam::123456789012:user/hygiene" {
		t.Fatalf("CheckGrant = %+v", c)
	}
	if !c.SkewKnown || c.Skew > 5*time.Second || c.Skew < -5*time.Second {
		t.Errorf("skew %v (known %v) against a local server", c.Skew, c.SkewKnown)
	}
	if !strings.HasPrefix(c.Endpoint, endpoint) {
		t.Errorf("checked at %q, want the routed endpoint %q", c.Endpoint, endpoint)
	}
	bad := h.addGrant(t, "bad", policy.Policy{}, vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: "not-the-secret"})
	if c := h.v.CheckGrant(t.Context(), bad.ID); c.Err == nil || !strings.Contains(c.Err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v", c.Err)
	}
	if r := h.v.Routes("sts"); r["*"] != endpoint {
		t.Errorf("Routes = %v", r)
	}
}
