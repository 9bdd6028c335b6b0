package testutil

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// ChunkedExample is AWS's S3 example "Signature calculation: transferring
// payload in multiple chunks" (sigv4/testdata/s3-chunked-example.json), as
// facts in JSON. The signer's tests reproduce it; the verifier's check it.
type ChunkedExample struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
	} `json:"credentials"`
	Region    string    `json:"region"`
	Service   string    `json:"service"`
	Timestamp time.Time `json:"timestamp"`
	Request   struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
	} `json:"request"`
	ChunkSizes []int  `json:"chunk_sizes"`
	ChunkByte  string `json:"chunk_byte"`
	Expected   struct {
		Authorization   string   `json:"authorization"`
		SeedSignature   string   `json:"seed_signature"`
		ChunkSignatures []string `json:"chunk_signatures"`
	} `json:"expected"`
}

// LoadChunkedExample reads the example from path (the test's way to
// sigv4/testdata/s3-chunked-example.json), failing t when it cannot.
func LoadChunkedExample(t testing.TB, path string) ChunkedExample {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("AWS's S3 chunked example: %v", err)
	}
	var ex ChunkedExample
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	return ex
}

// Payload is the example's decoded body: ChunkByte repeated over every
// chunk's size.
func (ex ChunkedExample) Payload() []byte {
	n := 0
	for _, size := range ex.ChunkSizes {
		n += size
	}
	return bytes.Repeat([]byte(ex.ChunkByte), n)
}
