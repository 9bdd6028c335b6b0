package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCommittedCatalogIsFresh regenerates the table from the botocore on
// this machine and compares it with the committed catalog.tsv.gz.
func TestCommittedCatalogIsFresh(t *testing.T) {
	dir := os.Getenv("ALTER_MCP_BOTOCORE")
	if dir == "" {
		var err error
		if dir, err = findBotocore(); err != nil {
			t.Skipf("cannot check catalog.tsv.gz: %v", err)
		}
	}
	committed, err := readGzip("../../catalog.tsv.gz")
	if err != nil {
		t.Fatalf("read committed table: %v", err)
	}
	if testing.Short() {
		t.Skip("regenerating the catalog reads all of botocore; skipped in -short")
	}

	// Regenerate into a temporary directory, as go generate would.
	out := filepath.Join(t.TempDir(), "catalog.tsv.gz")
	if err := run(dir, out); err != nil {
		t.Fatal(err)
	}
	fresh, err := readGzip(out)
	if err != nil {
		t.Fatal(err)
	}

	skip, stale := freshness(committed, fresh)
	switch {
	case skip != "":
		t.Skip(skip)
	case stale != "":
		t.Fatal(stale)
	}
}

// freshness compares the committed table with a fresh one. Its first line
// names the botocore release: a table from another release is not stale,
// only from elsewhere, and skip says so. Otherwise stale says where they
// differ, if they do.
func freshness(committed, fresh []byte) (skip, stale string) {
	if bytes.Equal(committed, fresh) {
		return "", ""
	}
	head := func(b []byte) string { l, _, _ := strings.Cut(string(b), "\n"); return l }
	if head(committed) != head(fresh) {
		return fmt.Sprintf("catalog.tsv.gz is from %q, this machine has %q: not comparable; install that botocore, or run go generate ./catalog to update it", head(committed), head(fresh)), ""
	}
	return "", fmt.Sprintf("catalog.tsv.gz is stale for %s (first difference at line %d): run go generate ./catalog",
		head(fresh), firstDiffLine(committed, fresh))
}

func TestFreshness(t *testing.T) {
	const v1, v2 = "alter-mcp-catalog 1 botocore=1.43.11\n", "alter-mcp-catalog 1 botocore=1.44.0\n"
	for _, tc := range []struct {
		name, committed, fresh string
		skip, stale            bool
	}{
		{"same", v1 + "s3\tGetObject\n", v1 + "s3\tGetObject\n", false, false},
		{"stale", v1 + "s3\tGetObject\n", v1 + "s3\tPutObject\n", false, true},
		{"another botocore", v1 + "s3\tGetObject\n", v2 + "s3\tPutObject\n", true, false},
	} {
		skip, stale := freshness([]byte(tc.committed), []byte(tc.fresh))
		if (skip != "") != tc.skip || (stale != "") != tc.stale {
			t.Errorf("%s: skip %q, stale %q; want skip %v, stale %v", tc.name, skip, stale, tc.skip, tc.stale)
		}
	}
}

// The committed table names the botocore it came from in its first line,
// which CI prints.
func TestCatalogNamesItsBotocore(t *testing.T) {
	committed, err := readGzip("../../catalog.tsv.gz")
	if err != nil {
		t.Fatalf("read committed table: %v", err)
	}
	if !regexp.MustCompile(`^alter-mcp-catalog \d+ botocore=\d+\.\d+\.\d+\n`).Match(committed) {
		l, _, _ := strings.Cut(string(committed), "\n")
		t.Errorf("catalog.tsv.gz begins %q, not with the botocore release it came from", l)
	}
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func firstDiffLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// TestLoad runs the generator over a small hand-made botocore.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string, gz bool) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(content)
		if gz {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(data)
			zw.Close()
			data = b.Bytes()
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("__init__.py", "import os\n__version__ = '9.8.7'\n", false)
	// An older API version that must be ignored.
	write("data/widgets/2010-01-01/service-2.json", `{"metadata":{"protocol":"query","endpointPrefix":"old"},"operations":{"Old":{"name":"Old"}},"shapes":{}}`, false)
	write("data/widgets/2020-02-02/service-2.json.gz", `{
	  "metadata":{"apiVersion":"2020-02-02","endpointPrefix":"widgets","protocol":"rest-json","protocols":["rest-json"],
	    "serviceId":"Widgets","signingName":"widget","jsonVersion":"1.1"},
	  "operations":{
	    "PutWidget":{"name":"PutWidget","http":{"method":"PUT","requestUri":"/w/{Id}"},"input":{"shape":"PutIn"}},
	    "PutWidgetPart":{"name":"PutWidgetPart","http":{"method":"PUT","requestUri":"/w/{Id}"},"input":{"shape":"PartIn"}},
	    "ListWidgets":{"name":"ListWidgets","http":{"method":"GET","requestUri":"/w?list"},"deprecated":true}
	  },
	  "shapes":{
	    "PutIn":{"type":"structure","required":["Id"],"members":{"Id":{"shape":"S","location":"uri","locationName":"Id"}}},
	    "PartIn":{"type":"structure","required":["Id","Part","Src"],"members":{
	      "Id":{"shape":"S","location":"uri","locationName":"Id"},
	      "Part":{"shape":"S","location":"querystring","locationName":"partNumber"},
	      "Src":{"shape":"S","location":"header","locationName":"X-Src"}}}
	  }}`, true)
	write("data/gadgets/2021-01-01/service-2.json", `{
	  "metadata":{"apiVersion":"2021-01-01","endpointPrefix":"gadgets","protocol":"smithy-rpc-v2-cbor","protocols":["smithy-rpc-v2-cbor","json","query"],
	    "serviceId":"Gadgets","jsonVersion":"1.0","targetPrefix":"Gadgets_2021","awsQueryCompatible":{}},
	  "operations":{"GetGadget":{"name":"GetGadget","http":{"method":"POST","requestUri":"/"}}},
	  "shapes":{}}`, false)
	write("data/nothing-here/README", "not a service", false)

	cat, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Header + ` botocore=9.8.7
S	gadgets	Gadgets	gadgets	gadgets	smithy-rpc-v2-cbor,json,query	1.0	Gadgets_2021	2021-01-01	q
O	GetGadget
S	widgets	Widgets	widgets	widget	rest-json	1.1		2020-02-02
O	ListWidgets	GET	/w?list			d
O	PutWidget	PUT	/w/{Id}
O	PutWidgetPart	PUT	/w/{Id}	partNumber	x-src
`
	if got := string(cat.Encode()); got != want {
		t.Errorf("Encode:\n%s\nwant:\n%s", got, want)
	}
	a, err := cat.Gzip()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := cat.Gzip()
	if !bytes.Equal(a, b) {
		t.Error("Gzip is not deterministic")
	}
}

func TestRouteKey(t *testing.T) {
	for uri, want := range map[string]string{
		"/{Bucket}/{Key+}":               "GET /{}/{+}?",
		"/{Bucket}?list-type=2":          "GET /{}?list-type=2",
		"/{Bucket}?select&select-type=2": "GET /{}?select&select-type=2",
		"/":                              "GET /?",
	} {
		if got := routeKey("GET", uri); got != want {
			t.Errorf("routeKey(%q) = %q, want %q", uri, got, want)
		}
	}
}

// TestReadmeCounts: the README's count of services and operations is the
// committed table's.
func TestReadmeCounts(t *testing.T) {
	committed, err := readGzip("../../catalog.tsv.gz")
	if err != nil {
		t.Fatalf("read committed table: %v", err)
	}
	var services, ops int
	for _, l := range strings.Split(string(committed), "\n") {
		switch {
		case strings.HasPrefix(l, "S\t"):
			services++
		case strings.HasPrefix(l, "O\t"):
			ops++
		}
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`It holds ([\d,]+) services and ([\d,]+) operations`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md does not say how many services and operations the catalog holds")
	}
	want := fmt.Sprintf("%s services, %s operations", strings.ReplaceAll(string(m[1]), ",", ""), strings.ReplaceAll(string(m[2]), ",", ""))
	if got := fmt.Sprintf("%d services, %d operations", services, ops); got != want {
		t.Errorf("catalog.tsv.gz holds %s; README.md says %s", got, want)
	}
}
