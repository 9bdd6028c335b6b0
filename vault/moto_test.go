//go:build unix

package vault_test

// These tests send calls through the vault to moto, a local emulation of AWS
// that checks SigV4 signatures and IAM permissions, through a counting
// reverse proxy. The vault reaches them by AWS_ENDPOINT_URL routing: calls
// name real AWS URLs (https://my-bucket.s3.us-east-1.amazonaws.com/...),
// are checked and signed for them, and are sent to the proxy.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

const motoAccount = "123456789012"

// countingProxy forwards every request to upstream as it arrived (Host
// header included, so signatures still hold) and counts them.
type countingProxy struct {
	*httptest.Server
	n atomic.Int64
}

func newCountingProxy(t *testing.T, upstream string) *countingProxy {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.n.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func TestMoto(t *testing.T) {
	endpoint, admin := motoserver.StartWithAdmin(t, "vault-moto")
	proxy := newCountingProxy(t, endpoint)
	h := newHarness(t, env{"AWS_ENDPOINT_URL": proxy.URL}, nil)
	ctx := t.Context()
	key := vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	rw := h.addGrant(t, "admin", policy.Policy{}, key)
	ro := h.addGrant(t, "reader", policy.Policy{ReadOnly: true}, key)

	const bucket = "vault-moto-bucket"
	objURL := "https://" + bucket + ".s3.us-east-1.amazonaws.com/reports/2024 q1.csv"

	t.Run("S3", func(t *testing.T) {
		resp, body := do(t, h.v, vault.Call{Method: "PUT", URL: "https://s3.us-east-1.amazonaws.com/" + bucket, Grant: rw.ID})
		if resp.StatusCode != 200 {
			t.Fatalf("CreateBucket: %d %s", resp.StatusCode, body)
		}
		resp, body = do(t, h.v, vault.Call{Method: "PUT", URL: objURL, Grant: rw.ID, Body: []byte("a,b\n1,2\n"),
			Header: http.Header{"Content-Type": {"text/csv"}}})
		if resp.StatusCode != 200 {
			t.Fatalf("PutObject: %d %s", resp.StatusCode, body)
		}
		resp, body = do(t, h.v, vault.Call{URL: objURL, Grant: ro.ID})
		if resp.StatusCode != 200 || body != "a,b\n1,2\n" || resp.Header.Get("Content-Type") != "text/csv" {
			t.Fatalf("GetObject: %d %q", resp.StatusCode, body)
		}
		e := h.lastEnd(t)
		if e.Operation != "GetObject" || e.RequestID == "" || e.ResponseBytes != 8 || e.Outcome != audit.OutcomeOK {
			t.Errorf("audit %+v", e)
		}

		// A 2 MiB upload that can be read only once: aws-chunked over
		// plain http, every chunk signed; moto checks the seed signature
		// and decodes the chunks (their signatures it discards:
		// bigbody_test.go has sigcheck check those).
		big := bytes.Repeat([]byte("0123456789abcdef"), 128<<10)
		bigURL := "https://" + bucket + ".s3.us-east-1.amazonaws.com/big.bin"
		resp, body = do(t, h.v, vault.Call{Method: "PUT", URL: bigURL, Grant: rw.ID,
			BodyReader: io.MultiReader(bytes.NewReader(big)), BodyLength: int64(len(big))})
		if resp.StatusCode != 200 {
			t.Fatalf("streamed PutObject: %d %s", resp.StatusCode, body)
		}
		resp, body = do(t, h.v, vault.Call{URL: bigURL, Grant: ro.ID})
		if resp.StatusCode != 200 || body != string(big) {
			t.Fatalf("GetObject of the streamed object: %d, %d bytes (want %d)", resp.StatusCode, len(body), len(big))
		}

		resp, body = do(t, h.v, vault.Call{URL: "https://" + bucket + ".s3.us-east-1.amazonaws.com/", Grant: ro.ID,
			// moto recomputes S3 signatures from the query as werkzeug
			// re-quotes it, leaving '/' bare where AWS encodes it, so the
			// prefix has none (see sigv4/moto_test.go).
			Query: map[string][]string{"list-type": {"2"}, "prefix": {"reports"}}})
		var list struct {
			Keys []string `xml:"Contents>Key"`
		}
		if err := xml.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != 200 {
			t.Fatalf("ListObjectsV2: %d %v %s", resp.StatusCode, err, body)
		}
		if len(list.Keys) != 1 || list.Keys[0] != "reports/2024 q1.csv" {
			t.Errorf("ListObjectsV2 keys %q", list.Keys)
		}
		if e := h.lastEnd(t); e.Operation != "ListObjectsV2" || e.Action != "s3:ListBucket" {
			t.Errorf("audit %+v", e)
		}

		resp, _ = do(t, h.v, vault.Call{Method: "HEAD", URL: objURL, Grant: ro.ID})
		if resp.StatusCode != 200 || resp.ContentLength != 8 {
			t.Errorf("HeadObject: %d length %d", resp.StatusCode, resp.ContentLength)
		}
		resp, body = do(t, h.v, vault.Call{URL: "https://" + bucket + ".s3.us-east-1.amazonaws.com/missing", Grant: ro.ID})
		if resp.StatusCode != 404 || !strings.Contains(body, "NoSuchKey") {
			t.Errorf("missing key: %d %s", resp.StatusCode, body)
		}
		if e := h.lastEnd(t); e.ErrorCode != "NoSuchKey" || e.Outcome != audit.OutcomeAWSError {
			t.Errorf("audit of a 404: %+v", e)
		}
	})

	t.Run("denied write sends nothing", func(t *testing.T) {
		before := proxy.n.Load()
		_, err := h.v.Request(ctx, vault.Call{Method: "PUT", URL: objURL, Grant: ro.ID, Body: []byte("overwrite")})
		var denied *vault.DeniedError
		if !errors.As(err, &denied) || denied.Decision.Rule != policy.RuleReadOnly {
			t.Fatalf("err = %v, want a read_only denial", err)
		}
		_, err = h.v.Request(ctx, vault.Call{Method: "DELETE", URL: objURL, Grant: ro.ID})
		if !errors.As(err, &denied) {
			t.Fatalf("DeleteObject: err = %v, want a denial", err)
		}
		if n := proxy.n.Load(); n != before {
			t.Fatalf("%d requests reached moto after denials", n-before)
		}
		_, body := do(t, h.v, vault.Call{URL: objURL, Grant: ro.ID})
		if body != "a,b\n1,2\n" {
			t.Errorf("object changed: %q", body)
		}
	})

	t.Run("STS GetCallerIdentity", func(t *testing.T) {
		resp, body := do(t, h.v, vault.Call{Method: "POST", URL: "https://sts.us-east-1.amazonaws.com/", Grant: ro.ID,
			Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}})
		if resp.StatusCode != 200 || !strings.Contains(body, "<Account>"+motoAccount+"</Account>") || !strings.Contains(body, "user/vault-moto") {
			t.Fatalf("GetCallerIdentity: %d %s", resp.StatusCode, body)
		}
		if e := h.lastEnd(t); e.Operation != "GetCallerIdentity" || !e.ReadOnly || e.Service != "sts" {
			t.Errorf("audit %+v", e)
		}
	})

	t.Run("DynamoDB", func(t *testing.T) {
		call := func(grant, op, body string) map[string]any {
			t.Helper()
			resp, out := do(t, h.v, dynamoCall(grant, op, body))
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", op, resp.StatusCode, out)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%s: %v: %s", op, err, out)
			}
			return m
		}
		call(rw.ID, "CreateTable", `{"TableName":"t","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],`+
			`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
		call(rw.ID, "PutItem", `{"TableName":"t","Item":{"id":{"S":"1"},"name":{"S":"alter"}}}`)
		got := call(ro.ID, "GetItem", getItemBody)
		item, _ := got["Item"].(map[string]any)
		if name, _ := item["name"].(map[string]any); name["S"] != "alter" {
			t.Errorf("GetItem: %v", got)
		}
		if e := h.lastEnd(t); e.Operation != "GetItem" || e.Action != "dynamodb:GetItem" || !e.ReadOnly {
			t.Errorf("audit %+v", e)
		}
		_, err := h.v.Request(ctx, dynamoCall(ro.ID, "PutItem", `{"TableName":"t","Item":{"id":{"S":"2"}}}`))
		var denied *vault.DeniedError
		if !errors.As(err, &denied) {
			t.Errorf("PutItem through the read-only grant: %v", err)
		}
		resp, body := do(t, h.v, dynamoCall(ro.ID, "GetItem", `{"TableName":"missing","Key":{"id":{"S":"1"}}}`))
		if resp.StatusCode != 400 {
			t.Errorf("GetItem of a missing table: %d %s", resp.StatusCode, body)
		}
		if e := h.lastEnd(t); e.ErrorCode != "ResourceNotFoundException" {
			t.Errorf("audit error code %q of %s", e.ErrorCode, body)
		}
	})

	t.Run("wrong secret is an AWS answer", func(t *testing.T) {
		bad := h.addGrant(t, "wrong-secret", policy.Policy{},
			vault.StaticCredentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: "not-the-secret-" + strings.Repeat("x", 25)})
		resp, err := h.v.Request(ctx, vault.Call{URL: objURL, Grant: bad.ID})
		if err != nil {
			t.Fatalf("a rejected signature must be a response, not %v", err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if e := h.lastEnd(t); e.ErrorCode != "SignatureDoesNotMatch" || e.Attempts != 1 || e.Outcome != audit.OutcomeAWSError {
			t.Errorf("audit %+v", e)
		}
	})

	t.Run("AWSConfig S3", func(t *testing.T) {
		cfg, err := h.v.AWSConfig(ctx, "admin", "us-east-1", vault.ClientOptions{Reason: "sdk test", Tool: "sdk"})
		if err != nil {
			t.Fatal(err)
		}
		for _, pathStyle := range []bool{false, true} {
			client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
			// Plain keys: moto misreads signatures over keys with + ( ) and
			// the like (see sigv4/moto_test.go).
			key := "sdk/obj-" + map[bool]string{false: "virtual", true: "path"}[pathStyle] + ".txt"
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: strings.NewReader("from the sdk")}); err != nil {
				t.Fatalf("PutObject (path style %v): %v", pathStyle, err)
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(b) != "from the sdk" {
				t.Errorf("GetObject: %q", b)
			}
			list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("sdk")})
			if err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			if len(list.Contents) == 0 {
				t.Error("ListObjectsV2 found nothing under sdk/")
			}
		}
		e := h.lastEnd(t)
		if e.Operation != "ListObjectsV2" || e.Reason != "sdk test" || e.Tool != "sdk" || e.GrantID != rw.ID {
			t.Errorf("audit %+v", e)
		}

		// The SDK sees a denial as an error it can unwrap, and nothing is sent.
		roCfg, err := h.v.AWSConfig(ctx, ro.ID, "us-east-1", vault.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before := proxy.n.Load()
		_, err = s3.NewFromConfig(roCfg).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("big.bin")})
		var denied *vault.DeniedError
		if !errors.As(err, &denied) || proxy.n.Load() != before {
			t.Errorf("DeleteObject through the read-only grant: %v (%d requests sent)", err, proxy.n.Load()-before)
		}
	})

	t.Run("AWSConfig STS", func(t *testing.T) {
		cfg, err := h.v.AWSConfig(ctx, ro.Name, "us-east-1", vault.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != motoAccount || !strings.HasSuffix(aws.ToString(out.Arn), "user/vault-moto") {
			t.Errorf("GetCallerIdentity: %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
		}
	})
}
