package prom

import (
	"runtime"
	"runtime/metrics"
)

// runtimeSamples are the runtime/metrics read for the go_* metrics, named
// as Prometheus's Go collector names them.
var runtimeSamples = []struct {
	name, help, metric string
}{
	{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", "/memory/classes/heap/objects:bytes"},
	{"go_memstats_heap_objects", "Number of currently allocated objects.", "/gc/heap/objects:objects"},
	{"go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", "/gc/heap/goal:bytes"},
	{"go_memstats_sys_bytes", "Number of bytes obtained from system.", "/memory/classes/total:bytes"},
}

// appendRuntime appends the go_* metrics (goroutines, threads, the Go
// version, the heap) and the process_* ones where the system tells them.
func appendRuntime(b []byte) []byte {
	b = appendHeader(b, "go_goroutines", "Number of goroutines that currently exist.", "gauge")
	b = appendValue(append(b, "go_goroutines"...), float64(runtime.NumGoroutine()))
	b = appendHeader(b, "go_info", "Information about the Go environment.", "gauge")
	b = appendValue(append(appendLabel(append(b, "go_info{"...), "version", runtime.Version()), '}'), 1)
	samples := make([]metrics.Sample, len(runtimeSamples))
	for i, s := range runtimeSamples {
		samples[i].Name = s.metric
	}
	metrics.Read(samples)
	for i, s := range runtimeSamples {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			continue // not in this Go
		}
		b = appendHeader(b, s.name, s.help, "gauge")
		b = appendValue(append(b, s.name...), float64(samples[i].Value.Uint64()))
	}
	threads, _ := runtime.ThreadCreateProfile(nil)
	b = appendHeader(b, "go_threads", "Number of OS threads created.", "gauge")
	b = appendValue(append(b, "go_threads"...), float64(threads))
	return appendProcess(b)
}
