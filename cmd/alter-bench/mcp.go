package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Minimal MCP clients, JSON-RPC written by hand, so that what is measured is
// the server and not a client library.

const initializeRequest = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"alter-bench","version":"1"}}}`
const initializedNote = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

// The protocol eras alter-bench speaks over streamable HTTP: legacy is a
// session opened by initialize (2025-06-18); modern is 2026-07-28, with no
// session and what initialize said in each request's _meta and headers.
const (
	legacy = "legacy"
	modern = "2026-07-28"
)

// modernMeta is the _meta of a 2026-07-28 request.
var modernMeta = map[string]any{
	"io.modelcontextprotocol/protocolVersion":    modern,
	"io.modelcontextprotocol/clientCapabilities": map[string]any{},
	"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "alter-bench", "version": "1"},
}

// preparedCall is a tools/call of one tool with the same arguments each
// time, its params marshalled once for each era.
type preparedCall struct {
	tool           string
	params, modern []byte
}

func prepareCall(tool string, args map[string]any) preparedCall {
	b, _ := json.Marshal(map[string]any{"name": tool, "arguments": args})
	m, _ := json.Marshal(map[string]any{"name": tool, "arguments": args, "_meta": modernMeta})
	return preparedCall{tool: tool, params: b, modern: m}
}

// request is the call numbered id, in the legacy era unless modern.
func (c preparedCall) request(id int64, modern bool) []byte {
	params := c.params
	if modern {
		params = c.modern
	}
	b := make([]byte, 0, 64+len(params))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"method":"tools/call","params":`...)
	b = append(b, params...)
	return append(b, '}')
}

// check fails unless msg is the successful result of the call numbered id.
// A result starts as mcp-go writes it, {"jsonrpc":"2.0","id":ID,"result":,
// and has no "isError":true (a string's quotes inside it are escaped, so
// only a key matches); anything else is decoded in full to say what it is.
func (c preparedCall) check(id int64, msg []byte) error {
	var prefix [64]byte
	p := append(prefix[:0], `{"jsonrpc":"2.0","id":`...)
	p = strconv.AppendInt(p, id, 10)
	p = append(p, `,"result":`...)
	if bytes.HasPrefix(msg, p) && !bytes.Contains(msg, []byte(`"isError":true`)) {
		return nil
	}
	if err := checkResult(msg); err != nil {
		return err
	}
	return fmt.Errorf("answer to call %d not in the shape expected: %q", id, clip(msg))
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
	began := time.Now()
	if err := start(cmd); err != nil {
		return nil, 0, err
	}
	s := &stdioServer{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16)}
	if _, err := s.roundTrip([]byte(initializeRequest)); err != nil {
		s.Close()
		return nil, 0, fmt.Errorf("initialize: %w", err)
	}
	ready := time.Since(began)
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

func (s *stdioServer) call(c preparedCall) error {
	s.id++
	msg, err := s.roundTrip(c.request(s.id, false))
	if err != nil {
		return err
	}
	return c.check(s.id, msg)
}

func (s *stdioServer) Close() {
	s.in.Close()
	done := make(chan struct{})
	go func() { wait(s.cmd); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// httpSession is one MCP client of the streamable HTTP server at url, on a
// connection of its own: a session of the legacy era, or 2026-07-28 calls.
type httpSession struct {
	conn   rawConn
	head   []byte // the request line and headers of every POST, session id included
	modern bool
	heads  map[string][]byte // a 2026-07-28 call's head, by tool (Mcp-Name)
	id     int64
}

func newHTTPSession(url, key, era string) (*httpSession, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, err
	}
	s := &httpSession{conn: rawConn{addr: u.Host}}
	head := func(version, session string) []byte {
		h := "POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n" +
			"Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n" +
			"Authorization: Bearer " + key + "\r\nMcp-Protocol-Version: " + version + "\r\n"
		if session != "" {
			h += "Mcp-Session-Id: " + session + "\r\n"
		}
		return []byte(h)
	}
	if era == modern {
		s.head, s.modern, s.heads = head(modern, ""), true, map[string][]byte{}
		return s, nil
	}
	s.head = head("2025-06-18", "")
	a, err := s.post([]byte(initializeRequest))
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	s.head = head("2025-06-18", a.session)
	if _, err := s.post([]byte(initializedNote)); err != nil {
		return nil, fmt.Errorf("initialized: %w", err)
	}
	return s, nil
}

// post sends body and returns the answer, its message taken out of an
// event stream when the server sent one.
func (s *httpSession) post(body []byte) (rawAnswer, error) {
	return s.postWith(s.head, body)
}

func (s *httpSession) postWith(head, body []byte) (rawAnswer, error) {
	a, err := s.conn.do(head, body)
	if err != nil {
		return a, err
	}
	if a.status >= 300 {
		return a, fmt.Errorf("HTTP %d: %s", a.status, clip(a.body))
	}
	if strings.HasPrefix(a.contentType, "text/event-stream") {
		for line := range bytes.SplitSeq(a.body, []byte("\n")) {
			if d, ok := bytes.CutPrefix(line, []byte("data:")); ok && bytes.Contains(d, []byte(`"id"`)) {
				a.body = bytes.TrimSpace(d)
				return a, nil
			}
		}
		return a, errors.New("event stream without an answer")
	}
	return a, nil
}

func (s *httpSession) call(c preparedCall) error {
	s.id++
	head := s.head
	if s.modern {
		if head = s.heads[c.tool]; head == nil {
			head = append(slices.Clip(s.head), "Mcp-Method: tools/call\r\nMcp-Name: "+c.tool+"\r\n"...)
			s.heads[c.tool] = head
		}
	}
	a, err := s.postWith(head, c.request(s.id, s.modern))
	if err != nil {
		return err
	}
	return c.check(s.id, a.body)
}

func (s *httpSession) Close() { s.conn.Close() }

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
	if err := start(cmd); err != nil {
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
		wait(cmd)
		return nil, "", errors.New("the HTTP server logged no URL within 20s")
	}
}
