package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestSecretsNeverLeak makes calls of every kind (allowed, retried, denied,
// refused, answered with an AWS error that repeats the canonical request,
// failed on the network) and then looks for the secrets everywhere the vault
// writes: the store's files, the logs, the audit records, the errors.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		tempKeyID  = "ASIAIOSFODNN7EXAMPLE"
		tempSecret = "tEmPoRaRySeCrEt/K7MDENG/bPxRfiCYzzzzzzzz"
		token      = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789"
		// The fake knows tempKeyID by another secret, so it answers
		// SignatureDoesNotMatch with the canonical request, as S3 does.
		otherSecret = "differentSecretForTheVerifier00000000000"
	)
	secrets := []string{testSecret, tempSecret, token}

	var n atomic.Int64
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 1 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, "ok")
	})
	f.verifier.Add(tempKeyID, otherSecret)
	h := routedHarness(t, f, nil)
	ctx := t.Context()
	open := h.addGrant(t, "open", policy.Policy{})
	ro := h.addGrant(t, "ro", policy.Policy{ReadOnly: true, RequireReason: true})
	temp := h.addGrant(t, "temp", policy.Policy{}, vault.StaticCredentials{AccessKeyID: tempKeyID, SecretAccessKey: tempSecret, SessionToken: token})
	if _, _, err := h.v.AddCaller(ctx, "bot", []string{"ro"}); err != nil {
		t.Fatal(err)
	}
	if err := h.v.UpdateCredential(ctx, "open", vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}); err != nil {
		t.Fatal(err)
	}

	var errs []string
	var bodies []string
	call := func(c vault.Call) {
		resp, err := h.v.Request(ctx, c)
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, string(b))
		errs = append(errs, fmt.Sprint(resp.Request))
	}
	for range 3 {
		call(vault.Call{URL: s3URL, Grant: open.ID})
	}
	call(vault.Call{Method: "PUT", URL: s3URL, Grant: open.ID, Body: []byte("data")})
	call(vault.Call{Method: "PUT", URL: s3URL, Grant: ro.ID, Body: []byte("data"), Reason: "try"})
	call(vault.Call{URL: s3URL, Grant: ro.ID})
	call(vault.Call{URL: s3URL, Grant: ro.ID, Caller: "bot", Reason: "r"})
	call(vault.Call{URL: s3URL, Grant: open.ID, Caller: "bot"})
	call(vault.Call{URL: "https://evil.example.com/?X-Amz-Security-Token=" + token, Grant: open.ID})
	call(vault.Call{URL: s3URL + "?X-Amz-Security-Token=" + token, Grant: open.ID})
	call(vault.Call{URL: s3URL, Grant: temp.ID})
	call(vault.Call{URL: s3URL, Grant: "missing"})
	if err := h.v.RevokeGrant(ctx, "temp"); err != nil {
		t.Fatal(err)
	}
	call(vault.Call{URL: s3URL, Grant: temp.ID})
	_, err := h.v.AddGrant(ctx, vault.GrantSpec{Name: "bad", Static: &vault.StaticCredentials{AccessKeyID: "AKIA-nope", SecretAccessKey: testSecret}})
	errs = append(errs, err.Error())
	_, err = h.v.AddGrant(ctx, vault.GrantSpec{Name: "bad", Static: &vault.StaticCredentials{AccessKeyID: tempKeyID, SecretAccessKey: " " + tempSecret, SessionToken: token}})
	errs = append(errs, err.Error())

	// A network failure: the endpoint stops answering.
	f.Close()
	call(vault.Call{URL: s3URL, Grant: open.ID, Timeout: 2 * time.Second})

	// A client through the SDK path, and the wrong master key.
	cfgErrs := []error{}
	if _, err := h.v.AWSConfig(ctx, "temp", "us-east-1", vault.ClientOptions{}); err != nil {
		cfgErrs = append(cfgErrs, err)
	}
	for _, err := range cfgErrs {
		errs = append(errs, err.Error())
	}
	if len(bodies) < 4 || len(errs) < 10 {
		t.Fatalf("the run made %d answers and %d errors; it should make more", len(bodies), len(errs))
	}
	if !strings.Contains(strings.Join(bodies, "\n"), "SignatureDoesNotMatch") {
		t.Fatal("no SignatureDoesNotMatch answer: the canonical-request path was not exercised")
	}
	if !strings.Contains(strings.ToLower(strings.Join(bodies, "\n")), "x-amz-security-token:redacted") {
		t.Errorf("the canonical request in the answer was not redacted: %q", bodies)
	}
	h.v.Close()

	look := func(where, s string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s holds a secret (%.6s…)", where, secret)
			}
		}
	}
	for _, name := range []string{"alter.db", "alter.db-wal", "alter.db-shm", "alter.db-journal"} {
		b, err := os.ReadFile(filepath.Join(h.home, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("store file %s holds a secret (%.6s…)", name, secret)
			}
		}
	}
	look("the logs", h.logs.String())
	look("the errors", strings.Join(errs, "\n"))
	look("the response bodies", strings.Join(bodies, "\n"))

	// The audit, through a fresh handle on the same store.
	v2, err := vault.Open(context.Background(), vault.Options{Home: h.home})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	recs, err := v2.Store().ListAudit(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&all, "%+v\n%s\n", r, r.Data)
	}
	if len(recs) < 20 {
		t.Errorf("only %d audit records", len(recs))
	}
	look("the audit", all.String())
	if !strings.Contains(all.String(), "X-Amz-Security-Token=REDACTED") {
		t.Error("the audit does not show the redacted URL")
	}
}
