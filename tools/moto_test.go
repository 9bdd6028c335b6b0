//go:build unix

package tools

// These tests call the tools through mcp-go's in-process client, in both
// protocol eras, and the vault sends the calls to moto (a local emulation
// of AWS) by AWS_ENDPOINT_URL routing. One moto checks SigV4 signatures and
// IAM permissions itself. moto miscomputes the signatures of S3 requests
// whose keys or query hold characters beyond the unreserved ones, so the
// S3 tests with such keys go to a second moto, whose own checking is off,
// behind internal/sigcheck, which verifies every signature with
// aws-sdk-go-v2's signer before forwarding the request.

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

const motoAccount = "123456789012"

// elicitor is a client's elicitation handler: it records what it was asked
// and answers as told.
type elicitor struct {
	mu      sync.Mutex
	asked   []string
	action  mcp.ElicitationResponseAction
	approve bool
}

func (h *elicitor) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, req.Params.Message)
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: h.action, Content: map[string]any{"approve": h.approve}}}, nil
}

func (h *elicitor) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.asked)
}

func (h *elicitor) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.asked) == 0 {
		return ""
	}
	return h.asked[len(h.asked)-1]
}

func TestMoto(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "tools-moto")
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	ctx := t.Context()

	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": endpoint}, nil)
	rw := e.grant(t, "admin", policy.Policy{}, key)
	ro := e.grant(t, "reader", policy.Policy{ReadOnly: true}, key)
	nodyn := e.grant(t, "no-dynamodb", policy.Policy{DenyServices: []string{"dynamodb"}, RequireReason: true}, key)
	confirm := e.grant(t, "confirm", policy.Policy{ConfirmWrites: true}, key)
	confirmRO := e.grant(t, "confirm-ro", policy.Policy{ConfirmWrites: true, ReadOnly: true}, key)
	wrongSecret := e.grant(t, "wrong-secret", policy.Policy{}, vault.StaticCredentials{
		AccessKeyID: admin.AccessKeyID, SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET"})
	old := e.grant(t, "old", policy.Policy{}, key)
	if err := e.v.RevokeGrant(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.v.AddCaller(ctx, "alice", []string{ro.ID}); err != nil {
		t.Fatal(err)
	}

	operator := e.server(t, Deps{}, Options{}, Session{})
	c := e.connect(t, operator, "")
	legacy := e.connect(t, operator, legacy2025)
	alice := e.connect(t, e.server(t, Deps{}, Options{}, Session{Caller: "alice", Name: "alice", SessionID: "alice-session"}), legacy2024)

	// Every subtest works on this bucket, made here so that any one of
	// them passes alone (go test -run 'TestMoto/s3_tools').
	const bucket = "tools-moto-bucket"
	c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + bucket})

	t.Run("list_grants", func(t *testing.T) {
		for _, cl := range []*mcpClient{c, legacy} {
			m := cl.ok(t, "list_grants", nil)
			gs, _ := m["grants"].([]any)
			var names []string
			for _, g := range gs {
				names = append(names, str(g.(map[string]any), "name"))
			}
			if strings.Join(names, ",") != "admin,reader,no-dynamodb,confirm,confirm-ro,wrong-secret" {
				t.Errorf("operator sees %v", names)
			}
		}
		m := alice.ok(t, "list_grants", nil)
		gs, _ := m["grants"].([]any)
		if len(gs) != 1 {
			t.Fatalf("alice sees %v", m)
		}
		g := gs[0].(map[string]any)
		if str(g, "grant_id") != ro.ID || g["read_only"] != true || len(g["allowed_services"].([]any)) != 0 {
			t.Errorf("alice's grant: %v", g)
		}
		alice.fail(t, "list_grants", map[string]any{"grant": "x"}, "invalid_arguments")
	})

	t.Run("aws_whoami and the audit", func(t *testing.T) {
		m := c.ok(t, "aws_whoami", map[string]any{"grant_id": rw.Name, "reason": "check the identity", "context": map[string]any{"ticket": "OPS-42"}})
		if str(m, "account") != motoAccount || !strings.Contains(str(m, "arn"), "user/tools-moto") || str(m, "grant_id") != rw.ID {
			t.Fatalf("whoami: %v", m)
		}
		entry, _, err := e.v.AuditLog().Get(ctx, str(m, "audit_id"))
		if err != nil {
			t.Fatalf("audit entry %q: %v", str(m, "audit_id"), err)
		}
		if entry.Tool != "aws_whoami" || entry.Reason != "check the identity" || !strings.Contains(string(entry.Context), "OPS-42") ||
			entry.Client != "tools-test/1.0" || entry.SessionID == "" || entry.Operation != "GetCallerIdentity" || entry.RequestID != str(m, "request_id") {
			t.Errorf("audit entry %+v", entry)
		}
		// Alice's one grant needs no grant_id; her name reaches the audit.
		m = alice.ok(t, "aws_whoami", nil)
		if entry, _, _ := e.v.AuditLog().Get(ctx, str(m, "audit_id")); entry.Caller != "alice" || entry.SessionID != "alice-session" || entry.GrantID != ro.ID {
			t.Errorf("alice's audit entry %+v", entry)
		}
		// Several grants and no default: the agent must choose.
		m = c.fail(t, "aws_whoami", nil, "grant_required")
		if gs, _ := m["grants"].([]any); len(gs) != 6 {
			t.Errorf("grant_required lists %v", m["grants"])
		}
		withDefault := e.connect(t, e.server(t, Deps{DefaultGrant: "reader"}, Options{}, Session{}), "")
		if m := withDefault.ok(t, "aws_whoami", nil); str(m, "grant_name") != "reader" {
			t.Errorf("default grant: %v", m)
		}
		c.fail(t, "aws_whoami", map[string]any{"grant_id": "nope"}, "grant_not_found")
		c.fail(t, "aws_whoami", map[string]any{"grant_id": old.ID}, "grant_revoked")
		alice.fail(t, "aws_whoami", map[string]any{"grant_id": rw.ID}, "grant_not_allowed")
	})

	t.Run("aws_request S3", func(t *testing.T) {
		m := c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + bucket + "-2"})
		if num(m, "status") != 200 || str(m, "operation") != "CreateBucket" || str(m, "audit_id") == "" {
			t.Fatalf("CreateBucket: %v", m)
		}
		m = c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/notes/hello.txt",
			"body": "hello, world", "headers": map[string]any{"Content-Type": "text/plain"}})
		if num(m, "status") != 200 {
			t.Fatalf("PutObject: %v", m)
		}
		m = legacy.ok(t, "aws_request", map[string]any{"grant_id": ro.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/notes/hello.txt"})
		if m["body"] != "hello, world" || m["format"] != "text" || m["truncated"] != false || num(m, "total_bytes") != 12 {
			t.Errorf("GetObject: %v", m)
		}
		m = c.ok(t, "aws_request", map[string]any{"grant_id": ro.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/",
			"query": map[string]any{"list-type": "2"}})
		if m["format"] != "json" || !strings.Contains(mustJSON(m["body"]), `"Key":"notes/hello.txt"`) || str(m, "action") != "s3:ListBucket" {
			t.Errorf("ListObjectsV2 as JSON: %v", m)
		}
		m = c.call2(t, "aws_request", map[string]any{"grant_id": ro.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/missing"})
		if m["error_code"] != "NoSuchKey" || num(m, "status") != 404 || str(m, "request_id") == "" || str(m, "audit_id") == "" {
			t.Errorf("a missing key: %v", m)
		}
		m = c.call2(t, "aws_request", map[string]any{"grant_id": wrongSecret.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/notes/hello.txt"})
		if m["error_code"] != "SignatureDoesNotMatch" || !strings.Contains(str(m, "hint"), "encode") {
			t.Errorf("a wrong secret: %v", m)
		}
	})

	t.Run("aws_request DynamoDB", func(t *testing.T) {
		dynamo := func(cl *mcpClient, grant, op string, body any) map[string]any {
			return cl.ok(t, "aws_request", map[string]any{"grant_id": grant, "url": "https://dynamodb.us-east-1.amazonaws.com/",
				"headers": map[string]any{"X-Amz-Target": "DynamoDB_20120810." + op}, "json": body})
		}
		dynamo(c, rw.ID, "CreateTable", map[string]any{"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
			"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
			"KeySchema":            []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}}})
		m := dynamo(c, rw.ID, "PutItem", map[string]any{"TableName": "t", "Item": map[string]any{"id": map[string]any{"S": "1"}, "name": map[string]any{"S": "alter"}}})
		if str(m, "operation") != "PutItem" {
			t.Errorf("PutItem: %v", m)
		}
		m = dynamo(legacy, ro.ID, "GetItem", map[string]any{"TableName": "t", "Key": map[string]any{"id": map[string]any{"S": "1"}}})
		if m["format"] != "json" || !strings.Contains(mustJSON(m["body"]), `"name":{"S":"alter"}`) || str(m, "action") != "dynamodb:GetItem" {
			t.Errorf("GetItem: %v", m)
		}
		m = c.fail(t, "aws_request", map[string]any{"grant_id": ro.ID, "url": "https://dynamodb.us-east-1.amazonaws.com/",
			"headers": map[string]any{"X-Amz-Target": "DynamoDB_20120810.PutItem"}, "json": map[string]any{"TableName": "t"}}, "denied")
		if m["rule"] != "read_only" || m["sent"] != false || str(m, "audit_id") == "" {
			t.Errorf("PutItem with a read-only grant: %v", m)
		}
	})

	t.Run("policy denials", func(t *testing.T) {
		m := c.fail(t, "aws_request", map[string]any{"grant_id": nodyn.ID, "reason": "list tables", "url": "https://dynamodb.us-east-1.amazonaws.com/",
			"headers": map[string]any{"X-Amz-Target": "DynamoDB_20120810.ListTables"}, "json": map[string]any{}}, "denied")
		if m["rule"] != "deny_services" || m["grant"] != "no-dynamodb" || !strings.Contains(str(m, "message"), "deny_services") {
			t.Errorf("deny_services: %v", m)
		}
		m = c.fail(t, "aws_whoami", map[string]any{"grant_id": nodyn.ID}, "denied")
		if m["rule"] != "require_reason" {
			t.Errorf("require_reason: %v", m)
		}
		entry, _, err := e.v.AuditLog().Get(ctx, str(m, "audit_id"))
		if err != nil || entry.Decision != "deny" || entry.Rule != "require_reason" {
			t.Errorf("the denial's audit entry: %+v %v", entry, err)
		}
	})

	t.Run("URLs that are not AWS", func(t *testing.T) {
		var conns atomic.Int64
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		srv.Config.ConnState = func(net.Conn, http.ConnState) { conns.Add(1) }
		srv.Start()
		t.Cleanup(srv.Close)
		for _, u := range []string{srv.URL + "/", "https://" + srv.Listener.Addr().String() + "/", "https://example.com/",
			"https://s3.us-east-1.amazonaws.com.evil.example/x", "https://user:pw@s3.us-east-1.amazonaws.com/"} {
			m := c.fail(t, "aws_request", map[string]any{"grant_id": rw.ID, "url": u}, "not_aws")
			if m["sent"] != false {
				t.Errorf("%s: %v", u, m)
			}
		}
		if n := conns.Load(); n != 0 {
			t.Errorf("%d connections reached the server", n)
		}
		c.fail(t, "aws_request", map[string]any{"grant_id": rw.ID, "url": "https://sts.us-east-1.amazonaws.com/", "region": "eu-west-1"}, "invalid_arguments")
		c.fail(t, "aws_request", map[string]any{"grant_id": rw.ID, "url": "https://sts.us-east-1.amazonaws.com/", "body": "a", "json": map[string]any{}}, "invalid_arguments")
		c.fail(t, "aws_request", map[string]any{"grant_id": rw.ID, "url": "https://sts.us-east-1.amazonaws.com/", "max_bytes": 5 << 20}, "invalid_arguments")
		m := c.fail(t, "aws_request", map[string]any{"grant_id": rw.ID, "uri": "https://sts.us-east-1.amazonaws.com/"}, "invalid_arguments")
		if !strings.Contains(str(m, "message"), `unknown argument "uri"`) || !strings.Contains(str(m, "message"), "url") {
			t.Errorf("unknown argument: %v", m)
		}
	})

	t.Run("read_response", func(t *testing.T) {
		body := strings.Repeat("Grüße aus dem Log, Zeile für Zeile. ", 1200) // 42 KB, two-byte characters throughout
		c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/big.log", "body": body})
		m := c.ok(t, "aws_request", map[string]any{"grant_id": ro.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/big.log", "max_bytes": 1001})
		id := str(m, "response_id")
		if m["truncated"] != true || id == "" || num(m, "total_bytes") != int64(len(body)) || m["format"] != "text" {
			t.Fatalf("truncated GetObject: %v", m)
		}
		got := str(m, "body")
		if num(m, "next_offset") != int64(len(got)) || len(got) > 1001 || !strings.HasPrefix(body, got) {
			t.Fatalf("first slice: %d bytes, next_offset %v", len(got), m["next_offset"])
		}
		for calls := 0; ; calls++ {
			cl := c
			if calls%2 == 1 {
				cl = legacy
			}
			m = cl.ok(t, "read_response", map[string]any{"response_id": id, "offset": len(got), "max_bytes": 7001})
			got += str(m, "body")
			if m["truncated"] != true {
				break
			}
			if calls > 20 {
				t.Fatal("read_response never ends")
			}
		}
		if got != body {
			t.Fatalf("read back %d bytes, want %d", len(got), len(body))
		}
		res, err := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "alter://responses/" + id}})
		if err != nil || len(res.Contents) != 1 {
			t.Fatalf("resource: %v %v", res, err)
		}
		e.record(mustJSON(res))
		if tc, ok := res.Contents[0].(mcp.TextResourceContents); !ok || tc.Text != body {
			t.Errorf("resource: %T", res.Contents[0])
		}
		// Another caller cannot read it, nor can anyone read a made-up id.
		alice.fail(t, "read_response", map[string]any{"response_id": id}, "response_not_found")
		if _, err := alice.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "alter://responses/" + id}}); err == nil {
			t.Error("alice read the operator's response")
		}
		c.fail(t, "read_response", map[string]any{"response_id": "rsp_nothing"}, "response_not_found")
		c.fail(t, "read_response", map[string]any{"response_id": id, "offset": len(body) + 1}, "invalid_arguments")
	})

	t.Run("s3 tools", func(t *testing.T) {
		m := c.ok(t, "s3_list_buckets", map[string]any{"grant_id": ro.ID})
		if !strings.Contains(mustJSON(m["buckets"]), `"name":"`+bucket+`"`) {
			t.Errorf("s3_list_buckets: %v", m)
		}
		m = c.ok(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "data/report.csv", "content": "a,b\n1,2\n",
			"metadata": map[string]any{"owner": "ops"}})
		if str(m, "etag") == "" || num(m, "size") != 8 || str(m, "content_type") != "text/csv; charset=utf-8" {
			t.Errorf("s3_put: %v", m)
		}
		for _, k := range []string{"data/a.txt", "data/b.txt"} {
			c.ok(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": k, "content": k})
		}
		m = legacy.ok(t, "s3_list", map[string]any{"grant_id": ro.ID, "bucket": bucket, "prefix": "data", "max_keys": 2}) // no "/": moto miscomputes signatures over it
		if m["region"] != "us-east-1" || m["is_truncated"] != true || str(m, "next_continuation_token") == "" || len(m["objects"].([]any)) != 2 {
			t.Fatalf("s3_list: %v", m)
		}
		m = legacy.ok(t, "s3_list", map[string]any{"grant_id": ro.ID, "bucket": bucket, "prefix": "data", "continuation_token": m["next_continuation_token"]})
		if m["is_truncated"] != false || len(m["objects"].([]any)) != 1 {
			t.Errorf("s3_list, page 2: %v", m)
		}
		m = c.ok(t, "s3_get", map[string]any{"grant_id": ro.ID, "bucket": bucket, "key": "data/report.csv"})
		if m["content"] != "a,b\n1,2\n" || num(m, "total_size") != 8 || m["truncated"] != false {
			t.Errorf("s3_get: %v", m)
		}
		m = c.fail(t, "s3_get", map[string]any{"grant_id": ro.ID, "bucket": bucket, "key": "data/missing.csv"}, "aws_error")
		if m["error_code"] != "NoSuchKey" || str(m, "audit_id") == "" {
			t.Errorf("s3_get of a missing key: %v", m)
		}
		m = c.fail(t, "s3_list", map[string]any{"grant_id": ro.ID, "bucket": "no-such-bucket-here"}, "aws_error")
		if num(m, "status") != 404 || m["error_code"] != "NoSuchBucket" || !strings.Contains(str(m, "hint"), "s3_list_buckets") {
			t.Errorf("s3_list of a missing bucket: %v", m)
		}
		m = c.fail(t, "s3_put", map[string]any{"grant_id": ro.ID, "bucket": bucket, "key": "x", "content": "x"}, "denied")
		if m["rule"] != "read_only" {
			t.Errorf("s3_put with a read-only grant: %v", m)
		}
		c.fail(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x"}, "invalid_arguments")
		c.fail(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x", "content": "x", "metadata": map[string]any{"k": "é"}}, "invalid_arguments")
	})

	t.Run("confirm_writes", func(t *testing.T) {
		put := func(cl *mcpClient, key string) (*mcp.CallToolResult, map[string]any) {
			return cl.call(t, "s3_put", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": key, "content": "confirmed",
				"reason": "the user asked for it"})
		}
		exists := func(key string) bool {
			res, _ := c.call(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": key})
			return !res.IsError
		}
		for _, version := range []string{"", legacy2025} {
			yes := &elicitor{action: mcp.ElicitationResponseActionAccept, approve: true}
			cl := e.connect(t, operator, version, client.WithElicitationHandler(yes))
			if res, m := put(cl, "confirm/yes"+version); res.IsError || yes.count() != 1 {
				t.Fatalf("%q: accepted write: %v, asked %d times", version, m, yes.count())
			}
			if msg := yes.last(); !strings.Contains(msg, "s3:PutObject") || !strings.Contains(msg, "confirm") || !strings.Contains(msg, "the user asked for it") {
				t.Errorf("the question: %s", msg)
			}
			e.record(yes.last())
			if !exists("confirm/yes" + version) {
				t.Errorf("%q: the accepted write did not happen", version)
			}
			// Reads are not asked about.
			cl.ok(t, "s3_get", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": "confirm/yes" + version})
			if yes.count() != 1 {
				t.Errorf("a read asked the user")
			}
			// Writes the policy refuses are refused without asking.
			cl.fail(t, "s3_put", map[string]any{"grant_id": confirmRO.ID, "bucket": bucket, "key": "confirm/ro", "content": "x"}, "denied")
			if yes.count() != 1 {
				t.Errorf("a denied write asked the user")
			}

			for _, no := range []*elicitor{{action: mcp.ElicitationResponseActionDecline}, {action: mcp.ElicitationResponseActionAccept, approve: false},
				{action: mcp.ElicitationResponseActionCancel}} {
				cl := e.connect(t, operator, version, client.WithElicitationHandler(no))
				res, m := put(cl, "confirm/no")
				if !res.IsError || m["error"] != "declined" || m["rule"] != "confirm_writes" || no.count() != 1 {
					t.Errorf("%q %s/%v: %v (asked %d times)", version, no.action, no.approve, m, no.count())
				}
				entry, _, err := e.v.AuditLog().Get(ctx, str(m, "audit_id"))
				if err != nil || entry.Decision != "deny" || entry.Rule != "confirm_writes" || entry.Operation != "PutObject" ||
					entry.Reason != "the user asked for it" || entry.Tool != "s3_put" {
					t.Errorf("the audit of a declined write: %+v %v", entry, err)
				}
			}
			if exists("confirm/no") {
				t.Errorf("%q: a declined write happened", version)
			}

			mute := e.connect(t, operator, version)
			m := mute.fail(t, "s3_put", map[string]any{"grant_id": confirm.ID, "bucket": bucket, "key": "confirm/mute", "content": "x"}, "confirmation_unavailable")
			if !strings.Contains(str(m, "message"), "elicitation") || str(m, "audit_id") == "" {
				t.Errorf("%q: refusal without elicitation: %v", version, m)
			}
		}
		if exists("confirm/mute") {
			t.Error("a write that could not be confirmed happened")
		}
	})

	// Whatever ran, no result showed a secret.
	all := e.all()
	if all == "" {
		t.Fatal("no results recorded")
	}
	for _, secret := range []string{admin.SecretAccessKey, "WRONGSECRET"} {
		if strings.Contains(all, secret) {
			t.Errorf("a secret appears in a tool result")
		}
	}
}

// TestMotoOddKeys runs the S3 tools on keys with spaces, unicode, '+' and
// '%', against a moto whose own signature check is off, behind sigcheck.
func TestMotoOddKeys(t *testing.T) {
	moto := motoserver.Start(t)
	const keyID, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	const tempID, tempSecret, token = "ASIAIOSFODNN7EXAMPLE", "tEmPsEcReTkEy/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLESESSIONTOKENsecretPART"
	verifier := sigcheck.New()
	verifier.Add(keyID, secret)
	verifier.Add(tempID, "not-the-temporary-secret") // so that its calls fail with SignatureDoesNotMatch
	front := httptest.NewServer(verifier.Handler(sigcheck.Forward(moto)))
	t.Cleanup(front.Close)

	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": front.URL}, nil)
	g := e.grant(t, "s3", policy.Policy{}, vault.StaticCredentials{AccessKeyID: keyID, SecretAccessKey: secret})
	temp := e.grant(t, "temporary", policy.Policy{}, vault.StaticCredentials{AccessKeyID: tempID, SecretAccessKey: tempSecret, SessionToken: token})
	c := e.connect(t, e.server(t, Deps{DefaultGrant: g.Name}, Options{}, Session{}), "")
	legacy := e.connect(t, e.server(t, Deps{DefaultGrant: g.Name}, Options{}, Session{}), legacy2024)

	const bucket = "odd-keys"
	c.ok(t, "aws_request", map[string]any{"method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + bucket})
	keys := map[string]string{
		"dir one/a b.txt":        "spaces",
		"données/été.txt":        "unicode: é, 中文, 🙂",
		"plus/a+b.txt":           "plus",
		"pct/100%.txt":           "percent",
		"pct/%2F and %20.txt":    "escapes that must stay literal",
		"mixed/ü +%~!'()*=&.csv": "everything",
	}
	for k, v := range keys {
		if m := c.ok(t, "s3_put", map[string]any{"bucket": bucket, "key": k, "content": v}); str(m, "key") != k {
			t.Errorf("s3_put %q: %v", k, m)
		}
	}

	m := c.ok(t, "s3_list", map[string]any{"bucket": bucket, "delimiter": "/"})
	prefixes := mustJSON(m["common_prefixes"])
	if prefixes != `["dir one/","données/","mixed/","pct/","plus/"]` || len(m["objects"].([]any)) != 0 {
		t.Errorf("top level: %v", m)
	}
	for k, v := range keys {
		prefix := k[:strings.Index(k, "/")+1]
		m := legacy.ok(t, "s3_list", map[string]any{"bucket": bucket, "prefix": prefix, "delimiter": "/"})
		if !strings.Contains(mustJSON(m["objects"]), `"key":`+mustJSON(k)) {
			t.Errorf("s3_list %q: %v", prefix, m)
		}
		if m := c.ok(t, "s3_get", map[string]any{"bucket": bucket, "key": k}); m["content"] != v {
			t.Errorf("s3_get %q: %v", k, m)
		}
	}
	m = c.ok(t, "s3_list", map[string]any{"bucket": bucket, "start_after": "pct/100%.txt"})
	if mustJSON(m["objects"]) == "" || !strings.Contains(mustJSON(m["objects"]), `"key":"plus/a+b.txt"`) || strings.Contains(mustJSON(m["objects"]), "100%") {
		t.Errorf("start_after: %v", m)
	}

	// s3_get in slices: each ends on a whole character, and they add up.
	text := strings.Repeat("Größe 🙂 ", 40)
	c.ok(t, "s3_put", map[string]any{"bucket": bucket, "key": "données/slices.txt", "content": text})
	var got string
	offset := int64(0)
	for calls := 0; ; calls++ {
		cl := c
		if calls%2 == 1 {
			cl = legacy
		}
		m := cl.ok(t, "s3_get", map[string]any{"bucket": bucket, "key": "données/slices.txt", "offset": offset, "max_bytes": 50})
		if num(m, "total_size") != int64(len(text)) || num(m, "offset") != offset {
			t.Fatalf("slice at %d: %v", offset, m)
		}
		got += str(m, "content")
		if m["truncated"] != true {
			break
		}
		offset = num(m, "next_offset")
		if calls > 100 {
			t.Fatal("s3_get never ends")
		}
	}
	if got != text {
		t.Errorf("s3_get in slices: %q", got)
	}

	// Binary content comes back as base64.
	c.ok(t, "s3_put", map[string]any{"bucket": bucket, "key": "bin/x.bin", "content_base64": "AAEC/w=="})
	if m := c.ok(t, "s3_get", map[string]any{"bucket": bucket, "key": "bin/x.bin"}); m["content_base64"] != "AAEC/w==" || m["content"] != nil {
		t.Errorf("binary s3_get: %v", m)
	}

	// A temporary key whose signature is refused: the error that repeats
	// the canonical request must not repeat the session token.
	m = c.fail(t, "s3_get", map[string]any{"grant_id": temp.ID, "bucket": bucket, "key": "plus/a+b.txt"}, "aws_error")
	if m["error_code"] != "SignatureDoesNotMatch" {
		t.Errorf("temporary key: %v", m)
	}
	m = c.call2(t, "aws_request", map[string]any{"grant_id": temp.ID, "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/plus/a%2Bb.txt"})
	if m["error_code"] != "SignatureDoesNotMatch" || !strings.Contains(mustJSON(m), "REDACTED") {
		t.Errorf("aws_request with a temporary key: %v", m)
	}
	if verifier.Verified() < 20 {
		t.Errorf("sigcheck verified only %d requests", verifier.Verified())
	}
	all := e.all()
	for _, s := range []string{secret, tempSecret, token} {
		if strings.Contains(all, s) {
			t.Errorf("a secret appears in a tool result")
		}
	}
}
