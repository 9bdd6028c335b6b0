package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion: alter-mcp completion prints a script for each shell, on
// stdout only, and the completions it asks for come back.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shell, want, noDesc string
	}{
		{"bash", "complete -o default -F __start_alter-mcp alter-mcp", "__completeNoDesc"},
		{"zsh", "#compdef alter-mcp", "__completeNoDesc"},
		{"fish", "complete -c alter-mcp", "__completeNoDesc"},
		{"powershell", "Register-ArgumentCompleter", "__completeNoDesc"},
	} {
		r := runCLI(t, nil, "", "completion", tc.shell)
		if r.code != exitOK || !strings.Contains(r.stdout, tc.want) || r.stderr != "" {
			t.Errorf("completion %s: exit %d, stderr %q; script lacks %q", tc.shell, r.code, r.stderr, tc.want)
		}
		r = runCLI(t, map[string]string{"ALTER_MCP_NO_DESCRIPTIONS": "true"}, "", "completion", tc.shell)
		if r.code != exitOK || !strings.Contains(r.stdout, tc.noDesc) {
			t.Errorf("completion %s with ALTER_MCP_NO_DESCRIPTIONS: exit %d; script lacks %q", tc.shell, r.code, tc.noDesc)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if r := runCLI(t, nil, "", args...); r.code != exitUsage || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, r.code, r.stdout)
		}
	}

	// What the scripts ask: the program's own commands, subcommands, the
	// shells, and flags.
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "aud"}, []string{"audit\t"}},
		{[]string{"__complete", "audit", "ver"}, []string{"verify\t"}},
		{[]string{"__complete", "completion", ""}, []string{"bash", "zsh", "fish", "powershell"}},
		{[]string{"__complete", "audit", "verify", "--anchor"}, []string{"--anchor\t", "--anchor-file\t"}},
		{[]string{"__complete", ""}, []string{"serve\t", "grant\t", "completion\t"}},
	} {
		r := runCLI(t, nil, "", tc.args...)
		for _, w := range tc.want {
			if r.code != exitOK || !strings.Contains(r.stdout, w) {
				t.Errorf("%v: exit %d, no %q in\n%s", tc.args, r.code, w, r.stdout)
			}
		}
	}
}

// TestCompletionBash loads the bash script into a bash, which then knows
// how to complete alter-mcp.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script := filepath.Join(t.TempDir(), "alter-mcp.bash")
	if err := os.WriteFile(script, []byte(mustRun(t, nil, "", "completion", "bash").stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bash, "--norc", "--noprofile", "-c", `source "$1" && complete -p alter-mcp`, "bash", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-F __start_alter-mcp alter-mcp") {
		t.Errorf("bash: %v\n%s", err, out)
	}
}
