package vault_test

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// TestAnswersNeverShowTheGrantsSecrets: AWS's answers reach the caller with
// the grant's session token masked in every form AWS echoes it (S3's
// SignatureDoesNotMatch shows the canonical request as spaced hex), and
// with credentials in an answer masked unless the grant may issue them.
func TestAnswersNeverShowTheGrantsSecrets(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+with=odd/chars0123456789abcdefghij"
	f := newFakeAWS(t, func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Amz-Security-Token")
		if r.URL.Query().Get("Action") == "GetCallerIdentity" {
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, "<GetCallerIdentityResponse><Result><Arn>arn:aws:iam::123456789012:user/u</Arn>"+
				"<Echo><SecretAccessKey>someOtherSecretFromAWSxxxxxxxxxxxxxxxxxxx</SecretAccessKey><SessionToken>anotherTokenyyyyyyyyyyyyyyyyy</SessionToken></Echo>"+
				"<Mine>%s</Mine></Result></GetCallerIdentityResponse>", tok)
			return
		}
		canonical := "GET\n/k\n\nhost:" + r.Host + "\nx-amz-security-token:" + tok + "\n"
		h := hex.EncodeToString([]byte(canonical))
		var spaced []string
		for i := 0; i < len(h); i += 2 {
			spaced = append(spaced, h[i:i+2])
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message><CanonicalRequest>%s</CanonicalRequest><CanonicalRequestBytes>%s</CanonicalRequestBytes><Raw>%s</Raw></Error>",
			canonical, strings.Join(spaced, " "), h)
	})
	h := routedHarness(t, f, nil)
	creds := vault.StaticCredentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: token}
	plain := h.addGrant(t, "plain", policy.Policy{}, creds)
	issuer := h.addGrant(t, "issuer", policy.Policy{IssueCredentials: true}, creds)

	resp, body := do(t, h.v, vault.Call{Grant: plain.ID, URL: "https://bkt.s3.us-east-1.amazonaws.com/k"})
	if resp.StatusCode != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	hexTok := hex.EncodeToString([]byte(token))
	for _, leak := range []string{token, hexTok[:40], spacedPrefix(hexTok, 40), testSecret} {
		if strings.Contains(body, leak) {
			t.Errorf("the answer shows the grant's secret (%.30q...): %s", leak, body)
		}
	}
	if !strings.Contains(body, "REDACTED") {
		t.Errorf("no mask in %s", body)
	}

	sts := "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
	_, body = do(t, h.v, vault.Call{Grant: plain.ID, URL: sts})
	for _, leak := range []string{token, "someOtherSecretFromAWS", "anotherToken"} {
		if strings.Contains(body, leak) {
			t.Errorf("grant without issue_credentials: %q in %s", leak, body)
		}
	}
	_, body = do(t, h.v, vault.Call{Grant: issuer.ID, URL: sts})
	if strings.Contains(body, token) {
		t.Errorf("issue_credentials shows the grant's own token: %s", body)
	}
	if !strings.Contains(body, "someOtherSecretFromAWS") || !strings.Contains(body, "anotherToken") {
		t.Errorf("issue_credentials: the credentials AWS issued were masked: %s", body)
	}
}

func spacedPrefix(h string, n int) string {
	var b strings.Builder
	for i := 0; i+1 < len(h) && b.Len() < n; i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}
