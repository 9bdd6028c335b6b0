package tools

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alter-mcp/alter-mcp/internal/motoserver"
	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/policy"
	"github.com/alter-mcp/alter-mcp/vault"
)

// filesDir makes a files folder with the files named, of the sizes given
// (random bytes), and returns it with their contents.
func filesDir(t *testing.T, sizes map[string]int) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	got := map[string][]byte{}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, n := range sizes {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		got[name] = b
	}
	return dir, got
}

// sha256B64 is b's SHA-256 as x-amz-checksum-sha256 carries it.
func sha256B64(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// listDir lists the names in dir, hidden ones included.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestFilesFolder: with a files folder, s3_put uploads a file (3 MiB goes
// aws-chunked, every chunk signature checked by sigcheck on its way to
// moto) with its SHA-256, and s3_get saves an object into a file, whole
// or not at all; names that lead outside the folder are refused before
// anything is sent, and without a folder both arguments are.
func TestFilesFolder(t *testing.T) {
	moto := motoserver.Start(t)
	v := sigcheck.New(aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	front := httptest.NewServer(v.Handler(sigcheck.Forward(moto)))
	t.Cleanup(front.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": front.URL}, nil)
	rw := e.grant(t, "rw", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	dir, data := filesDir(t, map[string]int{"big.bin": 3<<20 + 5, "reports/q1.csv": 100, "empty.txt": 0})
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("not for the agent"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "dir-out")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.connect(t, e.server(t, Deps{FilesDir: dir}, Options{}, Session{}), "")
	var progress progressLog
	c.OnNotification(progress.handle)
	const bucket = "files-folder"
	c.ok(t, "aws_request", map[string]any{"grant_id": rw.ID, "method": "PUT", "url": "https://" + bucket + ".s3.us-east-1.amazonaws.com/"})

	t.Run("upload and save", func(t *testing.T) {
		chunksBefore := v.ChunksVerified()
		m := c.ok(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "big.bin", "file": "big.bin"})
		if num(m, "size") != int64(len(data["big.bin"])) || str(m, "file") != "big.bin" || str(m, "checksum_sha256") != sha256B64(data["big.bin"]) ||
			str(m, "content_type") != "application/octet-stream" {
			t.Errorf("s3_put of a file: %v", m)
		}
		if n := v.ChunksVerified() - chunksBefore; n < 3 {
			t.Errorf("%d chunk signatures verified; the 3 MiB file was not sent aws-chunked", n)
		}
		entry, _, err := e.v.AuditLog().Get(t.Context(), str(m, "audit_id"))
		if err != nil || entry.File != "big.bin" || entry.RequestBytes != int64(len(data["big.bin"])) {
			t.Errorf("the upload's audit: file %q, %d bytes, %v", entry.File, entry.RequestBytes, err)
		}

		m = c.ok(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "big.bin", "save_to": "down//./big.bin"})
		if str(m, "saved_to") != "down/big.bin" || num(m, "bytes") != int64(len(data["big.bin"])) || str(m, "content") != "" || str(m, "content_base64") != "" {
			t.Errorf("s3_get save_to: %v", m)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "down", "big.bin")); !bytes.Equal(got, data["big.bin"]) {
			t.Errorf("the saved file has %d bytes, not the object's %d", len(got), len(data["big.bin"]))
		}
		if entry, _, _ := e.v.AuditLog().Get(t.Context(), str(m, "audit_id")); entry.File != "down/big.bin" {
			t.Errorf("the download's audit names file %q", entry.File)
		}
		// From an offset, and an empty object.
		m = c.ok(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "big.bin", "offset": 3 << 20, "save_to": "down/tail.bin"})
		if got, _ := os.ReadFile(filepath.Join(dir, "down", "tail.bin")); !bytes.Equal(got, data["big.bin"][3<<20:]) || num(m, "bytes") != 5 {
			t.Errorf("the tail saved from offset 3 MiB: %q, %v", got, m)
		}
		c.ok(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "empty.txt", "file": "empty.txt"})
		m = c.ok(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "empty.txt", "save_to": "down/empty.txt"})
		if st, err := os.Stat(filepath.Join(dir, "down", "empty.txt")); err != nil || st.Size() != 0 || num(m, "bytes") != 0 {
			t.Errorf("an empty object saved: %v %v", st, err)
		}
		// A name that exists is replaced only when asked.
		c.fail(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "empty.txt", "save_to": "down/big.bin"}, "invalid_arguments")
		c.ok(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "empty.txt", "save_to": "down/big.bin", "overwrite": true})
		if st, _ := os.Stat(filepath.Join(dir, "down", "big.bin")); st == nil || st.Size() != 0 {
			t.Errorf("overwrite did not replace the file: %v", st)
		}
		for _, name := range listDir(t, filepath.Join(dir, "down")) {
			if strings.HasSuffix(name, ".part") {
				t.Errorf("a temporary file was left: %s", name)
			}
		}
	})

	t.Run("progress", func(t *testing.T) {
		// Asked for, a transfer tells how far it is, in bytes, up to the end.
		size := float64(len(data["big.bin"]))
		for _, tc := range []struct{ tok, tool, arg, name, what string }{
			{"up", "s3_put", "file", "big.bin", "uploading big.bin"},
			{"down", "s3_get", "save_to", "down/again.bin", "saving down/again.bin"},
		} {
			args := map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "big.bin", tc.arg: tc.name}
			if res, m, err := c.callMeta(t, t.Context(), tc.tool, tc.tok, args); err != nil || res.IsError {
				t.Fatalf("%s with progress: %v %v", tc.tool, m, err)
			}
			msgs := progress.waitFor(tc.tok, 1)
			_, nums := progress.of(tc.tok)
			if len(msgs) == 0 || msgs[0] != tc.what || nums[len(nums)-1] != size || !slices.IsSorted(nums) {
				t.Errorf("%s: progress %v %q, want up to %v bytes, %q", tc.tool, nums, msgs, size, tc.what)
			}
		}
	})

	t.Run("refused names", func(t *testing.T) {
		sent := v.Verified()
		for _, tc := range []struct{ arg, name, want string }{
			{"file", "../secret.txt", "inside the files folder"},
			{"file", outside, "inside the files folder"},
			{"file", "link-out", "outside the files folder"},
			{"file", "pipe", "not a regular file"},
			{"file", "reports", "not a regular file"},
			{"file", "nothing-here.txt", "no such file"},
			{"file", "a\x1b[2Jb", "inside the files folder"},
			{"save_to", "../escaped.bin", "inside the files folder"},
			{"save_to", "/tmp/escaped.bin", "inside the files folder"},
			{"save_to", "link-out", "exists"},
			{"save_to", ".", "inside the files folder"},
			{"file", "dir-out/secret.txt", "outside the files folder"},
			{"save_to", "dir-out/new.bin", "outside the files folder"},
			{"save_to", "down/", "inside the files folder"},
		} {
			args := map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x"}
			tool := "s3_put"
			if tc.arg == "save_to" {
				tool = "s3_get"
			}
			args[tc.arg] = tc.name
			m := c.fail(t, tool, args, "invalid_arguments")
			if msg := str(m, "message"); !strings.Contains(msg, tc.want) || strings.Contains(msg, dir) || strings.Contains(msg, "\x1b") {
				t.Errorf("%s %q: %q, want it to say %q, without the folder's path or control characters", tc.arg, tc.name, msg, tc.want)
			}
		}
		// Overwriting a link that leads out replaces the link, never what
		// it leads to.
		c.ok(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "empty.txt", "save_to": "link-out", "overwrite": true})
		if b, _ := os.ReadFile(outside); string(b) != "not for the agent" {
			t.Errorf("the file outside the folder was written: %q", b)
		}
		if names := listDir(t, filepath.Dir(outside)); len(names) != 1 {
			t.Errorf("the folder outside holds %v: something was written through the link", names)
		}
		if v.Verified() != sent+1 {
			t.Errorf("%d requests sent for refused names", v.Verified()-sent-1)
		}
		c.fail(t, "s3_put", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x", "file": "big.bin", "content": "x"}, "invalid_arguments")
		c.fail(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x", "save_to": "y", "max_bytes": 10}, "invalid_arguments")
		c.fail(t, "s3_get", map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "x", "overwrite": true}, "invalid_arguments")
	})

	t.Run("no folder", func(t *testing.T) {
		plain := e.connect(t, e.server(t, Deps{}, Options{}, Session{}), "")
		for tool, arg := range map[string]string{"s3_put": "file", "s3_get": "save_to"} {
			m := plain.fail(t, tool, map[string]any{"grant_id": rw.ID, "bucket": bucket, "key": "big.bin", arg: "big.bin"}, "invalid_arguments")
			if !strings.Contains(str(m, "message"), "--files-dir") {
				t.Errorf("%s %s without a folder: %v", tool, arg, m)
			}
		}
	})
}

// TestFilesFolderFailures: a download cut short leaves no file under its
// name and no temporary file; a file that changes while it is uploaded no
// longer has the SHA-256 sent with it, which S3 refuses (BadDigest), as
// the fake here does.
func TestFilesFolderFailures(t *testing.T) {
	dir, data := filesDir(t, map[string]int{"changing.bin": 32 << 20})
	s3 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Bucket-Region", "us-east-1")
		switch r.Method {
		case http.MethodGet: // says 1000 bytes, sends 10, and hangs up
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "0123456789")
			w.(http.Flusher).Flush()
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		case http.MethodPut:
			// The file changes once the upload has begun (the first bytes
			// are on their way; the rest is read as it is sent).
			f, _ := os.OpenFile(filepath.Join(dir, "changing.bin"), os.O_WRONLY, 0)
			f.WriteAt([]byte("changed"), int64(len(data["changing.bin"]))-7)
			f.Close()
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			if want := r.Header.Get("X-Amz-Checksum-Sha256"); want != "" && base64.StdEncoding.EncodeToString(h.Sum(nil)) != want {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `<Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum (`+strconv.FormatInt(n, 10)+` bytes).</Message></Error>`)
				return
			}
		}
	})
	srv := httptest.NewServer(sigcheck.New(aws.Credentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret}).Handler(s3))
	t.Cleanup(srv.Close)
	e := newEnv(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL}, nil)
	g := e.grant(t, "g", policy.Policy{}, vault.StaticCredentials{AccessKeyID: fakeKeyID, SecretAccessKey: fakeSecret})
	c := e.connect(t, e.server(t, Deps{FilesDir: dir}, Options{}, Session{}), "")

	m := c.fail(t, "s3_get", map[string]any{"grant_id": g.ID, "bucket": "b-1", "key": "k", "save_to": "cut.bin"}, "network")
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("after a download cut short the folder holds %v (%v)", names, m)
	}
	m = c.fail(t, "s3_put", map[string]any{"grant_id": g.ID, "bucket": "b-1", "key": "k", "file": "changing.bin"}, "aws_error")
	if str(m, "error_code") != "BadDigest" {
		t.Errorf("a file that changed during its upload: %v", m)
	}
}

// TestFileUploadConfirmation: confirming a file upload shows the file and
// its size, and the checksum the upload carries is part of the call the
// approval is for: the same file with other bytes is another call.
func TestFileUploadConfirmation(t *testing.T) {
	mk := func(sum string) vault.Call {
		return vault.Call{Method: "PUT", URL: "https://reports.s3.us-east-1.amazonaws.com/q1.bin", File: "q1.bin",
			BodyReader: strings.NewReader("x"), BodyLength: 1 << 30, Header: http.Header{"X-Amz-Checksum-Sha256": {sum}}}
	}
	c := mk(sha256B64([]byte("one")))
	pv := vault.Preview{Grant: vault.Grant{Name: "prod"}, Header: c.Header}
	msg := confirmMessage(t.Context(), c, pv)
	if !strings.Contains(msg, "body: the file q1.bin of the files folder, 1073741824 bytes") || !strings.Contains(msg, sha256B64([]byte("one"))) {
		t.Errorf("the confirmation:\n%s", msg)
	}
	if confirmState(c) == confirmState(mk(sha256B64([]byte("two")))) {
		t.Error("two uploads of different bytes share one confirmation")
	}
}
