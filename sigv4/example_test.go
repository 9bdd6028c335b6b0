package sigv4_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// Sign a request in place with the Authorization header.
func ExampleSigner_Sign() {
	req, _ := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	var s sigv4.Signer
	err := s.Sign(req, creds, sigv4.Options{
		Region:  "us-east-1",
		Service: "service",
		Time:    time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Header.Get("X-Amz-Date"))
	fmt.Println(req.Header.Get("Authorization"))
	// Output:
	// 20150830T123600Z
	// AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31
}

// Presign an S3 GET that anyone holding the URL can use for 15 minutes.
func ExampleSigner_Presign() {
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	creds := sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	var s sigv4.Signer
	u, _, err := s.Presign(req, creds, sigv4.Options{
		Region:  "us-east-1",
		Service: "s3",
		Time:    time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC),
	}, 24*time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.ReplaceAll(u, "&", "\n&"))
	// Output:
	// https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256
	// &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request
	// &X-Amz-Date=20130524T000000Z
	// &X-Amz-Expires=86400
	// &X-Amz-SignedHeaders=host
	// &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
}

// Any net/http client can call AWS through a signing Transport.
func ExampleTransport() {
	client := &http.Client{Transport: &sigv4.Transport{
		Credentials: sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		Region:      "us-east-1",
		Service:     "execute-api",
	}}
	_ = client // client.Get("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items")
}
