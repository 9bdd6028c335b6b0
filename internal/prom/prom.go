// Package prom keeps counters, gauges and histograms with labels and writes
// them in Prometheus's text exposition format (version 0.0.4), with the Go
// runtime's and the process's standard metrics.
//
// It is the little of Prometheus's client library that the server uses.
// That library registers its Go and process collectors when its package is
// initialized, which cost every run of the program about 1.2 ms and 100
// page faults before main, `alter-mcp version` included.
package prom

import (
	"encoding/binary"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Registry holds metric families and writes them, sorted by name.
type Registry struct {
	mu       sync.Mutex
	families []*family
	// Runtime adds the go_* and process_* metrics (see WriteTo).
	Runtime bool
}

// family is one metric name: its help, type, label names, buckets (for a
// histogram) and series.
type family struct {
	name, help, typ string
	labels          []string
	order           []int     // labels' indexes in the order of their names, as they are written
	buckets         []float64 // upper bounds, increasing, without +Inf

	mu     sync.RWMutex
	series map[string]*series // by label values, each after its length
}

// series is one combination of label values. A counter or gauge keeps its
// value in sum; a histogram its observations' sum, count and one count per
// bucket.
type series struct {
	values []string

	mu     sync.Mutex
	sum    float64
	count  uint64
	counts []uint64
}

func (r *Registry) add(f *family) *family {
	f.labels = slices.Clone(f.labels) // the caller's slice may change
	for _, l := range f.labels {
		if !validName(l) || l == "le" && f.typ == "histogram" {
			panic("prom: bad label name " + strconv.Quote(l) + " of " + f.name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !validName(f.name) || slices.ContainsFunc(r.families, func(g *family) bool { return g.name == f.name }) {
		panic("prom: bad or repeated metric name " + strconv.Quote(f.name))
	}
	f.series = map[string]*series{}
	f.order = make([]int, len(f.labels))
	for i := range f.order {
		f.order[i] = i
	}
	slices.SortFunc(f.order, func(i, j int) int { return strings.Compare(f.labels[i], f.labels[j]) })
	r.families = append(r.families, f)
	if len(f.labels) == 0 {
		f.with(nil) // shown from the start, as 0
	}
	return f
}

// validName reports whether s is a metric or label name: [a-zA-Z_][a-zA-Z0-9_]*.
func validName(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// with returns the series of values, made on first use.
func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic("prom: " + f.name + " takes " + strconv.Itoa(len(f.labels)) + " label values")
	}
	// The key is each value after its length, so that no two lists of
	// values share one; built on the stack, and looked up without a copy.
	var buf [256]byte
	key := buf[:0]
	for _, v := range values {
		key = binary.AppendUvarint(key, uint64(len(v)))
		key = append(key, v...)
	}
	f.mu.RLock()
	s := f.series[string(key)]
	f.mu.RUnlock()
	if s != nil {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s = f.series[string(key)]; s == nil {
		s = &series{values: slices.Clone(values), counts: make([]uint64, len(f.buckets))}
		f.series[string(key)] = s
	}
	return s
}

// CounterVec is a counter for each combination of its labels' values.
type CounterVec struct{ f *family }

// NewCounterVec registers a counter named name with the given labels.
func (r *Registry) NewCounterVec(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.add(&family{name: name, help: help, typ: "counter", labels: labels})}
}

// Add adds v (never negative) to the counter of values.
func (c *CounterVec) Add(v float64, values ...string) {
	if v < 0 || math.IsNaN(v) {
		panic("prom: a counter cannot go down")
	}
	s := c.f.with(values)
	s.mu.Lock()
	s.sum += v
	s.mu.Unlock()
}

// Inc adds 1 to the counter of values.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// GaugeVec is a gauge for each combination of its labels' values.
type GaugeVec struct{ f *family }

// NewGaugeVec registers a gauge named name with the given labels.
func (r *Registry) NewGaugeVec(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.add(&family{name: name, help: help, typ: "gauge", labels: labels})}
}

// Add adds v, which may be negative, to the gauge of values.
func (g *GaugeVec) Add(v float64, values ...string) {
	s := g.f.with(values)
	s.mu.Lock()
	s.sum += v
	s.mu.Unlock()
}

// HistogramVec counts observations in buckets, for each combination of its
// labels' values.
type HistogramVec struct{ f *family }

// NewHistogramVec registers a histogram named name whose buckets have the
// given upper bounds (increasing; +Inf is added).
func (r *Registry) NewHistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	for i, v := range buckets {
		if math.IsNaN(v) || math.IsInf(v, 1) || i > 0 && v <= buckets[i-1] {
			panic("prom: the buckets of " + name + " must increase, without +Inf")
		}
	}
	if len(buckets) == 0 {
		panic("prom: " + name + " has no buckets")
	}
	return &HistogramVec{r.add(&family{name: name, help: help, typ: "histogram", labels: labels, buckets: slices.Clone(buckets)})}
}

// Observe counts v in the histogram of values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	s := h.f.with(values)
	i, _ := slices.BinarySearch(h.f.buckets, v) // the first bound >= v
	s.mu.Lock()
	s.sum += v
	s.count++
	if i < len(s.counts) {
		s.counts[i]++
	}
	s.mu.Unlock()
}

// WriteTo writes every family in the text format, sorted by name, each
// family's series sorted by their label values; with Runtime, the go_* and
// process_* metrics first.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b []byte
	if r.Runtime {
		b = appendRuntime(b)
	}
	r.mu.Lock()
	fams := slices.Clone(r.families)
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	for _, f := range fams {
		b = f.appendTo(b)
	}
	n, err := w.Write(b)
	return int64(n), err
}

func (f *family) appendTo(b []byte) []byte {
	f.mu.RLock()
	all := make([]*series, 0, len(f.series))
	for _, s := range f.series {
		all = append(all, s)
	}
	f.mu.RUnlock()
	if len(all) == 0 {
		return b
	}
	slices.SortFunc(all, func(a, b *series) int {
		for _, i := range f.order {
			if c := strings.Compare(a.values[i], b.values[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	b = appendHeader(b, f.name, f.help, f.typ)
	for _, s := range all {
		s.mu.Lock()
		sum, count, counts := s.sum, s.count, slices.Clone(s.counts)
		s.mu.Unlock()
		if f.typ != "histogram" {
			b = f.appendSample(b, "", s.values, "", sum)
			continue
		}
		var cum uint64
		for i, bound := range f.buckets {
			cum += counts[i]
			b = f.appendSample(b, "_bucket", s.values, formatFloat(bound), float64(cum))
		}
		b = f.appendSample(b, "_bucket", s.values, "+Inf", float64(count))
		b = f.appendSample(b, "_sum", s.values, "", sum)
		b = f.appendSample(b, "_count", s.values, "", float64(count))
	}
	return b
}

// appendHeader appends a family's HELP and TYPE lines.
func appendHeader(b []byte, name, help, typ string) []byte {
	b = append(b, "# HELP "+name+" "...)
	for _, c := range []byte(help) {
		switch c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, "\n# TYPE "+name+" "+typ+"\n"...)
}

// appendSample appends one line of f: its name and suffix, its labels in
// the order of their names (and le, when not ""), and v.
func (f *family) appendSample(b []byte, suffix string, values []string, le string, v float64) []byte {
	b = append(b, f.name+suffix...)
	if len(f.labels) > 0 || le != "" {
		b = append(b, '{')
		for n, i := range f.order {
			if n > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, f.labels[i], values[i])
		}
		if le != "" {
			if len(f.labels) > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, "le", le)
		}
		b = append(b, '}')
	}
	return appendValue(b, v)
}

// appendValue appends " v\n".
func appendValue(b []byte, v float64) []byte {
	b = append(b, ' ')
	b = append(b, formatFloat(v)...)
	return append(b, '\n')
}

// appendLabel appends name="value", the value escaped, and any bytes in it
// that are not UTF-8 written as U+FFFD: the format is UTF-8.
func appendLabel(b []byte, name, value string) []byte {
	b = append(b, name+`="`...)
	if !utf8.ValidString(value) {
		value = strings.ToValidUTF8(value, "\uFFFD")
	}
	for _, c := range []byte(value) {
		switch c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Handler serves the registry in the text format; GET and HEAD only.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if req.Method == http.MethodHead {
			return
		}
		r.WriteTo(w)
	})
}
