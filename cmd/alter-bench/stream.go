package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
)

// The streaming rows: the server's peak RSS while 1 GiB goes up and 1 GiB
// comes down through it, over stdio to one `alter-mcp serve`.
//
// Through the files folder (serve --files-dir), as an agent moves a big
// object: one s3_put of a 1 GiB file (sparse, so that making it costs
// nothing) and one s3_get that saves the generated 1 GiB object into a file.
//
// In pieces (-stream-pieces), as an agent moves data through its own
// context: s3_put takes an object's content inline in its arguments, and
// s3_get returns at most streamPiece bytes a call. So 1 GiB up is that many
// s3_put calls of 1 MiB objects, and 1 GiB down is the generated object read
// in s3_get pages of 1 MiB.
//
// The reference is a fresh process of this program (-stream-reference) that
// moves the same pieces to the same fake directly: each PUT signed with
// sigv4 over its 1 MiB body, each ranged GET signed and read into one
// buffer. It is the floor of a Go process doing the same transfers, without
// MCP, JSON or a vault.

// streamPiece is the most s3_get returns per call (its max_bytes bound).
const streamPiece = 1 << 20

// streamResult is what one streaming measurement saw.
type streamResult struct {
	up, down      int64 // bytes moved each way
	upTook        time.Duration
	upHWM         int64 // the peak RSS after the way up
	startHWM, hwm int64 // the process's peak RSS after start-up, and at the end
	took          time.Duration
	cut           bool // the deadline stopped it early
}

// pieceText is the content of every uploaded piece: text, as an agent
// would write, so that JSON carries it without base64.
func pieceText() string {
	var b strings.Builder
	b.Grow(streamPiece)
	for b.Len() < streamPiece {
		b.Write(bigBlock[:min(len(bigBlock), streamPiece-b.Len())])
	}
	return b.String()
}

// streamThroughServer moves size bytes up and size bytes down through a
// fresh `alter-mcp serve` over stdio, stopping at deadline.
func streamThroughServer(bin string, env []string, size int64, limit time.Duration) (streamResult, error) {
	var r streamResult
	st, pid, err := startMeasured(bin, env, &r)
	if err != nil {
		return r, err
	}
	defer st.Close()
	start := time.Now()
	deadline := start.Add(limit)
	content := pieceText()
	for i := 0; r.up < size; i++ {
		if time.Now().After(deadline) {
			r.cut = true
			break
		}
		n := min(int64(streamPiece), size-r.up)
		args := map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "key": fmt.Sprintf("stream/up-%05d.txt", i),
			"content": content[:n], "reason": "benchmark"}
		if err := st.call(prepareCall("s3_put", args)); err != nil {
			return r, fmt.Errorf("s3_put of piece %d: %w", i, err)
		}
		r.up += n
	}
	r.upTook = time.Since(start)
	_, r.upHWM = rss(pid)
	for r.down < size && !r.cut {
		if time.Now().After(deadline) {
			r.cut = true
			break
		}
		args := map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "key": bigKey,
			"offset": r.down, "max_bytes": streamPiece, "reason": "benchmark"}
		if err := st.call(prepareCall("s3_get", args)); err != nil {
			return r, fmt.Errorf("s3_get at %d: %w", r.down, err)
		}
		r.down += min(int64(streamPiece), size-r.down)
	}
	r.took = time.Since(start)
	_, r.hwm = rss(pid)
	return r, nil
}

// startMeasured starts `alter-mcp serve` over stdio and notes its peak RSS
// after start-up in r.
func startMeasured(bin string, env []string, r *streamResult) (*stdioServer, int, error) {
	st, _, err := startStdio(bin, env)
	if err != nil {
		return nil, 0, err
	}
	pid := st.cmd.Process.Pid
	_, r.startHWM = rss(pid)
	return st, pid, nil
}

// streamFilesThroughServer moves size bytes up in one s3_put of a file and
// size bytes down in one s3_get saved into a file, through a fresh
// `alter-mcp serve --files-dir` over stdio.
func streamFilesThroughServer(bin string, env []string, size int64) (streamResult, error) {
	var r streamResult
	dir, err := os.MkdirTemp("", "alter-bench-files-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "up.txt"), nil, 0o600); err != nil {
		return r, err
	}
	if err := os.Truncate(filepath.Join(dir, "up.txt"), size); err != nil {
		return r, err
	}
	st, pid, err := startMeasured(bin, append(env, "ALTER_MCP_FILES_DIR="+dir), &r)
	if err != nil {
		return r, err
	}
	defer st.Close()
	start := time.Now()
	args := map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "key": "stream/up.txt", "file": "up.txt", "reason": "benchmark"}
	if err := st.call(prepareCall("s3_put", args)); err != nil {
		return r, fmt.Errorf("s3_put of a %s file: %w", amount(size), err)
	}
	r.up, r.upTook = size, time.Since(start)
	_, r.upHWM = rss(pid)
	args = map[string]any{"grant_id": "bench", "bucket": "bench-bucket", "key": bigKey, "save_to": "down.txt", "reason": "benchmark"}
	if err := st.call(prepareCall("s3_get", args)); err != nil {
		return r, fmt.Errorf("s3_get into a file: %w", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "down.txt")); err != nil || fi.Size() != size {
		return r, fmt.Errorf("s3_get saved %v (%v), want %s", fi, err, amount(size))
	}
	r.down, r.took = size, time.Since(start)
	_, r.hwm = rss(pid)
	return r, nil
}

// streamReference runs this program again with -stream-reference, which
// moves the same pieces directly, and returns what that process saw.
func streamReference(endpoint string, size int64, limit time.Duration) (streamResult, error) {
	self, err := os.Executable()
	if err != nil {
		return streamResult{}, err
	}
	cmd := exec.Command(self, "-stream-reference", endpoint, "-stream-bytes", strconv.FormatInt(size, 10),
		"-stream-timeout", limit.String())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = start(cmd)
	if err == nil {
		err = wait(cmd)
	}
	out := stdout.String()
	if err != nil {
		return streamResult{}, fmt.Errorf("stream reference: %w: %s", err, stderr.String())
	}
	var r streamResult
	var took, upTook int64
	var cut int
	if _, err := fmt.Sscan(out, &r.up, &r.down, &r.startHWM, &r.hwm, &took, &upTook, &cut); err != nil {
		return r, fmt.Errorf("stream reference: %q: %w", out, err)
	}
	r.took, r.upTook, r.cut = time.Duration(took), time.Duration(upTook), cut != 0
	return r, nil
}

// runStreamReference is the -stream-reference process: it moves size bytes
// up in PUTs of streamPiece and size bytes down in ranged GETs of bigKey,
// each signed with sigv4, and prints what streamReference reads.
func runStreamReference(endpoint string, size int64, limit time.Duration) error {
	var r streamResult
	_, r.startHWM = rss(os.Getpid())
	hc := &http.Client{}
	creds := sigv4.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret}
	piece := []byte(pieceText())
	buf := make([]byte, streamPiece)
	start := time.Now()
	deadline := start.Add(limit)
	send := func(req *http.Request, opts sigv4.Options, into []byte) error {
		opts.Region, opts.Service = "us-east-1", "s3"
		if err := sigv4.Sign(req, creds, opts); err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: HTTP %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		n, err := io.ReadFull(resp.Body, into)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return err
		}
		if n != len(into) {
			return fmt.Errorf("%s %s: %d bytes, want %d", req.Method, req.URL.Path, n, len(into))
		}
		return nil
	}
	for i := 0; r.up < size; i++ {
		if time.Now().After(deadline) {
			r.cut = true
			break
		}
		n := min(int64(streamPiece), size-r.up)
		body := piece[:n]
		req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/bench-bucket/stream/up-%05d.txt", endpoint, i), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/plain")
		if err := send(req, sigv4.Options{Payload: body}, nil); err != nil {
			return err
		}
		r.up += n
	}
	r.upTook = time.Since(start)
	for r.down < size && !r.cut {
		if time.Now().After(deadline) {
			r.cut = true
			break
		}
		n := min(int64(streamPiece), size-r.down)
		req, err := http.NewRequest(http.MethodGet, endpoint+"/bench-bucket/"+bigKey, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", r.down, r.down+n-1))
		if err := send(req, sigv4.Options{PayloadHash: sigv4.UnsignedPayload}, buf[:n]); err != nil {
			return err
		}
		r.down += n
	}
	_, r.hwm = rss(os.Getpid())
	cut := 0
	if r.cut {
		cut = 1
	}
	fmt.Println(r.up, r.down, r.startHWM, r.hwm, int64(time.Since(start)), int64(r.upTook), cut)
	return nil
}

// streamRows measures the streaming rows (the one in pieces with pieces)
// and their reference.
func streamRows(bin string, env []string, fake *fakeS3, size int64, limit time.Duration, pieces bool) ([]row, error) {
	put, got := fake.put.Load(), fake.got.Load()
	files, err := streamFilesThroughServer(bin, env, size)
	if err != nil {
		return nil, err
	}
	if fake.put.Load()-put < size || fake.got.Load()-got < size {
		return nil, fmt.Errorf("streaming files: the fake read %d bytes of PUTs and sent %d of GETs, not %d each way",
			fake.put.Load()-put, fake.got.Load()-got, size)
	}
	ref, err := streamReference(fake.URL, size, limit)
	if err != nil {
		return nil, err
	}
	rows := []row{{"server peak RSS (VmHWM) streaming a file up in one s3_put and an object down into a file in one s3_get (--files-dir), over stdio",
		fmt.Sprintf("%.0f MiB peak (%.0f MiB after start-up, %.0f MiB after the way up); %s up in %.1f s, %s down in %.1f s",
			mib(files.hwm), mib(files.startHWM), mib(files.upHWM), amount(files.up), files.upTook.Seconds(), amount(files.down), (files.took - files.upTook).Seconds()),
		"goal: ≤ 64 MiB", ratio(mib(files.hwm), 64)}}
	if !pieces {
		return rows, nil
	}
	put, got = fake.put.Load(), fake.got.Load()
	inPieces, err := streamThroughServer(bin, env, size, limit)
	if err != nil {
		return nil, err
	}
	if fake.put.Load()-put < inPieces.up || fake.got.Load()-got < inPieces.down {
		return nil, fmt.Errorf("streaming: the fake read %d bytes of PUTs and sent %d of GETs, the server claims %d up and %d down",
			fake.put.Load()-put, fake.got.Load()-got, inPieces.up, inPieces.down)
	}
	return append(rows, piecesRows(inPieces, ref, limit)...), nil
}

// piecesRows are the rows of the streaming in pieces.
func piecesRows(got, ref streamResult, limit time.Duration) []row {
	what := func(r streamResult) string {
		s := fmt.Sprintf("%s up in %.1f s, %s down in %.1f s", amount(r.up), r.upTook.Seconds(), amount(r.down), (r.took - r.upTook).Seconds())
		if r.cut {
			s += fmt.Sprintf(" (cut by -stream-timeout %s)", limit)
		}
		return s
	}
	value := fmt.Sprintf("%.0f MiB peak (%.0f MiB after start-up, %.0f MiB after the way up); %s", mib(got.hwm), mib(got.startHWM), mib(got.upHWM), what(got))
	refText := fmt.Sprintf("a Go process moving the same pieces directly with sigv4: %.0f MiB peak (%.0f MiB at start); %s",
		mib(ref.hwm), mib(ref.startHWM), what(ref))
	return []row{
		{"server peak RSS (VmHWM) streaming up in s3_put calls of 1 MiB and down in s3_get pages of 1 MiB, over stdio",
			value, "goal: ≤ 64 MiB", ratio(mib(got.hwm), 64)},
		{"the same, against a direct client", value, refText, ratio(mib(got.hwm), mib(ref.hwm))},
	}
}

func amount(b int64) string {
	if b >= 1<<30 && b%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", b>>30)
	}
	return fmt.Sprintf("%.0f MiB", mib(b))
}
