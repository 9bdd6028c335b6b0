package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// jsonLines checks that every line of s is a JSON log record and returns them.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stderr line is not JSON: %q (%v)", line, err)
		}
		if rec["level"] == nil || rec["msg"] == nil || rec["time"] == nil {
			t.Errorf("log record lacks time, level or msg: %q", line)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestJSONLogsGoToStderrOnly(t *testing.T) {
	t.Parallel()
	env := vanillaEnv()
	args := append([]string{"--log-format", "json", "--log-level", "debug"}, vanillaArgs("json")...)
	r := runCLI(t, env, "", args...)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	recs := jsonLines(t, r.stderr)
	if !slices.ContainsFunc(recs, func(r map[string]any) bool { return r["level"] == "DEBUG" && r["msg"] == "signing request" }) {
		t.Errorf("want debug records about signing, got %v", recs)
	}
	// stdout holds the output and nothing else.
	var out signOutput
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&out); err != nil || dec.More() {
		t.Errorf("stdout is not exactly one JSON object: %v\n%s", err, r.stdout)
	}

	// A failure is a JSON line as well, and stdout stays empty.
	r = runCLI(t, map[string]string{"ALTER_MCP_LOG_FORMAT": "json"}, "", "sign", "--region", "us-east-1", "--service", "sts", "https://sts.amazonaws.com/")
	if r.code != exitError {
		t.Errorf("exit %d, want %d", r.code, exitError)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	recs = jsonLines(t, r.stderr)
	if len(recs) != 1 || recs[0]["level"] != "ERROR" || !strings.Contains(recs[0]["error"].(string), "AWS_ACCESS_KEY_ID") {
		t.Errorf("want one ERROR record naming AWS_ACCESS_KEY_ID, got %v", recs)
	}
}

func TestLogLevelFilters(t *testing.T) {
	t.Parallel()
	// Debug records appear at debug and not at the default info level.
	r := runCLI(t, vanillaEnv(), "", append([]string{"--log-level", "debug"}, vanillaArgs("text")...)...)
	if !strings.Contains(r.stderr, "signing request") {
		t.Errorf("--log-level debug: stderr lacks the debug record: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b[") {
		t.Errorf("stderr is not a terminal, but the text log is coloured: %q", r.stderr)
	}
	r = runCLI(t, vanillaEnv(), "", vanillaArgs("text")...)
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("default level: exit %d, stderr %q, want 0 and nothing", r.code, r.stderr)
	}
	// Warnings show at the default level.
	r = runCLI(t, vanillaEnv(), "", append(vanillaArgs("json"), "-d", "@body.json")...)
	if !strings.Contains(r.stderr, "--data-file") {
		t.Errorf("-d @file: stderr lacks a hint about --data-file: %q", r.stderr)
	}
}

// TestOnlyCommandHelp: a command line that names its subcommand first is
// run on a root built with that subcommand alone (onlyCommand); every
// command's help, and a usage error of each, reads as on the whole tree.
func TestOnlyCommandHelp(t *testing.T) {
	t.Parallel()
	full := func(args ...string) result {
		var stdout, stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		root := newRootCmd(a)
		root.SetArgs(args)
		code := exitOK
		if cmd, err := root.ExecuteContextC(t.Context()); err != nil {
			code = a.report(cmd, err)
		}
		return result{code, stdout.String(), stderr.String()}
	}
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			p := append(slices.Clone(path), sub.Name())
			paths = append(paths, p)
			walk(sub, p)
		}
	}
	walk(newRootCmd(&app{getenv: func(string) string { return "" }}), nil)
	checked := 0
	for _, p := range paths {
		if onlyCommand(p) == "" {
			if p[0] != "completion" && p[0] != "help" {
				t.Errorf("%q is built with the whole tree", p)
			}
			continue
		}
		for _, args := range [][]string{append(slices.Clone(p), "--help"), append(slices.Clone(p), "--no-such-flag")} {
			got, want := runCLI(t, nil, "", args...), full(args...)
			if got != want {
				t.Errorf("alter-mcp %s:\n%+v\nthe whole tree:\n%+v", strings.Join(args, " "), got, want)
			}
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("checked %d commands; the tree has more", checked)
	}
	t.Logf("%d commands read the same", checked)
}

// TestHandlesSignals: main has SIGINT and SIGTERM cancel the context of
// every command line but `version` (TestServeSignals sends them to serve).
func TestHandlesSignals(t *testing.T) {
	t.Parallel()
	lines := [][]string{nil, {"--log-level", "debug"}, {"--log-level", "debug", "version"}, {"help", "version"}, {"completion", "bash"}}
	for _, c := range newRootCmd(&app{getenv: func(string) string { return "" }}).Commands() {
		lines = append(lines, []string{c.Name()}, []string{c.Name(), "--help"})
	}
	for _, args := range lines {
		want := len(args) == 0 || args[0] != "version"
		if got := handlesSignals(args); got != want {
			t.Errorf("handlesSignals(%q) = %v, want %v", args, got, want)
		}
	}
}
