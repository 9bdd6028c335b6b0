package server

import (
	"bufio"
	"io"
	"regexp"
	"sync"
)

// messageTooLarge is the method a stdio message over MaxRequestBytes is
// replaced with: the server answers it "method not found", naming it, to
// the dropped message's id.
const messageTooLarge = "alter-mcp/message-larger-than-max-request-bytes"

// lineLimit passes stdio's newline-delimited messages through whole, up to
// max bytes each, so that one message cannot take the server's memory. A
// longer one is dropped as it is read, and in its place goes a request to
// messageTooLarge with the dropped message's id when its start shows one
// (the client gets a JSON-RPC error for that request), else a line that is
// not JSON (a parse error); either way the server reads on.
type lineLimit struct {
	r      *bufio.Reader
	max    int
	line   []byte // the message being read, up to max bytes
	out    []byte // what Read hands out next
	skip   bool   // dropping the rest of a message past max
	err    error  // to return once out is drained
	onDrop func()
}

func newLineLimit(r io.Reader, max int64, onDrop func()) *lineLimit {
	return &lineLimit{r: bufio.NewReaderSize(r, 64<<10), max: int(min(max, 1<<40)), onDrop: onDrop}
}

func (l *lineLimit) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		chunk, err := l.r.ReadSlice('\n')
		complete := err == nil
		if err != nil && err != bufio.ErrBufferFull {
			l.err = err
		}
		switch {
		case l.skip:
			l.skip = !complete
		case len(l.line)+len(chunk) > l.max+1: // +1: the newline
			start := l.line
			if len(start) < 4096 {
				start = append(start, chunk[:min(len(chunk), 4096-len(start))]...)
			}
			l.out = replacement(start)
			l.line = l.line[:0]
			l.skip = !complete && l.err == nil
			if l.onDrop != nil {
				l.onDrop()
			}
		default:
			l.line = append(l.line, chunk...)
			if complete || l.err != nil {
				l.out, l.line = l.line, l.line[:0]
			}
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// messageID finds a JSON-RPC id near the start of a message: a number or a
// short string.
// Compiled on first use: nothing heavy in package init.
var messageID = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"id"\s*:\s*(-?[0-9]{1,19}|"(?:[^"\\]|\\.){0,128}")`)
})

// replacement is what stands in for a message too large to pass.
func replacement(start []byte) []byte {
	if m := messageID().FindSubmatch(start[:min(len(start), 4096)]); m != nil {
		return []byte(`{"jsonrpc":"2.0","id":` + string(m[1]) + `,"method":"` + messageTooLarge + `"}` + "\n")
	}
	return []byte("alter-mcp: message larger than max-request-bytes\n")
}
