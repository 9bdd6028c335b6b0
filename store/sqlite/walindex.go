package sqlite

import (
	"runtime/debug"
	"sync/atomic"
	"unsafe"
)

// The WAL index header: what lets Version skip its query while nothing has
// been committed.
//
// In WAL mode every commit, by any connection of any process, rewrites the
// header at the start of the WAL index, the -shm file that SQLite maps into
// the memory of every process using the database: its change counter moves
// with every transaction, and its frame count and salts with every write to
// the WAL. SQLite writes it twice, the second copy first, with a memory
// barrier between, and a reader that finds the two copies different knows a
// writer is at work (https://sqlite.org/walformat.html, "The WAL-Index
// Header"). Version keeps the header beside the data version it read with
// it; a later Version that finds the same header, both copies alike, returns
// that data version without a query, as no commit can have happened since
// (a commit in another process has written the header before it returns).
// Any doubt (the copies differ, the file cannot be mapped or is shorter
// than the header, a fault reading it) means a query, as before.

// walIndexHeader is one copy of the header: 48 bytes, as twelve 32-bit
// words, compared whole and never interpreted.
type walIndexHeader [12]uint32

const walIndexHeaderBytes = int(unsafe.Sizeof(walIndexHeader{}))

// walIndex is a read-only mapping of the start of a database's -shm file.
type walIndex struct {
	mem []byte // at least two headers long
}

// read copies the header into h and reports whether the two copies were
// alike. It reads with atomic loads, copy 0 before copy 1, the order SQLite
// reads them in (it writes copy 1 first). A fault while reading (the file
// cut short by a process that found the database unused, which cannot
// happen while this store's connections are open) is a false, not a crash.
func (w *walIndex) read(h *walIndexHeader) (ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	words := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(w.mem))), 2*len(h))
	for i := range h {
		h[i] = atomic.LoadUint32(&words[i])
	}
	for i := range h {
		if atomic.LoadUint32(&words[len(h)+i]) != h[i] {
			return false
		}
	}
	return true
}

// versionAt is a data version read while the WAL index header was hdr.
type versionAt struct {
	hdr walIndexHeader
	v   int64
}
