//go:build !unix

package tools

// openNoBlock: see files_unix.go; this system has no named pipes to wait on.
const openNoBlock = 0
