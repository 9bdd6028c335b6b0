package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// result is what one in-process run of the program produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCLI runs the program in-process with env as its whole environment.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(k string) string { return env[k] },
	}
	code := a.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "--help")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"alter-mcp", "without ever holding an AWS key", "serve", "sign", "version", "--log-format", "ALTER_MCP_LOG_LEVEL"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string // in stderr
	}{
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"--frobnicate"}, "unknown flag: --frobnicate"},
		{"bad log format", nil, []string{"--log-format", "xml", "version"}, `invalid argument "xml" for "--log-format" flag: must be one of text, json`},
		{"bad log level", nil, []string{"--log-level", "loud", "version"}, "must be one of debug, info, warn, error"},
		{"bad log level from env", map[string]string{"ALTER_MCP_LOG_LEVEL": "loud"}, []string{"version"}, "invalid value for --log-level from ALTER_MCP_LOG_LEVEL"},
		{"version takes no arguments", nil, []string{"version", "extra"}, `unknown command "extra"`},
		{"sign without URL", creds, []string{"sign", "--region", "us-east-1", "--service", "sts"}, "sign takes exactly one URL, got 0 arguments"},
		{"sign a URL that is not AWS", creds, []string{"sign", "https://example.com/"}, "to sign for an endpoint of your own, give --region and --service"},
		{"sign an IP literal", creds, []string{"sign", "https://169.254.169.254/latest/meta-data/"}, "IP address"},
		{"sign a URL that is not AWS, service only", creds, []string{"sign", "--service", "sts", "https://localhost:4566/"}, "give --region\n"},
		{"sign a URL that is not AWS, region only", creds, []string{"sign", "--region", "us-east-1", "https://example.com/"}, "give --service\n"},
		{"bad format", creds, []string{"sign", "--format", "xml", "https://sts.amazonaws.com/"}, "must be one of text, json, curl"},
		{"bad time", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "--time", "yesterday", "https://sts.amazonaws.com/"}, `--time "yesterday" is not RFC 3339`},
		{"bad header", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "-H", "NoColon", "https://sts.amazonaws.com/"}, `header "NoColon": write it as 'Name: value'`},
		{"bad header name", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "-H", "Bad Name: x", "https://sts.amazonaws.com/"}, "write it as 'Name: value'"},
		{"both bodies", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "-d", "x", "--data-file", "f", "https://sts.amazonaws.com/"}, "not both"},
		{"expires without presign", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "--expires", "1h", "https://sts.amazonaws.com/"}, "--expires applies only with --presign"},
		{"expires too long", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "--presign", "--expires", "200h", "https://sts.amazonaws.com/"}, "between 1 second and 7 days"},
		{"bad expires", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "--presign", "--expires", "soon", "https://sts.amazonaws.com/"}, `invalid argument "soon" for "--expires"`},
		{"relative URL", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "sts.amazonaws.com/"}, "is not an absolute http(s) URL"},
		{"bad method", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "-X", "GET ME", "https://sts.amazonaws.com/"}, "invalid method"},
		{"content length mismatch", creds, []string{"sign", "--region", "us-east-1", "--service", "sts", "-d", "abc", "-H", "Content-Length: 5", "https://sts.amazonaws.com/"}, "does not match the 3-byte body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, "", tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.want)
			}
			if !strings.Contains(r.stderr, "--help' for usage") {
				t.Errorf("stderr %q does not point to --help", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

func TestEnvFillsFlagsAndFlagsWin(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": vanillaSecret,
		"ALTER_MCP_REGION":      "us-east-1",
		"ALTER_MCP_SERVICE":     "service",
		"ALTER_MCP_TIME":        "2015-08-30T12:36:00Z",
		"ALTER_MCP_FORMAT":      "json",
	}
	out := signJSON(t, env, "https://example.amazonaws.com/")
	if out.Signature != vanillaSignature {
		t.Errorf("signature from env flags = %s, want %s", out.Signature, vanillaSignature)
	}

	// The command line wins over the environment.
	env["ALTER_MCP_REGION"] = "eu-west-1"
	env["ALTER_MCP_FORMAT"] = "curl"
	out = signJSON(t, env, "--region", "us-east-1", "--format", "json", "https://example.amazonaws.com/")
	if out.Signature != vanillaSignature {
		t.Errorf("signature with --region over ALTER_MCP_REGION = %s, want %s", out.Signature, vanillaSignature)
	}

	// A repeatable flag takes one value per line; a bool takes true.
	env["ALTER_MCP_HEADER"] = "X-One: 1\nX-Two: 2"
	env["ALTER_MCP_PRESIGN"] = "true"
	env["ALTER_MCP_EXPIRES"] = "1h"
	out = signJSON(t, env, "--format", "json", "https://example.amazonaws.com/")
	if out.Headers["X-One"] != "1" || out.Headers["X-Two"] != "2" {
		t.Errorf("headers from ALTER_MCP_HEADER: %v", out.Headers)
	}
	if out.Authorization != "" || !strings.Contains(out.URL, "X-Amz-Expires=3600") {
		t.Errorf("ALTER_MCP_PRESIGN/ALTER_MCP_EXPIRES not applied: authorization %q, url %s", out.Authorization, out.URL)
	}

	// An empty variable counts as unset.
	r := runCLI(t, map[string]string{"ALTER_MCP_LOG_FORMAT": ""}, "", "version")
	if r.code != exitOK {
		t.Errorf("empty ALTER_MCP_LOG_FORMAT: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBinary builds the real program once and checks what only a real
// process shows: exit statuses and -ldflags version stamping.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "alter-mcp")
	build := exec.Command(goTool, "build", "-o", bin, "-ldflags", "-X main.version=v9.9.9-test -X main.commit=abc123", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Nothing heavy runs before main: the JSON Schema validator mcp-go
	// links compiles its metaschemas on first use (third_party/jsonschema),
	// and all package inits together allocate under 2 MiB (3 MiB before).
	cmd := exec.Command(bin, "version")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GODEBUG=inittrace=1"}
	trace, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("version with inittrace: %v\n%s", err, trace)
	}
	var total int64
	for _, m := range regexp.MustCompile(`(?m)^init (\S+) @.*?, (\d+) bytes,`).FindAllStringSubmatch(string(trace), -1) {
		n, _ := strconv.ParseInt(m[2], 10, 64)
		total += n
		if strings.Contains(m[1], "jsonschema/v6") && n > 64<<10 {
			t.Errorf("the init of %s allocates %d bytes: its metaschemas are compiled before main again", m[1], n)
		}
	}
	if total == 0 || total > 2<<20 {
		t.Errorf("package inits allocate %d bytes before main, want some and under 2 MiB:\n%s", total, trace)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout for 0, stderr otherwise
	}{
		{[]string{"--help"}, exitOK, "Usage:"},
		{[]string{"version"}, exitOK, "alter-mcp v9.9.9-test\ncommit:   abc123\n"},
		{[]string{"version", "--json"}, exitOK, `"version":"v9.9.9-test","commit":"abc123"`},
		{[]string{"--log-level", "loud"}, exitUsage, "must be one of"},
		{[]string{"sign", "--region", "us-east-1", "--service", "sts", "https://sts.amazonaws.com/"}, exitError, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no AWS credentials, no ALTER_MCP_*
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		got := stdout.String()
		if tc.code != exitOK {
			got = stderr.String()
		}
		if code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("alter-mcp %s: exit %d, want %d; output lacks %q:\nstdout: %s\nstderr: %s",
				strings.Join(tc.args, " "), code, tc.code, tc.want, stdout.String(), stderr.String())
		}
	}
}
