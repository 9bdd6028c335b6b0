package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
)

// TestServeFilesDir runs serve over stdio with --files-dir: a 3 MiB file
// goes up through s3_put (aws-chunked, each chunk signature checked on the
// way) and comes back down through s3_get into another file of the folder.
func TestServeFilesDir(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	objects := map[string][]byte{}
	v := sigcheck.New(aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken})
	s3 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amz-bucket-region", "us-east-1")
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			cr, err := v.Chunked(r) // the seed signature, then each chunk's
			if err != nil {
				sigcheck.WriteError(w, err)
				return
			}
			b, err := io.ReadAll(cr)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			objects[r.URL.Path] = b
		case http.MethodGet:
			if err := v.Check(r, nil); err != nil {
				sigcheck.WriteError(w, err)
				return
			}
			b, ok := objects[r.URL.Path]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Write(b) // the whole object: S3 may ignore Range
		}
	})
	srv := httptest.NewServer(s3)
	t.Cleanup(srv.Close)
	env := vaultEnv(t)
	env["AWS_ENDPOINT_URL"] = srv.URL
	mustRun(t, env, "", "grant", "add", "--name", "rw", "--from-env")
	dir := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 3<<20/17+1)
	if err := os.WriteFile(filepath.Join(dir, "up.bin"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startProgram(t, env, "serve", "--files-dir", dir)
	p.call("initialize", `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"files","version":"1"}}`)
	p.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, c := range []struct{ tool, args string }{
		{"s3_put", `{"grant_id":"rw","bucket":"files-bucket","key":"big/up.bin","file":"up.bin"}`},
		{"s3_get", `{"grant_id":"rw","bucket":"files-bucket","key":"big/up.bin","save_to":"copies/down.bin"}`},
	} {
		res := p.call("tools/call", `{"name":"`+c.tool+`","arguments":`+c.args+`}`)
		if b, _ := json.Marshal(res); res["isError"] == true {
			t.Fatalf("%s: %s", c.tool, b)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "copies", "down.bin")); !bytes.Equal(got, data) {
		t.Errorf("the file saved has %d bytes, not the %d uploaded", len(got), len(data))
	}
	if v.ChunksVerified() < 3 {
		t.Errorf("%d chunk signatures verified: the file was not streamed aws-chunked", v.ChunksVerified())
	}
	p.stdin.Close()
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit %d after end of stdin", code)
	}
}

func TestServeFilesDirUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "--files-dir", t.TempDir(), "--transport", "http"},
		{"serve", "--files-dir", filepath.Join(t.TempDir(), "missing")},
	} {
		r := runCLI(t, vaultEnv(t), "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--files-dir") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
