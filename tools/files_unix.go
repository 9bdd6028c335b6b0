//go:build unix

package tools

import "syscall"

// openNoBlock opens a named pipe or device without waiting for a writer,
// so that openUpload can see it is not a regular file and refuse it.
const openNoBlock = syscall.O_NONBLOCK
