package catalog

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Tests that check a hand-written table against botocore's models read them
// here. botocore is a test dependency only: without it (pip install
// botocore; CI has it) those tests skip, saying so.

// botoModel is the part of a service-2.json these tests read.
type botoModel struct {
	Operations map[string]struct {
		Output *struct {
			Shape string `json:"shape"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]*botoShape `json:"shapes"`
}

type botoShape struct {
	Type    string `json:"type"`
	Members map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value *struct {
		Shape string `json:"shape"`
	} `json:"value"`
}

var (
	botoOnce    sync.Once
	botoModels  map[string]*botoModel // by botocore service name
	botoVersion string
	botoErr     string
)

// botocore returns the newest model of every service in the installed
// botocore, or skips the test.
func botocore(t *testing.T) (map[string]*botoModel, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("reading every botocore model is skipped in -short")
	}
	botoOnce.Do(loadBotocore)
	if botoErr != "" {
		t.Skip(botoErr)
	}
	return botoModels, botoVersion
}

func loadBotocore() {
	dir := os.Getenv("ALTER_MCP_BOTOCORE")
	if dir == "" {
		out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
		if err != nil {
			botoErr = "botocore not found (python3 -c 'import botocore' failed; pip install botocore, or set ALTER_MCP_BOTOCORE): " + err.Error()
			return
		}
		dir = strings.TrimSpace(string(out))
	}
	data := filepath.Join(dir, "data")
	entries, err := os.ReadDir(data)
	if err != nil {
		botoErr = "botocore has no data folder: " + err.Error()
		return
	}
	if out, err := exec.Command("python3", "-c", "import botocore;print(botocore.__version__)").Output(); err == nil {
		botoVersion = strings.TrimSpace(string(out))
	}
	botoModels = map[string]*botoModel{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		f := newestBotoModel(filepath.Join(data, e.Name()))
		if f == "" {
			continue
		}
		m, err := readBotoModel(f)
		if err != nil {
			botoErr = "read " + f + ": " + err.Error()
			return
		}
		botoModels[e.Name()] = m
	}
	if len(botoModels) == 0 {
		botoErr = "no service models under " + data
	}
}

// newestBotoModel returns the service-2.json of a service's newest API
// version, as the generator takes it.
func newestBotoModel(svcDir string) string {
	entries, _ := os.ReadDir(svcDir)
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(versions)))
	for _, v := range versions {
		for _, name := range []string{"service-2.json.gz", "service-2.json"} {
			if f := filepath.Join(svcDir, v, name); fileExists(f) {
				return f
			}
		}
	}
	return ""
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func readBotoModel(name string) (*botoModel, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	var m botoModel
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// outputMembers calls fn for every member of an operation's output, nested
// structures, lists and maps included, with the shape that holds it. It goes at most maxDepth shapes deep and visits each shape once.
func (m *botoModel) outputMembers(operation string, fn func(shapeName string, shape *botoShape, member string)) {
	const maxDepth = 12
	o, ok := m.Operations[operation]
	if !ok || o.Output == nil {
		return
	}
	seen := map[string]bool{}
	var walk func(name string, depth int)
	walk = func(name string, depth int) {
		s := m.Shapes[name]
		if s == nil || seen[name] || depth > maxDepth {
			return
		}
		seen[name] = true
		switch s.Type {
		case "structure", "union":
			members := make([]string, 0, len(s.Members))
			for k := range s.Members {
				members = append(members, k)
			}
			sort.Strings(members)
			for _, k := range members {
				fn(name, s, k)
				walk(s.Members[k].Shape, depth+1)
			}
		case "list":
			if s.Member != nil {
				walk(s.Member.Shape, depth+1)
			}
		case "map":
			if s.Value != nil {
				walk(s.Value.Shape, depth+1)
			}
		}
	}
	walk(o.Output.Shape, 0)
}
