package prom

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// appendProcess appends the process_* metrics from /proc/self: CPU time,
// memory, start time and file descriptors. What cannot be read is left out.
func appendProcess(b []byte) []byte {
	stat, err := os.ReadFile("/proc/self/stat")
	if err == nil {
		// After the command name, in parentheses that may hold anything.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			f := bytes.Fields(stat[i+1:]) // f[0] is field 3, the state
			field := func(n int) float64 {
				if n-3 >= len(f) {
					return -1
				}
				v, err := strconv.ParseFloat(string(f[n-3]), 64)
				if err != nil {
					return -1
				}
				return v
			}
			const ticks = 100 // USER_HZ, the unit of /proc's times on Linux
			utime, stime, start, vsize, rss := field(14), field(15), field(22), field(23), field(24)
			if utime >= 0 && stime >= 0 {
				b = appendHeader(b, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter")
				b = appendValue(append(b, "process_cpu_seconds_total"...), (utime+stime)/ticks)
			}
			if rss >= 0 {
				b = appendHeader(b, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge")
				b = appendValue(append(b, "process_resident_memory_bytes"...), rss*float64(os.Getpagesize()))
			}
			if vsize >= 0 {
				b = appendHeader(b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge")
				b = appendValue(append(b, "process_virtual_memory_bytes"...), vsize)
			}
			if boot := bootTime(); boot > 0 && start >= 0 {
				b = appendHeader(b, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge")
				b = appendValue(append(b, "process_start_time_seconds"...), boot+start/ticks)
			}
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		b = appendHeader(b, "process_open_fds", "Number of open file descriptors.", "gauge")
		b = appendValue(append(b, "process_open_fds"...), float64(len(fds)-1)) // less ReadDir's own
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		b = appendHeader(b, "process_max_fds", "Maximum number of open file descriptors.", "gauge")
		b = appendValue(append(b, "process_max_fds"...), float64(lim.Cur))
	}
	return b
}

// bootTime is when the system booted, in seconds since 1970 (btime in
// /proc/stat), or 0.
func bootTime() float64 {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for line := range bytes.SplitSeq(stat, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			t, err := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
			if err == nil {
				return t
			}
		}
	}
	return 0
}
