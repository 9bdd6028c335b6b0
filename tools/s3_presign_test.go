//go:build unix

package tools

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestS3Presign: the URL s3_presign makes downloads the object from moto,
// with aws-sdk-go-v2's verifier checking it in front (moto's own check
// cannot read presigned URLs); the grant's policy decides; and the tool is
// offered only when some grant may presign.
func TestS3Presign(t *testing.T) {
	const keyID, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	moto := motoserver.Start(t)
	front := httptest.NewServer(sigcheck.Handler(sigcheck.Forward(moto), sigcheck.Static(keyID, secret)))
	t.Cleanup(front.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": front.URL}, nil)
	key := vault.StaticCredentials{AccessKeyID: keyID, SecretAccessKey: secret}
	rw := e.grant(t, "rw", policy.Policy{}, key)
	ro := e.grant(t, "ro", policy.Policy{ReadOnly: true}, key)
	no := e.grant(t, "no", policy.Policy{DenyPresign: true}, key)
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")

	const bucket = "presign-tool"
	c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + bucket})
	c.ok(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "shared/report 1.csv", "content": "a,b\n"})

	m := c.ok(t, "s3_presign", map[string]any{"grant_id": ro.ID, "bucket": bucket, "key": "shared/report 1.csv", "expires_seconds": 120, "reason": "send it to Dana"})
	u := str(m, "url")
	if !strings.HasPrefix(u, front.URL+"/"+bucket+"/shared/report%201.csv?") || num(m, "expires_in_seconds") > 120 || num(m, "expires_in_seconds") < 100 || str(m, "method") != "GET" {
		t.Fatalf("s3_presign: %v", m)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "a,b\n" {
		t.Errorf("GET the presigned URL: %d %q", resp.StatusCode, body)
	}
	if tampered, _ := http.Get(strings.Replace(u, "report%201", "report%202", 1)); tampered.StatusCode != 403 {
		t.Errorf("a presigned URL changed to another key: %d, want 403", tampered.StatusCode)
	}

	if m := c.fail(t, "s3_presign", map[string]any{"grant_id": ro.ID, "bucket": bucket, "key": "k", "method": "PUT"}, "denied"); m["rule"] != "read_only" {
		t.Errorf("PUT with a read-only grant: %v", m)
	}
	if m := c.fail(t, "s3_presign", map[string]any{"grant_id": no.ID, "bucket": bucket, "key": "k"}, "denied"); m["rule"] != "deny_presign" {
		t.Errorf("deny_presign grant: %v", m)
	}
	if m := c.fail(t, "s3_presign", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "k", "expires_seconds": 700000}, "invalid_arguments"); !strings.Contains(str(m, "message"), "604800") {
		t.Errorf("8 days: %v", m)
	}
	if m := c.fail(t, "s3_presign", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "k", "method": "DELETE"}, "invalid_arguments"); !strings.Contains(str(m, "message"), "GET, PUT or HEAD") {
		t.Errorf("DELETE: %v", m)
	}

	// A presigned PUT is a write: serve --read-only refuses it, and a
	// confirm_writes grant asks the user (refused when the client cannot).
	roServer := e.connect(t, e.server(t, Deps{}, Options{ReadOnly: true}, Session{}), "")
	if m := roServer.fail(t, "s3_presign", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "k", "method": "PUT"}, "read_only"); !strings.Contains(str(m, "message"), "read-only") {
		t.Errorf("PUT on a --read-only server: %v", m)
	}
	roServer.ok(t, "s3_presign", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "k"})
	confirm := e.grant(t, "confirm", policy.Policy{ConfirmWrites: true}, key)
	if m := c.fail(t, "s3_presign", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": "k", "method": "PUT"}, "confirmation_unavailable"); str(m, "audit_id") == "" {
		t.Errorf("PUT on a confirm_writes grant, client without elicitation: %v", m)
	}
	c.ok(t, "s3_presign", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": "k"}) // a GET is a read

	// Issuing is audited with the caller's client and session.
	recs, err := e.v.AuditLog().List(t.Context(), audit.Query{Operation: vault.OperationPresign})
	if err != nil || len(recs) == 0 {
		t.Fatalf("presign audit: %v %v", recs, err)
	}
	for _, r := range recs {
		if r.Client == "" || r.SessionID == "" {
			t.Errorf("presign audit entry without client or session: %+v", r)
		}
	}

	// Offered only when some grant may presign.
	only := newEnv(t, nil, nil)
	only.grant(t, "locked", policy.Policy{DenyPresign: true}, key)
	if names := listed(t, only.connect(t, only.server(t, Deps{}, Options{}, Session{}), "")); slices.Contains(names, "s3_presign") {
		t.Error("s3_presign is offered though no grant may presign")
	}
	if names := listed(t, c); !slices.Contains(names, "s3_presign") {
		t.Error("s3_presign is not offered")
	}
	if strings.Contains(e.all(), secret) {
		t.Error("a result shows the secret")
	}
}
