package vault_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// sequence answers with each status in turn, then with the last one.
func sequence(statuses []int, bodies []string) (http.HandlerFunc, *atomic.Int64) {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		i = min(i, len(statuses)-1)
		w.Header().Set("X-Amz-Request-Id", fmt.Sprintf("req-%d", i+1))
		w.Header().Set("X-Amz-Id-2", "id2-value")
		w.WriteHeader(statuses[i])
		io.WriteString(w, bodies[i])
	}, &n
}

const slowDown = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`

func TestRetry(t *testing.T) {
	throttleJSON := `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}`
	tests := []struct {
		name     string
		call     func(grant string) vault.Call
		statuses []int
		bodies   []string
		attempts int64
		status   int
	}{
		{"GET 503 SlowDown twice then 200",
			func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} },
			[]int{503, 503, 200}, []string{slowDown, slowDown, "a,b\n"}, 3, 200},
		{"PUT 500 then 200, body replayed",
			func(g string) vault.Call {
				return vault.Call{Method: "PUT", URL: s3URL, Grant: g, Body: []byte("x,y\n")}
			},
			[]int{500, 200}, []string{"", ""}, 2, 200},
		{"read-only POST throttled with a 400 code",
			func(g string) vault.Call { return dynamoCall(g, "GetItem", getItemBody) },
			[]int{400, 200}, []string{throttleJSON, "{}"}, 2, 200},
		{"429 then 200",
			func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} },
			[]int{429, 200}, []string{"", ""}, 2, 200},
		{"gives up after 3 attempts and returns the last answer",
			func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} },
			[]int{503}, []string{slowDown}, 3, 503},
		{"no retry of a non-idempotent POST",
			func(g string) vault.Call { return dynamoCall(g, "PutItem", getItemBody) },
			[]int{503, 200}, []string{"", ""}, 1, 503},
		{"no retry of a client error",
			func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} },
			[]int{403, 200}, []string{`<Error><Code>AccessDenied</Code><Message>no</Message></Error>`, ""}, 1, 403},
		{"no retry of 501",
			func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} },
			[]int{501, 200}, []string{"", ""}, 1, 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handler, _ := sequence(tt.statuses, tt.bodies)
			f := newFakeAWS(t, handler)
			h := routedHarness(t, f, nil)
			g := h.addGrant(t, "g", policy.Policy{})
			resp, body := do(t, h.v, tt.call(g.ID))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, tt.status, body)
			}
			if got := f.hits.Load(); got != tt.attempts {
				t.Errorf("server got %d requests, want %d", got, tt.attempts)
			}
			// Every attempt was signed anew and correctly, as aws-sdk-go-v2's
			// signer computes it.
			if got := f.verifier.Verified(); got != tt.attempts {
				t.Errorf("verified %d signatures, want %d", got, tt.attempts)
			}
			e := h.lastEnd(t)
			if e.Attempts != int(tt.attempts) || e.Status != tt.status {
				t.Errorf("audit: attempts %d status %d, want %d %d", e.Attempts, e.Status, tt.attempts, tt.status)
			}
			if e.RequestID != fmt.Sprintf("req-%d", min(int(tt.attempts), len(tt.statuses))) || e.AmzID2 != "id2-value" {
				t.Errorf("audit: request id %q, id-2 %q", e.RequestID, e.AmzID2)
			}
		})
	}
}

func TestRetryErrorCodeRecorded(t *testing.T) {
	handler, _ := sequence([]int{503}, []string{slowDown})
	f := newFakeAWS(t, handler)
	h := routedHarness(t, f, func(o *vault.Options) { o.MaxAttempts = 1 })
	g := h.addGrant(t, "g", policy.Policy{})
	resp, body := do(t, h.v, vault.Call{URL: s3URL, Grant: g.Name})
	if resp.StatusCode != 503 || body != slowDown {
		t.Fatalf("got %d %q: the caller must get the whole error body", resp.StatusCode, body)
	}
	e := h.lastEnd(t)
	if e.ErrorCode != "SlowDown" || e.ErrorMessage != "Please reduce your request rate." || e.Outcome != audit.OutcomeAWSError {
		t.Errorf("audit: code %q message %q outcome %q", e.ErrorCode, e.ErrorMessage, e.Outcome)
	}
	if e.ResponseBytes != int64(len(slowDown)) {
		t.Errorf("audit: response_bytes %d, want %d", e.ResponseBytes, len(slowDown))
	}
}

func TestRetryWaitsForContext(t *testing.T) {
	handler, _ := sequence([]int{503}, []string{""})
	f := newFakeAWS(t, handler)
	h := routedHarness(t, f, func(o *vault.Options) { o.RetryBaseDelay, o.RetryMaxDelay = time.Hour, time.Hour })
	g := h.addGrant(t, "g", policy.Policy{})
	start := time.Now()
	_, err := h.v.Request(t.Context(), vault.Call{URL: s3URL, Grant: g.ID, Timeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err = %v, want the deadline to end the call", err)
	}
	if f.hits.Load() > 1 {
		t.Errorf("%d attempts; the backoff is an hour", f.hits.Load())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v; the timeout must cut the backoff short", d)
	}
}
