//go:build unix

package tools

// The attacks of a prompt-injected agent, made with nothing but tool calls,
// against grants whose policies forbid them. Every one must be refused with
// nothing sent to AWS (a recording endpoint in front of moto counts what
// arrives), show no effect in moto, and leave an audit entry that names the
// rule and records what decided the operation.

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// recorder counts and remembers the requests that reach AWS.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.Host+req.URL.RequestURI())
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *recorder) since(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen[n:])
}

func TestAttacksAreRefused(t *testing.T) {
	const keyID, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	moto := motoserver.Start(t)
	rec := &recorder{}
	front := httptest.NewServer(rec.wrap(sigcheck.Handler(sigcheck.Forward(moto), sigcheck.Static(keyID, secret))))
	t.Cleanup(front.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": front.URL}, nil)
	key := vault.StaticCredentials{AccessKeyID: keyID, SecretAccessKey: secret}

	admin := e.grant(t, "admin", policy.Policy{IssueCredentials: true}, key)
	noDelete := e.grant(t, "no-delete-table", policy.Policy{DenyActions: []string{"dynamodb:DeleteTable"}}, key)
	noCreds := e.grant(t, "writer", policy.Policy{}, key) // not read-only, issue_credentials off
	publicOnly := e.grant(t, "public-only", policy.Policy{AllowPaths: []string{"/public-bkt/**", "/2015-03-31/functions/public-fn/**"}}, key)
	noSecret := e.grant(t, "no-secret", policy.Policy{DenyPaths: []string{"/secret-bkt/**", "/2015-03-31/functions/secret-fn/**"}}, key)
	noACL := e.grant(t, "no-acl", policy.Policy{DenyActions: []string{"s3:PutObjectAcl", "s3:PutObjectTagging", "s3:PutObjectRetention", "s3:PutObjectLegalHold"}}, key)
	c := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")

	// The world the attacks aim at: a table, a secret bucket, a public one.
	ddb := func(g vault.Grant, target, body string) map[string]any {
		return map[string]any{"grant_id": g.ID, "method": "POST", "url": "https://dynamodb.us-east-1.amazonaws.com/",
			"headers": map[string]string{"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"}, "body": body}
	}
	c.ok(t, "aws_request", ddb(admin, "DynamoDB_20120810.CreateTable",
		`{"TableName":"victim","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`))
	for _, b := range []string{"secret-bkt", "public-bkt"} {
		c.ok(t, "aws_request", map[string]any{"grant_id": admin.ID, "method": "PUT", "url": "https://s3.us-east-1.amazonaws.com/" + b})
	}
	c.ok(t, "s3_put", map[string]any{"grant_id": admin.ID, "bucket": "secret-bkt", "key": "payroll.csv", "content": "alice,1000000\n"})

	s3put := func(g vault.Grant, key string, headers map[string]string) map[string]any {
		return map[string]any{"grant_id": g.ID, "method": "PUT", "url": "https://public-bkt.s3.us-east-1.amazonaws.com/" + key, "headers": headers, "body": "x"}
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	lambda := func(g vault.Grant, fn string) map[string]any {
		return map[string]any{"grant_id": g.ID, "method": "POST", "url": "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/" + fn + "/invocations", "body": "{}"}
	}

	for _, a := range []struct {
		name  string
		tool  string
		args  map[string]any
		rules []string // any of these
	}{
		// One reading of the operation.
		{"X-Amz-Target with a trailing space", "aws_request", ddb(noDelete, "DynamoDB_20120810.DeleteTable ", `{"TableName":"victim"}`), []string{"deny_actions"}},
		{"X-Amz-Target with a leading tab", "aws_request", ddb(noDelete, "\tDynamoDB_20120810.DeleteTable", `{"TableName":"victim"}`), []string{"deny_actions"}},
		{"X-Amz-Target in another case", "aws_request", ddb(noDelete, "dynamodb_20120810.deletetable", `{"TableName":"victim"}`), []string{"deny_actions", vault.RuleUnidentified}},
		{"X-Amz-Target unknown", "aws_request", ddb(noCreds, "DynamoDB_20120810.DropEverything", `{}`), []string{vault.RuleUnidentified}},
		{"Action in query and another in body", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST",
			"url": "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", "headers": form, "body": "Action=GetSessionToken&Version=2011-06-15"}, []string{vault.RuleUnidentified, "issue_credentials"}},
		{"empty Action in query, one in body", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST",
			"url": "https://iam.amazonaws.com/?Action=", "headers": form, "body": "Action=CreateAccessKey&Version=2010-05-08&UserName=u"}, []string{vault.RuleUnidentified, "issue_credentials"}},
		{"Action twice", "aws_request", map[string]any{"grant_id": noCreds.ID,
			"url": "https://sts.amazonaws.com/?Action=GetCallerIdentity&Action=GetSessionToken&Version=2011-06-15"}, []string{vault.RuleUnidentified}},
		{"subresources of two operations", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST",
			"url": "https://public-bkt.s3.us-east-1.amazonaws.com/k?uploads&select&select-type=2"}, []string{vault.RuleUnidentified}},

		// Issuing credentials is opt-in.
		{"sts:GetSessionToken", "aws_request", map[string]any{"grant_id": noCreds.ID, "url": "https://sts.amazonaws.com/?Action=GetSessionToken&Version=2011-06-15"}, []string{"issue_credentials"}},
		{"sts:GetFederationToken", "aws_request", map[string]any{"grant_id": noCreds.ID, "url": "https://sts.amazonaws.com/?Action=GetFederationToken&Version=2011-06-15&Name=x"}, []string{"issue_credentials"}},
		{"iam:CreateAccessKey", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST", "url": "https://iam.amazonaws.com/",
			"headers": form, "body": "Action=CreateAccessKey&Version=2010-05-08&UserName=admin"}, []string{"issue_credentials"}},
		{"ecr:GetAuthorizationToken", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST", "url": "https://api.ecr.us-east-1.amazonaws.com/",
			"headers": map[string]string{"X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", "Content-Type": "application/x-amz-json-1.1"}, "body": "{}"}, []string{"issue_credentials"}},

		// Operations carried by headers.
		{"copy from a forbidden bucket", "aws_request", s3put(publicOnly, "stolen.csv", map[string]string{"x-amz-copy-source": "secret-bkt/payroll.csv"}), []string{"allow_paths"}},
		{"copy from a denied bucket", "aws_request", s3put(noSecret, "stolen.csv", map[string]string{"x-amz-copy-source": "/secret-bkt/payroll.csv?versionId=1"}), []string{"deny_paths"}},
		{"copy through an access point ARN", "aws_request", s3put(noSecret, "stolen.csv",
			map[string]string{"x-amz-copy-source": "arn:aws:s3:us-east-1:123456789012:accesspoint/secret-ap/object/payroll.csv"}), []string{"allow_paths", "deny_paths"}},
		{"copy source unreadable", "aws_request", s3put(noCreds, "x.csv", map[string]string{"x-amz-copy-source": "no-key-here"}), []string{vault.RuleHeader}},
		{"object made public with x-amz-acl", "aws_request", s3put(noACL, "public.csv", map[string]string{"x-amz-acl": "public-read"}), []string{"deny_actions"}},
		{"object shared with x-amz-grant-read", "aws_request", s3put(noACL, "public.csv", map[string]string{"x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AllUsers"`}), []string{"deny_actions"}},
		{"object tagged with x-amz-tagging", "aws_request", s3put(noACL, "tagged.csv", map[string]string{"x-amz-tagging": "owner=mallory"}), []string{"deny_actions"}},
		{"object locked", "aws_request", s3put(noACL, "locked.csv", map[string]string{"x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": "2099-01-01T00:00:00Z"}), []string{"deny_actions"}},
		{"copy via s3_put's headers? no: aws_request UploadPartCopy", "aws_request", map[string]any{"grant_id": publicOnly.ID, "method": "PUT",
			"url": "https://public-bkt.s3.us-east-1.amazonaws.com/k?partNumber=1&uploadId=abc", "headers": map[string]string{"x-amz-copy-source": "secret-bkt/payroll.csv"}}, []string{"allow_paths"}},

		// Resources named every way.
		{"access point host", "aws_request", map[string]any{"grant_id": noSecret.ID, "url": "https://secret-ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com/payroll.csv"}, []string{"allow_paths", "deny_paths"}},
		{"access point alias", "aws_request", map[string]any{"grant_id": noSecret.ID, "url": "https://s3.us-east-1.amazonaws.com/secret-ap-abcdefghijklmnopqrstuvwxyz12-s3alias/payroll.csv"}, []string{"allow_paths", "deny_paths"}},
		{"Multi-Region Access Point", "aws_request", map[string]any{"grant_id": noSecret.ID, "url": "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/payroll.csv"}, []string{"allow_paths", "deny_paths", "deny_regions"}},
		{"Object Lambda", "aws_request", map[string]any{"grant_id": noSecret.ID, "url": "https://secret-olap-123456789012.s3-object-lambda.us-east-1.amazonaws.com/payroll.csv"}, []string{"allow_paths", "deny_paths"}},
		{"S3 Control", "aws_request", map[string]any{"grant_id": noSecret.ID, "method": "DELETE", "url": "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/bucket/secret-bkt/policy"}, []string{"allow_paths", "deny_paths"}},
		{"Lambda by ARN", "aws_request", lambda(noSecret, "arn:aws:lambda:us-east-1:123456789012:function:secret-fn"), []string{"deny_paths"}},
		{"Lambda by partial ARN", "aws_request", lambda(noSecret, "123456789012:function:secret-fn"), []string{"deny_paths"}},
		{"Lambda by escaped ARN", "aws_request", lambda(noSecret, "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Asecret-fn"), []string{"deny_paths"}},
		{"Lambda with a qualifier", "aws_request", lambda(noSecret, "secret-fn:prod"), []string{"deny_paths"}},
		{"Lambda outside allow_paths by ARN", "aws_request", lambda(publicOnly, "arn:aws:lambda:us-east-1:123456789012:function:other-fn"), []string{"allow_paths"}},

		// Hosts anyone can own.
		{"Lambda function URL", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST", "url": "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/", "body": "steal"}, []string{"allow_customer_hosts"}},
		{"API Gateway", "aws_request", map[string]any{"grant_id": noCreds.ID, "url": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/echo"}, []string{"allow_customer_hosts"}},
		{"AppSync", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST", "url": "https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql", "body": "{}"}, []string{"allow_customer_hosts"}},
		{"OpenSearch domain", "aws_request", map[string]any{"grant_id": noCreds.ID, "url": "https://search-mine-abcdefghijklmnopqrstuvwxyz.us-east-1.es.amazonaws.com/_search"}, []string{"allow_customer_hosts"}},
		{"IoT data", "aws_request", map[string]any{"grant_id": noCreds.ID, "method": "POST", "url": "https://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/topics/x", "body": "{}"}, []string{"allow_customer_hosts"}},
	} {
		t.Run(a.name, func(t *testing.T) {
			before := rec.count()
			res, m := c.call(t, a.tool, a.args)
			if !res.IsError || m["error"] != "denied" {
				t.Fatalf("not refused by a rule: %v", m)
			}
			if got := rec.since(before); len(got) > 0 {
				t.Fatalf("sent to AWS: %v (result %v)", got, m)
			}
			rule, _ := m["rule"].(string)
			if !slices.Contains(a.rules, rule) {
				t.Fatalf("refused by %q (%v), want one of %v", rule, m["error"], a.rules)
			}
			if m["sent"] == true {
				t.Errorf("the result says sent: %v", m)
			}
			id := str(m, "audit_id")
			if id == "" {
				t.Fatalf("no audit_id: %v", m)
			}
			entry, _, err := e.v.AuditLog().Get(t.Context(), id)
			if err != nil || entry.Decision != "deny" || entry.Rule != rule {
				t.Fatalf("audit entry %s: %+v, %v", id, entry, err)
			}
			if h, ok := a.args["headers"].(map[string]string); ok {
				for k := range h {
					lk := strings.ToLower(k)
					if strings.HasPrefix(lk, "x-amz-") && entry.Inputs[lk] == "" {
						t.Errorf("the audit does not record %s: %v", lk, entry.Inputs)
					}
				}
			}
		})
	}

	// Headers the transport would not send are the caller's to fix: an
	// argument error, nothing sent (not a network error to retry).
	for _, h := range []map[string]string{
		{"X-Amz-Meta-Note": "line\r\nX-Amz-Acl: public-read"},
		{"X Bad Name": "v"},
		{"X-Amz-Meta-Nul": "a\x00b"},
	} {
		before := rec.count()
		m := c.fail(t, "aws_request", s3put(noCreds, "h.csv", h), "invalid_request")
		if m["sent"] == true || rec.count() != before {
			t.Errorf("header %q: %v (sent %v)", h, m, rec.since(before))
		}
	}

	// Nothing happened in moto: the table, the secret and the public bucket
	// are as they were.
	c.ok(t, "aws_request", ddb(admin, "DynamoDB_20120810.DescribeTable", `{"TableName":"victim"}`))
	m := c.ok(t, "s3_list", map[string]any{"grant_id": admin.ID, "bucket": "public-bkt"})
	if objs := mustJSON(m["objects"]); objs != "[]" && objs != "null" {
		t.Errorf("objects appeared in public-bkt: %s", objs)
	}

	// Read-only grants never issue, even with issue_credentials set.
	if err := (&policy.Policy{ReadOnly: true, IssueCredentials: true}).Validate(); err == nil {
		t.Error("a read-only grant that issues credentials validates")
	}
	// The admin grant, which may issue, still gets AWS's answer.
	c.ok(t, "aws_request", map[string]any{"grant_id": admin.ID, "url": "https://sts.amazonaws.com/?Action=GetSessionToken&Version=2011-06-15"})
}
