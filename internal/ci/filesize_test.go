package ci_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoLongGoFile: no hand-written Go file, tests included, is over 600
// lines (issue 15): one that grows past what a reader can hold in mind is
// split at a seam. Generated files (a "Code generated ... DO NOT EDIT."
// line) and third_party/ are left out.
func TestNoLongGoFile(t *testing.T) {
	const most = 600
	generated := regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)
	goFile := func(p string) bool {
		rel, _ := filepath.Rel(root, p)
		return strings.HasSuffix(p, ".go") && !strings.HasPrefix(filepath.ToSlash(rel), "third_party/")
	}
	n := 0
	eachFile(t, goFile, func(p string, b []byte) {
		n++
		if lines := bytes.Count(b, []byte("\n")); lines > most && !generated.Match(b) {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s has %d lines, over %d: split it at a seam", rel, lines, most)
		}
	})
	if n < 100 {
		t.Fatalf("read %d Go files; the walk missed the tree", n)
	}
}
