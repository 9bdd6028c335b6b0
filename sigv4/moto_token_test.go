package sigv4_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

// testMotoSessionToken signs with temporary credentials from STS AssumeRole.
// moto validates those: access_control.AssumedRoleAccessKey finds the key
// among the roles assumed and requires the matching X-Amz-Security-Token.
func testMotoSessionToken(t *testing.T, fx *motoFixture) {
	endpoint, creds := fx.endpoint, fx.creds
	const role = "sigv4-moto-role"
	// The trust policy names the user: moto compares principals as strings,
	// so the account root ("arn:aws:iam::<account>:root") would not cover it.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + motoAccount + `:user/` + motoUser + `"},"Action":"sts:AssumeRole"}]}`
	iamCall := func(params url.Values) motoResp {
		params.Set("Version", "2010-05-08")
		req, body := motoQueryRequest(t, endpoint, params)
		opts := iamOpts()
		opts.Payload = body
		return motoSend(t, req, creds, opts, http.StatusOK)
	}
	iamCall(url.Values{"Action": {"CreateRole"}, "RoleName": {role}, "AssumeRolePolicyDocument": {trust}})
	iamCall(url.Values{"Action": {"PutRolePolicy"}, "RoleName": {role}, "PolicyName": {"admin"}, "PolicyDocument": {motoserver.AdminPolicyDocument}})

	stsCreds := func(t *testing.T, r motoResp) sigv4.Credentials {
		t.Helper()
		var c struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			SessionToken    string `xml:"SessionToken"`
		}
		d := xml.NewDecoder(bytes.NewReader(r.Body))
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("no Credentials in %s", r.Body)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Credentials" {
				if err := d.DecodeElement(&c, &se); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if c.AccessKeyID == "" || c.SessionToken == "" {
			t.Fatalf("incomplete credentials in %s", r.Body)
		}
		return sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	}

	req, body := motoQueryRequest(t, endpoint, url.Values{
		"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn":         {"arn:aws:iam::" + motoAccount + ":role/" + role},
		"RoleSessionName": {"sigv4-session"},
	})
	opts := stsOpts()
	opts.Payload = body
	temp := stsCreds(t, motoSend(t, req, creds, opts, http.StatusOK))

	t.Run("AssumeRole/GetCallerIdentity", func(t *testing.T) {
		req, opts := motoQuery(t, endpoint, "GetCallerIdentity", "2011-06-15", stsOpts())
		r := motoSend(t, req, temp, opts, http.StatusOK)
		if req.Header.Get("X-Amz-Security-Token") != temp.SessionToken {
			t.Fatal("X-Amz-Security-Token was not sent")
		}
		want := ":assumed-role/" + role + "/sigv4-session</Arn>"
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Fatalf("answer lacks %s: %s", want, r.Body)
		}
	})
	t.Run("AssumeRole/S3", func(t *testing.T) {
		const bucket = "sigv4-moto-session"
		createBucket(t, endpoint, bucket, temp)
		body := []byte("stored with temporary credentials")
		req := newReq(t, http.MethodPut, objectURL(endpoint, bucket, "temp.txt"), bytes.NewReader(body))
		motoSend(t, req, temp, s3Opts(), http.StatusOK)
		if got := getObject(t, endpoint, bucket, "temp.txt", temp); !bytes.Equal(got, body) {
			t.Fatalf("GetObject = %q, want %q", got, body)
		}
	})
	t.Run("AssumeRole/PresignedGet", func(t *testing.T) {
		// Through the verifier (moto cannot check presigned URLs, see
		// testMotoVerifier): the token travels in X-Amz-Security-Token.
		fx.verifier.Add(temp.AccessKeyID, temp.SecretAccessKey)
		const bucket = "sigv4-verified-session"
		createBucket(t, fx.verified, bucket, temp)
		body := []byte("presigned with temporary credentials")
		motoSend(t, newReq(t, http.MethodPut, objectURL(fx.verified, bucket, "a+b.txt"), bytes.NewReader(body)), temp, s3Opts(), http.StatusOK)
		u, _, err := sigv4.Presign(newReq(t, http.MethodGet, objectURL(fx.verified, bucket, "a+b.txt"), nil), temp, s3Opts(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(u, "X-Amz-Security-Token=") {
			t.Fatalf("presigned URL without the session token: %s", u)
		}
		getPresigned(t, u, body)
	})
	t.Run("AssumeRole/DynamoDB", func(t *testing.T) {
		req, opts := dynamoRequest(t, endpoint, "ListTables", map[string]any{})
		motoSend(t, req, temp, opts, http.StatusOK)
	})
	t.Run("AssumeRole/WrongToken", func(t *testing.T) {
		bad := temp
		bad.SessionToken = otherFirst(temp.SessionToken)
		req, opts := motoQuery(t, endpoint, "GetCallerIdentity", "2011-06-15", stsOpts())
		expectAWSError(t, motoSend(t, req, bad, opts, 0), http.StatusForbidden, "InvalidClientTokenId")
	})
	t.Run("AssumeRole/WrongSecret", func(t *testing.T) {
		bad := temp
		bad.SecretAccessKey = otherFirst(temp.SecretAccessKey)
		req, opts := motoQuery(t, endpoint, "GetCallerIdentity", "2011-06-15", stsOpts())
		expectAWSError(t, motoSend(t, req, bad, opts, 0), http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("GetSessionToken", func(t *testing.T) {
		req, opts := motoQuery(t, endpoint, "GetSessionToken", "2011-06-15", stsOpts())
		sess := stsCreds(t, motoSend(t, req, creds, opts, http.StatusOK))
		req, opts = motoQuery(t, endpoint, "GetCallerIdentity", "2011-06-15", stsOpts())
		r := motoSend(t, req, sess, opts, 0)
		if r.Status == http.StatusForbidden && motoErrorCode(r.Body) == "InvalidClientTokenId" {
			// moto 5.x issues GetSessionToken credentials but does not keep
			// them: access_control.create_access_key looks only among IAM
			// users' keys and assumed roles, so it rejects every request
			// signed with them, whatever the signature.
			t.Skip("moto does not validate GetSessionToken credentials (it answers InvalidClientTokenId to any use of them); AssumeRole credentials are covered above")
		}
		if r.Status != http.StatusOK {
			t.Fatalf("GetCallerIdentity with GetSessionToken credentials: %v", r)
		}
	})
}

// testMotoVerifier stores and reads S3 keys with characters moto's own
// signature check mishandles, through the verifier.
func testMotoVerifier(t *testing.T, fx *motoFixture, wrong sigv4.Credentials) {
	v, creds := fx.verifier, fx.creds
	endpoint := fx.verified
	const bucket = "sigv4-verified"
	createBucket(t, endpoint, bucket, creds)

	for i, key := range motoKeys {
		t.Run(fmt.Sprintf("Key%d", i), func(t *testing.T) {
			t.Logf("key %q", key)
			putGetKey(t, endpoint, bucket, key, creds)
			if keys := listKeys(t, endpoint, bucket, key, creds); !reflect.DeepEqual(keys, []string{key}) {
				t.Fatalf("ListObjectsV2(prefix=%q) = %q, want [%q]", key, keys, key)
			}
			// The same key read back through a presigned URL.
			u, _, err := sigv4.Presign(newReq(t, http.MethodGet, objectURL(endpoint, bucket, key), nil), creds, s3Opts(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			getPresigned(t, u, []byte(fmt.Sprintf("body 1 of %q", key)))
		})
	}

	// moto 5.x cannot check a presigned URL: with signature checking on it
	// reads the Authorization header unconditionally
	// (access_control.IAMRequestBase.__init__) and answers a presigned GET
	// with HTTP 500 (KeyError: 'HTTP_AUTHORIZATION'). Presigned URLs are
	// therefore checked by the verifier only.
	t.Run("PresignedGetPlainKey", func(t *testing.T) {
		body := []byte("fetched through a presigned URL")
		opts := s3Opts()
		opts.Payload = body
		motoSend(t, newReq(t, http.MethodPut, objectURL(endpoint, bucket, "presigned.txt"), bytes.NewReader(body)), creds, opts, http.StatusOK)

		u, hdr, err := sigv4.Presign(newReq(t, http.MethodGet, objectURL(endpoint, bucket, "presigned.txt"), nil), creds, s3Opts(), 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// Presign returns the headers signed, Host among them (as the AWS
		// SDK does); a plain GET needs no other.
		if host := strings.TrimPrefix(endpoint, "http://"); len(hdr) != 1 || hdr.Get("Host") != host {
			t.Fatalf("a plain GET should need no headers besides Host %s, got %v", host, hdr)
		}
		getPresigned(t, u, body)
	})
	// The verifier must be able to fail.
	t.Run("RejectsTamperedHeader", func(t *testing.T) {
		req := newReq(t, http.MethodGet, objectURL(endpoint, bucket, motoKeys[1]), nil)
		req.Header.Set("X-Amz-Meta-Note", "signed")
		if err := sigv4.Sign(req, creds, s3Opts()); err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Meta-Note", "changed after signing")
		expectAWSError(t, motoDo(t, req, 0, nil), http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("RejectsTamperedPath", func(t *testing.T) {
		req := newReq(t, http.MethodGet, objectURL(endpoint, bucket, "plus/a+b+c"), nil)
		if err := sigv4.Sign(req, creds, s3Opts()); err != nil {
			t.Fatal(err)
		}
		// Another key, written in canonical form.
		req.URL.Path = "/" + bucket + "/plus/a+b+C"
		req.URL.RawPath = "/" + bucket + "/plus/a%2Bb%2BC"
		expectAWSError(t, motoDo(t, req, 0, nil), http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("RejectsTamperedBody", func(t *testing.T) {
		body := []byte("signed body")
		opts := s3Opts()
		opts.Payload = body
		req := newReq(t, http.MethodPut, objectURL(endpoint, bucket, "tampered"), bytes.NewReader([]byte("other body!")))
		if err := sigv4.Sign(req, creds, opts); err != nil {
			t.Fatal(err)
		}
		expectAWSError(t, motoDo(t, req, 0, nil), http.StatusBadRequest, "XAmzContentSHA256Mismatch")
	})
	t.Run("RejectsWrongSecret", func(t *testing.T) {
		r := motoSend(t, newReq(t, http.MethodGet, objectURL(endpoint, bucket, motoKeys[0]), nil), wrong, s3Opts(), 0)
		expectAWSError(t, r, http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("RejectsTamperedPresignedURL", func(t *testing.T) {
		u, _, err := sigv4.Presign(newReq(t, http.MethodGet, objectURL(endpoint, bucket, motoKeys[0]), nil), creds, s3Opts(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		u = strings.Replace(u, "X-Amz-Expires=60", "X-Amz-Expires=61", 1)
		expectAWSError(t, motoDo(t, newReq(t, http.MethodGet, u, nil), 0, nil), http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("RejectsExpiredPresignedURL", func(t *testing.T) {
		opts := s3Opts()
		opts.Time = time.Now().Add(-2 * time.Minute)
		u, _, err := sigv4.Presign(newReq(t, http.MethodGet, objectURL(endpoint, bucket, motoKeys[0]), nil), creds, opts, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		expectAWSError(t, motoDo(t, newReq(t, http.MethodGet, u, nil), 0, nil), http.StatusForbidden, "AccessDenied")
	})
	if n := v.Verified(); n == 0 {
		t.Fatal("the verifier accepted no request")
	}
}

// getPresigned fetches a presigned URL with a plain http.Get and wants 200 and body.
func getPresigned(t *testing.T, u string, body []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("presigned GET %s: HTTP %d %q, want 200 %q", u, resp.StatusCode, got, body)
	}
}
