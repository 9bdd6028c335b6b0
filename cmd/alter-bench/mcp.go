package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// Minimal MCP clients, JSON-RPC written by hand, so that what is measured is
// the server and not a client library.

const initializeRequest = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"alter-bench","version":"1"}}}`
const initializedNote = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

// toolCall is a tools/call request of tool with args, numbered id.
func toolCall(id int64, tool string, args map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	return b
}

// checkResult fails unless msg is a successful result (no JSON-RPC error,
// no tool error).
func checkResult(msg []byte) error {
	var r struct {
		Error  *struct{ Message string } `json:"error"`
		Result struct {
			IsError bool `json:"isError"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	if err := json.Unmarshal(msg, &r); err != nil {
		return fmt.Errorf("answer %q: %w", clip(msg), err)
	}
	if r.Error != nil {
		return fmt.Errorf("JSON-RPC error: %s", r.Error.Message)
	}
	if r.Result.IsError {
		var t []string
		for _, c := range r.Result.Content {
			t = append(t, c.Text)
		}
		return fmt.Errorf("tool error: %s", strings.Join(t, " "))
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// stdioServer is `alter-mcp serve` over stdio, initialized.
type stdioServer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	id  int64
}

func startStdio(bin string, env []string) (*stdioServer, time.Duration, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stderr = io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &stdioServer{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16)}
	if _, err := s.roundTrip([]byte(initializeRequest)); err != nil {
		s.Close()
		return nil, 0, fmt.Errorf("initialize: %w", err)
	}
	ready := time.Since(start)
	if _, err := io.WriteString(in, initializedNote+"\n"); err != nil {
		s.Close()
		return nil, 0, err
	}
	return s, ready, nil
}

func (s *stdioServer) roundTrip(req []byte) ([]byte, error) {
	if _, err := s.in.Write(append(req, '\n')); err != nil {
		return nil, err
	}
	for {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		if bytes.Contains(line, []byte(`"id"`)) { // skip notifications
			return line, nil
		}
	}
}

func (s *stdioServer) call(tool string, args map[string]any) error {
	s.id++
	msg, err := s.roundTrip(toolCall(s.id, tool, args))
	if err != nil {
		return err
	}
	return checkResult(msg)
}

func (s *stdioServer) Close() {
	s.in.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// httpSession is one MCP session with the streamable HTTP server at url.
type httpSession struct {
	hc      *http.Client
	url     string
	key     string
	session string
	id      atomic.Int64
}

func newHTTPSession(hc *http.Client, url, key string) (*httpSession, error) {
	s := &httpSession{hc: hc, url: url, key: key}
	if _, err := s.post([]byte(initializeRequest)); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if _, err := s.post([]byte(initializedNote)); err != nil {
		return nil, fmt.Errorf("initialized: %w", err)
	}
	return s, nil
}

func (s *httpSession) post(body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	if s.session != "" {
		req.Header.Set("Mcp-Session-Id", s.session)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, clip(b))
	}
	if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
		s.session = id
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if d, ok := bytes.CutPrefix(line, []byte("data:")); ok && bytes.Contains(d, []byte(`"id"`)) {
				return bytes.TrimSpace(d), nil
			}
		}
		return nil, errors.New("event stream without an answer")
	}
	return b, nil
}

func (s *httpSession) call(tool string, args map[string]any) error {
	msg, err := s.post(toolCall(s.id.Add(1), tool, args))
	if err != nil {
		return err
	}
	return checkResult(msg)
}

// startHTTP starts `alter-mcp serve --transport http` on a free loopback
// port and returns it with its MCP URL, read from its JSON start log.
func startHTTP(bin string, env []string) (*exec.Cmd, string, error) {
	cmd := exec.Command(bin, "serve", "--transport", "http", "--listen", "127.0.0.1:0")
	cmd.Env = append(env, "ALTER_MCP_LOG_FORMAT=json", "ALTER_MCP_LOG_LEVEL=info")
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			var rec struct {
				Msg, URL string
			}
			if !found && json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "serving MCP" && rec.URL != "" {
				found = true
				urls <- rec.URL
			}
			if os.Getenv("ALTER_BENCH_SERVER_LOG") != "" {
				fmt.Fprintln(os.Stderr, sc.Text())
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u, nil
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", errors.New("the HTTP server logged no URL within 20s")
	}
}
