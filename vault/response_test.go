package vault_test

import (
	"net/http"
	"testing"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Request's error answers carry what AWS said, parsed once by the vault:
// the same code and message the audit records, whatever was read since.
func TestRequestCarriesTheAWSError(t *testing.T) {
	const denied = `<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>body-id</RequestId></ErrorResponse>`
	handler, _ := sequence([]int{503, 403, 200}, []string{slowDown, denied, "ok"})
	f := newFakeAWS(t, handler)
	h := routedHarness(t, f, func(o *vault.Options) { o.MaxAttempts = 1 })
	g := h.addGrant(t, "g", policy.Policy{})
	for _, want := range []*awserr.Error{
		{Status: 503, Code: "SlowDown", Message: "Please reduce your request rate.", RequestID: "req-1", HostID: "id2-value"},
		{Status: 403, Code: "AccessDenied", Message: "no", RequestID: "req-2", HostID: "id2-value"},
		nil,
	} {
		resp, _ := do(t, h.v, vault.Call{URL: s3URL, Grant: g.Name}) // reads the body to its end
		got, ok := awserr.FromResponse(resp)
		if want == nil {
			if ok || resp.StatusCode != http.StatusOK {
				t.Errorf("%d: an error %+v", resp.StatusCode, got)
			}
			continue
		}
		if !ok || *got != *want {
			t.Errorf("%d: FromResponse = %+v, %v; want %+v", resp.StatusCode, got, ok, want)
			continue
		}
		if e := h.lastEnd(t); e.ErrorCode != got.Code || e.ErrorMessage != got.Message || e.RequestID != got.RequestID {
			t.Errorf("the audit says %q %q %q; the response %+v", e.ErrorCode, e.ErrorMessage, e.RequestID, got)
		}
	}
}
