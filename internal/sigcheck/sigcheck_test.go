package sigcheck_test

// These tests sign with aws-sdk-go-v2's signer directly, never with this
// module's sigv4 package, and show that the verifier accepts what the SDK
// signs and rejects each kind of tampering with the right error code.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
)

const (
	keyID  = "AKIDSIGCHECKTEST"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIGCHECKKEY"
	region = "us-east-1"
	token  = "session-token/with+odd=chars"
)

var (
	creds     = aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	tempCreds = aws.Credentials{AccessKeyID: "ASIATEMPORARYKEY", SecretAccessKey: "temporary-secret", SessionToken: token}
)

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func isS3(service string) bool { return service == "s3" }

func sdkSigner(service string) *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = isS3(service) })
}

// signed is a request signed with the SDK in the Authorization header. prep
// sets headers before signing. For S3 it sends X-Amz-Content-Sha256 (the
// body's hash unless prep set it); elsewhere the payload hash is the body's.
func signed(t *testing.T, method, rawURL string, body []byte, service string, c aws.Credentials, at time.Time, prep func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if prep != nil {
		prep(req)
	}
	hash := req.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		hash = hashOf(body)
		if isS3(service) {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
	}
	if err := sdkSigner(service).SignHTTP(context.Background(), c, req, hash, service, region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

// presigned is a URL presigned with the SDK, valid for expires.
func presigned(t *testing.T, method, rawURL, service string, c aws.Credentials, at time.Time, expires time.Duration) string {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	req.URL.RawQuery = q.Encode()
	hash := hashOf(nil)
	if isS3(service) {
		hash = "UNSIGNED-PAYLOAD"
	}
	u, _, err := sdkSigner(service).PresignHTTP(context.Background(), c, req, hash, service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type answer struct {
	status int
	code   string
	body   string
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Code string }
	if resp.StatusCode != http.StatusOK {
		if err := xml.Unmarshal(b, &e); err != nil {
			t.Fatalf("HTTP %d with no XML error: %v: %s", resp.StatusCode, err, b)
		}
	}
	return answer{resp.StatusCode, e.Code, string(b)}
}

func get(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// server puts v in front of a handler that answers 200 with what it got.
func server(t *testing.T, v *sigcheck.Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.ContentLength != int64(len(b)) {
			t.Errorf("next got ContentLength %d for a %d-byte body", r.ContentLength, len(b))
		}
		w.Write(b)
	})))
	t.Cleanup(srv.Close)
	return srv
}

func TestAccepts(t *testing.T) {
	v := sigcheck.New(creds, tempCreds)
	srv := server(t, v)
	now := time.Now().UTC()
	body := []byte(`{"k":"v","unicode":"héllo ✓"}`)

	for _, tc := range []struct {
		name string
		req  func(t *testing.T) *http.Request
		body string
	}{
		{"GET with query and spaced header", func(t *testing.T) *http.Request {
			return signed(t, "GET", srv.URL+"/prod/items/a%20b?limit=10&next=x%2By&empty=", nil, "execute-api", creds, now, func(r *http.Request) {
				r.Header.Set("X-Custom", "  spaced   out  ")
				r.Header.Add("X-Multi", "one")
				r.Header.Add("X-Multi", "two")
			})
		}, ""},
		{"POST body hashed", func(t *testing.T) *http.Request {
			return signed(t, "POST", srv.URL+"/", body, "execute-api", creds, now, func(r *http.Request) {
				r.Header.Set("Content-Type", "application/json")
			})
		}, string(body)},
		{"form POST with a session token", func(t *testing.T) *http.Request {
			form := []byte("Action=GetCallerIdentity&Version=2011-06-15")
			return signed(t, "POST", srv.URL+"/", form, "sts", tempCreds, now, func(r *http.Request) {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			})
		}, "Action=GetCallerIdentity&Version=2011-06-15"},
		{"non-S3 X-Amz-Content-Sha256", func(t *testing.T) *http.Request {
			return signed(t, "PUT", srv.URL+"/x", body, "execute-api", creds, now, func(r *http.Request) {
				r.Header.Set("X-Amz-Content-Sha256", hashOf(body))
			})
		}, string(body)},
		{"S3 PUT with odd key and metadata", func(t *testing.T) *http.Request {
			return signed(t, "PUT", srv.URL+"/bucket/plus/a%2Bb%20c%3D%28d%29%C3%A9", body, "s3", creds, now, func(r *http.Request) {
				r.Header.Set("X-Amz-Meta-Note", "  signed   metadata ")
				r.Header.Set("Content-Type", "text/plain")
			})
		}, string(body)},
		{"S3 UNSIGNED-PAYLOAD", func(t *testing.T) *http.Request {
			return signed(t, "PUT", srv.URL+"/bucket/unsigned", body, "s3", creds, now, func(r *http.Request) {
				r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			})
		}, string(body)},
		{"S3 with a session token", func(t *testing.T) *http.Request {
			return signed(t, "GET", srv.URL+"/bucket?list-type=2&prefix=a%20b", nil, "s3", tempCreds, now, nil)
		}, ""},
		{"S3 presigned GET with a session token", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/bucket/a%2Bb.txt", "s3", tempCreds, now, time.Minute))
		}, ""},
		{"non-S3 presigned GET", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/prod/x?b=2&a=1", "execute-api", creds, now, 7*24*time.Hour))
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := v.Verified()
			a := send(t, tc.req(t))
			if a.status != http.StatusOK || a.body != tc.body {
				t.Fatalf("got HTTP %d %q, want 200 %q", a.status, a.body, tc.body)
			}
			if v.Verified() != before+1 {
				t.Errorf("Verified() = %d, want %d", v.Verified(), before+1)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	v := sigcheck.New(creds, tempCreds)
	srv := server(t, v)
	now := time.Now().UTC()
	body := []byte("signed body")
	wrong := creds
	wrong.SecretAccessKey = "x" + secret[1:]
	unknown := aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: secret}

	setBody := func(r *http.Request, b []byte) {
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = nil
		r.ContentLength = int64(len(b))
	}
	setQuery := func(r *http.Request, k, val string) {
		q := r.URL.Query()
		q.Set(k, val)
		r.URL.RawQuery = q.Encode()
	}
	delQuery := func(r *http.Request, k string) {
		q := r.URL.Query()
		q.Del(k)
		r.URL.RawQuery = q.Encode()
	}
	s3Put := func(t *testing.T) *http.Request {
		return signed(t, "PUT", srv.URL+"/bucket/key", body, "s3", creds, now, nil)
	}
	apiGet := func(t *testing.T) *http.Request {
		return signed(t, "GET", srv.URL+"/prod/items?a=1", nil, "execute-api", creds, now, func(r *http.Request) {
			r.Header.Set("X-Custom", "signed")
		})
	}
	s3Presigned := func(t *testing.T) *http.Request {
		return get(t, presigned(t, "GET", srv.URL+"/bucket/key", "s3", tempCreds, now, time.Minute))
	}

	for _, tc := range []struct {
		name   string
		req    func(t *testing.T) *http.Request
		edit   func(r *http.Request) // what is done to the request once signed, if anything
		status int
		code   string
	}{
		{"unsigned", func(t *testing.T) *http.Request { return get(t, srv.URL+"/") }, nil, 403, "MissingAuthenticationToken"},
		{"tampered header", apiGet, func(r *http.Request) { r.Header.Set("X-Custom", "changed") }, 403, "SignatureDoesNotMatch"},
		{"signed header left out", apiGet, func(r *http.Request) { r.Header.Del("X-Custom") }, 403, "SignatureDoesNotMatch"},
		{"signed-headers list edited", apiGet, func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-custom", "", 1))
		}, 403, "SignatureDoesNotMatch"},
		{"tampered path", apiGet, func(r *http.Request) { r.URL.Path = "/prod/Items" }, 403, "SignatureDoesNotMatch"},
		{"tampered S3 path encoding", func(t *testing.T) *http.Request {
			r := signed(t, "GET", srv.URL+"/bucket/a%2Bb", nil, "s3", creds, now, nil)
			r.URL.RawPath = "" // sent as /bucket/a+b: another key's canonical path
			return r
		}, nil, 403, "SignatureDoesNotMatch"},
		{"tampered query", apiGet, func(r *http.Request) { r.URL.RawQuery = "a=2" }, 403, "SignatureDoesNotMatch"},
		{"added query parameter", apiGet, func(r *http.Request) { r.URL.RawQuery += "&b=1" }, 403, "SignatureDoesNotMatch"},
		{"tampered method", apiGet, func(r *http.Request) { r.Method = "DELETE" }, 403, "SignatureDoesNotMatch"},
		{"tampered body, hash not sent", func(t *testing.T) *http.Request {
			r := signed(t, "POST", srv.URL+"/", body, "execute-api", creds, now, nil)
			setBody(r, []byte("Signed body")) // same length
			return r
		}, nil, 403, "SignatureDoesNotMatch"},
		{"tampered body, hash sent", s3Put, func(r *http.Request) { setBody(r, []byte("Signed body")) }, 400, "XAmzContentSHA256Mismatch"},
		{"tampered X-Amz-Content-Sha256", s3Put, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") }, 403, "SignatureDoesNotMatch"},
		{"S3 without X-Amz-Content-Sha256", s3Put, func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, 400, "InvalidRequest"},
		{"wrong secret", func(t *testing.T) *http.Request {
			return signed(t, "GET", srv.URL+"/bucket/key", nil, "s3", wrong, now, nil)
		}, nil, 403, "SignatureDoesNotMatch"},
		{"wrong secret, presigned", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/bucket/key", "s3", wrong, now, time.Minute))
		}, nil, 403, "SignatureDoesNotMatch"},
		{"unknown key", func(t *testing.T) *http.Request {
			return signed(t, "GET", srv.URL+"/", nil, "execute-api", unknown, now, nil)
		}, nil, 403, "InvalidAccessKeyId"},
		{"unknown key, presigned", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/bucket/key", "s3", unknown, now, time.Minute))
		}, nil, 403, "InvalidAccessKeyId"},
		{"tampered session token", func(t *testing.T) *http.Request {
			r := signed(t, "GET", srv.URL+"/", nil, "execute-api", tempCreds, now, nil)
			r.Header.Set("X-Amz-Security-Token", "x"+token)
			return r
		}, nil, 403, "SignatureDoesNotMatch"},
		{"bad X-Amz-Date", apiGet, func(r *http.Request) { r.Header.Set("X-Amz-Date", now.Format(time.RFC3339)) }, 403, "AccessDenied"},
		{"no X-Amz-Date", apiGet, func(r *http.Request) { r.Header.Del("X-Amz-Date") }, 403, "AccessDenied"},
		{"other X-Amz-Date", apiGet, func(r *http.Request) { r.Header.Set("X-Amz-Date", now.Add(time.Second).Format("20060102T150405Z")) }, 403, "SignatureDoesNotMatch"},
		{"malformed Authorization", apiGet, func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/aws4_request, SignedHeaders=host, Signature=00")
		}, 400, "AuthorizationHeaderMalformed"},
		{"other algorithm", apiGet, func(r *http.Request) { r.Header.Set("Authorization", "AWS "+keyID+":c2lnbmF0dXJl") }, 400, "AuthorizationHeaderMalformed"},
		{"header and query signatures", func(t *testing.T) *http.Request {
			r := s3Presigned(t)
			r.Header.Set("Authorization", apiGet(t).Header.Get("Authorization"))
			return r
		}, nil, 400, "InvalidArgument"},
		{"tampered presigned path", s3Presigned, func(r *http.Request) { r.URL.Path = "/bucket/other" }, 403, "SignatureDoesNotMatch"},
		{"tampered presigned expiry", s3Presigned, func(r *http.Request) { setQuery(r, "X-Amz-Expires", "61") }, 403, "SignatureDoesNotMatch"},
		{"presigned query parameter added", s3Presigned, func(r *http.Request) { setQuery(r, "response-content-type", "text/html") }, 403, "SignatureDoesNotMatch"},
		{"presigned session token dropped", s3Presigned, func(r *http.Request) { delQuery(r, "X-Amz-Security-Token") }, 403, "SignatureDoesNotMatch"},
		{"presigned, signed header missing", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest("GET", srv.URL+"/bucket/key", nil)
			req.Header.Set("X-Amz-Meta-Note", "must be sent")
			q := req.URL.Query()
			q.Set("X-Amz-Expires", "60")
			req.URL.RawQuery = q.Encode()
			u, hdr, err := sdkSigner("s3").PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", region, now)
			if err != nil || hdr.Get("X-Amz-Meta-Note") == "" {
				t.Fatalf("presign: %v, signed headers %v", err, hdr)
			}
			return get(t, u) // without the header
		}, nil, 403, "SignatureDoesNotMatch"},
		{"expired presigned URL", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/bucket/key", "s3", creds, now.Add(-2*time.Minute), time.Minute))
		}, nil, 403, "AccessDenied"},
		{"bad presigned X-Amz-Date", s3Presigned, func(r *http.Request) { setQuery(r, "X-Amz-Date", "yesterday") }, 400, "AuthorizationQueryParametersError"},
		{"presigned X-Amz-Expires 0", s3Presigned, func(r *http.Request) { setQuery(r, "X-Amz-Expires", "0") }, 400, "AuthorizationQueryParametersError"},
		{"presigned X-Amz-Expires over 7 days", func(t *testing.T) *http.Request {
			return get(t, presigned(t, "GET", srv.URL+"/bucket/key", "s3", creds, now, 7*24*time.Hour+time.Second))
		}, nil, 400, "AuthorizationQueryParametersError"},
		{"presigned without X-Amz-Signature", s3Presigned, func(r *http.Request) { delQuery(r, "X-Amz-Signature") }, 400, "AuthorizationQueryParametersError"},
		{"presigned with another algorithm", s3Presigned, func(r *http.Request) { setQuery(r, "X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256") }, 400, "AuthorizationQueryParametersError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := v.Verified()
			r := tc.req(t)
			if tc.edit != nil {
				tc.edit(r)
			}
			a := send(t, r)
			if a.status != tc.status || a.code != tc.code {
				t.Fatalf("got HTTP %d %s, want HTTP %d %s\n%s", a.status, a.code, tc.status, tc.code, a.body)
			}
			if v.Verified() != before {
				t.Errorf("Verified() counted a rejected request")
			}
		})
	}
}

// TestCheck calls Check directly: the error is an *Error, and a signature
// mismatch tells the canonical request the SDK computed.
func TestCheck(t *testing.T) {
	v := sigcheck.New()
	body := []byte("Action=ListUsers&Version=2010-05-08")
	req := signed(t, "POST", "https://iam.amazonaws.com/", body, "iam", creds, time.Now(), nil)

	var e *sigcheck.Error
	if err := v.Check(req, body); !errors.As(err, &e) || e.Code != "InvalidAccessKeyId" || e.Status != 403 {
		t.Fatalf("Check with no keys = %v, want 403 InvalidAccessKeyId", err)
	}
	v.Add(keyID, secret)
	if err := v.Check(req, body); err != nil {
		t.Fatalf("Check after Add = %v", err)
	}
	err := v.Check(req, []byte("Action=ListUsers&Version=2010-05-09"))
	if !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" || e.Status != 403 {
		t.Fatalf("Check with another body = %v, want 403 SignatureDoesNotMatch", err)
	}
	for _, want := range []string{"CANONICAL STRING", "POST\n/\n\ncontent-length:35\nhost:iam.amazonaws.com\n", "STRING TO SIGN", "AWS4-HMAC-SHA256\n", hashOf([]byte("Action=ListUsers&Version=2010-05-09"))} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, e.Message)
		}
	}
	if !strings.HasPrefix(err.Error(), "SignatureDoesNotMatch: ") {
		t.Errorf("Error() = %q", err.Error())
	}

	// A Lookup works too, and so does the package-level Handler built on it.
	if err := sigcheck.NewLookup(sigcheck.Static(keyID, secret)).Check(req, body); err != nil {
		t.Fatalf("NewLookup(Static).Check = %v", err)
	}
	if err := sigcheck.NewLookup(sigcheck.Static("other", secret)).Check(req, body); !errors.As(err, &e) || e.Code != "InvalidAccessKeyId" {
		t.Fatalf("NewLookup(Static(other)).Check = %v, want InvalidAccessKeyId", err)
	}
	srv := httptest.NewServer(sigcheck.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), sigcheck.Static(keyID, secret)))
	defer srv.Close()
	if a := send(t, signed(t, "GET", srv.URL+"/", nil, "execute-api", creds, time.Now(), nil)); a.status != 200 {
		t.Fatalf("Handler(next, Static): HTTP %d %s", a.status, a.body)
	}
	if a := send(t, signed(t, "GET", srv.URL+"/", nil, "execute-api", aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "no"}, time.Now(), nil)); a.status != 403 || a.code != "SignatureDoesNotMatch" {
		t.Fatalf("Handler(next, Static), wrong secret: HTTP %d %s", a.status, a.code)
	}
}

// TestConcurrent checks requests while keys are added (run with -race).
func TestConcurrent(t *testing.T) {
	v := sigcheck.New(creds)
	srv := server(t, v)
	now := time.Now().UTC()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Add(fmt.Sprintf("AKIDEXTRA%d", i), "s")
			for j := range 5 {
				b := []byte(fmt.Sprintf("body %d.%d", i, j))
				req := signed(t, "PUT", srv.URL+"/bucket/k", b, "s3", creds, now, nil)
				if a := send(t, req); a.status != 200 || a.body != string(b) {
					t.Errorf("HTTP %d %q", a.status, a.body)
				}
			}
		}()
	}
	wg.Wait()
	if n := v.Verified(); n != 40 {
		t.Errorf("Verified() = %d, want 40", n)
	}
}

// TestForward checks that Forward passes the request target, headers and body
// on untouched, and the answer back.
func TestForward(t *testing.T) {
	type seen struct {
		method, uri, host string
		header            http.Header
		body              string
	}
	var mu sync.Mutex
	var last seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{r.Method, r.RequestURI, r.Host, r.Header, string(b)}
		mu.Unlock()
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.Header().Add("X-Up", "1")
		w.Header().Add("X-Up", "2")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "created")
	}))
	defer upstream.Close()
	proxy := httptest.NewServer(sigcheck.Forward(upstream.URL))
	defer proxy.Close()
	upstreamHost := strings.TrimPrefix(upstream.URL, "http://")

	for _, target := range []string{
		"/bucket/a%2bb/%7E%2F+!$'()*,;=:@|^/double//slash/?",
		"/bucket?list-type=2&prefix=a%20b+c&empty=&x=%2f",
		"//leading/double",
		"/",
	} {
		t.Run(target, func(t *testing.T) {
			pu, _ := url.Parse(proxy.URL)
			path, query, _ := strings.Cut(target, "?")
			req := &http.Request{
				Method: "PUT",
				URL:    &url.URL{Scheme: "http", Host: pu.Host, Opaque: path, RawQuery: query, ForceQuery: strings.HasSuffix(target, "?")},
				Header: http.Header{"X-Amz-Meta-A": {"inner  spaces   kept"}, "X-Multi": {"1", "2"}, "Authorization": {"AWS4-HMAC-SHA256 kept"}},
				Body:   io.NopCloser(strings.NewReader("the body")), ContentLength: 8,
			}
			if strings.HasPrefix(path, "//") {
				// An opaque "//..." would be sent in absolute form.
				req.URL.Opaque, req.URL.Path = "", path
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || string(b) != "created" || len(resp.Header["X-Up"]) != 2 {
				t.Fatalf("answer HTTP %d %q %v, want upstream's", resp.StatusCode, b, resp.Header)
			}
			mu.Lock()
			s := last
			mu.Unlock()
			if s.uri != target || s.method != "PUT" || s.body != "the body" || s.host != upstreamHost {
				t.Errorf("upstream got %s %s (host %s) %q, want PUT %s %q", s.method, s.uri, s.host, s.body, target, "the body")
			}
			for k, vs := range req.Header {
				if fmt.Sprint(s.header[k]) != fmt.Sprint(vs) {
					t.Errorf("upstream got %s: %q, want %q", k, s.header[k], vs)
				}
			}
		})
	}
	t.Run("redirect not followed", func(t *testing.T) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(proxy.URL + "/redirect")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("HTTP %d, want upstream's 302", resp.StatusCode)
		}
	})
}

// TestHandlerForward is the verifier in front of an upstream: what it
// accepts is forwarded with its body, what it rejects never is.
func TestHandlerForward(t *testing.T) {
	var hits sync.Map
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hits.Store(string(b), r.RequestURI)
		w.Write(b)
	}))
	defer upstream.Close()
	v := sigcheck.New(creds)
	srv := httptest.NewServer(v.Handler(sigcheck.Forward(upstream.URL)))
	defer srv.Close()
	now := time.Now().UTC()

	ok := signed(t, "PUT", srv.URL+"/bucket/a%2Bb?tagging", []byte("accepted"), "s3", creds, now, nil)
	if a := send(t, ok); a.status != 200 || a.body != "accepted" {
		t.Fatalf("HTTP %d %q", a.status, a.body)
	}
	if uri, _ := hits.Load("accepted"); uri != ok.URL.RequestURI() || !strings.HasPrefix(ok.URL.RequestURI(), "/bucket/a%2Bb?tagging") {
		t.Errorf("upstream got %v, want %s", uri, ok.URL.RequestURI())
	}
	bad := signed(t, "PUT", srv.URL+"/bucket/k", []byte("rejected"), "s3", aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "no"}, now, nil)
	if a := send(t, bad); a.status != 403 || a.code != "SignatureDoesNotMatch" {
		t.Fatalf("HTTP %d %s", a.status, a.code)
	}
	if _, ok := hits.Load("rejected"); ok {
		t.Error("a rejected request was forwarded")
	}
}

// TestStreamingSeed: an aws-chunked request's seed signature is checked
// like any other (the payload hash is the STREAMING constant); other
// STREAMING variants are refused as not implemented.
func TestStreamingSeed(t *testing.T) {
	v := sigcheck.New(creds)
	chunked := func(hash string, c aws.Credentials) *http.Request {
		return signed(t, "PUT", "https://b.s3.us-east-1.amazonaws.com/k", []byte("5;chunk-signature=x\r\nhello\r\n"), "s3", c, time.Now(), func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", hash)
			r.Header.Set("Content-Encoding", "aws-chunked")
			r.Header.Set("X-Amz-Decoded-Content-Length", "5")
		})
	}
	if err := v.Check(chunked("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", creds), nil); err != nil {
		t.Errorf("seed signature: %v", err)
	}
	var e *sigcheck.Error
	if err := v.Check(chunked("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "wrong"}), nil); !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" {
		t.Errorf("seed signed with another secret: %v", err)
	}
	if err := v.Check(chunked("STREAMING-UNSIGNED-PAYLOAD-TRAILER", creds), nil); !errors.As(err, &e) || e.Code != "NotImplemented" {
		t.Errorf("trailer variant: %v, want NotImplemented", err)
	}
}
