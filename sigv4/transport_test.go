package sigv4_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/sigv4"
)

const (
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// verifyingServer answers 200 with the body it received, after
// aws-sdk-go-v2's signer agreed with the request's signature.
func verifyingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var served atomic.Int32
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.Copy(w, r.Body)
	})
	v := sigcheck.New(aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret})
	srv := httptest.NewServer(v.Handler(echo))
	t.Cleanup(srv.Close)
	return srv, &served
}

// rotatingProvider hands out a new session token on every call.
type rotatingProvider struct{ n atomic.Int32 }

func (r *rotatingProvider) Retrieve(context.Context) (sigv4.Credentials, error) {
	r.n.Add(1)
	return sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "token-" + strings.Repeat("x", int(r.n.Load()))}, nil
}

func TestTransport(t *testing.T) {
	srv, served := verifyingServer(t)
	static := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	client := &http.Client{Transport: &sigv4.Transport{Credentials: static, Region: "us-east-1", Service: "execute-api"}}

	t.Run("get with query", func(t *testing.T) {
		req, _ := http.NewRequest("GET", srv.URL+"/prod/items/a%20b?limit=10&next=x%2By&empty=", nil)
		req.Header.Set("X-Custom", "  spaced   out  ")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if req.Header.Get("Authorization") != "" || req.Header.Get("X-Amz-Date") != "" {
			t.Error("the caller's request was modified")
		}
	})

	t.Run("post body hashed through GetBody", func(t *testing.T) {
		body := bytes.Repeat([]byte(`{"k":"v"}`), 500)
		resp, err := client.Post(srv.URL+"/", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("status %d, body round-trip %v", resp.StatusCode, bytes.Equal(got, body))
		}
	})

	t.Run("refreshing credentials with a session token", func(t *testing.T) {
		prov := &rotatingProvider{}
		c := &http.Client{Transport: &sigv4.Transport{Credentials: prov, Region: "eu-west-1", Service: "sts"}}
		for range 3 {
			resp, err := c.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		if prov.n.Load() != 3 {
			t.Errorf("credentials asked %d times, want once per request", prov.n.Load())
		}
	})

	t.Run("unseekable body", func(t *testing.T) {
		before := served.Load()
		req, _ := http.NewRequest("PUT", srv.URL+"/k", io.NopCloser(strings.NewReader("data")))
		_, err := client.Do(req)
		if !errors.Is(err, sigv4.ErrBodyNotHashed) {
			t.Fatalf("err = %v, want ErrBodyNotHashed", err)
		}
		if served.Load() != before {
			t.Error("an unsigned request reached the server")
		}
		s3 := &http.Client{Transport: &sigv4.Transport{Credentials: static, Region: "us-east-1", Service: "s3", UnsignedPayload: true}}
		req, _ = http.NewRequest("PUT", srv.URL+"/bucket/k", io.NopCloser(strings.NewReader("data")))
		req.ContentLength = 4
		resp, err := s3.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("UNSIGNED-PAYLOAD upload: status %d", resp.StatusCode)
		}
	})

	t.Run("wrong secret is rejected by the verifier", func(t *testing.T) {
		bad := &http.Client{Transport: &sigv4.Transport{
			Credentials: sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "not-the-secret"},
			Region:      "us-east-1", Service: "execute-api",
		}}
		resp, err := bad.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
			t.Fatalf("status %d body %s", resp.StatusCode, b)
		}
	})
}

func TestCredentialsNeverFormatted(t *testing.T) {
	c := sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "SESSIONTOKENVALUE"}
	for _, s := range []string{c.String(), c.GoString(), fmtAll(c)} {
		if strings.Contains(s, testSecret) || strings.Contains(s, "SESSIONTOKENVALUE") {
			t.Errorf("secret in %q", s)
		}
		if !strings.Contains(s, testKeyID) {
			t.Errorf("key id missing from %q", s)
		}
	}
}

func fmtAll(c sigv4.Credentials) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		b.WriteString(fmt.Sprintf(verb, c))
		b.WriteString(fmt.Sprintf(verb, &c))
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "c", c)
	b.Write(logged.Bytes())
	return b.String()
}
