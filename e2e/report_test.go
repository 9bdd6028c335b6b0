//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientReportVerify: a report of client.mjs passes only with every
// required check made and none failed; it needs no Node.
func TestClientReportVerify(t *testing.T) {
	good := func(mode string) clientReport {
		var r clientReport
		names := requiredChecks
		if mode == "http" {
			names = append(names[:len(names):len(names)], "http: refused without an API key")
		}
		for _, n := range names {
			r.Checks = append(r.Checks, struct {
				Name string `json:"name"`
				OK   bool   `json:"ok"`
			}{n, true})
		}
		return r
	}
	for _, mode := range []string{"stdio", "http"} {
		if err := good(mode).verify(mode); err != nil {
			t.Errorf("%s: a good report: %v", mode, err)
		}
		r := good(mode)
		r.Checks[3].OK = false
		if err := r.verify(mode); err == nil || !strings.Contains(err.Error(), `"aws_whoami" failed`) {
			t.Errorf("%s: a failed check: %v", mode, err)
		}
		r = good(mode)
		r.Checks = r.Checks[:len(r.Checks)-1]
		if err := r.verify(mode); err == nil || !strings.Contains(err.Error(), "is missing") {
			t.Errorf("%s: a missing check: %v", mode, err)
		}
		r = good(mode)
		r.Failed = "s3_put"
		if err := r.verify(mode); err == nil {
			t.Errorf("%s: a report naming a failed check passed", mode)
		}
	}
	if err := (clientReport{}).verify("stdio"); err == nil {
		t.Error("an empty report passed")
	}
}

// TestConformanceChecks: a scenario's checks.json is read, and a FAILURE
// (or a status the suite does not document) fails it.
func TestConformanceChecks(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "server-ping-2026-01-01T00-00-00")
	os.MkdirAll(sub, 0o755)
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(sub, "checks.json"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`[{"id":"ping","status":"SUCCESS"},{"id":"logging","status":"WARNING"}]`)
	cs, err := readConformanceChecks(dir)
	if err != nil || len(cs) != 2 || len(cs.failed()) != 0 {
		t.Errorf("passing checks: %v, %v, failed %v", cs, err, cs.failed())
	}
	write(`[{"id":"ping","status":"SUCCESS"},{"id":"init","status":"FAILURE","errorMessage":"no serverInfo"}]`)
	if cs, _ := readConformanceChecks(dir); len(cs.failed()) != 1 || !strings.Contains(cs.failed()[0], "no serverInfo") {
		t.Errorf("a FAILURE: failed %v", cs.failed())
	}
	write(`[{"id":"ping","status":"ERROR"}]`)
	if cs, _ := readConformanceChecks(dir); len(cs.failed()) != 1 {
		t.Errorf("an unknown status: failed %v", cs.failed())
	}
	if _, err := readConformanceChecks(t.TempDir()); err == nil {
		t.Error("no checks.json read as passing")
	}
}
