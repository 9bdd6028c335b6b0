//go:build unix

package audit_test

// TestEntryFields makes real calls through the vault to moto, a local
// emulation of AWS that checks signatures, and checks every field of the
// audit entries they leave, one subtest per JSON field.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/store"
	"github.com/alter-mcp/alter-mcp/vault"
)

// lastEntry is the newest entry of v's audit.
func lastEntry(t *testing.T, v *vault.Vault) audit.Entry {
	t.Helper()
	es, err := v.AuditLog().List(t.Context(), audit.Query{Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("List: %d entries, %v", len(es), err)
	}
	return es[0]
}

// entryFields are the JSON names of audit.Entry.
func entryFields() []string {
	var names []string
	typ := reflect.TypeFor[audit.Entry]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

func TestEntryFields(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "audit-moto")
	home := t.TempDir()
	v := openVault(t, home, env{"AWS_ENDPOINT_URL": endpoint}, nil)
	ctx := t.Context()
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	rw, err := v.AddGrant(ctx, vault.GrantSpec{Name: "admin", Static: &key})
	if err != nil {
		t.Fatal(err)
	}
	ro, err := v.AddGrant(ctx, vault.GrantSpec{Name: "reader", Static: &key, Policy: policy.Policy{ReadOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.AddCaller(ctx, "bot", []string{"reader"}); err != nil {
		t.Fatal(err)
	}

	const bucket = "audit-fields"
	objURL := "https://" + bucket + ".s3.us-east-1.amazonaws.com/reports/q1.csv"
	body := []byte("a,b\n1,2\n")
	do := func(c vault.Call) (*http.Response, string, audit.Entry) {
		t.Helper()
		resp, err := v.Request(ctx, c)
		if err != nil {
			t.Fatalf("%s %s: %v", c.Method, c.URL, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b), lastEntry(t, v)
	}
	meta := func(c vault.Call) vault.Call {
		c.Caller, c.Tool, c.Client, c.SessionID = "bot", "aws_request", "claude-desktop/0.9.1", "sess-42"
		c.TraceID, c.SpanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		c.OAuth = vault.OAuthIdentity{Issuer: "https://idp.example.com/realms/aws", Subject: "svc-1", ClientID: "reports-agent"}
		c.Reason, c.Context = "summarize the quarterly report", map[string]any{"task": "weekly", "step": 2}
		return c
	}

	if resp, out, _ := do(vault.Call{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/" + bucket, Grant: rw.ID}); resp.StatusCode != 200 {
		t.Fatalf("CreateBucket: %d %s", resp.StatusCode, out)
	}
	approval := &vault.ApprovalDecision{ID: "apr_fields", Decision: "approved", By: "alice (console)", Via: "held", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	resp, out, put := do(vault.Call{Method: "PUT", URL: objURL, Grant: rw.ID, Body: body, Approval: approval, File: "reports/q1.csv"})
	if resp.StatusCode != 200 {
		t.Fatalf("PutObject: %d %s", resp.StatusCode, out)
	}
	before := time.Now()
	resp, out, get := do(meta(vault.Call{URL: objURL, Grant: ro.Name}))
	after := time.Now()
	if resp.StatusCode != 200 || out != string(body) {
		t.Fatalf("GetObject: %d %q", resp.StatusCode, out)
	}
	getResp := resp
	resp, out, missing := do(vault.Call{URL: "https://" + bucket + ".s3.us-east-1.amazonaws.com/missing", Grant: ro.ID})
	if resp.StatusCode != 404 {
		t.Fatalf("missing key: %d %s", resp.StatusCode, out)
	}
	resp, out, sts := do(vault.Call{Method: "POST", URL: "https://sts.us-east-1.amazonaws.com/", Grant: ro.ID,
		Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}})
	if resp.StatusCode != 200 {
		t.Fatalf("GetCallerIdentity: %d %s", resp.StatusCode, out)
	}
	if _, err := v.Request(ctx, meta(vault.Call{Method: "PUT", URL: objURL, Grant: ro.ID, Body: []byte("x")})); err == nil {
		t.Fatal("a write through the read-only grant was allowed")
	}
	denied := lastEntry(t, v)
	presigned := "https://" + bucket + ".s3.us-east-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + admin.AccessKeyID +
		"%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=FwoGZXIvYXdzTOKEN&X-Amz-Signature=abcdef0123&x-id=GetObject"
	if _, err := v.Request(ctx, vault.Call{URL: presigned, Grant: ro.ID}); err == nil {
		t.Fatal("a presigned URL was signed again")
	}
	refused := lastEntry(t, v)
	shared, err := v.Presign(ctx, ro.ID, "GET", objURL, 10*time.Minute, vault.ClientOptions{Reason: "share it"})
	if err != nil {
		t.Fatal(err)
	}
	presign := lastEntry(t, v)

	// A network error: a vault whose endpoint refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	v2 := openVault(t, t.TempDir(), env{"AWS_ENDPOINT_URL": closed}, func(o *vault.Options) { o.MaxAttempts = 2 })
	g2, err := v2.AddGrant(ctx, vault.GrantSpec{Name: "g", Static: &key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Request(ctx, vault.Call{URL: objURL, Grant: g2.ID}); err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	netErr := lastEntry(t, v2)

	// Real S3 answers x-amz-request-id and x-amz-id-2, which moto leaves out.
	s3like := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Request-Id", "4442587FB7D0A2F9")
		w.Header().Set("X-Amz-Id-2", "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=")
		io.WriteString(w, "ok")
	}))
	defer s3like.Close()
	v3 := openVault(t, t.TempDir(), env{"AWS_ENDPOINT_URL": s3like.URL}, nil)
	g3, err := v3.AddGrant(ctx, vault.GrantSpec{Name: "g", Static: &key})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := v3.Request(ctx, vault.Call{URL: objURL, Grant: g3.ID}); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	realS3 := lastEntry(t, v3)

	records, err := v.Store().ListAudit(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	bySeq := map[int64]store.AuditRecord{}
	for _, r := range records {
		bySeq[r.Seq] = r
	}
	sum := sha256.Sum256(body)

	checks := map[string]func(t *testing.T){
		"id": func(t *testing.T) {
			if !strings.HasPrefix(get.ID, "aud_") || len(get.ID) != 30 || get.ID == put.ID {
				t.Errorf("id %q (put %q)", get.ID, put.ID)
			}
		},
		"time": func(t *testing.T) {
			if get.Time.Before(before.Add(-time.Second)) || get.Time.After(after) || get.Time.Location() != time.UTC {
				t.Errorf("time %v, the call ran from %v to %v", get.Time, before, after)
			}
		},
		"caller":     func(t *testing.T) { want(t, get.Caller, "bot"); want(t, put.Caller, "") },
		"client":     func(t *testing.T) { want(t, get.Client, "claude-desktop/0.9.1") },
		"session_id": func(t *testing.T) { want(t, get.SessionID, "sess-42") },
		"trace_id":   func(t *testing.T) { want(t, get.TraceID, "4bf92f3577b34da6a3ce929d0e0e4736"); want(t, put.TraceID, "") },
		"span_id":    func(t *testing.T) { want(t, get.SpanID, "00f067aa0ba902b7"); want(t, put.SpanID, "") },
		"token_issuer": func(t *testing.T) {
			want(t, get.TokenIssuer, "https://idp.example.com/realms/aws")
			want(t, put.TokenIssuer, "")
		},
		"token_subject":   func(t *testing.T) { want(t, get.TokenSubject, "svc-1") },
		"token_client_id": func(t *testing.T) { want(t, get.TokenClientID, "reports-agent") },
		"tool":            func(t *testing.T) { want(t, get.Tool, "aws_request") },
		"reason":          func(t *testing.T) { want(t, get.Reason, "summarize the quarterly report") },
		"context":         func(t *testing.T) { want(t, string(get.Context), `{"step":2,"task":"weekly"}`) },
		"grant_id":        func(t *testing.T) { want(t, get.GrantID, ro.ID); want(t, put.GrantID, rw.ID) },
		"grant_name":      func(t *testing.T) { want(t, get.GrantName, "reader") },
		"decision": func(t *testing.T) {
			want(t, get.Decision, audit.DecisionAllow)
			want(t, denied.Decision, audit.DecisionDeny)
			want(t, refused.Decision, audit.DecisionDeny)
		},
		"rule": func(t *testing.T) {
			want(t, denied.Rule, policy.RuleReadOnly)
			want(t, refused.Rule, "invalid")
			want(t, get.Rule, "")
		},
		"service":   func(t *testing.T) { want(t, get.Service, "s3"); want(t, sts.Service, "sts") },
		"region":    func(t *testing.T) { want(t, get.Region, "us-east-1") },
		"operation": func(t *testing.T) { want(t, get.Operation, "GetObject"); want(t, put.Operation, "PutObject") },
		"event_source": func(t *testing.T) {
			want(t, get.EventSource, "s3.amazonaws.com")
			want(t, sts.EventSource, "sts.amazonaws.com")
		},
		"action": func(t *testing.T) { want(t, get.Action, "s3:GetObject"); want(t, denied.Action, "s3:PutObject") },
		"read_only": func(t *testing.T) {
			if !get.ReadOnly || put.ReadOnly || !sts.ReadOnly {
				t.Errorf("read_only: get %v put %v sts %v", get.ReadOnly, put.ReadOnly, sts.ReadOnly)
			}
		},
		"inputs": func(t *testing.T) {
			want(t, sts.Inputs["body:Action"], "GetCallerIdentity")
			if _, ok := get.Inputs["x-amz-date"]; ok {
				t.Errorf("inputs record the signature's headers: %v", get.Inputs)
			}
		},
		"method": func(t *testing.T) { want(t, get.Method, "GET"); want(t, put.Method, "PUT") },
		"url": func(t *testing.T) {
			want(t, get.URL, objURL)
			want(t, refused.URL, "https://"+bucket+".s3.us-east-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"+
				"&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED&x-id=GetObject")
		},
		"endpoint":       func(t *testing.T) { want(t, get.Endpoint, endpoint) },
		"request_bytes":  func(t *testing.T) { wantN(t, put.RequestBytes, int64(len(body))); wantN(t, get.RequestBytes, 0) },
		"request_sha256": func(t *testing.T) { want(t, put.RequestSHA, hex.EncodeToString(sum[:])); want(t, get.RequestSHA, "") },
		"status": func(t *testing.T) {
			wantN(t, get.Status, 200)
			wantN(t, missing.Status, 404)
			wantN(t, netErr.Status, 0)
		},
		"access_key_id": func(t *testing.T) {
			want(t, get.AccessKeyID, admin.AccessKeyID)
			want(t, netErr.AccessKeyID, "")
		},
		"request_id": func(t *testing.T) {
			// moto answers x-amzn-RequestId, for S3 as for STS; S3 itself
			// x-amz-request-id.
			want(t, get.RequestID, getResp.Header.Get("X-Amzn-Requestid"))
			if get.RequestID == "" || sts.RequestID == "" || sts.RequestID == get.RequestID {
				t.Errorf("request ids: s3 %q, sts %q", get.RequestID, sts.RequestID)
			}
			want(t, realS3.RequestID, "4442587FB7D0A2F9")
		},
		"amz_id_2": func(t *testing.T) {
			want(t, realS3.AmzID2, "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=")
			want(t, get.AmzID2, "")
		},
		"error_code": func(t *testing.T) { want(t, missing.ErrorCode, "NoSuchKey"); want(t, get.ErrorCode, "") },
		"error_message": func(t *testing.T) {
			if !strings.Contains(missing.ErrorMessage, "does not exist") || !strings.Contains(denied.ErrorMessage, "read_only") ||
				!strings.Contains(netErr.ErrorMessage, "refused") || get.ErrorMessage != "" {
				t.Errorf("error messages: 404 %q, denied %q, network %q, ok %q", missing.ErrorMessage, denied.ErrorMessage, netErr.ErrorMessage, get.ErrorMessage)
			}
		},
		"response_bytes": func(t *testing.T) { wantN(t, get.ResponseBytes, int64(len(body))); wantN(t, denied.ResponseBytes, 0) },
		"duration_ms": func(t *testing.T) {
			if get.DurationMS < 0 || get.DurationMS > after.Sub(before).Milliseconds()+1 {
				t.Errorf("duration_ms %d, the call took %v", get.DurationMS, after.Sub(before))
			}
		},
		"attempts": func(t *testing.T) { wantN(t, get.Attempts, 1); wantN(t, netErr.Attempts, 2) },
		"expires": func(t *testing.T) {
			if !presign.Expires.Equal(shared.Expires) || presign.Operation != vault.OperationPresign || !get.Expires.IsZero() {
				t.Errorf("expires: presign %v (%s), want %v; a call %v", presign.Expires, presign.Operation, shared.Expires, get.Expires)
			}
			if strings.Contains(presign.URL, "X-Amz-Signature") {
				t.Errorf("the presign entry records the signed URL: %s", presign.URL)
			}
		},
		"outcome": func(t *testing.T) {
			for _, c := range []struct{ e, want string }{
				{get.Outcome, audit.OutcomeOK}, {missing.Outcome, audit.OutcomeAWSError}, {denied.Outcome, audit.OutcomeDenied},
				{refused.Outcome, audit.OutcomeDenied}, {netErr.Outcome, audit.OutcomeNetworkError},
			} {
				want(t, c.e, c.want)
			}
		},
		"seq": func(t *testing.T) {
			if r := bySeq[get.Seq]; r.EntryID != get.ID || r.Kind != audit.KindEnd {
				t.Errorf("seq %d is %s %s", get.Seq, r.EntryID, r.Kind)
			}
		},
		"kind": func(t *testing.T) { want(t, get.Kind, audit.KindEnd) },
		"file": func(t *testing.T) { want(t, put.File, "reports/q1.csv"); want(t, get.File, "") },
		"approval": func(t *testing.T) {
			if put.Approval == nil || *put.Approval != *approval || get.Approval != nil {
				t.Errorf("approval: the approved write's %+v, want %+v; a read's %+v", put.Approval, approval, get.Approval)
			}
		},
		"recorded_at": func(t *testing.T) {
			if get.RecordedAt.Before(get.Time) || get.RecordedAt.After(after) || !get.RecordedAt.Equal(bySeq[get.Seq].Time) {
				t.Errorf("recorded_at %v, time %v", get.RecordedAt, get.Time)
			}
		},
		"writer": func(t *testing.T) {
			if w := get.Writer; w == nil || *w != v.AuditLog().Writer() {
				t.Errorf("writer %+v, the vault's log is %+v", get.Writer, v.AuditLog().Writer())
			}
		},
		"prev_hash": func(t *testing.T) {
			want(t, get.PrevHash, bySeq[get.Seq-1].Hash)
			want(t, bySeq[1].PrevHash, "")
		},
		"hash": func(t *testing.T) {
			want(t, get.Hash, bySeq[get.Seq].Hash)
			if len(get.Hash) != 64 {
				t.Errorf("hash %q", get.Hash)
			}
			rep, err := v.AuditLog().Verify(ctx)
			if err != nil || rep.Problem != nil || rep.Records != int64(len(records)) {
				t.Errorf("verify: %v, %v", rep, err)
			}
		},
	}
	for _, name := range entryFields() {
		check, ok := checks[name]
		if !ok {
			t.Errorf("no check for field %s", name)
			continue
		}
		t.Run(name, check)
	}

	// Begin records: written before the call, so without its answer.
	_, recs, err := v.AuditLog().Get(ctx, get.ID)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Get: %d records, %v", len(recs), err)
	}
	if b := recs[0]; b.Kind != audit.KindBegin || b.Status != 0 || b.RequestID != "" || b.Outcome != "" || b.Reason != get.Reason || b.Action != "s3:GetObject" {
		t.Errorf("begin record %+v", b)
	}
	// No secret in any record.
	raw, _ := json.Marshal(records)
	for _, secret := range []string{admin.SecretAccessKey, "FwoGZXIvYXdzTOKEN", "abcdef0123"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit holds %q", secret)
		}
	}
	if slices.ContainsFunc(records, func(r store.AuditRecord) bool { return strings.Contains(string(r.Data), "Authorization") }) {
		t.Error("the audit holds an Authorization header")
	}
}

func want(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func wantN[N int | int64](t *testing.T, got, want N) {
	t.Helper()
	if got != want {
		t.Errorf("got %d, want %d", got, want)
	}
}
