//go:build unix

package vault

// Rotation against moto with signature checking: the vault reaches it by
// AWS_ENDPOINT_URL routing, signs for moto's host, and moto checks every
// signature. moto keeps accepting an inactive key and answers
// GetCallerIdentity for any key it knows, so key states are checked with
// ListAccessKeys, not by expecting refusals.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault/credsrc"
)

// motoIAM is one moto server, its administrator and a counter for user names.
type motoIAM struct {
	endpoint string
	admin    sigv4.Credentials
	iam      credsrc.Endpoint
	n        atomic.Int64
}

func startMotoIAM(t *testing.T) *motoIAM {
	endpoint := motoserver.Start(t, motoserver.WithAuth(motoserver.AdminSetupActions))
	a := motoserver.CreateAdminUser(t, endpoint, "admin")
	return &motoIAM{
		endpoint: endpoint,
		admin:    sigv4.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey},
		iam:      credsrc.Endpoint{URL: endpoint + "/", Region: "us-east-1", Service: "iam"},
	}
}

// newUser makes an IAM user allowed everything, with one access key.
func (m *motoIAM) newUser(t *testing.T) (string, StaticCredentials) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("rotor-%d", m.n.Add(1))
	var none struct{}
	for _, form := range []url.Values{
		{"Action": {"CreateUser"}, "UserName": {name}},
		{"Action": {"PutUserPolicy"}, "UserName": {name}, "PolicyName": {"all"}, "PolicyDocument": {motoserver.AdminPolicyDocument}},
	} {
		form.Set("Version", "2010-05-08")
		if err := m.iam.Call(ctx, m.admin, form, &none); err != nil {
			t.Fatal(err)
		}
	}
	return name, m.createKey(t, name)
}

func (m *motoIAM) createKey(t *testing.T, user string) StaticCredentials {
	t.Helper()
	var out struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	err := m.iam.Call(context.Background(), m.admin, url.Values{"Action": {"CreateAccessKey"}, "Version": {"2010-05-08"}, "UserName": {user}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return StaticCredentials{AccessKeyID: out.ID, SecretAccessKey: out.Secret}
}

func (m *motoIAM) keys(t *testing.T, user string) []credsrc.AccessKey {
	t.Helper()
	keys, err := m.iam.ListAccessKeys(context.Background(), m.admin, user)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func (m *motoIAM) deleteKey(t *testing.T, user, id string) {
	t.Helper()
	var none struct{}
	err := m.iam.Call(context.Background(), m.admin, url.Values{"Action": {"DeleteAccessKey"}, "Version": {"2010-05-08"}, "UserName": {user}, "AccessKeyId": {id}}, &none)
	if err != nil {
		t.Fatal(err)
	}
}

// rotateVault opens a vault in a fresh home whose AWS calls go to moto
// through AWS_ENDPOINT_URL, with a grant holding a new user's key.
func (m *motoIAM) rotateVault(t *testing.T, mod func(*Options)) (*Vault, string, string, StaticCredentials) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	o := testOptions(home, map[string]string{"AWS_ENDPOINT_URL": m.endpoint}, nil)
	o.RetryBaseDelay = time.Millisecond
	if mod != nil {
		mod(&o)
	}
	v := mustOpenWith(t, o)
	user, key := m.newUser(t)
	g, err := v.AddGrant(t.Context(), GrantSpec{Name: "rotated", Static: &key, Policy: policy.Policy{AllowServices: []string{"sts", "iam"}}})
	if err != nil {
		t.Fatal(err)
	}
	return v, g.ID, user, key
}

// callerARN calls STS GetCallerIdentity through Request with the grant;
// moto checks the signature, so this fails unless the grant's key is one
// moto knows, with the right secret.
func callerARN(t *testing.T, v *Vault, grant string) string {
	t.Helper()
	resp, err := v.Request(t.Context(), Call{Grant: grant, Method: "POST", URL: "https://sts.us-east-1.amazonaws.com/",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GetCallerIdentity with the grant: %d %s", resp.StatusCode, body)
	}
	_, rest, _ := strings.Cut(string(body), "<Arn>")
	arn, _, _ := strings.Cut(rest, "</Arn>")
	return arn
}

// checkRotated checks what every finished rotation must leave.
func checkRotated(t *testing.T, m *motoIAM, v *Vault, id, user string, old StaticCredentials, res RotateResult) {
	t.Helper()
	ctx := t.Context()
	g, err := v.Grant(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != id || g.AccessKeyID != res.NewAccessKeyID || res.NewAccessKeyID == old.AccessKeyID || res.OldAccessKeyID != old.AccessKeyID || res.GrantID != id {
		t.Errorf("grant %s holds %s; result %+v; old key %s", g.ID, g.AccessKeyID, res, old.AccessKeyID)
	}
	keys := m.keys(t, user)
	if len(keys) != 1 || keys[0].AccessKeyID != res.NewAccessKeyID || keys[0].Status != "Active" {
		t.Errorf("IAM keys of %s: %+v, want only %s, active", user, keys, res.NewAccessKeyID)
	}
	if arn := callerARN(t, v, id); !strings.HasSuffix(arn, ":user/"+user) {
		t.Errorf("the grant calls as %q, want user %s", arn, user)
	}
	if _, err := v.store.GetRotation(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the rotation record is still there: %v", err)
	}
	if n := len(res.Steps); n == 0 || res.Steps[n-1] != rotateDone {
		t.Errorf("steps %q do not end with done", res.Steps)
	}
	// No secret in the clear anywhere in the store's files.
	files, _ := filepath.Glob(filepath.Join(v.info.Home, "alter.db*"))
	if len(files) == 0 {
		t.Fatal("no store files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(old.SecretAccessKey)) {
			t.Errorf("the old secret is in %s", f)
		}
	}
}

func TestRotate(t *testing.T) {
	m := startMotoIAM(t)
	ctx := t.Context()

	t.Run("steps and audit", func(t *testing.T) {
		t.Parallel()
		v, id, user, old := m.rotateVault(t, nil)
		arn := callerARN(t, v, id)
		res, err := v.Rotate(ctx, "rotated")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{rotateCreated, rotateVerified, rotateCurrent, rotateDeactivated, rotateDeleted, rotateDone}
		if strings.Join(res.Steps, ",") != strings.Join(want, ",") || res.ResumedFrom != "" || res.UserARN != arn {
			t.Errorf("result %+v", res)
		}
		checkRotated(t, m, v, id, user, old, res)

		// Every IAM and STS call of the rotation is audited, as the
		// operator, with the grant, the operation and AWS's request id.
		recs, err := v.Store().ListAudit(ctx, store.AuditQuery{Tool: toolRotate, Kind: audit.KindEnd})
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, r := range recs {
			var e audit.Entry
			if err := json.Unmarshal(r.Data, &e); err != nil {
				t.Fatal(err)
			}
			ops = append(ops, e.Operation)
			if e.Caller != operatorCaller || e.GrantID != id || e.GrantName != "rotated" || e.Status != 200 || e.Outcome != audit.OutcomeOK ||
				e.Endpoint != m.endpoint || e.RequestID == "" || e.Service == "" || e.Region != "us-east-1" || !strings.HasPrefix(e.URL, "https://") {
				t.Errorf("audit entry %+v", e)
			}
			if bytes.Contains(r.Data, []byte(old.SecretAccessKey)) {
				t.Error("the audit holds the old secret")
			}
		}
		if got := strings.Join(ops, ","); got != "CreateAccessKey,GetCallerIdentity,GetCallerIdentity,UpdateAccessKey,DeleteAccessKey" {
			t.Errorf("audited operations %s", got)
		}

		// Again: a second rotation of the rotated key.
		res2, err := v.Rotate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRotated(t, m, v, id, user, StaticCredentials{AccessKeyID: res.NewAccessKeyID, SecretAccessKey: "unknown-here"}, res2)
	})

	// A stop after each step, then Rotate again: it goes on from there.
	for _, tc := range []struct {
		point, resumed string
	}{
		{"created/acted", rotateCreating}, // a store failure, not a crash: the new key is deleted again
		{"created/saved", rotateCreated},
		{"verified/acted", rotateCreated},
		{"verified/saved", rotateVerified},
		{"current/acted", rotateVerified},
		{"current/saved", rotateCurrent},
		{"deactivated/acted", rotateCurrent},
		{"deactivated/saved", rotateDeactivated},
		{"deleted/acted", rotateDeactivated},
		{"deleted/saved", rotateDeleted},
	} {
		t.Run("resume after "+tc.point, func(t *testing.T) {
			t.Parallel()
			v, id, user, old := m.rotateVault(t, nil)
			stop := errInjected // as a crash would
			if tc.point == "created/acted" {
				stop = errors.New("disk full")
			}
			v.hooks.rotateFail = func(point string) error {
				if point == tc.point {
					return stop
				}
				return nil
			}
			_, err := v.Rotate(ctx, id)
			if !errors.Is(err, stop) {
				t.Fatalf("err = %v, want %v", err, stop)
			}
			// In between, the grant works: with the old key or the new one.
			callerARN(t, v, id)
			keys := m.keys(t, user)
			if n := len(keys); n > 2 || stop != errInjected && n != 1 {
				t.Errorf("keys after the failure: %+v", keys)
			}

			v.hooks.rotateFail = nil
			res, err := v.Rotate(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if res.ResumedFrom != tc.resumed {
				t.Errorf("resumed from %q, want %q", res.ResumedFrom, tc.resumed)
			}
			checkRotated(t, m, v, id, user, old, res)
		})
	}

	t.Run("lost answer of CreateAccessKey", func(t *testing.T) {
		t.Parallel()
		v, id, user, old := m.rotateVault(t, nil)
		v.hooks.rotateFail = func(point string) error {
			if point == "created/lost" {
				return errInjected
			}
			return nil
		}
		if _, err := v.Rotate(ctx, id); !errors.Is(err, errInjected) {
			t.Fatalf("err = %v", err)
		}
		v.hooks.rotateFail = nil
		keys := m.keys(t, user)
		var orphan string
		for _, k := range keys {
			if k.AccessKeyID != old.AccessKeyID {
				orphan = k.AccessKeyID
			}
		}
		// The next Rotate never makes a third key: it names the orphan.
		_, err := v.Rotate(ctx, id)
		if !errors.Is(err, ErrRotation) || orphan == "" || !strings.Contains(err.Error(), "delete-access-key --user-name "+user+" --access-key-id "+orphan) {
			t.Fatalf("err = %v, want one that names the orphan key %s", err, orphan)
		}
		if n := len(m.keys(t, user)); n != 2 {
			t.Fatalf("%d keys after the refused resume", n)
		}
		m.deleteKey(t, user, orphan)
		res, err := v.Rotate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRotated(t, m, v, id, user, old, res)
	})

	t.Run("a killed rotation holds its lease", func(t *testing.T) {
		t.Parallel()
		v, id, user, old := m.rotateVault(t, nil)
		v.hooks.rotateFail = func(point string) error {
			if point == "created/saved" {
				return errInjected
			}
			return nil
		}
		if _, err := v.Rotate(ctx, id); !errors.Is(err, errInjected) {
			t.Fatal(err)
		}
		v.hooks.rotateFail = nil
		// A crash would not have released the record.
		row, err := v.store.GetRotation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		row.UpdatedAt = time.Now().UTC()
		if err := v.store.PutRotation(ctx, row); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Rotate(ctx, id); !errors.Is(err, ErrRotationInProgress) || !strings.Contains(err.Error(), "run rotate again after") {
			t.Fatalf("err = %v, want ErrRotationInProgress", err)
		}
		row.UpdatedAt = time.Now().Add(-rotateLease - time.Second).UTC()
		if err := v.store.PutRotation(ctx, row); err != nil {
			t.Fatal(err)
		}
		res, err := v.Rotate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRotated(t, m, v, id, user, old, res)
	})

	t.Run("concurrent rotations make one key", func(t *testing.T) {
		t.Parallel()
		v, id, user, old := m.rotateVault(t, nil)
		// A second vault on the same store, as a second process would be.
		v2, err := Open(ctx, Options{Home: v.info.Home, Getenv: v.getenv})
		if err != nil {
			t.Fatal(err)
		}
		defer v2.Close()
		var wg sync.WaitGroup
		results := make([]RotateResult, 4)
		errs := make([]error, 4)
		for i := range results {
			vi := v
			if i%2 == 1 {
				vi = v2
			}
			wg.Go(func() { results[i], errs[i] = vi.Rotate(ctx, id) })
		}
		wg.Wait()
		ok := -1
		for i, err := range errs {
			switch {
			case err == nil:
				ok = i
			case !errors.Is(err, ErrRotationInProgress):
				t.Errorf("rotation %d: %v", i, err)
			}
		}
		if ok < 0 {
			t.Fatalf("no rotation succeeded: %v", errs)
		}
		keys := m.keys(t, user)
		g, _ := v.Grant(ctx, id)
		if len(keys) != 1 || keys[0].AccessKeyID != g.AccessKeyID || g.AccessKeyID == old.AccessKeyID {
			t.Fatalf("keys %+v, grant key %s", keys, g.AccessKeyID)
		}
		callerARN(t, v, id)
	})

	t.Run("two keys already", func(t *testing.T) {
		t.Parallel()
		v, id, user, old := m.rotateVault(t, nil)
		extra := m.createKey(t, user)
		_, err := v.Rotate(ctx, id)
		if !errors.Is(err, ErrRotation) || !strings.Contains(err.Error(), "--access-key-id "+extra.AccessKeyID) || !strings.Contains(err.Error(), "LimitExceeded") {
			t.Fatalf("err = %v, want a LimitExceeded error that names %s", err, extra.AccessKeyID)
		}
		if _, err := v.store.GetRotation(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused rotation left a record: %v", err)
		}
		m.deleteKey(t, user, extra.AccessKeyID)
		res, err := v.Rotate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRotated(t, m, v, id, user, old, res)
	})

	t.Run("IAM slow to know the new key", func(t *testing.T) {
		t.Parallel()
		// STS refuses the new key as unknown a few times, as IAM's
		// eventual consistency makes it do, then forever.
		var refuse atomic.Int64
		var newKey atomic.Value
		newKey.Store("")
		tr := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if k := newKey.Load().(string); k != "" && strings.Contains(req.Header.Get("Authorization"), "Credential="+k+"/") &&
				strings.Contains(req.Header.Get("Authorization"), "/sts/") && refuse.Add(-1) >= 0 {
				return &http.Response{StatusCode: 403, Header: http.Header{"X-Amzn-Requestid": {"req-refused"}}, Request: req,
					Body: io.NopCloser(strings.NewReader(`<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`))}, nil
			}
			return http.DefaultTransport.RoundTrip(req)
		})
		v, id, user, old := m.rotateVault(t, func(o *Options) { o.Transport = tr })
		v.hooks.rotateVerifyWait = 2 * time.Second
		v.hooks.rotateFail = func(point string) error {
			if point == "created/saved" {
				row, _ := v.store.GetRotation(ctx, id)
				newKey.Store(row.NewAccessKeyID)
			}
			return nil
		}
		refuse.Store(2)
		res, err := v.Rotate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRotated(t, m, v, id, user, old, res)

		// Refused for longer than the wait: the rotation stops at
		// "created", keeps the new key, and goes on later.
		v.hooks.rotateVerifyWait = 300 * time.Millisecond
		refuse.Store(1 << 30)
		_, err = v.Rotate(ctx, id)
		if !errors.Is(err, ErrRotation) || !strings.Contains(err.Error(), "eventually consistent") {
			t.Fatalf("err = %v", err)
		}
		row, err := v.store.GetRotation(ctx, id)
		if err != nil || row.Step != rotateCreated || row.NewAccessKeyID == "" {
			t.Fatalf("record %+v, %v", row, err)
		}
		refuse.Store(0)
		old2 := StaticCredentials{AccessKeyID: res.NewAccessKeyID, SecretAccessKey: "not-known-here"}
		res2, err := v.Rotate(ctx, id)
		if err != nil || res2.ResumedFrom != rotateCreated || res2.NewAccessKeyID != row.NewAccessKeyID {
			t.Fatalf("%+v, %v", res2, err)
		}
		checkRotated(t, m, v, id, user, old2, res2)
	})
}
