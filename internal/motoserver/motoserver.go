//go:build unix

// Package motoserver runs moto (https://github.com/getmoto/moto), a local
// emulation of AWS services, for tests that must see a real server accept or
// reject a signed request.
//
// Start launches `python3 -m moto.server` on a free loopback port for the
// duration of one test (or one parent test and its subtests) and returns its
// endpoint. With WithAuth(n), moto checks SigV4 signatures and IAM
// permissions after its first n actions; CreateAdminUser spends exactly
// AdminSetupActions of them creating a user who may do everything, and
// returns that user's access key.
//
// When python3 or moto is missing the test is skipped, unless the environment
// variable ALTER_MCP_REQUIRE_MOTO is set to a non-empty value, in which case
// it fails.
package motoserver

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/testutil"
)

// AdminSetupActions is how many unauthenticated actions CreateAdminUser
// spends: CreateUser, CreatePolicy, AttachUserPolicy and CreateAccessKey.
// Start a server with WithAuth(AdminSetupActions) and call CreateAdminUser
// before anything else talks to it.
const AdminSetupActions = 4

// startTimeout bounds how long Start waits for moto to answer.
const startTimeout = 30 * time.Second

// RequireEnv names the environment variable that turns "moto is not
// installed" from a skip into a failure, for CI jobs that must run these tests.
const RequireEnv = "ALTER_MCP_REQUIRE_MOTO"

// noAuthEnv is moto's setting: after this many actions moto authenticates
// every request (SigV4 signature, then IAM policy). Unset means never.
const noAuthEnv = "INITIAL_NO_AUTH_ACTION_COUNT"

// Option configures Start.
type Option func(*config)

type config struct {
	authAfter int // < 0: never check signatures
	env       []string
}

// WithAuth makes moto check every request's SigV4 signature and the
// caller's IAM permissions once it has served n actions without checking
// (moto's INITIAL_NO_AUTH_ACTION_COUNT). Only actions of AWS services count;
// moto's own /moto-api endpoints, which Start polls, do not.
func WithAuth(n int) Option {
	return func(c *config) {
		if n < 0 {
			n = 0
		}
		c.authAfter = n
	}
}

// WithEnv adds KEY=VALUE settings to moto's environment (moto reads many
// MOTO_* settings from it).
func WithEnv(kv ...string) Option {
	return func(c *config) { c.env = append(c.env, kv...) }
}

// Credentials are an IAM access key created in moto.
type Credentials struct {
	UserName        string
	AccessKeyID     string
	SecretAccessKey string
}

var (
	availOnce sync.Once
	availErr  error
)

// available reports why moto cannot be run here, or nil.
func available() error {
	availOnce.Do(func() {
		py, err := exec.LookPath("python3")
		if err != nil {
			availErr = errors.New("python3 is not on PATH")
			return
		}
		out, err := exec.Command(py, "-c", "import moto").CombinedOutput()
		if err != nil {
			availErr = fmt.Errorf("python3 cannot import moto: %v: %s", err, bytes.TrimSpace(out))
			return
		}
		// moto.server needs the [server] extras (flask, flask_cors).
		out, err = exec.Command(py, "-c", "import flask, flask_cors").CombinedOutput()
		if err != nil {
			availErr = fmt.Errorf("moto is installed without its server extras: %v: %s", err, bytes.TrimSpace(out))
		}
	})
	return availErr
}

// skipUnlessAvailable skips t (or fails it under RequireEnv) when moto
// cannot run.
func skipUnlessAvailable(t testing.TB) {
	t.Helper()
	err := available()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("this test needs moto with its server extras (pip install 'moto[server]'): %v", err)
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s (and %s is set)", msg, RequireEnv)
	}
	t.Skip(msg)
}

// launcher runs moto.server's main after starting a thread that exits the
// interpreter when its stdin reaches end of file. The test process holds the
// other end of that pipe, so moto dies with the test binary even when the
// binary is killed before its cleanups run (a -timeout panic, SIGKILL).
const launcher = `import os, sys, threading
def _watch():
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)
threading.Thread(target=_watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
`

// tail returns the last n bytes of moto's output (collected from the
// goroutines os/exec copies it with).
func tail(b *testutil.Buffer, n int) string {
	s := b.String()
	if len(s) > n {
		s = "[...]\n" + s[len(s)-n:]
	}
	return s
}

type process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *testutil.Buffer
	done  chan struct{} // closed when the process has exited
	err   error         // Wait's result, once done is closed
}

// Start runs moto on a free port of 127.0.0.1 until t and its subtests are
// done, and returns its endpoint, such as "http://127.0.0.1:41234". moto's
// output is shown only if t fails. The test is skipped when moto is not
// installed (see RequireEnv).
func Start(t testing.TB, opts ...Option) string {
	t.Helper()
	skipUnlessAvailable(t)
	cfg := config{authAfter: -1}
	for _, o := range opts {
		o(&cfg)
	}

	// moto binds a port of the system's choosing (-p 0) and says which: no
	// other process can take it between a choice and the bind, and the
	// endpoint is this process's, never another moto's on a port it lost.
	p, err := spawn(0, &cfg)
	if err != nil {
		t.Fatalf("motoserver: start moto: %v", err)
	}
	endpoint, err := waitListening(p)
	if err == nil {
		err = waitReady(p, endpoint)
	}
	if err != nil {
		p.stop()
		t.Fatalf("motoserver: %v\nmoto output:\n%s", err, tail(p.out, 16<<10))
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("motoserver: output of moto at %s:\n%s", endpoint, tail(p.out, 64<<10))
		}
	})
	return endpoint
}

// listening is the line moto (werkzeug) prints once it has bound its port.
var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:[0-9]+)`)

// waitListening waits for moto to say where it listens, and returns that
// endpoint.
func waitListening(p *process) (string, error) {
	deadline := time.Now().Add(startTimeout)
	for {
		if m := listening.FindStringSubmatch(p.out.String()); m != nil {
			return m[1], nil
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("moto exited before it listened: %v", p.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("moto did not say where it listens within %v", startTimeout)
		}
	}
}

func spawn(port int, cfg *config) (*process, error) {
	cmd := exec.Command("python3", "-c", launcher, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	env := make([]string, 0, len(os.Environ())+len(cfg.env)+2)
	for _, kv := range os.Environ() {
		// The caller's settings decide whether moto authenticates, not the
		// environment the tests happen to run in.
		if strings.HasPrefix(kv, noAuthEnv+"=") || strings.HasPrefix(kv, "MOTO_PORT=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PYTHONUNBUFFERED=1")
	if cfg.authAfter >= 0 {
		env = append(env, noAuthEnv+"="+strconv.Itoa(cfg.authAfter))
	}
	env = append(env, cfg.env...)
	cmd.Env = env

	out := new(testutil.Buffer)
	cmd.Stdout = out
	cmd.Stderr = out
	// Its own process group, so that stop can kill moto and anything it
	// started in one go.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// If something outlives the kill holding the output pipe, Wait gives up.
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stdin: stdin, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls moto's own API until it answers 200.
func waitReady(p *process, endpoint string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("moto exited before it answered: %v", p.err)
		default:
		}
		resp, err := client.Get(endpoint + "/moto-api/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /moto-api/: %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto did not answer at %s within %v: %v", endpoint, startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends moto's process group: SIGTERM, then SIGKILL for whatever is left.
func (p *process) stop() {
	p.stdin.Close()
	pgid := p.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
	}
	// The leader may be gone while children in its group live on.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
}

// setupAuthorization is a syntactically valid SigV4 Authorization header
// with a made-up key and signature. moto does not check it during the
// unauthenticated actions, but it routes requests to a service by the
// credential scope, and an unsigned POST would reach S3.
func setupAuthorization(now time.Time) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAMOTOSETUPDUMMYID/" + now.UTC().Format("20060102") +
		"/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" +
		strings.Repeat("0", 64)
}

// iamCall posts one IAM query-API action to endpoint and decodes the XML
// answer into out (when not nil).
func iamCall(endpoint string, params url.Values, out any) error {
	params.Set("Version", "2010-05-08")
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(params.Encode()))
	if err != nil {
		return err
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", setupAuthorization(now))
	client := &http.Client{Timeout: 15 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", params.Get("Action"), resp.Status, body)
	}
	if out != nil {
		if err := xml.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s: decode %q: %w", params.Get("Action"), body, err)
		}
	}
	return nil
}

// AdminPolicyDocument allows every action on every resource. moto's IAM
// check (moto/iam/access_control.py) matches Action and Resource as glob
// patterns, so "*" covers every service and resource.
const AdminPolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// CreateAdminUser creates IAM user userName in moto at endpoint, attaches a
// customer managed policy allowing everything, and returns a new access key
// of the user. It spends AdminSetupActions unauthenticated actions, so call
// it first on a server started with WithAuth(AdminSetupActions); it also
// works on a server that never checks signatures.
func CreateAdminUser(t testing.TB, endpoint, userName string) Credentials {
	t.Helper()
	if err := iamCall(endpoint, url.Values{"Action": {"CreateUser"}, "UserName": {userName}}, nil); err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	var policy struct {
		Arn string `xml:"CreatePolicyResult>Policy>Arn"`
	}
	err := iamCall(endpoint, url.Values{
		"Action":         {"CreatePolicy"},
		"PolicyName":     {userName + "-admin"},
		"PolicyDocument": {AdminPolicyDocument},
	}, &policy)
	if err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	if policy.Arn == "" {
		t.Fatalf("motoserver: CreatePolicy returned no policy ARN")
	}
	err = iamCall(endpoint, url.Values{
		"Action":    {"AttachUserPolicy"},
		"UserName":  {userName},
		"PolicyArn": {policy.Arn},
	}, nil)
	if err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	var key struct {
		AccessKeyID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		SecretAccessKey string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := iamCall(endpoint, url.Values{"Action": {"CreateAccessKey"}, "UserName": {userName}}, &key); err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	if key.AccessKeyID == "" || key.SecretAccessKey == "" {
		t.Fatalf("motoserver: CreateAccessKey returned no key")
	}
	return Credentials{UserName: userName, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
}

// StartWithAdmin starts moto with signature checking on and returns its
// endpoint and the access key of an administrator, the only credentials it
// then accepts.
func StartWithAdmin(t testing.TB, userName string) (string, Credentials) {
	t.Helper()
	endpoint := Start(t, WithAuth(AdminSetupActions))
	return endpoint, CreateAdminUser(t, endpoint, userName)
}
