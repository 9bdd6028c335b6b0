//go:build unix

package sigv4_test

// These tests send requests signed by this package to moto, a local
// emulation of AWS that checks SigV4 signatures and IAM permissions
// (moto/iam/access_control.py), and expect the answers a real AWS endpoint
// gives. They are skipped when moto is not installed (pip install
// 'moto[server]'); set ALTER_MCP_REQUIRE_MOTO=1 to make that a failure.
//
// moto 5.x recomputes S3 signatures from the URL as werkzeug re-quotes it,
// which leaves characters such as + = ; ( * @ ! $ ' , : bare where AWS (and
// this package) percent-encode them; it then rejects correct signatures for
// such object keys (boto3's as well). Those keys are checked by
// internal/sigcheck instead: a server in this test that recomputes each
// signature with aws-sdk-go-v2's signer and forwards the requests it accepts,
// as they arrived, to a second moto that does not check signatures.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

const (
	motoRegion  = "us-east-1"
	motoAccount = "123456789012" // moto's default account
	motoUser    = "sigv4-moto"
	motoFormCT  = "application/x-www-form-urlencoded; charset=utf-8"
)

// motoKeys are S3 object keys that moto's own signature check gets wrong;
// they go through the verifier (internal/sigcheck).
var motoKeys = []string{
	"unicode/héllo wörld ✓ 日本語.txt",
	"plus/a+b+c",
	"percent/100% sure %41 %zz %",
	"equals/a=b;c=d",
	"funcs/f(x)*2@home",
	"punct/ !$'(),:;=@*+&[]~",
	"query-like?x=1#frag",
}

// motoPlainKeys are keys moto verifies correctly itself: unreserved
// characters, slashes (doubled too) and spaces.
var motoPlainKeys = []string{
	"simple.txt",
	"dir/sub dir/file-1_2.~txt",
	"space at end ",
	"double//slash/",
	"tilde~under_score-dot.",
}

type motoResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r motoResp) String() string {
	return fmt.Sprintf("HTTP %d, body %q", r.Status, r.Body)
}

var motoHTTP = &http.Client{Timeout: 20 * time.Second}

// motoSend signs req with creds and opts and sends it. On an unexpected
// status it reports the request, the canonical request it was signed with
// and the answer.
func motoSend(t *testing.T, req *http.Request, creds sigv4.Credentials, opts sigv4.Options, wantStatus int) motoResp {
	t.Helper()
	var tr sigv4.Trace
	opts.Trace = &tr
	var s sigv4.Signer
	if err := s.Sign(req, creds, opts); err != nil {
		t.Fatalf("Sign(%s %s): %v", req.Method, req.URL, err)
	}
	return motoDo(t, req, wantStatus, &tr)
}

func motoDo(t *testing.T, req *http.Request, wantStatus int, tr *sigv4.Trace) motoResp {
	t.Helper()
	line := req.Method + " " + req.URL.RequestURI()
	resp, err := motoHTTP.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: read answer: %v", line, err)
	}
	r := motoResp{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if wantStatus != 0 && r.Status != wantStatus {
		msg := fmt.Sprintf("%s: got %v, want HTTP %d\nrequest headers: %v", line, r, wantStatus, redactAuth(req.Header))
		if tr != nil && tr.CanonicalRequest != "" {
			msg += fmt.Sprintf("\ncanonical request:\n%s\nstring to sign:\n%s", tr.CanonicalRequest, tr.StringToSign)
		}
		t.Fatal(msg)
	}
	return r
}

func redactAuth(h http.Header) http.Header {
	c := h.Clone()
	if v := c.Get("X-Amz-Security-Token"); len(v) > 12 {
		c.Set("X-Amz-Security-Token", v[:12]+"...")
	}
	return c
}

// motoErrorCode returns the error code of an AWS error answer: <Code> in XML
// (query, rest-xml and S3), __type or code in JSON.
func motoErrorCode(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var j struct {
			Type  string `json:"__type"`
			Code  string `json:"code"`
			CodeU string `json:"Code"`
		}
		if json.Unmarshal(trimmed, &j) == nil {
			code := j.Type
			if code == "" {
				code = j.Code
			}
			if code == "" {
				code = j.CodeU
			}
			if i := strings.LastIndexByte(code, '#'); i >= 0 {
				code = code[i+1:]
			}
			return code
		}
	}
	d := xml.NewDecoder(bytes.NewReader(trimmed))
	inCode := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inCode = tok.Name.Local == "Code"
		case xml.CharData:
			if inCode {
				return strings.TrimSpace(string(tok))
			}
		case xml.EndElement:
			inCode = false
		}
	}
}

func expectAWSError(t *testing.T, r motoResp, status int, codes ...string) {
	t.Helper()
	code := motoErrorCode(r.Body)
	if r.Status != status || !contains(codes, code) {
		t.Fatalf("got %v (error code %q), want HTTP %d with error code %v", r, code, status, codes)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// --- request builders -----------------------------------------------------

func motoQueryRequest(t *testing.T, endpoint string, params url.Values) (*http.Request, []byte) {
	t.Helper()
	body := []byte(params.Encode())
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", motoFormCT)
	return req, body
}

// motoQuery is a form POST of action, of API version, to endpoint, and
// opts with its body as their payload, to sign it.
func motoQuery(t *testing.T, endpoint, action, version string, opts sigv4.Options) (*http.Request, sigv4.Options) {
	t.Helper()
	req, body := motoQueryRequest(t, endpoint, url.Values{"Action": {action}, "Version": {version}})
	opts.Payload = body
	return req, opts
}

func stsOpts() sigv4.Options {
	return sigv4.Options{Region: motoRegion, Service: "sts"}
}

func iamOpts() sigv4.Options {
	return sigv4.Options{Region: motoRegion, Service: "iam"}
}

func s3Opts() sigv4.Options {
	return sigv4.Options{Region: motoRegion, Service: "s3"}
}

func dynamoRequest(t *testing.T, endpoint, op string, payload any) (*http.Request, sigv4.Options) {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	return req, sigv4.Options{Region: motoRegion, Service: "dynamodb", Payload: body}
}

func newReq(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// otherFirst is s with its first character changed: a wrong secret or
// token of the right shape. (Always "x" would leave a secret that starts
// with x right, one moto-made secret in 64.)
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}

// --- the test -------------------------------------------------------------

type motoFixture struct {
	endpoint string // moto checking signatures
	creds    sigv4.Credentials
	// verifier checks the signatures of requests to verified, which
	// forwards those it accepts to a moto that does not check them.
	verifier *sigcheck.Verifier
	verified string
}

func TestMoto(t *testing.T) {
	start := time.Now()
	endpoint, admin := motoserver.StartWithAdmin(t, motoUser)
	creds := sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	plain := motoserver.Start(t) // never checks signatures; the verifier does
	v := sigcheck.New(aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey})
	verified := httptest.NewServer(v.Handler(sigcheck.Forward(plain)))
	t.Cleanup(verified.Close)
	fx := &motoFixture{endpoint: endpoint, creds: creds, verifier: v, verified: verified.URL}
	t.Logf("two moto servers ready in %v", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() { t.Logf("TestMoto took %v", time.Since(start).Round(time.Millisecond)) })

	wrong := creds
	wrong.SecretAccessKey = otherFirst(creds.SecretAccessKey)
	unknown := sigv4.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: creds.SecretAccessKey}

	t.Run("STS", func(t *testing.T) {
		t.Parallel()
		t.Run("GetCallerIdentity", func(t *testing.T) {
			req, opts := motoQuery(t, endpoint, "GetCallerIdentity", "2011-06-15", stsOpts())
			r := motoSend(t, req, creds, opts, http.StatusOK)
			want := "<Arn>arn:aws:iam::" + motoAccount + ":user/" + motoUser + "</Arn>"
			if !bytes.Contains(r.Body, []byte(want)) {
				t.Fatalf("answer lacks %s: %s", want, r.Body)
			}
		})
		t.Run("GetCallerIdentityQueryString", func(t *testing.T) {
			// Parameters in the query, unsorted: the signer must sort them in
			// the canonical request. moto 5.x cannot check this: for a GET it
			// hashes its parsed parameters, form-encoded, as if they were the
			// body (IAMRequestBase._create_aws_request passes
			// data=self._body or self._data), so it accepts only a request
			// signed with the hash of "Version=2011-06-15&Action=..." as the
			// payload hash, and rejects the correct empty-body hash. The
			// verifier checks it instead.
			req := newReq(t, http.MethodGet, fx.verified+"/?Version=2011-06-15&Action=GetCallerIdentity", nil)
			r := motoSend(t, req, creds, stsOpts(), http.StatusOK)
			if !bytes.Contains(r.Body, []byte("<Arn>")) {
				t.Fatalf("not a GetCallerIdentity answer: %s", r.Body)
			}
		})
		t.Run("BodyHashedThroughGetBody", func(t *testing.T) {
			req, _ := motoQueryRequest(t, endpoint, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
			motoSend(t, req, creds, stsOpts(), http.StatusOK)
		})
		t.Run("TamperedBody", func(t *testing.T) {
			// Signed for one body, sent with another: the payload hash is in the signature.
			req, _ := motoQueryRequest(t, endpoint, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
			if err := sigv4.Sign(req, creds, stsOpts()); err != nil {
				t.Fatal(err)
			}
			other := []byte(url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}, "X": {"1"}}.Encode())
			req.Body = io.NopCloser(bytes.NewReader(other))
			req.GetBody = nil
			req.ContentLength = int64(len(other))
			req.Header.Set("Content-Length", strconv.Itoa(len(other)))
			expectAWSError(t, motoDo(t, req, 0, nil), http.StatusForbidden, "SignatureDoesNotMatch")
		})
	})

	t.Run("IAM", func(t *testing.T) {
		t.Parallel()
		t.Run("ListUsers", func(t *testing.T) {
			req, opts := motoQuery(t, endpoint, "ListUsers", "2010-05-08", iamOpts())
			r := motoSend(t, req, creds, opts, http.StatusOK)
			if !bytes.Contains(r.Body, []byte("<UserName>"+motoUser+"</UserName>")) {
				t.Fatalf("ListUsers does not list %s: %s", motoUser, r.Body)
			}
		})
	})

	t.Run("DynamoDB", func(t *testing.T) {
		t.Parallel()
		const table = "sigv4-moto"
		req, opts := dynamoRequest(t, endpoint, "CreateTable", map[string]any{
			"TableName":            table,
			"AttributeDefinitions": []map[string]string{{"AttributeName": "pk", "AttributeType": "S"}},
			"KeySchema":            []map[string]string{{"AttributeName": "pk", "KeyType": "HASH"}},
			"BillingMode":          "PAY_PER_REQUEST",
		})
		motoSend(t, req, creds, opts, http.StatusOK)

		item := map[string]any{
			"pk": map[string]string{"S": "k1"},
			"v":  map[string]string{"S": "héllo ✓ +=&%"},
			"n":  map[string]string{"N": "42"},
		}
		req, opts = dynamoRequest(t, endpoint, "PutItem", map[string]any{"TableName": table, "Item": item})
		motoSend(t, req, creds, opts, http.StatusOK)

		req, opts = dynamoRequest(t, endpoint, "GetItem", map[string]any{
			"TableName": table, "Key": map[string]any{"pk": map[string]string{"S": "k1"}}, "ConsistentRead": true,
		})
		r := motoSend(t, req, creds, opts, http.StatusOK)
		var got struct{ Item map[string]map[string]string }
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("GetItem: %v: %s", err, r.Body)
		}
		wantItem := map[string]map[string]string{"pk": {"S": "k1"}, "v": {"S": "héllo ✓ +=&%"}, "n": {"N": "42"}}
		if !reflect.DeepEqual(got.Item, wantItem) {
			t.Fatalf("GetItem = %v, want %v", got.Item, wantItem)
		}

	})

	// Every service refuses a signature made with the wrong secret, and an
	// access key it does not know.
	t.Run("Rejected", func(t *testing.T) {
		t.Parallel()
		query := func(action, version string, opts func() sigv4.Options) func(*testing.T) (*http.Request, sigv4.Options) {
			return func(t *testing.T) (*http.Request, sigv4.Options) {
				return motoQuery(t, endpoint, action, version, opts())
			}
		}
		getItem := func(t *testing.T) (*http.Request, sigv4.Options) {
			return dynamoRequest(t, endpoint, "GetItem", map[string]any{"TableName": "sigv4-moto", "Key": map[string]any{"pk": map[string]string{"S": "k1"}}})
		}
		for _, svc := range []struct {
			name           string
			req            func(*testing.T) (*http.Request, sigv4.Options)
			unknownKeyCode []string
		}{
			{"STS", query("GetCallerIdentity", "2011-06-15", stsOpts), []string{"InvalidClientTokenId"}},
			{"IAM", query("ListUsers", "2010-05-08", iamOpts), []string{"InvalidClientTokenId"}},
			{"DynamoDB", getItem, []string{"InvalidClientTokenId", "UnrecognizedClientException"}},
		} {
			for _, k := range []struct {
				name  string
				creds sigv4.Credentials
				codes []string
			}{{"WrongSecret", wrong, []string{"SignatureDoesNotMatch"}}, {"UnknownAccessKey", unknown, svc.unknownKeyCode}} {
				t.Run(svc.name+"/"+k.name, func(t *testing.T) {
					req, opts := svc.req(t)
					expectAWSError(t, motoSend(t, req, k.creds, opts, 0), http.StatusForbidden, k.codes...)
				})
			}
		}
	})

	t.Run("S3", func(t *testing.T) {
		t.Parallel()
		testMotoS3(t, fx, wrong, unknown)
	})

	t.Run("SessionToken", func(t *testing.T) {
		t.Parallel()
		testMotoSessionToken(t, fx)
	})

	t.Run("Verifier", func(t *testing.T) {
		t.Parallel()
		testMotoVerifier(t, fx, wrong)
	})
}
