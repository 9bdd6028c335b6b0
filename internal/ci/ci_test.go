package ci_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// root is the repository's top folder.
const root = "../.."

// fakeBin makes a folder holding dirname (which .ci/run needs to find the
// repository) and the given scripts, to be the whole PATH.
func fakeBin(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	dirname, err := exec.LookPath("dirname")
	if err != nil {
		t.Skip("no dirname")
	}
	if err := os.Symlink(dirname, filepath.Join(dir, "dirname")); err != nil {
		t.Fatal(err)
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runCI runs the .ci/run of repo with PATH set to path and returns its exit
// code and its output.
func runCI(t *testing.T, repo, path string) (int, string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command(bash, filepath.Join(repo, ".ci", "run"))
	cmd.Env = []string{"PATH=" + path, "HOME=" + t.TempDir()}
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), string(out)
}

// TestRunFailsWithoutTools: .ci/run stops, non-zero and saying what is
// missing, before running anything, when python3, moto or botocore is
// missing, rather than skipping the tests that need them.
func TestRunFailsWithoutTools(t *testing.T) {
	for _, tc := range []struct {
		name    string
		scripts map[string]string
		want    string
	}{
		{"no python3", nil, "python3 is missing"},
		{"no moto", map[string]string{"python3": `case "$2" in *moto*) exit 1;; esac`}, "cannot import moto"},
		{"no botocore", map[string]string{"python3": `case "$2" in "import botocore") exit 1;; esac`}, "cannot import botocore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCI(t, root, fakeBin(t, tc.scripts))
			if code == 0 || !strings.Contains(out, "FAIL: ") || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want non-zero with %q:\n%s", code, tc.want, out)
			}
			if strings.Contains(out, "== go vet") {
				t.Errorf("it ran on:\n%s", out)
			}
		})
	}
}

// TestRunFailsWithoutTestData: a copy of .ci/run in a tree without
// sigv4/testdata stops and names the missing file.
func TestRunFailsWithoutTestData(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	os.Mkdir(filepath.Join(tree, ".ci"), 0o755)
	if err := os.WriteFile(filepath.Join(tree, ".ci", "run"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out := runCI(t, tree, fakeBin(t, map[string]string{"python3": "exit 0"}))
	if code == 0 || !strings.Contains(out, "FAIL: sigv4/testdata/aws-signing-test-suite/LICENSE is missing") {
		t.Errorf("exit %d, want non-zero naming the test data:\n%s", code, out)
	}
}

// TestSummaryListsSkips: the summary of go test -json prints each package
// line, the output of a failed test, and every skipped test with its
// reason, and exits 1 on a failure.
func TestSummaryListsSkips(t *testing.T) {
	python3, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is missing: CI needs it")
	}
	events := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestSkip"}`,
		`{"Action":"output","Package":"p","Test":"TestSkip","Output":"=== RUN   TestSkip\n"}`,
		`{"Action":"output","Package":"p","Test":"TestSkip","Output":"    p_test.go:9: moto is not installed\n"}`,
		`{"Action":"output","Package":"p","Test":"TestSkip","Output":"--- SKIP: TestSkip (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestSkip"}`,
		`{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}`,
		`{"Action":"pass","Package":"p"}`,
		`{"Action":"output","Package":"q","Test":"TestFail","Output":"    q_test.go:3: boom\n"}`,
		`{"Action":"fail","Package":"q","Test":"TestFail"}`,
		`{"Action":"output","Package":"q","Output":"FAIL\tq\t0.1s\n"}`,
		`{"Action":"fail","Package":"q"}`,
	}, "\n") + "\n"
	cmd := exec.Command(python3, filepath.Join(root, ".ci", "testsummary"))
	cmd.Stdin = strings.NewReader(events)
	out, _ := cmd.CombinedOutput()
	for _, want := range []string{"ok  \tp\t0.1s", "q_test.go:3: boom", "FAIL\tq", "1 tests skipped", "SKIP p TestSkip: p_test.go:9: moto is not installed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if cmd.ProcessState.ExitCode() != 1 {
		t.Errorf("exit %d with a failed test, want 1", cmd.ProcessState.ExitCode())
	}
}

// eachFile calls f with the path and contents of every file of the
// repository that read says to read, past node_modules, testdata and .git.
func eachFile(t *testing.T, read func(path string) bool, f func(path string, b []byte)) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !read(p) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f(p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fuzzTargets finds every func FuzzXxx in the module's test files, as
// "package-dir FuzzName", by walking the tree.
func fuzzTargets(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^func (Fuzz\w*)\(`)
	var out []string
	isTest := func(p string) bool { return strings.HasSuffix(p, "_test.go") }
	eachFile(t, isTest, func(p string, b []byte) {
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		for _, m := range re.FindAllSubmatch(b, -1) {
			out = append(out, filepath.ToSlash(dir)+" "+string(m[1]))
		}
	})
	sort.Strings(out)
	return out
}

// TestFuzzRunsEveryTarget: .ci/fuzz finds every fuzz target, .ci/run runs
// it, and every target has a committed corpus to start from.
func TestFuzzRunsEveryTarget(t *testing.T) {
	want := fuzzTargets(t)
	if len(want) < 20 {
		t.Fatalf("found %d fuzz targets; the module has more than 20", len(want))
	}
	out, err := exec.Command(filepath.Join(root, ".ci", "fuzz"), "--list").Output()
	if err != nil {
		t.Fatalf(".ci/fuzz --list: %v", err)
	}
	got := strings.Fields(strings.TrimSpace(string(out)))
	var pairs []string
	for i := 0; i+1 < len(got); i += 2 {
		pairs = append(pairs, got[i]+" "+got[i+1])
	}
	sort.Strings(pairs)
	if strings.Join(pairs, "\n") != strings.Join(want, "\n") {
		t.Errorf(".ci/fuzz --list:\n%s\nthe module's fuzz targets:\n%s", strings.Join(pairs, "\n"), strings.Join(want, "\n"))
	}
	run, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\.ci/fuzz$`).Match(run) {
		t.Error(".ci/run does not run .ci/fuzz")
	}
	for _, target := range want {
		dir, name, _ := strings.Cut(target, " ")
		entries, _ := os.ReadDir(filepath.Join(root, dir, "testdata", "fuzz", name))
		if len(entries) == 0 {
			t.Errorf("%s has no corpus in %s/testdata/fuzz/%s: FUZZTIME=30s .ci/fuzz --keep makes one, to commit", name, dir, name)
		}
	}
}

// TestFuzzDeadlineRace: .ci/fuzz fails on a finding or a failing seed, and
// not on Go's "context deadline exceeded" without an input written
// (go.dev/issue/75804), which it runs again. A fake go stands in.
func TestFuzzDeadlineRace(t *testing.T) {
	bin := t.TempDir()
	fakeGo := `#!/bin/sh
case "$1" in
env) echo "$FAKE_CACHE"; exit 0 ;;
list) echo github.com/alter-mcp/alter-mcp; exit 0 ;;
esac
case "$FAKE_MODE" in
ok) echo "fuzz: elapsed: 2s, execs: 100 (50/sec)"; exit 0 ;;
race) printf -- '--- FAIL: FuzzX (2.00s)\n    context deadline exceeded\nFAIL\n'; exit 1 ;;
crash) printf -- '--- FAIL: FuzzX (0.10s)\n    Failing input written to testdata/fuzz/FuzzX/abc\nFAIL\n'; exit 1 ;;
seed) printf -- '--- FAIL: FuzzX/seed#0 (0.00s)\n    x_test.go:9: boom\nFAIL\n'; exit 1 ;;
esac
exit 3
`
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode string
		ok   bool
		want string
	}{
		{"ok", true, "fuzz targets"},
		{"race", true, "go.dev/issue/75804"},
		{"crash", false, "Failing input written"},
		{"seed", false, "seed#0"},
	} {
		cmd := exec.Command(filepath.Join(root, ".ci", "fuzz"))
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_MODE="+tc.mode, "FAKE_CACHE="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if (err == nil) != tc.ok || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: %v, want success %v and %q in:\n%.2000s", tc.mode, err, tc.ok, tc.want, out)
		}
	}
}
