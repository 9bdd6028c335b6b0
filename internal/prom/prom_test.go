package prom

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// TestExposition: counters, gauges and histograms are written in the text
// format, families by name, labels by their names, series by their values,
// label values and help escaped, histogram buckets cumulative with +Inf,
// _sum and _count; a family without labels is shown before any
// observation, one with labels only once it has a series.
func TestExposition(t *testing.T) {
	r := &Registry{}
	c := r.NewCounterVec("b_total", "help with \\ and\nnewline", "tool", "result")
	g := r.NewGaugeVec("a_open", "open now", "transport")
	h := r.NewHistogramVec("c_seconds", "durations", []float64{0.1, 1}, "op")
	plain := r.NewHistogramVec("d_seconds", "no labels", []float64{0.5})
	r.NewCounterVec("e_total", "never used", "x")
	_ = plain

	c.Inc("s3_list", "ok")
	c.Add(2, "s3_list", "ok")
	c.Inc("a\"b\\c\nd", "error")
	c.Inc("bad\xffutf8", "ok")
	g.Add(1, "http")
	g.Add(1, "http")
	g.Add(-1, "http")
	g.Add(1, "stdio")
	h.Observe(0.05, "GetObject")
	h.Observe(0.1, "GetObject") // on the bound: counted in it
	h.Observe(0.5, "GetObject")
	h.Observe(7, "GetObject")

	var b strings.Builder
	r.WriteTo(&b)
	want := `# HELP a_open open now
# TYPE a_open gauge
a_open{transport="http"} 1
a_open{transport="stdio"} 1
# HELP b_total help with \\ and\nnewline
# TYPE b_total counter
b_total{result="error",tool="a\"b\\c\nd"} 1
b_total{result="ok",tool="bad�utf8"} 1
b_total{result="ok",tool="s3_list"} 3
# HELP c_seconds durations
# TYPE c_seconds histogram
c_seconds_bucket{op="GetObject",le="0.1"} 2
c_seconds_bucket{op="GetObject",le="1"} 3
c_seconds_bucket{op="GetObject",le="+Inf"} 4
c_seconds_sum 7.65
c_seconds_count{op="GetObject"} 4
# HELP d_seconds no labels
# TYPE d_seconds histogram
d_seconds_bucket{le="0.5"} 0
d_seconds_bucket{le="+Inf"} 0
d_seconds_sum 0
d_seconds_count 0
`
	// _sum carries its labels too.
	want = strings.Replace(want, "c_seconds_sum 7.65", `c_seconds_sum{op="GetObject"} 7.65`, 1)
	if got := b.String(); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
	promtool(t, b.String())
}

// TestRuntimeMetrics: with Runtime the page has the Go runtime's and the
// process's standard metrics, and promtool finds it clean; the handler
// serves it as text 0.0.4 and refuses writes.
func TestRuntimeMetrics(t *testing.T) {
	r := &Registry{Runtime: true}
	r.NewCounterVec("x_total", "x", "k").Inc("v")
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	page := string(body)
	names := []string{"go_goroutines ", "go_info{version=\"go", "go_memstats_alloc_bytes ", "go_memstats_sys_bytes ", "go_threads ", `x_total{k="v"} 1`}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		names = append(names, "process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ", "process_max_fds ", "process_start_time_seconds ")
	}
	for _, n := range names {
		if !strings.Contains(page, "\n"+n) {
			t.Errorf("the page lacks %q:\n%s", n, page)
		}
	}
	promtool(t, page)
	resp, err = http.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

// TestConcurrentUse: series made and counted from many goroutines at once
// (run with -race) lose no count.
func TestConcurrentUse(t *testing.T) {
	r := &Registry{}
	c := r.NewCounterVec("n_total", "n", "k")
	h := r.NewHistogramVec("h_seconds", "h", []float64{1}, "k")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Inc([]string{"a", "b"}[i%2])
				h.Observe(0.5, "a")
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			r.WriteTo(io.Discard)
		}
	})
	wg.Wait()
	var b strings.Builder
	r.WriteTo(&b)
	for _, want := range []string{`n_total{k="a"} 4000`, `n_total{k="b"} 4000`, `h_seconds_count{k="a"} 8000`} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("lacks %s:\n%s", want, b.String())
		}
	}
}

// TestMisuse: what would write a page Prometheus cannot read panics when
// the metric is made or used, not when it is scraped.
func TestMisuse(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"repeated name":        func(r *Registry) { r.NewCounterVec("a_total", ""); r.NewGaugeVec("a_total", "") },
		"bad name":             func(r *Registry) { r.NewCounterVec("a-b", "") },
		"bad label":            func(r *Registry) { r.NewCounterVec("a_total", "", "0x") },
		"le on a histogram":    func(r *Registry) { r.NewHistogramVec("h", "", []float64{1}, "le") },
		"buckets not rising":   func(r *Registry) { r.NewHistogramVec("h", "", []float64{1, 1}) },
		"no buckets":           func(r *Registry) { r.NewHistogramVec("h", "", nil) },
		"counter going down":   func(r *Registry) { r.NewCounterVec("a_total", "").Add(-1) },
		"too few label values": func(r *Registry) { r.NewCounterVec("a_total", "", "x", "y").Inc("1") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f(&Registry{})
		}()
	}
}

// promtool runs `promtool check metrics` on page when promtool is on the
// PATH (CI installs it, and the server's metrics test requires it).
func promtool(t *testing.T, page string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("ALTER_MCP_REQUIRE_PROMTOOL") != "" {
			t.Fatal("promtool is not on the PATH")
		}
		t.Log("promtool is not on the PATH: the page is not linted")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\npage:\n%s", err, out, page)
	}
}

// TestSeriesKeys: lists of label values that would join into one string
// stay apart, and counting an existing series allocates nothing (it runs
// twice for every audited call).
func TestSeriesKeys(t *testing.T) {
	r := &Registry{}
	c := r.NewCounterVec("k_total", "k", "a", "b")
	c.Inc("x\xff", "y")
	c.Inc("x", "\xffy")
	var b strings.Builder
	r.WriteTo(&b)
	if n := strings.Count(b.String(), "\nk_total{"); n != 2 {
		t.Errorf("%d series, want 2:\n%s", n, b.String())
	}
	if allocs := testing.AllocsPerRun(100, func() { c.Inc("x", "\xffy") }); allocs != 0 {
		t.Errorf("counting an existing series allocates %v times", allocs)
	}
}
