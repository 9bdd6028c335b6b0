package vault_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// faulty answers a request as fault says for the first bad requests, then
// with 200 "ok": "reset" closes the connection with a TCP RST before any
// answer, "stall" never answers (until the client gives up).
func faulty(fault string, bad int64) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) > bad {
			w.Header().Set("X-Amz-Request-Id", "req-ok")
			io.WriteString(w, "ok")
			return
		}
		switch fault {
		case "reset":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			conn.(*net.TCPConn).SetLinger(0) // close sends RST
			conn.Close()
		case "stall":
			<-r.Context().Done()
		}
	}
}

// TestFaultyEndpoint: an AWS endpoint that resets connections or stalls.
// Idempotent requests are retried (a bounded number of times, each attempt
// signed anew) and succeed once the endpoint recovers, or fail with an
// error that names the attempts and the cause; a non-idempotent write is
// sent once and never repeated; each call's audit entry says what happened.
func TestFaultyEndpoint(t *testing.T) {
	get := func(g string) vault.Call { return vault.Call{URL: s3URL, Grant: g} }
	put := func(g string) vault.Call { return dynamoCall(g, "PutItem", getItemBody) }
	tests := []struct {
		name       string
		fault      string
		bad        int64
		call       func(grant string) vault.Call
		attempts   int64
		wantErr    []string // empty: a 200
		idempotent bool
	}{
		{"GET reset twice, then answered", "reset", 2, get, 3, nil, true},
		{"GET always reset: gives up after 3 attempts", "reset", 99, get, 3, []string{"attempt 3", "GET"}, true},
		{"PutItem reset: not repeated", "reset", 99, put, 1, []string{"attempt 1", "POST"}, false},
		{"GET stalls twice, then answered", "stall", 2, get, 3, nil, true},
		{"GET always stalls: gives up after 3 attempts", "stall", 99, get, 3, []string{"attempt 3", "timeout awaiting response headers"}, true},
		{"PutItem stalls: not repeated", "stall", 99, put, 1, []string{"attempt 1", "timeout awaiting response headers"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAWS(t, faulty(tt.fault, tt.bad))
			h := routedHarness(t, f, func(o *vault.Options) { o.ResponseHeaderTimeout = 200 * time.Millisecond })
			g := h.addGrant(t, "g", policy.Policy{})
			start := time.Now()
			resp, err := h.v.Request(t.Context(), tt.call(g.ID))
			if err == nil {
				readAll(t, resp)
			}
			switch {
			case len(tt.wantErr) == 0 && (err != nil || resp.StatusCode != 200):
				t.Fatalf("err %v; want the call answered once the endpoint recovers", err)
			case len(tt.wantErr) > 0 && err == nil:
				t.Fatalf("status %d; want an error", resp.StatusCode)
			case len(tt.wantErr) > 0:
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				if errors.Is(err, vault.ErrAudit) {
					t.Errorf("error %v blames the audit", err)
				}
			}
			if got := f.hits.Load(); got != tt.attempts {
				t.Errorf("the endpoint got %d requests, want %d", got, tt.attempts)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: retries must be bounded", d)
			}
			e := h.lastEnd(t)
			wantOutcome := audit.OutcomeOK
			if len(tt.wantErr) > 0 {
				wantOutcome = audit.OutcomeNetworkError
			}
			if e.Outcome != wantOutcome || e.Attempts != int(tt.attempts) {
				t.Errorf("audit: outcome %q after %d attempts, want %q after %d", e.Outcome, e.Attempts, wantOutcome, tt.attempts)
			}
		})
	}
}
