//go:build unix

package sqlite

import (
	"os"
	"syscall"
)

// openWALIndex maps the header of the WAL index of the database at path
// (path + "-shm") for reading, or returns nil when it cannot: Version then
// always queries. SQLite makes the file when the first connection uses the
// database in WAL mode, so Open calls this after its connections have.
func openWALIndex(path string) *walIndex {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() < int64(2*walIndexHeaderBytes) {
		return nil
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, 2*walIndexHeaderBytes, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return &walIndex{mem: mem}
}

func (w *walIndex) close() {
	if w != nil {
		syscall.Munmap(w.mem)
	}
}
