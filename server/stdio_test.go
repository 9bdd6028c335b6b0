package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// stdioMu serializes the stdio tests: mcp-go keeps one stdio session per
// process.
var stdioMu sync.Mutex

// syncBuffer is a buffer that may be written and read concurrently.
type syncBuffer = testutil.Buffer

// stdioRun is a Server serving stdio over in-process pipes, and a copy of
// everything it wrote to its stdout.
type stdioRun struct {
	client *client.Client
	stdout *syncBuffer
	stdin  io.WriteCloser // the server's stdin: close it for end of file
	cancel context.CancelFunc
	done   chan error
}

func startStdio(t *testing.T, s *Server, version string) (*stdioRun, *mcp.InitializeResult) {
	t.Helper()
	stdioMu.Lock()
	t.Cleanup(stdioMu.Unlock)

	inR, inW := io.Pipe()   // client → server
	outR, outW := io.Pipe() // server → client
	copyOut := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	r := &stdioRun{stdout: copyOut, stdin: inW, cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- s.ServeStdio(ctx, inR, io.MultiWriter(outW, copyOut))
		outW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Error("ServeStdio did not return")
		}
	})

	var opts []client.ClientOption
	if version != "" {
		opts = append(opts, client.WithProtocolVersion(version))
	}
	r.client = client.NewClient(transport.NewIO(outR, inW, io.NopCloser(strings.NewReader(""))), opts...)
	ictx, icancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer icancel()
	if err := r.client.Start(ictx); err != nil {
		t.Fatal(err)
	}
	res, err := r.client.Initialize(ictx, initRequest())
	if err != nil {
		t.Fatalf("initialize over stdio (%q): %v", version, err)
	}
	return r, res
}

// TestStdio checks both protocol eras over stdio, that the caller is the
// operator's Options.Caller whatever the arguments say, and that the server
// writes nothing but JSON-RPC to stdout.
func TestStdio(t *testing.T) {
	v, _ := testVault(t)
	for _, tc := range []struct {
		caller  string
		version string
	}{
		{"", ""},
		{"", "2024-11-05"},
		{"", "2025-11-25"},
		{"alice", ""},
		{"alice", "2025-06-18"},
	} {
		t.Run(tc.caller+"@"+tc.version, func(t *testing.T) {
			s := newTestServer(t, v, nil, func(o *Options) { o.Caller = tc.caller })
			r, res := startStdio(t, s, tc.version)
			want := tc.version
			if want == "" {
				want = mcp.LATEST_PROTOCOL_VERSION
			}
			if res.ProtocolVersion != want {
				t.Errorf("protocol %q, want %q", res.ProtocolVersion, want)
			}
			sess := whoami(t, r.client)
			wantName := tc.caller
			if wantName == "" {
				wantName = "test-client" // without --caller, the MCP client's name
			}
			// alice is a registered caller; test-client is not, so it is
			// the operator, named so in the audit.
			if wantCaller := tc.caller; sess.Name != wantName || sess.Caller != wantCaller {
				t.Errorf("caller %q named %q, want %q named %q (the arguments said mallory)", sess.Caller, sess.Name, wantCaller, wantName)
			}
			if sess.Client != "test-client/1.2.3" {
				t.Errorf("client %q, want test-client/1.2.3", sess.Client)
			}
			if !strings.HasPrefix(sess.SessionID, "stdio-") {
				t.Errorf("session id %q, want stdio-…", sess.SessionID)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := r.client.ListTools(ctx, mcp.ListToolsRequest{}); err != nil {
				t.Error(err)
			}
			if err := r.client.Ping(ctx); err != nil {
				t.Error(err)
			}
			if p, err := r.client.ListPrompts(ctx, mcp.ListPromptsRequest{}); err != nil || len(p.Prompts) == 0 {
				t.Errorf("prompts/list: %v, %v", p, err)
			}
			r.stdin.Close()
			if err := <-r.done; err != nil {
				t.Errorf("ServeStdio after end of file: %v", err)
			}
			r.done <- nil // for the cleanup
			assertJSONRPCOnly(t, r.stdout.String())
		})
	}
}

// assertJSONRPCOnly fails unless out is JSON-RPC 2.0 messages, one a line.
func assertJSONRPCOnly(t *testing.T, out string) {
	t.Helper()
	if out == "" {
		t.Fatal("nothing on stdout")
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
		var msg struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Method  string          `json:"method"`
			Result  json.RawMessage `json:"result"`
			Error   json.RawMessage `json:"error"`
		}
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		if err := dec.Decode(&msg); err != nil || dec.More() {
			t.Fatalf("stdout line %d is not one JSON object: %q", n, sc.Text())
		}
		if msg.JSONRPC != "2.0" || (msg.Method == "" && msg.Result == nil && msg.Error == nil) {
			t.Fatalf("stdout line %d is not JSON-RPC 2.0: %q", n, sc.Text())
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("stdout does not end with a newline: %q", out[max(0, len(out)-80):])
	}
}

// TestStdioGracefulShutdown cancels ServeStdio (SIGTERM) with a call in
// flight: the call finishes and its answer is written before it returns.
func TestStdioGracefulShutdown(t *testing.T) {
	v, _ := testVault(t)
	g := newGate()
	s := newTestServer(t, v, g, nil)
	r, _ := startStdio(t, s, "")
	answer := make(chan error, 1)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name = "wait_test"
		res, err := r.client.CallTool(context.Background(), req)
		if err == nil && res.IsError {
			err = io.ErrUnexpectedEOF
		}
		answer <- err
	}()
	<-g.entered
	r.cancel()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-r.done:
		t.Fatalf("ServeStdio returned with a call in flight: %v", err)
	default:
	}
	g.open()
	if err := <-answer; err != nil {
		t.Errorf("the call in flight at shutdown: %v", err)
	}
	if got := <-g.outcome; got != "finished" {
		t.Errorf("the call was %s", got)
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("ServeStdio: %v", err)
		}
		r.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("ServeStdio did not return after the call finished")
	}
	assertJSONRPCOnly(t, r.stdout.String())
}

// TestStdioCallerFixedForSession: without --caller, the stdio caller is the
// client's name, taken once; a later request whose _meta names another
// client (as 2026-07-28 requests carry clientInfo each) does not change who
// the caller is, in either era.
func TestStdioCallerFixedForSession(t *testing.T) {
	v, _ := testVault(t)
	if _, _, err := v.AddCaller(t.Context(), "limited-agent", []string{"reader"}); err != nil {
		t.Fatal(err)
	}
	call := func(id int, client string, modern bool) string {
		meta := `"_meta":{"io.modelcontextprotocol/clientInfo":{"name":"` + client + `","version":"1"}`
		if modern {
			meta += `,"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}`
		}
		meta += `}`
		return `{"jsonrpc":"2.0","id":` + strconvItoa(id) + `,"method":"tools/call","params":{"name":"whoami_test","arguments":{},` + meta + `}}` + "\n"
	}
	for _, tc := range []struct {
		name         string
		lines        []string
		want, caller string // the session's name, and the vault caller it resolved to
	}{
		{"handshake then other _meta", []string{initializeBody + "\n", `{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n", call(2, "limited-agent", false), call(3, "root", false)}, "raw", ""},
		{"2026-07-28: first _meta pins", []string{call(2, "limited-agent", true), call(3, "operator-please", true), call(4, "", true)}, "limited-agent", "limited-agent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdioMu.Lock()
			defer stdioMu.Unlock()
			s := newTestServer(t, v, nil, nil)
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- s.ServeStdio(t.Context(), inR, outW); outW.Close() }()
			sc := bufio.NewScanner(outR)
			sc.Buffer(nil, 1<<20)
			n := 0
			for _, line := range tc.lines {
				if _, err := io.WriteString(inW, line); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(line, "notifications/") {
					continue
				}
				if !sc.Scan() {
					t.Fatalf("no answer to %s", line)
				}
				var msg struct {
					ID     int `json:"id"`
					Result struct {
						IsError bool                    `json:"isError"`
						Content []struct{ Text string } `json:"content"`
					} `json:"result"`
				}
				if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
					t.Fatal(err)
				}
				if msg.ID < 2 {
					continue
				}
				if msg.Result.IsError || len(msg.Result.Content) == 0 {
					t.Fatalf("call %d: %s", msg.ID, sc.Text())
				}
				var sess struct{ Caller, Name string }
				if err := json.Unmarshal([]byte(msg.Result.Content[0].Text), &sess); err != nil {
					t.Fatal(err)
				}
				n++
				if sess.Name != tc.want || sess.Caller != tc.caller {
					t.Errorf("call %d made as %q (%q), want %q (%q): a request's _meta changed the caller", msg.ID, sess.Name, sess.Caller, tc.want, tc.caller)
				}
			}
			inW.Close()
			if err := <-done; err != nil {
				t.Error(err)
			}
			if n < 2 {
				t.Fatalf("%d tool results", n)
			}
		})
	}
}

func strconvItoa(i int) string { return strconv.Itoa(i) }
