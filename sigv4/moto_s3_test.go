package sigv4_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// objectURL is a path-style S3 URL as net/url writes it: RawPath empty, so
// the characters url.URL leaves bare in paths (! $ & ' ( ) * + , ; = : @)
// are sent bare unless the signer rewrites the path.
func objectURL(endpoint, bucket, key string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + bucket + "/" + key
	return u.String()
}

// objectURLLowerHex writes the key fully percent-encoded with lower-case hex
// digits: valid, but not AWS's canonical form, which the signer must produce.
func objectURLLowerHex(endpoint, bucket, key string) string {
	return endpoint + "/" + bucket + "/" + escapeKey(key, "0123456789abcdef")
}

// awsEscapeKey percent-encodes every byte of key but A-Z a-z 0-9 - . _ ~ and
// '/', with upper-case hex: the form S3 signs object keys in.
func awsEscapeKey(key string) string { return escapeKey(key, "0123456789ABCDEF") }

func escapeKey(key, hexDigits string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '/' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

type listBucketResult struct {
	KeyCount int `xml:"KeyCount"`
	Contents []struct {
		Key  string `xml:"Key"`
		Size int64  `xml:"Size"`
	} `xml:"Contents"`
}

// listKeys runs ListObjectsV2 with a prefix, the query written in canonical
// form (%20 for space), and returns the keys.
func listKeys(t *testing.T, endpoint, bucket, prefix string, creds sigv4.Credentials) []string {
	t.Helper()
	q := "list-type=2&prefix=" + strings.ReplaceAll(url.QueryEscape(prefix), "+", "%20")
	req := newReq(t, http.MethodGet, endpoint+"/"+bucket+"?"+q, nil)
	r := motoSend(t, req, creds, s3Opts(), http.StatusOK)
	var res listBucketResult
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("ListObjectsV2: %v: %s", err, r.Body)
	}
	keys := make([]string, 0, len(res.Contents))
	for _, c := range res.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}

// putGetKey stores an object under key and reads it back, once with the URL
// written by net/url and once fully percent-encoded in lower-case hex (with
// UNSIGNED-PAYLOAD), and checks that the path sent was AWS's encoding of the
// key both times. The object holds "body 1 of <key>" afterwards.
func putGetKey(t *testing.T, endpoint, bucket, key string, creds sigv4.Credentials) {
	t.Helper()
	for j, u := range []string{objectURL(endpoint, bucket, key), objectURLLowerHex(endpoint, bucket, key)} {
		body := []byte(fmt.Sprintf("body %d of %q", j, key))
		opts := s3Opts()
		if j == 1 {
			opts.PayloadHash = sigv4.UnsignedPayload
		}
		req := newReq(t, http.MethodPut, u, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		motoSend(t, req, creds, opts, http.StatusOK)
		// What went on the wire is AWS's encoding of the key, whatever
		// encoding the URL was written in.
		if got, want := req.URL.EscapedPath(), "/"+bucket+"/"+awsEscapeKey(key); got != want {
			t.Fatalf("path sent %s, want %s", got, want)
		}
		got := motoSend(t, newReq(t, http.MethodGet, u, nil), creds, s3Opts(), http.StatusOK).Body
		if !bytes.Equal(got, body) {
			t.Fatalf("GET %s = %q, want %q", u, got, body)
		}
	}
}

func createBucket(t *testing.T, endpoint, bucket string, creds sigv4.Credentials) {
	t.Helper()
	motoSend(t, newReq(t, http.MethodPut, endpoint+"/"+bucket, nil), creds, s3Opts(), http.StatusOK)
}

func getObject(t *testing.T, endpoint, bucket, key string, creds sigv4.Credentials) []byte {
	t.Helper()
	return motoSend(t, newReq(t, http.MethodGet, objectURL(endpoint, bucket, key), nil), creds, s3Opts(), http.StatusOK).Body
}

func testMotoS3(t *testing.T, fx *motoFixture, wrong, unknown sigv4.Credentials) {
	endpoint, creds := fx.endpoint, fx.creds
	const bucket = "sigv4-moto-bucket"
	createBucket(t, endpoint, bucket, creds)

	put := func(t *testing.T, key string, body []byte, opts sigv4.Options) {
		t.Helper()
		req := newReq(t, http.MethodPut, objectURL(endpoint, bucket, key), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("X-Amz-Meta-Note", "  signed   metadata  ")
		motoSend(t, req, creds, opts, http.StatusOK)
		if got := getObject(t, endpoint, bucket, key, creds); !bytes.Equal(got, body) {
			t.Fatalf("GetObject %q = %q, want %q", key, got, body)
		}
	}

	t.Run("PutObjectPayload", func(t *testing.T) {
		body := []byte("payload given in Options.Payload")
		opts := s3Opts()
		opts.Payload = body
		put(t, "payload.txt", body, opts)
	})
	t.Run("PutObjectGetBody", func(t *testing.T) {
		// http.NewRequest sets GetBody for a bytes.Reader: hashed through it.
		put(t, "getbody.txt", []byte("payload hashed through GetBody"), s3Opts())
	})
	t.Run("PutObjectSeekableBody", func(t *testing.T) {
		// An *os.File is an io.ReadSeeker with no GetBody: the signer hashes
		// it and seeks it back for sending.
		body := bytes.Repeat([]byte("seekable file body\n"), 20000) // 380 kB
		f, err := os.CreateTemp(t.TempDir(), "body")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(body); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		req := newReq(t, http.MethodPut, objectURL(endpoint, bucket, "seekable.bin"), nil)
		req.Body = f
		req.ContentLength = int64(len(body))
		if req.GetBody != nil {
			t.Fatal("GetBody is set; the seek path would not be tested")
		}
		motoSend(t, req, creds, s3Opts(), http.StatusOK)
		sum := sha256.Sum256(body)
		if got := req.Header.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
			t.Fatalf("X-Amz-Content-Sha256 = %s, want the body's hash", got)
		}
		if got := getObject(t, endpoint, bucket, "seekable.bin", creds); !bytes.Equal(got, body) {
			t.Fatalf("GetObject returned %d bytes, want the %d sent", len(got), len(body))
		}
	})
	t.Run("PutObjectUnsignedPayload", func(t *testing.T) {
		opts := s3Opts()
		opts.PayloadHash = sigv4.UnsignedPayload
		put(t, "unsigned.txt", []byte("payload left out of the signature"), opts)
	})
	for _, key := range motoPlainKeys {
		t.Run("PlainKey/"+key, func(t *testing.T) {
			putGetKey(t, endpoint, bucket, key, creds)
			// moto recomputes the query from werkzeug's request.url, which
			// decodes %2F: a prefix with a slash would be rejected.
			prefix, _, _ := strings.Cut(key, "/")
			if keys := listKeys(t, endpoint, bucket, prefix, creds); !reflect.DeepEqual(keys, []string{key}) {
				t.Fatalf("ListObjectsV2(prefix=%q) = %q, want [%q]", prefix, keys, key)
			}
		})
	}
	t.Run("ListObjectsV2", func(t *testing.T) {
		keys := listKeys(t, endpoint, bucket, "", creds)
		for _, want := range []string{"payload.txt", "getbody.txt", "seekable.bin", "unsigned.txt"} {
			if !contains(keys, want) {
				t.Errorf("ListObjectsV2 = %q, lacks %q", keys, want)
			}
		}
		// More query parameters, in no particular order.
		req := newReq(t, http.MethodGet, endpoint+"/"+bucket+"?prefix=s&max-keys=1&list-type=2&fetch-owner=true", nil)
		r := motoSend(t, req, creds, s3Opts(), http.StatusOK)
		var res listBucketResult
		if err := xml.Unmarshal(r.Body, &res); err != nil || len(res.Contents) != 1 || res.Contents[0].Key != "seekable.bin" {
			t.Fatalf("ListObjectsV2(prefix=s, max-keys=1) = %+v (%v): %s", res, err, r.Body)
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		r := motoSend(t, newReq(t, http.MethodGet, objectURL(endpoint, bucket, "payload.txt"), nil), wrong, s3Opts(), 0)
		expectAWSError(t, r, http.StatusForbidden, "SignatureDoesNotMatch")
		body := []byte("never stored")
		opts := s3Opts()
		opts.Payload = body
		r = motoSend(t, newReq(t, http.MethodPut, objectURL(endpoint, bucket, "never.txt"), bytes.NewReader(body)), wrong, opts, 0)
		expectAWSError(t, r, http.StatusForbidden, "SignatureDoesNotMatch")
		r = motoSend(t, newReq(t, http.MethodGet, endpoint+"/"+bucket+"?list-type=2", nil), wrong, s3Opts(), 0)
		expectAWSError(t, r, http.StatusForbidden, "SignatureDoesNotMatch")
	})
	t.Run("UnknownAccessKey", func(t *testing.T) {
		r := motoSend(t, newReq(t, http.MethodGet, objectURL(endpoint, bucket, "payload.txt"), nil), unknown, s3Opts(), 0)
		expectAWSError(t, r, http.StatusForbidden, "InvalidAccessKeyId")
	})
}
