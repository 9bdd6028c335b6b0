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

const module = "github.com/alter-mcp/alter-mcp/"

// goList returns, for every package of the module, its non-test imports
// from the module (without the module's prefix) and its imports from outside
// the standard library.
func goList(t *testing.T) (mod, outside map[string][]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=") // CI's -json is not for go list
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	mod, outside = map[string][]string{}, map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		pkg := strings.TrimPrefix(path, module)
		mod[pkg] = []string{}
		for _, imp := range strings.Fields(imports) {
			switch {
			case strings.HasPrefix(imp, module):
				mod[pkg] = append(mod[pkg], strings.TrimPrefix(imp, module))
			case strings.Contains(strings.Split(imp, "/")[0], "."):
				outside[pkg] = append(outside[pkg], imp)
			}
		}
		sort.Strings(mod[pkg])
	}
	return mod, outside
}

// backticked returns the `names` in a table cell, without a trailing slash.
func backticked(cell string) []string {
	var out []string
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cell, -1) {
		out = append(out, strings.TrimSuffix(m[1], "/"))
	}
	sort.Strings(out)
	return out
}

// TestArchitectureImports: the package table of docs/architecture.md says
// what each package imports, from the module and from outside, as go list
// does; and every package outside internal/ and the generators is in it.
func TestArchitectureImports(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	mod, outside := goList(t)
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9/-]+)/` \\| [^|]+ \\| ([^|]+) \\| ([^|]+) \\|$")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		pkg := m[1]
		documented[pkg] = true
		got, ok := mod[pkg]
		if !ok {
			t.Errorf("docs/architecture.md lists %s/, which go list does not know", pkg)
			continue
		}
		if want := backticked(m[2]); strings.Join(want, " ") != strings.Join(got, " ") {
			t.Errorf("%s/ imports %v from the module; docs/architecture.md says %v", pkg, got, want)
		}
		listed := backticked(m[3])
		for _, imp := range outside[pkg] {
			if !hasPrefixIn(imp, listed) {
				t.Errorf("%s/ imports %s; docs/architecture.md names no module of it (%v)", pkg, imp, listed)
			}
		}
		for _, l := range listed {
			if !importsUnder(outside[pkg], l) {
				t.Errorf("docs/architecture.md says %s/ needs %s; it imports nothing from it", pkg, l)
			}
		}
	}
	for pkg := range mod {
		if strings.HasPrefix(pkg, "internal/") || strings.HasSuffix(pkg, "/internal/gen") || pkg == "e2e" {
			continue
		}
		if !documented[pkg] {
			t.Errorf("%s/ is not in docs/architecture.md's package table", pkg)
		}
	}
}

func hasPrefixIn(imp string, modules []string) bool {
	for _, m := range modules {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return true
		}
	}
	return false
}

func importsUnder(imports []string, module string) bool {
	for _, imp := range imports {
		if imp == module || strings.HasPrefix(imp, module+"/") {
			return true
		}
	}
	return false
}

// TestNothingOutsideTheRepository: the README links the architecture inside
// the repository, and no document, script or Go file points outside it.
func TestNothingOutsideTheRepository(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "](docs/architecture.md)") {
		t.Error("README.md does not link docs/architecture.md")
	}
	outside := regexp.MustCompile(`\.\./shared|/work/shared|ALTER_MCP_TESTDATA`)
	read := func(p string) bool {
		return (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".md") || filepath.Base(filepath.Dir(p)) == ".ci") &&
			!strings.HasSuffix(p, "architecture_test.go")
	}
	eachFile(t, read, func(p string, b []byte) {
		if loc := outside.FindIndex(b); loc != nil {
			t.Errorf("%s points outside the repository: %q", p, b[loc[0]:loc[1]])
		}
	})
}
