package testutil

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// PeakHeap runs f while sampling the heap in use (objects plus unused
// span space, as HeapInuse counts it) every 2 ms, and returns the heap in
// use before f (after a GC) and its peak during f. Memory tests assert on
// the peak: streaming code must hold a bounded amount whatever the size.
func PeakHeap(f func()) (base, peak uint64) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	base = read()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return base, peak
}
