package sigv4_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// suiteDir holds AWS's signing test suite (aws-c-auth's
// tests/aws-signing-test-suite, Apache-2.0, with its LICENSE and NOTICE);
// testdata/s3-chunked-example.json beside it holds the S3 aws-chunked
// example.
const suiteDir = "testdata/aws-signing-test-suite"

// suiteSize is how many cases each part of the suite holds: a case lost
// from testdata fails the test rather than shrinking it.
var suiteSize = map[string]int{"v4": 38, "v4a": 40}

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Expiration       int64     `json:"expiration_in_seconds"`
	Normalize        bool      `json:"normalize"`
	Region           string    `json:"region"`
	Service          string    `json:"service"`
	SignBody         bool      `json:"sign_body"`
	OmitSessionToken bool      `json:"omit_session_token"`
	Timestamp        time.Time `json:"timestamp"`
}

type suiteCase struct {
	dir  string
	ctx  suiteContext
	raw  []byte // request.txt
	body []byte
}

func (c *suiteCase) file(t *testing.T, name string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

// request builds the http.Request that request.txt describes. The request
// line's path is the path as sent on the wire, so it goes in URL.Opaque
// (net/http sends an opaque URL's path as it is).
func (c *suiteCase) request(t *testing.T) *http.Request {
	t.Helper()
	head, body, _ := bytes.Cut(c.raw, []byte("\n\n"))
	lines := strings.Split(string(head), "\n")
	method, rest, _ := strings.Cut(lines[0], " ")
	target := rest[:strings.LastIndex(rest, " ")]
	path, query, _ := strings.Cut(target, "?")

	req := &http.Request{
		Method: method,
		URL:    &url.URL{Scheme: "https", Opaque: path, RawQuery: query},
		Header: http.Header{},
	}
	var name string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vs := req.Header[name]
			vs[len(vs)-1] += "\n" + l
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		name = http.CanonicalHeaderKey(k)
		switch name {
		case "Host":
			req.Host = v
			req.URL.Host = v
		case "Content-Length":
			continue
		default:
			req.Header[name] = append(req.Header[name], v)
		}
	}
	// An opaque "//host/path" keeps a path such as "//example//" from
	// being read as an authority.
	req.URL.Opaque = "//" + req.Host + path
	c.body = body
	if len(body) > 0 {
		req.ContentLength = int64(len(body))
		req.Body = http.NoBody
		req.GetBody = nil
	}
	return req
}

func loadSuite(t *testing.T, version string) []*suiteCase {
	t.Helper()
	root := filepath.Join(suiteDir, version)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("AWS signing test suite: %v", err)
	}
	var cases []*suiteCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		c := &suiteCase{dir: dir}
		b, err := os.ReadFile(filepath.Join(dir, "context.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &c.ctx); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if c.raw, err = os.ReadFile(filepath.Join(dir, "request.txt")); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if len(cases) != suiteSize[version] {
		t.Fatalf("%d cases in %s, want %d", len(cases), root, suiteSize[version])
	}
	return cases
}

func (c *suiteCase) options(tr *sigv4.Trace) (sigv4.Credentials, sigv4.Options) {
	creds := sigv4.Credentials{
		AccessKeyID:     c.ctx.Credentials.AccessKeyID,
		SecretAccessKey: c.ctx.Credentials.SecretAccessKey,
		SessionToken:    c.ctx.Credentials.Token,
	}
	opts := sigv4.Options{
		Region:               c.ctx.Region,
		Service:              c.ctx.Service,
		Time:                 c.ctx.Timestamp,
		NormalizePath:        c.ctx.Normalize,
		UnsignedSessionToken: c.ctx.OmitSessionToken,
		Trace:                tr,
	}
	return creds, opts
}

// TestSuiteV4 runs every case of AWS's SigV4 test suite in header and query
// form and compares the canonical request, string to sign and signature.
func TestSuiteV4(t *testing.T) {
	cases := loadSuite(t, "v4")
	ran := 0
	for _, c := range cases {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			t.Run("header", func(t *testing.T) {
				req := c.request(t)
				var tr sigv4.Trace
				creds, opts := c.options(&tr)
				opts.Payload = c.body
				if c.ctx.SignBody {
					req.Header.Set("X-Amz-Content-Sha256", sigv4.HashBytes(c.body))
				}
				if err := sigv4.Sign(req, creds, opts); err != nil {
					t.Fatal(err)
				}
				want, _ := c.file(t, "header-canonical-request.txt")
				expectEqual(t, "canonical request", tr.CanonicalRequest, want)
				want, _ = c.file(t, "header-string-to-sign.txt")
				expectEqual(t, "string to sign", tr.StringToSign, want)
				want, _ = c.file(t, "header-signature.txt")
				expectEqual(t, "signature", tr.Signature, want)
				signed, _ := c.file(t, "header-signed-request.txt")
				wantAuth := headerLine(t, signed, "Authorization")
				expectEqual(t, "Authorization", req.Header.Get("Authorization"), wantAuth)
				if c.ctx.Credentials.Token != "" {
					expectEqual(t, "X-Amz-Security-Token", req.Header.Get("X-Amz-Security-Token"), c.ctx.Credentials.Token)
				}
			})
			t.Run("query", func(t *testing.T) {
				req := c.request(t)
				var tr sigv4.Trace
				creds, opts := c.options(&tr)
				opts.Payload = c.body
				u, _, err := sigv4.Presign(req, creds, opts, time.Duration(c.ctx.Expiration)*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := c.file(t, "query-canonical-request.txt")
				expectEqual(t, "canonical request", tr.CanonicalRequest, want)
				want, _ = c.file(t, "query-string-to-sign.txt")
				expectEqual(t, "string to sign", tr.StringToSign, want)
				sig, _ := c.file(t, "query-signature.txt")
				expectEqual(t, "signature", tr.Signature, sig)
				if !strings.HasSuffix(u, "&X-Amz-Signature="+sig) {
					t.Errorf("presigned URL %s does not end with the signature %s", u, sig)
				}
				if c.ctx.OmitSessionToken && !strings.Contains(u, "X-Amz-Security-Token=") {
					t.Errorf("presigned URL %s lacks the unsigned session token", u)
				}
			})
		})
		ran++
	}
	if ran != len(cases) {
		t.Fatalf("ran %d of %d cases", ran, len(cases))
	}
	t.Logf("ran %d SigV4 cases, header and query form", ran)
}

// TestSuiteV4a runs AWS's SigV4a suite. Signatures are randomized, so each
// is verified with the case's public key, which must also be the key we
// derive from the credentials.
func TestSuiteV4a(t *testing.T) {
	cases := loadSuite(t, "v4a")
	ran := 0
	for _, c := range cases {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			priv, err := sigv4.DeriveV4aKey(c.ctx.Credentials.AccessKeyID, c.ctx.Credentials.SecretAccessKey)
			if err != nil {
				t.Fatal(err)
			}
			pub := &priv.PublicKey
			if pk, ok := c.file(t, "public-key.json"); ok {
				var xy struct{ X, Y string }
				if err := json.Unmarshal([]byte(pk), &xy); err != nil {
					t.Fatal(err)
				}
				pub = publicKey(t, xy.X, xy.Y)
				if !priv.PublicKey.Equal(pub) {
					t.Fatalf("derived public key differs from public-key.json")
				}
			}
			for _, form := range []string{"header", "query"} {
				t.Run(form, func(t *testing.T) {
					req := c.request(t)
					var tr sigv4.Trace
					creds, opts := c.options(&tr)
					opts.RegionSet, opts.Region = c.ctx.Region, ""
					opts.Payload = c.body
					var u string
					if form == "header" {
						if c.ctx.SignBody {
							req.Header.Set("X-Amz-Content-Sha256", sigv4.HashBytes(c.body))
						}
						if err := sigv4.Sign(req, creds, opts); err != nil {
							t.Fatal(err)
						}
					} else {
						var err error
						if u, _, err = sigv4.Presign(req, creds, opts, time.Duration(c.ctx.Expiration)*time.Second); err != nil {
							t.Fatal(err)
						}
					}
					if want, ok := c.file(t, form+"-canonical-request.txt"); ok {
						expectEqual(t, "canonical request", tr.CanonicalRequest, want)
						want, _ = c.file(t, form+"-string-to-sign.txt")
						expectEqual(t, "string to sign", tr.StringToSign, want)
						// The suite's own signature must verify too: it proves
						// our string to sign is the one AWS signed.
						theirs, _ := c.file(t, form+"-signature.txt")
						if !sigv4.VerifyV4a(pub, want, mustHex(t, theirs)) {
							t.Errorf("the suite's signature does not verify against its string to sign")
						}
					} else {
						// No expected files: check the ordering rule the case
						// is named for, sorted by key then by value.
						q := strings.Split(tr.CanonicalRequest, "\n")[2]
						if !strings.HasPrefix(q, "Param1=value1&Param1=value2") && !strings.HasPrefix(q, "Param1=Value1&Param1=value2") {
							t.Errorf("canonical query %q not sorted by key then value", q)
						}
					}
					if !sigv4.VerifyV4a(pub, tr.StringToSign, mustHex(t, tr.Signature)) {
						t.Errorf("our signature does not verify with the public key")
					}
					if form == "header" {
						auth := req.Header.Get("Authorization")
						if !strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, SignedHeaders="+tr.SignedHeaders+", Signature="+tr.Signature) {
							t.Errorf("Authorization = %q", auth)
						}
						expectEqual(t, "X-Amz-Region-Set", req.Header.Get("X-Amz-Region-Set"), c.ctx.Region)
					} else if !strings.Contains(u, "X-Amz-Region-Set=us-east-1") || !strings.HasSuffix(u, "&X-Amz-Signature="+tr.Signature) {
						t.Errorf("presigned URL %s", u)
					}
				})
			}
		})
		ran++
	}
	if ran != len(cases) {
		t.Fatalf("ran %d of %d cases", ran, len(cases))
	}
	t.Logf("ran %d SigV4a cases, header and query form", ran)
}

func publicKey(t *testing.T, xHex, yHex string) *ecdsa.PublicKey {
	t.Helper()
	x, ok1 := new(big.Int).SetString(xHex, 16)
	y, ok2 := new(big.Int).SetString(yHex, 16)
	if !ok1 || !ok2 {
		t.Fatal("bad public key")
	}
	raw := make([]byte, 65)
	raw[0] = 4
	x.FillBytes(raw[1:33])
	y.FillBytes(raw[33:])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func headerLine(t *testing.T, raw, name string) string {
	t.Helper()
	for _, l := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	t.Fatalf("no %s line in %q", name, raw)
	return ""
}

func expectEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s differs\n got: %q\nwant: %q", what, got, want)
	}
}
