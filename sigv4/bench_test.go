package sigv4_test

// Benchmarks against aws-sdk-go-v2's signer. Both implementations sign the
// same request object, created once before the timer starts and re-signed in
// every iteration (each overwrites the headers it sets), at a fixed signing
// time, so that both sign with a cached signing key (the SDK caches the
// derived key too).
//
//	go test -run '^$' -bench 'BenchmarkCompare|BenchmarkPayloadHash' -benchmem -count 3 ./sigv4/

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

var (
	benchTime  = time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	benchCreds = sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	// A session token of realistic length (STS tokens run to several hundred bytes).
	benchTokenCreds = sigv4.Credentials{
		AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken:    "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD" + strings.Repeat("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/", 16) + "==",
	}
	benchSink string
)

func benchAWSCreds(c sigv4.Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

func benchNewRequest(tb testing.TB, method, rawURL string, body []byte) *http.Request {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// benchS3GetRequest is the s3-get case: a plain GET of an object.
func benchS3GetRequest(tb testing.TB) *http.Request {
	return benchNewRequest(tb, "GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/cat.jpg", nil)
}

func benchS3GetOptions() sigv4.Options {
	return sigv4.Options{Region: "us-east-1", Service: "s3", Time: benchTime, PayloadHash: sigv4.UnsignedPayload}
}

// benchDynamoBody is a 1 KiB DynamoDB PutItem JSON document.
var benchDynamoBody = func() []byte {
	head := `{"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"Notes":{"S":"`
	tail := `"}},"ReturnConsumedCapacity":"TOTAL"}`
	b := []byte(head + strings.Repeat("x", 1024-len(head)-len(tail)) + tail)
	if len(b) != 1024 {
		panic("dynamodb body is not 1 KiB")
	}
	return b
}()

const benchSTSBody = "Action=GetCallerIdentity&Version=2011-06-15"

func benchFatal(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// benchSign times sign: once before the timer starts, which derives and
// caches the signing key, then b.N times, counting allocations.
func benchSign(b *testing.B, sign func() error) {
	benchFatal(b, sign())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchFatal(b, sign())
	}
}

func BenchmarkCompare(b *testing.B) {
	ctx := context.Background()

	b.Run("s3-get", func(b *testing.B) {
		b.Run("alter", func(b *testing.B) {
			req := benchS3GetRequest(b)
			var s sigv4.Signer
			opts := benchS3GetOptions()
			benchSign(b, func() error { return s.Sign(req, benchCreds, opts) })
		})
		b.Run("awssdk", func(b *testing.B) {
			req := benchS3GetRequest(b)
			s := awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
			creds := benchAWSCreds(benchCreds)
			// The SDK's S3 client sets X-Amz-Content-Sha256 in a middleware
			// before signing; ours sets it inside Sign. Done in the loop too.
			req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
			benchSign(b, func() error {
				req.Header["X-Amz-Content-Sha256"][0] = sigv4.UnsignedPayload
				return s.SignHTTP(ctx, creds, req, sigv4.UnsignedPayload, "s3", "us-east-1", benchTime)
			})
		})
	})

	// Both hash the 1 KiB body inside the loop: the SDK as hex(sha256(body))
	// passed as payloadHash, ours through Options.Payload.
	dynamoRequest := func(b *testing.B) *http.Request {
		req := benchNewRequest(b, "POST", "https://dynamodb.us-east-1.amazonaws.com/", benchDynamoBody)
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return req
	}
	b.Run("dynamodb-post-1k", func(b *testing.B) {
		b.Run("alter", func(b *testing.B) {
			req := dynamoRequest(b)
			var s sigv4.Signer
			opts := sigv4.Options{Region: "us-east-1", Service: "dynamodb", Time: benchTime, Payload: benchDynamoBody}
			benchSign(b, func() error { return s.Sign(req, benchCreds, opts) })
		})
		b.Run("awssdk", func(b *testing.B) {
			req := dynamoRequest(b)
			s := awsv4.NewSigner()
			creds := benchAWSCreds(benchCreds)
			benchSign(b, func() error {
				sum := sha256.Sum256(benchDynamoBody)
				return s.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", benchTime)
			})
		})
	})

	b.Run("presign-s3-get", func(b *testing.B) {
		const expires = 15 * time.Minute
		b.Run("alter", func(b *testing.B) {
			req := benchS3GetRequest(b)
			var s sigv4.Signer
			opts := benchS3GetOptions()
			benchSign(b, func() error {
				u, _, err := s.Presign(req, benchCreds, opts, expires)
				benchSink = u
				return err
			})
		})
		b.Run("awssdk", func(b *testing.B) {
			req := benchS3GetRequest(b)
			// X-Amz-Expires goes in the query, as PresignHTTP's documentation
			// says; PresignHTTP does not modify req.
			q := req.URL.Query()
			q.Set("X-Amz-Expires", "900")
			req.URL.RawQuery = q.Encode()
			s := awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
			creds := benchAWSCreds(benchCreds)
			benchSign(b, func() error {
				u, _, err := s.PresignHTTP(ctx, creds, req, sigv4.UnsignedPayload, "s3", "us-east-1", benchTime)
				benchSink = u
				return err
			})
		})
	})

	// STS with temporary credentials; the small form body's hash is given to
	// both (precomputed), so the case measures header signing with a token.
	stsHash := sigv4.HashBytes([]byte(benchSTSBody))
	stsRequest := func(b *testing.B) *http.Request {
		req := benchNewRequest(b, "POST", "https://sts.us-east-1.amazonaws.com/", []byte(benchSTSBody))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		return req
	}
	b.Run("sts-post-token", func(b *testing.B) {
		b.Run("alter", func(b *testing.B) {
			req := stsRequest(b)
			var s sigv4.Signer
			opts := sigv4.Options{Region: "us-east-1", Service: "sts", Time: benchTime, PayloadHash: stsHash}
			benchSign(b, func() error { return s.Sign(req, benchTokenCreds, opts) })
		})
		b.Run("awssdk", func(b *testing.B) {
			req := stsRequest(b)
			s := awsv4.NewSigner()
			creds := benchAWSCreds(benchTokenCreds)
			benchSign(b, func() error { return s.SignHTTP(ctx, creds, req, stsHash, "sts", "us-east-1", benchTime) })
		})
	})
}

// BenchmarkPayloadHash compares sigv4.HashBytes (cases "<size>") and
// sigv4.HashReader (cases "<size>-reader") with crypto/sha256 used directly.
func BenchmarkPayloadHash(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size.n/16)
		b.Run(size.name, func(b *testing.B) {
			b.Run("alter", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					benchSink = sigv4.HashBytes(data)
				}
			})
			b.Run("sha256", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					sum := sha256.Sum256(data)
					benchSink = hex.EncodeToString(sum[:])
				}
			})
		})
		b.Run(size.name+"-reader", func(b *testing.B) {
			b.Run("alter", func(b *testing.B) {
				rd := bytes.NewReader(data)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					h, err := sigv4.HashReader(rd) // seeks rd back to the start
					benchFatal(b, err)
					benchSink = h
				}
			})
			b.Run("sha256", func(b *testing.B) {
				rd := bytes.NewReader(data)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					h := sha256.New()
					_, err := io.Copy(h, rd)
					benchFatal(b, err)
					_, err = rd.Seek(0, io.SeekStart)
					benchFatal(b, err)
					benchSink = hex.EncodeToString(h.Sum(nil))
				}
			})
		})
	}
}

// TestSignAllocs holds the design goal that header signing with a cached
// signing key makes at most 4 allocations (the s3-get request).
func TestSignAllocs(t *testing.T) {
	const limit = 4
	req := benchS3GetRequest(t)
	var s sigv4.Signer
	opts := benchS3GetOptions()
	if err := s.Sign(req, benchCreds, opts); err != nil { // derive and cache the key, fill the pool
		t.Fatal(err)
	}
	var err error
	n := testing.AllocsPerRun(1000, func() { err = s.Sign(req, benchCreds, opts) })
	if err != nil {
		t.Fatal(err)
	}
	if sigv4.RaceBuild() {
		// sync.Pool drops a quarter of what is put back under the race
		// detector, so the count is not meaningful; it is asserted in
		// ordinary builds only.
		t.Logf("race build: header signing of s3-get made %v allocations per run (not asserted)", n)
		return
	}
	t.Logf("header signing of s3-get with a cached key: %v allocations per run (limit %d)", n, limit)
	if n > limit {
		t.Errorf("header signing of s3-get with a cached key makes %v allocations per run, want at most %d", n, limit)
	}
}
