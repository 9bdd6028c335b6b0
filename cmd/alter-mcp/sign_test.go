package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alter-mcp/alter-mcp/internal/sigcheck"
	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The get-vanilla case of AWS's public signing test suite.
const (
	vanillaSecret           = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	vanillaSignature        = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	vanillaPresignSignature = "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
	vanillaCanonicalRequest = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash
	vanillaStringToSign     = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
	emptyHash               = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

func vanillaEnv() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": vanillaSecret}
}

func vanillaArgs(format string, extra ...string) []string {
	args := []string{"sign", "--format", format, "--time", "2015-08-30T12:36:00Z", "--region", "us-east-1", "--service", "service"}
	args = append(args, extra...)
	return append(args, "https://example.amazonaws.com/")
}

// signJSON runs sign with args, which must ask for --format json, and decodes its output.
func signJSON(t *testing.T, env map[string]string, args ...string) signOutput {
	t.Helper()
	return signJSONStdin(t, env, "", args...)
}

func signJSONStdin(t *testing.T, env map[string]string, stdin string, args ...string) signOutput {
	t.Helper()
	r := runCLI(t, env, stdin, append([]string{"sign"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("sign %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	var out signOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("sign output is not JSON: %v\n%s", err, r.stdout)
	}
	return out
}

func TestSignVanilla(t *testing.T) {
	t.Parallel()
	out := signJSON(t, vanillaEnv(), vanillaArgs("json")[1:]...)
	want := signOutput{
		CanonicalRequest: vanillaCanonicalRequest,
		StringToSign:     vanillaStringToSign,
		Signature:        vanillaSignature,
		Authorization:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + vanillaSignature,
		Headers: map[string]string{
			"Host":          "example.amazonaws.com",
			"X-Amz-Date":    "20150830T123600Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + vanillaSignature,
		},
		URL: "https://example.amazonaws.com/",
	}
	assertOutput(t, out, want)
}

func TestPresignVanilla(t *testing.T) {
	t.Parallel()
	out := signJSON(t, vanillaEnv(), vanillaArgs("json", "--presign", "--expires", "1h")[1:]...)
	want := signOutput{
		CanonicalRequest: "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\n" + emptyHash,
		StringToSign:     "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb7705b4aa3cb8e8f5e1e0b3d4c0b64030797a313c8ceee43e33117cc43eadc5",
		Signature:        vanillaPresignSignature,
		Headers:          map[string]string{"Host": "example.amazonaws.com"},
		URL:              "https://example.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + vanillaPresignSignature,
	}
	assertOutput(t, out, want)

	// The default validity is 15 minutes.
	out = signJSON(t, vanillaEnv(), vanillaArgs("json", "--presign")[1:]...)
	if !strings.Contains(out.URL, "X-Amz-Expires=900&") {
		t.Errorf("default --expires: url %s lacks X-Amz-Expires=900", out.URL)
	}
}

func assertOutput(t *testing.T, got, want signOutput) {
	t.Helper()
	if got.CanonicalRequest != want.CanonicalRequest {
		t.Errorf("canonical_request:\n%s\nwant:\n%s", got.CanonicalRequest, want.CanonicalRequest)
	}
	if got.StringToSign != want.StringToSign {
		t.Errorf("string_to_sign:\n%s\nwant:\n%s", got.StringToSign, want.StringToSign)
	}
	if got.Signature != want.Signature {
		t.Errorf("signature = %s, want %s", got.Signature, want.Signature)
	}
	if got.Authorization != want.Authorization {
		t.Errorf("authorization = %q, want %q", got.Authorization, want.Authorization)
	}
	if len(got.Headers) != len(want.Headers) {
		t.Errorf("headers = %v, want %v", got.Headers, want.Headers)
	}
	for k, v := range want.Headers {
		if got.Headers[k] != v {
			t.Errorf("headers[%s] = %q, want %q", k, got.Headers[k], v)
		}
	}
	if got.URL != want.URL {
		t.Errorf("url = %s, want %s", got.URL, want.URL)
	}
}

func TestSignTextFormat(t *testing.T) {
	t.Parallel()
	r := runCLI(t, vanillaEnv(), "", vanillaArgs("text")...)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"Canonical request\n-----------------\n" + vanillaCanonicalRequest + "\n",
		"String to sign\n--------------\n" + vanillaStringToSign + "\n",
		"Signature\n---------\n" + vanillaSignature + "\n",
		"Authorization\n-------------\nAWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/",
		"Headers\n-------\nAuthorization: AWS4-HMAC-SHA256",
		"\nHost: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n",
		"URL\n---\nhttps://example.amazonaws.com/\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCLI(t, vanillaEnv(), "", vanillaArgs("text", "--presign")...)
	if strings.Contains(r.stdout, "Authorization") || !strings.Contains(r.stdout, "Presigned URL\n-------------\nhttps://example.amazonaws.com/?X-Amz-Algorithm=") {
		t.Errorf("presigned text output:\n%s", r.stdout)
	}
}

// TestSignBodyMatchesSDK checks a request with a body against aws-sdk-go-v2's
// signer, whatever way the body is given.
func TestSignBodyMatchesSDK(t *testing.T) {
	t.Parallel()
	const (
		body  = `{"FunctionName":"f"}`
		url   = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions"
		token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+="
	)
	signedAt := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	sum := sha256.Sum256([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sdkCreds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: vanillaSecret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds, req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", signedAt); err != nil {
		t.Fatal(err)
	}
	wantAuth := req.Header.Get("Authorization")

	env := vanillaEnv()
	env["AWS_SESSION_TOKEN"] = token
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--format", "json", "--time", "2015-08-30T12:36:00Z", "--region", "us-east-1", "--service", "lambda", "-H", "content-type:application/json"}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"data", "", []string{"-d", body}},
		{"data-file", "", []string{"--data-file", file}},
		{"stdin", body, []string{"--data-file", "-"}},
		{"explicit method and length", "", []string{"-X", "POST", "-d", body, "-H", "Content-Length: 20"}},
	} {
		out := signJSONStdin(t, env, tc.stdin, append(append(slices.Clone(common), tc.args...), url)...)
		if out.Authorization != wantAuth {
			t.Errorf("%s: authorization\n%s\nwant (aws-sdk-go-v2)\n%s\ncanonical request:\n%s", tc.name, out.Authorization, wantAuth, out.CanonicalRequest)
		}
		if out.Headers["Content-Length"] != "20" || out.Headers["X-Amz-Security-Token"] != token || out.Headers["Content-Type"] != "application/json" {
			t.Errorf("%s: headers %v", tc.name, out.Headers)
		}
	}
}

func TestSignPayloadAndPathOptions(t *testing.T) {
	t.Parallel()
	out := signJSON(t, vanillaEnv(), vanillaArgs("json", "-X", "PUT", "-d", "data", "--unsigned-payload")[1:]...)
	if !strings.HasSuffix(out.CanonicalRequest, "\nUNSIGNED-PAYLOAD") || !strings.HasPrefix(out.CanonicalRequest, "PUT\n") {
		t.Errorf("--unsigned-payload -X PUT: canonical request\n%s", out.CanonicalRequest)
	}
	if out.Headers["Content-Length"] != "4" {
		t.Errorf("Content-Length = %q, want 4", out.Headers["Content-Length"])
	}

	args := []string{"--format", "json", "--region", "us-east-1", "--service", "service", "https://example.amazonaws.com/a/./b/../c"}
	if out := signJSON(t, vanillaEnv(), append([]string{"--normalize-path"}, args...)...); !strings.HasPrefix(out.CanonicalRequest, "GET\n/a/c\n") {
		t.Errorf("--normalize-path: canonical request\n%s", out.CanonicalRequest)
	}
	if out := signJSON(t, vanillaEnv(), args...); !strings.HasPrefix(out.CanonicalRequest, "GET\n/a/./b/../c\n") {
		t.Errorf("without --normalize-path: canonical request\n%s", out.CanonicalRequest)
	}

	// An empty body is still a body: POST, with Content-Length 0.
	out = signJSON(t, vanillaEnv(), vanillaArgs("json", "-d", "")[1:]...)
	if !strings.HasPrefix(out.CanonicalRequest, "POST\n") || out.Headers["Content-Length"] != "0" {
		t.Errorf("-d '': canonical request\n%s\nheaders %v", out.CanonicalRequest, out.Headers)
	}
}

func TestPresignHeaders(t *testing.T) {
	t.Parallel()
	env := vanillaEnv()
	env["AWS_SESSION_TOKEN"] = "the-token"
	out := signJSON(t, env, "--format", "json", "--region", "us-east-1", "--service", "s3", "--presign",
		"-H", "X-Amz-Acl: private", "-H", "X-Amz-Request-Payer: requester", "-H", "User-Agent: me",
		"https://bucket.s3.amazonaws.com:443/key")
	// S3 wants x-amz-acl as a header; request-payer moves to the query; the
	// unsigned User-Agent is still sent; Host is the signed one, without :443.
	want := map[string]string{"Host": "bucket.s3.amazonaws.com", "X-Amz-Acl": "private", "User-Agent": "me"}
	if len(out.Headers) != len(want) {
		t.Errorf("headers = %v, want %v", out.Headers, want)
	}
	for k, v := range want {
		if out.Headers[k] != v {
			t.Errorf("headers[%s] = %q, want %q", k, out.Headers[k], v)
		}
	}
	for _, q := range []string{"x-amz-request-payer=requester", "X-Amz-Security-Token=the-token", "X-Amz-SignedHeaders=host%3Bx-amz-acl"} {
		if !strings.Contains(out.URL, q) {
			t.Errorf("url %s lacks %s", out.URL, q)
		}
	}
}

// TestCurlFormat runs the printed command through sh with curl replaced by a
// function that prints its arguments, so the quoting is checked by a shell.
func TestCurlFormat(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	t.Parallel()
	file := filepath.Join(t.TempDir(), "it's a body")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := vanillaEnv()
	env["AWS_SESSION_TOKEN"] = "tok'en with space"
	curlArgs := func(args ...string) []string {
		t.Helper()
		r := runCLI(t, env, "", append([]string{"sign", "--format", "curl", "--time", "2015-08-30T12:36:00Z", "--region", "us-east-1", "--service", "service"}, args...)...)
		if r.code != exitOK {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		out, err := exec.Command(sh, "-c", `curl() { printf '%s\0' "$@"; }; `+r.stdout).Output()
		if err != nil {
			t.Fatalf("sh: %v\n%s", err, r.stdout)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	}
	auth := func(args []string) string {
		for i, a := range args {
			if strings.HasPrefix(a, "Authorization: ") && args[i-1] == "-H" {
				return a
			}
		}
		return ""
	}

	got := curlArgs("-d", "it's $HOME `x`", "-X", "PUT", "https://example.amazonaws.com/")
	want := []string{
		"-X", "PUT",
		"-H", auth(got),
		"-H", "Content-Length: 14",
		"-H", "Host: example.amazonaws.com",
		"-H", "X-Amz-Date: 20150830T123600Z",
		"-H", "X-Amz-Security-Token: tok'en with space",
		"-H", "Content-Type:",
		"--data-binary", "it's $HOME `x`",
		"https://example.amazonaws.com/",
	}
	if !slices.Equal(got, want) || !strings.Contains(auth(got), "SignedHeaders=content-length;host;x-amz-date;x-amz-security-token, Signature=") {
		t.Errorf("curl arguments\n%q\nwant\n%q", got, want)
	}

	got = curlArgs("--data-file", file, "-H", "Content-Type: text/plain", "https://example.amazonaws.com/a/../b[1]")
	if i := slices.Index(got, "--data-binary"); i < 0 || got[i+1] != "@"+file {
		t.Errorf("--data-file: curl arguments %q lack --data-binary @%s", got, file)
	}
	if slices.Contains(got, "Content-Type:") || !slices.Contains(got, "Content-Type: text/plain") {
		t.Errorf("curl arguments %q: the given Content-Type must be kept", got)
	}
	if !slices.Contains(got, "--globoff") || !slices.Contains(got, "--path-as-is") || slices.Contains(got, "-X") {
		t.Errorf("curl arguments %q: want --globoff and --path-as-is, and no -X for a POST with a body", got)
	}

	got = curlArgs("-X", "HEAD", "https://example.amazonaws.com/")
	if got[0] != "--head" || slices.Contains(got, "-X") {
		t.Errorf("HEAD: curl arguments %q, want --head", got)
	}
	got = curlArgs("--presign", "https://example.amazonaws.com/")
	if !slices.Equal(got[:2], []string{"-H", "Host: example.amazonaws.com"}) || !strings.Contains(got[2], "X-Amz-Signature=") || len(got) != 3 {
		t.Errorf("presign: curl arguments %q", got)
	}
}

// TestCurlSendsWhatWasSigned runs the printed curl commands against a server
// that checks signatures with aws-sdk-go-v2's signer (internal/sigcheck): what
// curl sends must be exactly what was signed.
func TestCurlSendsWhatWasSigned(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	t.Parallel()
	// The handler runs in the server's goroutine; curl, a separate process,
	// is no synchronization the race detector can see.
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(sigcheck.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}), sigcheck.Static("AKIDEXAMPLE", vanillaSecret)))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "body file.json")
	if err := os.WriteFile(file, []byte(`{"from":"file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := vanillaEnv()
	env["AWS_SESSION_TOKEN"] = "a-session-token"
	for _, tc := range []struct {
		args     []string
		wantBody string
	}{
		{[]string{"/"}, ""},
		{[]string{"-H", "X-Custom: a 'quoted'  value", "/path/with%20space?b=2&a=1&empty="}, ""},
		{[]string{"-d", "it's a body with $dollars", "/"}, "it's a body with $dollars"},
		{[]string{"-X", "PUT", "-H", "Content-Type: application/json", "--data-file", file, "/items"}, `{"from":"file"}`},
		{[]string{"--presign", "/download"}, ""},
	} {
		urlArg := srv.URL + tc.args[len(tc.args)-1]
		args := append([]string{"sign", "--format", "curl", "--region", "us-east-1", "--service", "service"}, tc.args[:len(tc.args)-1]...)
		r := runCLI(t, env, "", append(args, urlArg)...)
		if r.code != exitOK {
			t.Fatalf("sign %q: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
		script := `curl() { "$CURL" -sS -w '%{http_code}' "$@"; }; ` + r.stdout
		cmd := exec.Command(sh, "-c", script)
		cmd.Env = append(os.Environ(), "CURL="+curl)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasSuffix(string(out), "200") {
			t.Errorf("sign %q, then curl: %v\n%s\ncommand:\n%s", tc.args, err, out, r.stdout)
			continue
		}
		if got := <-bodies; string(got) != tc.wantBody {
			t.Errorf("sign %q, then curl: server got body %q, want %q", tc.args, got, tc.wantBody)
		}
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no credentials", nil, vanillaArgs("json"), "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"},
		{"no secret", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"}, vanillaArgs("json"), "set AWS_SECRET_ACCESS_KEY"},
		{"missing data file", vanillaEnv(), vanillaArgs("json", "--data-file", "/nonexistent/body"), "read --data-file: open /nonexistent/body"},
	} {
		r := runCLI(t, tc.env, "", tc.args...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.name, r.code, r.stdout, r.stderr, exitError, tc.want)
		}
	}
}

// TestSecretNeverPrinted signs in every format and mode, with debug logs in
// both log formats and through failures, and looks for the secret access key.
func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "Sup3rS3cretKeyThatMustNeverBePrinted/+abc"
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "session-token"}
	var runs [][]string
	for _, logFormat := range []string{"text", "json"} {
		base := []string{"--log-format", logFormat, "--log-level", "debug", "sign", "--region", "us-east-1", "--service", "s3"}
		for _, format := range []string{"text", "json", "curl"} {
			for _, mode := range [][]string{nil, {"--presign"}, {"-d", "@body"}, {"--unsigned-payload", "-X", "PUT", "-d", "x\x00y"}} {
				runs = append(runs, slices.Concat(base, []string{"--format", format}, mode, []string{"https://b.s3.amazonaws.com/k"}))
			}
		}
		// Failures, before and after the credentials are read.
		runs = append(runs,
			slices.Concat(base, []string{"--presign", "--expires", "999h", "https://b.s3.amazonaws.com/k"}),
			slices.Concat(base, []string{"--data-file", "/nonexistent", "https://b.s3.amazonaws.com/k"}),
			slices.Concat(base, []string{"-H", "bad", "https://b.s3.amazonaws.com/k"}),
			slices.Concat(base, []string{"--bogus"}),
			slices.Concat(base, []string{"ftp://b.s3.amazonaws.com/k"}),
		)
	}
	for _, args := range runs {
		r := runCLI(t, env, "", args...)
		if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
			t.Errorf("alter-mcp %q printed the secret access key:\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
		}
		if r.code == exitOK && !strings.Contains(r.stderr, "AKIDEXAMPLE") {
			t.Errorf("alter-mcp %q: debug log lacks the access key id: %s", args, r.stderr)
		}
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                       "''",
		"plain/path-1.0@x:y,z=%": "plain/path-1.0@x:y,z=%",
		"a b":                    "'a b'",
		"it's":                   `'it'\''s'`,
		"$HOME":                  "'$HOME'",
		"a\nb":                   "'a\nb'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// --region-set signs with SigV4a; the signature verifies with the public key
// derived from the credentials.
func TestSignRegionSet(t *testing.T) {
	out := signJSON(t, vanillaEnv(), "--format", "json", "--time", "2015-08-30T12:36:00Z", "--region-set", "*", "--service", "s3",
		"https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key")
	if !strings.HasPrefix(out.Authorization, "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, SignedHeaders=") {
		t.Fatalf("Authorization = %q", out.Authorization)
	}
	if out.Headers["X-Amz-Region-Set"] != "*" {
		t.Errorf("X-Amz-Region-Set = %q", out.Headers["X-Amz-Region-Set"])
	}
	key, err := sigv4.DeriveV4aKey("AKIDEXAMPLE", vanillaSecret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := hex.DecodeString(out.Signature)
	if err != nil {
		t.Fatal(err)
	}
	if !sigv4.VerifyV4a(&key.PublicKey, out.StringToSign, sig) {
		t.Error("SigV4a signature does not verify")
	}
	r := runCLI(t, vanillaEnv(), "", "sign", "--region", "us-east-1", "--region-set", "*", "--service", "s3", "https://example.amazonaws.com/")
	if r.code != exitUsage || !strings.Contains(r.stderr, "not both") {
		t.Errorf("--region with --region-set: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestSignInfersScope: without --region and --service, the credential scope
// comes from the URL, for every kind of endpoint urlparse knows.
func TestSignInfersScope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, region, regionSet, service string
	}{
		{"https://s3.us-east-1.amazonaws.com/bucket/key", "us-east-1", "", "s3"},
		{"https://my.bucket.s3.eu-west-1.amazonaws.com/report.csv", "eu-west-1", "", "s3"},
		{"https://bedrock-runtime.us-west-2.amazonaws.com/model/m/invoke", "us-west-2", "", "bedrock"},
		{"https://vpce-0a1b2c3d-x1y2z3.monitoring.us-east-2.vpce.amazonaws.com/", "us-east-2", "", "monitoring"},
		{"https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", "us-east-1", "", "iam"},
		{"https://sts.us-gov-west-1.amazonaws.com/", "us-gov-west-1", "", "sts"},
		{"https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1", "", "iam"},
		{"https://dynamodb-fips.us-east-1.amazonaws.com/", "us-east-1", "", "dynamodb"},
		{"https://abc123.lambda-url.eu-central-1.on.aws/", "eu-central-1", "", "lambda"},
		{"https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key", "", "*", "s3"},
	} {
		out := signJSON(t, vanillaEnv(), "--format", "json", "--time", "2015-08-30T12:36:00Z", tc.url)
		if out.Region != tc.region || out.RegionSet != tc.regionSet || out.Service != tc.service {
			t.Errorf("%s: signed for region %q, region set %q, service %q; want %q, %q, %q",
				tc.url, out.Region, out.RegionSet, out.Service, tc.region, tc.regionSet, tc.service)
		}
		if tc.regionSet != "" {
			if !strings.HasPrefix(out.Authorization, "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/"+tc.service+"/aws4_request") ||
				out.Headers["X-Amz-Region-Set"] != tc.regionSet {
				t.Errorf("%s: want SigV4a for region set %q, got Authorization %q, headers %v", tc.url, tc.regionSet, out.Authorization, out.Headers)
			}
			continue
		}
		want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/" + tc.region + "/" + tc.service + "/aws4_request,"
		if !strings.HasPrefix(out.Authorization, want) {
			t.Errorf("%s: Authorization %q, want it to start with %q", tc.url, out.Authorization, want)
		}
	}
}

// TestSignFlagsOverrideURL: flags win over the URL, with a warning when they
// disagree; and flags make any URL signable (the operator's own endpoint).
func TestSignFlagsOverrideURL(t *testing.T) {
	t.Parallel()
	r := runCLI(t, vanillaEnv(), "", "sign", "--format", "json", "--region", "eu-west-1", "https://sts.us-east-1.amazonaws.com/")
	if r.code != exitOK || !strings.Contains(r.stderr, "differs from the URL's") {
		t.Fatalf("exit %d, stderr %q; want success with a warning", r.code, r.stderr)
	}
	var out signOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Region != "eu-west-1" || out.Service != "sts" {
		t.Errorf("signed for %q/%q (%v), want eu-west-1/sts", out.Region, out.Service, err)
	}
	out = signJSON(t, vanillaEnv(), "--format", "json", "--region", "us-east-1", "--service", "s3", "http://localhost:4566/bucket/key")
	if out.Region != "us-east-1" || out.Service != "s3" || out.Headers["Host"] != "localhost:4566" {
		t.Errorf("custom endpoint: signed for %q/%q with Host %q", out.Region, out.Service, out.Headers["Host"])
	}
}
